-- A busy loop inside a coroutine must still reach the host's script_tick, so SCRIPT KILL
-- (the test host answers Kill after 50 virtual ms) stops it, and pcall cannot catch it.
-- kill-after-ms: 50
-- expect-error: ERR Script killed by user with SCRIPT KILL...
local spin = coroutine.wrap(function() while true do end end)
while true do pcall(spin) end
