-- Coroutine tricks: yielding out of the script's main function, across pcall and across a C
-- function (table.sort's comparator) must all fail with "attempt to yield across
-- metamethod/C-call boundary"; redis.call works inside a coroutine as in Redis.
-- Returns {refused out of 3, GET of a key read from inside a coroutine}.
-- expect-resp2: *2\r\n:3\r\n$6\r\nstring\r\n
local attempts = {
  function() return pcall(coroutine.yield, 1) end,
  function() return coroutine.wrap(function() return pcall(coroutine.yield, 1) end)() end,
  function()
    local co = coroutine.wrap(function()
      table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end)
    end)
    return pcall(co)
  end,
}
local refused = 0
for _, attempt in ipairs(attempts) do
  local ok, err = attempt()
  if not ok and string.find(err, 'attempt to yield across metamethod/C-call boundary', 1, true) then
    refused = refused + 1
  end
end
local co = coroutine.create(function() return redis.call('GET', 'str') end)
local _, value = coroutine.resume(co)
return {refused, value}
