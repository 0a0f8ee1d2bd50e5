-- {err=...} is an error reply, its first word kept as the error code.
return {err = 'MYCODE something failed'}
