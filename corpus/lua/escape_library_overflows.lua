-- Overflows in the C libraries Redis bundles: cjson deep nesting (CVE-2024-31449's
-- neighbours), cmsgpack truncated input (CVE-2018-11218), struct huge counts
-- (CVE-2018-11219, CVE-2020-14147), bit.tohex with INT_MIN digits (CVE-2024-31449) and
-- string.format widths. Returns {refused out of 4, bit.tohex(65535, INT_MIN)}.
-- expect-resp2: *2\r\n:4\r\n$8\r\n0000FFFF\r\n
local attempts = {
  function() return cjson.decode(string.rep('[', 100000)) end,
  function() return cmsgpack.unpack('\220\255\255') end,
  function() return struct.unpack('c2147483647', 'x') end,
  function() return string.format('%099999d', 1) end,
}
local refused = 0
for _, attempt in ipairs(attempts) do
  if not pcall(attempt) then refused = refused + 1 end
end
return {refused, bit.tohex(65535, -2147483648)}
