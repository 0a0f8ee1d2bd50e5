-- CVE-2025-46818: the metatables of basic types (the string metatable, whose __index is
-- `string`) were shared by every script, so one user could plant code another user's
-- script would run. They are read-only, and debug.setmetatable is out of reach.
-- Returns how many of the 6 attempts were refused.
-- expect-integer: 6
local evil = function() redis.call('SET', 'victim', 'pwned') end
local attempts = {
  function() getmetatable('').__index = { upper = evil } end,
  function() getmetatable('').__index.upper = evil end,
  function() getmetatable('').__add = evil end,
  function() rawset(getmetatable(''), '__index', {}) end,
  function() rawset(getmetatable('').__index, 'len', evil) end,
  function() debug.setmetatable(1, { __index = evil }) end,
}
local refused = 0
for _, attempt in ipairs(attempts) do
  local ok, err = pcall(attempt)
  if not ok and (string.find(err, 'Attempt to modify a readonly table', 1, true)
      or string.find(err, "nonexistent global variable 'debug'", 1, true)) then
    refused = refused + 1
  end
end
return refused
