-- Redis -> Lua after setresp(3): a null reaches the script as nil.
redis.setresp(3)
local v = redis.call('GET', 'no-such-key')
return {type(v), tostring(v)}
