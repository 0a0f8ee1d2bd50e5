-- newproxy(true) makes a userdata with a metatable whose __gc runs when the collector
-- frees it: after the script, outside its context. Redis removes newproxy.
-- expect-error: ERR user_script:4: Script attempted to access nonexistent global variable 'newproxy'
local proxy = newproxy(true)
getmetatable(proxy).__gc = function() redis.call('SET', 'victim', 'pwned') end
proxy = nil
return 1
