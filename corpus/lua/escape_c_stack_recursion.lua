-- Recursion through C functions (pcall, metamethods, gsub callbacks) ends at the C-call
-- limit (LUAI_MAXCCALLS, 200) with "C stack overflow", not a crash of the process.
-- Returns {results of nested pcalls, last of them, the __index loop's error}.
-- expect-resp2: *3\r\n:200\r\n$16\r\nC stack overflow\r\n:1\r\n
local function f() return pcall(f) end
local results = {f()}
local loop = setmetatable({}, {})
getmetatable(loop).__index = function(t, k) return t[k] end
local ok, err = pcall(function() return loop.x end)
return {#results, results[#results], (not ok and string.find(err, 'stack overflow', 1, true)) and 1 or 0}
