-- Only the array part counts: string keys are not part of the reply.
return {1, 2, name = 'ignored'}
