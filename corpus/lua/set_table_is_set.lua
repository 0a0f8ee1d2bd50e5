-- {set={...}}: RESP3 set of the keys; an array for RESP2 clients.
return {set = {member = true}}
