-- An array stops at its first nil; later elements are dropped.
return {1, 2, nil, 4}
