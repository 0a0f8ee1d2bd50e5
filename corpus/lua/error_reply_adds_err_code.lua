-- redis.error_reply adds ERR when the text has no code.
return redis.error_reply('no code here')
