-- Numbers passed to redis.call are formatted with %.17g.
redis.call('SET', 'k', 0.1)
return redis.call('GET', 'k')
