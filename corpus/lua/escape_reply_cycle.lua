-- A table that contains itself: converting it to a reply must stop at a depth limit with an
-- error element, as Redis does ("reached lua stack limit"), instead of recursing forever.
-- expect-innermost-error: ERR reached lua stack limit
local t = {}
t[1] = t
return t
