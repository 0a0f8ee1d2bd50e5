-- Redis -> Lua: an array reply is a table; null elements are false.
redis.call('SET', 'a', '1')
local r = redis.call('MGET', 'a', 'missing')
return {type(r), #r, r[1], type(r[2])}
