-- {big_number=s}: RESP3 big number; a bulk string for RESP2 clients.
return {big_number = '1234567890123456789012345678901234567890'}
