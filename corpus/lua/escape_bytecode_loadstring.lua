-- Bytecode through loadstring (CVE-2015-4335 and the exploits after it): Lua 5.1's bytecode
-- loader trusts its input, so crafted bytecode reads and writes memory. string.dump is
-- still there, but loadstring and load refuse binary chunks ("unexpected symbol near
-- 'char(27)'"). Returns how many of the 3 loads were refused.
-- expect-integer: 3
local dumped = string.dump(function() return 1 end)
local chunks = {
  function() return loadstring(dumped) end,
  function() return loadstring('\27LuaQ\0\1\4\8\4\8\0') end,
  function()
    local sent = false
    return load(function() if sent then return nil end sent = true return dumped end)
  end,
}
local refused = 0
for _, chunk in ipairs(chunks) do
  local f, err = chunk()
  if f == nil and string.find(err, "unexpected symbol near 'char(27)'", 1, true) then
    refused = refused + 1
  end
end
return refused
