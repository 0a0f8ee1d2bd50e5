-- Redis -> Lua: an integer reply is a Lua number.
local n = redis.call('INCR', 'counter')
return {type(n), n + 0.5}
