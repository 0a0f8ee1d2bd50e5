-- An endless loop: the script runs until the host answers Kill (SCRIPT KILL; the test host
-- does so after 50 virtual ms). The script has not written, so it can be killed.
-- kill-after-ms: 50
-- expect-error: ERR Script killed by user with SCRIPT KILL...
local i = 0
while true do i = i + 1 end
