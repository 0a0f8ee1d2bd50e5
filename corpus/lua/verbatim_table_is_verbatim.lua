-- {verbatim_string={format=, string=}}: RESP3 verbatim; a bulk string for RESP2 clients.
return {verbatim_string = {format = 'txt', string = 'plain text'}}
