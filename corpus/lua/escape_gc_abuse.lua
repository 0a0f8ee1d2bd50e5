-- CVE-2024-46981: the garbage collector's state survived SCRIPT FLUSH, and a script could
-- steer it to run code on freed objects later. Here: tune the collector to extremes, fill
-- a weak table, collect, and finally stop the collector; the test then flushes scripts and
-- runs this again. Every weak entry is collected: returns 0.
-- expect-integer: 0
collectgarbage('setpause', 0)
collectgarbage('setstepmul', 1000000)
local weak = setmetatable({}, { __mode = 'k' })
for i = 1, 1000 do weak[{}] = i end
local strong = setmetatable({}, { __mode = 'v' })
for i = 1, 1000 do strong[i] = {} end
collectgarbage('collect')
collectgarbage('step', 1000)
local n = 0
for _ in pairs(weak) do n = n + 1 end
for _ in pairs(strong) do n = n + 1 end
collectgarbage('stop')
return n
