-- Tables nest as arrays of arrays.
return {1, {2, {3, {}}}, 'four'}
