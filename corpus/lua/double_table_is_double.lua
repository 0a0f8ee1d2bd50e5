-- {double=n}: RESP3 ',' frame; a bulk string of %.17g for RESP2 clients.
return {double = 0.1}
