-- {map={...}}: RESP3 map; a flat array for RESP2 clients.
return {map = {field = 'value'}}
