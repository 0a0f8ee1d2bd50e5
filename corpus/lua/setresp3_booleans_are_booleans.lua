-- After redis.setresp(3) booleans are sent as booleans (RESP3) or :1/:0 (RESP2).
redis.setresp(3)
return {true, false}
