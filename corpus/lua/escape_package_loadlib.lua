-- CVE-2022-0543: Debian's Redis left `package` reachable, and package.loadlib opened
-- liblua's io library: a shell. The sandbox has no package, require, module, io, os,
-- debug, dofile or loadfile; the probes below must all be refused before the last line
-- is refused too.
-- expect-error: ERR user_script:11: Script attempted to access nonexistent global variable 'package'
for _, name in ipairs({'require', 'module', 'io', 'os', 'debug', 'dofile', 'loadfile'}) do
  local ok, err = pcall(function() return _G[name] end)
  if ok then return 'reachable: ' .. name end
  if not string.find(err, "nonexistent global variable '" .. name .. "'", 1, true) then return err end
end
local loadlib = package.loadlib
local io = loadlib('/usr/lib/x86_64-linux-gnu/liblua5.1.so.0', 'luaopen_io')
return io().popen('id'):read('*a')
