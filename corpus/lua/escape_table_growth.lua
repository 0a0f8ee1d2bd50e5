-- Runaway table growth must hit the Lua memory limit (the test engine's is 32 MB).
-- expect-error: not enough memory
local t = {}
for i = 1, 1e9 do t[i] = { i } end
return #t
