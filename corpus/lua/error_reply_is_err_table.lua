-- Redis -> Lua: redis.pcall hands an error reply over as {err=...}.
redis.call('SET', 'k', 'not a number')
local r = redis.pcall('INCR', 'k')
return {type(r), r.err}
