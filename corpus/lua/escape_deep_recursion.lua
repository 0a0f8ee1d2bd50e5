-- Unbounded Lua recursion ends at the Lua stack limit with a script error.
-- expect-error: ERR user_script:3: stack overflow
local function f(n) return 1 + f(n + 1) end
return f(1)
