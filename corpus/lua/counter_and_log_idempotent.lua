-- counter_and_log.lua made safe to retry: KEYS[3] is a token naming this operation
-- ({seq} in the scenario), written in the same atomic script as the effects. An attempt
-- that finds the token was preceded by one that ran: it writes nothing and reports the
-- state, so the operation's effect happens once however often a client resends it.
local counter_key = KEYS[1]
local timestamp_set_key = KEYS[2]
local token_key = KEYS[3]
local timestamp = ARGV[1]

if redis.call('EXISTS', token_key) == 0 then
  redis.call('INCR', counter_key)
  redis.call('ZADD', timestamp_set_key, timestamp, timestamp)
  redis.call('SET', token_key, timestamp)
end
local counter = redis.call('GET', counter_key)
local count = redis.call('ZCARD', timestamp_set_key)
return {counter, count}
