-- CVE-2022-24735 / CVE-2022-24736: a script could redefine globals and library functions
-- that the next script (maybe another user's) then called. Every global and library table
-- is read-only: each write below must fail with "Attempt to modify a readonly table".
-- Returns how many of the 16 writes were refused.
-- expect-integer: 16
local evil = function() redis.call('SET', 'victim', 'pwned') end
local writes = {
  function() x = 1 end,
  function() _G.redis = nil end,
  function() rawset(_G, 'x', 1) end,
  function() setmetatable(_G, {}) end,
  function() string.rep = evil end,
  function() table.insert = evil end,
  function() math.random = evil end,
  function() redis.call = evil end,
  function() redis.sha1hex = evil end,
  function() rawset(redis, 'pcall', evil) end,
  function() cjson.decode = evil end,
  function() cmsgpack.pack = evil end,
  function() struct.pack = evil end,
  function() bit.band = evil end,
  function() tostring = evil end,
  function() rawset(string, 'format', evil) end,
}
local refused = 0
for _, write in ipairs(writes) do
  local ok, err = pcall(write)
  if not ok and string.find(err, 'Attempt to modify a readonly table', 1, true) then
    refused = refused + 1
  end
end
return refused
