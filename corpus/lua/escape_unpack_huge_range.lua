-- CVE-2025-46817: unpack computed the range size in a signed int, so ranges near INT_MIN /
-- INT_MAX overflowed and pushed past the Lua stack. Each huge range must be refused with
-- "too many results to unpack"; a tiny range at the very top of int still works.
-- Returns {refused out of 5, values from a 2-element range at INT_MAX}.
-- expect-resp2: *2\r\n:5\r\n:2\r\n
local ranges = {
  {-2147483648, 2147483647},
  {0, 2147483647},
  {-2, 2147483647},
  {1, 1e9},
  {-2147483648, -1},
}
local refused = 0
for _, r in ipairs(ranges) do
  local ok, err = pcall(unpack, {}, r[1], r[2])
  if not ok and string.find(err, 'too many results to unpack', 1, true) then
    refused = refused + 1
  end
end
return {refused, select('#', unpack({}, 2147483646, 2147483647))}
