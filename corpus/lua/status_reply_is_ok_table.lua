-- Redis -> Lua: a status reply is a table {ok=...}.
local r = redis.call('SET', 'k', 'v')
return {type(r), r.ok}
