-- string.rep bombs: a gigabyte string must hit the Lua memory limit (the test engine's is
-- 32 MB) and end the script with "not enough memory", not exhaust the process.
-- expect-error: not enough memory
local s = string.rep('x', 2^30)
return #s
