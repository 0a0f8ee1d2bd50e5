-- {ok=...} is a status reply; CR and LF become spaces.
return {ok = 'fine'}
