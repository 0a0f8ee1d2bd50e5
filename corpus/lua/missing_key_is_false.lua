-- Redis -> Lua: a null bulk reply reaches the script as false.
local v = redis.call('GET', 'no-such-key')
return {type(v), tostring(v)}
