-- CVE-2025-49844 (use-after-free in the parser) and CVE-2025-46819 (out-of-bounds read in
-- the lexer on malformed long strings): sources built to stress the lexer and the parser.
-- Each must fail to compile with a Lua error (never crash); a 1 MB long string and a
-- 64 KB chunk name compile fine. Returns {refused out of 8, length of the long string}.
-- expect-resp2: *2\r\n:8\r\n:1000000\r\n
local bad = {
  string.rep('(', 100000) .. '1' .. string.rep(')', 100000),
  'return ' .. string.rep('{', 100000),
  string.rep('do ', 100000),
  'return [==[ unfinished',
  'return [==x',
  'return "\\999"',
  string.rep('a=', 100000),
  'return "' .. string.rep('x', 100000),
}
local refused = 0
for _, source in ipairs(bad) do
  local f, err = loadstring(source)
  if f == nil and type(err) == 'string' then refused = refused + 1 end
end
local long = loadstring('return [==[' .. string.rep('x', 1000000) .. ']==]', string.rep('n', 65536))
return {refused, #long()}
