-- redis.status_reply builds a status reply.
return redis.status_reply('QUEUED-ish')
