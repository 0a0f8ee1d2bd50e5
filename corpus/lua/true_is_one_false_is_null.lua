-- RESP2 scripts: true -> :1, false -> null bulk.
return {true, false}
