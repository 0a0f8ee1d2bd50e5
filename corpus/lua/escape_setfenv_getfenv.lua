-- getfenv / setfenv would hand a script the real globals table of a C function or let it
-- swap the environment of another function. Redis removes both.
-- expect-error: ERR user_script:8: Script attempted to access nonexistent global variable 'setfenv'
local ok, err = pcall(function() return getfenv(redis.call) end)
if ok or not string.find(err, "nonexistent global variable 'getfenv'", 1, true) then
  return 'getfenv reachable'
end
setfenv(0, { redis = { call = function() end } })
return 1
