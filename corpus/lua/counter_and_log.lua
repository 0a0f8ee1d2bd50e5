local counter_key = KEYS[1]
local timestamp_set_key = KEYS[2]
local timestamp = ARGV[1]

redis.call('INCR', counter_key)
redis.call('ZADD', timestamp_set_key, timestamp, timestamp)
local counter = redis.call('GET', counter_key)
local count = redis.call('ZCARD', timestamp_set_key)
return {counter, count}
