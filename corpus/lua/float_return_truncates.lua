-- Lua numbers become integers: the fraction is dropped (3.99 -> 3, -3.99 -> -3).
return {3.99, -3.99, 0.5}
