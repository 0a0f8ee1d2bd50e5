-- Arguments must be strings or numbers.
return redis.call('SET', 'k', {})
