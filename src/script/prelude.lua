-- redsim's script sandbox, built once per Lua VM before any user code runs.
--
-- Redis 7.0 patches its Lua so that globals and library tables are read-only
-- ("Attempt to modify a readonly table") and reading an undeclared global fails.
-- Stock Lua 5.1 has no read-only tables, so each protected table is replaced by an
-- empty proxy whose metatable reads through to the real table and refuses writes.
-- The raw functions (rawset, rawget, next, pairs, ipairs, setmetatable) are C functions
-- that see through proxies and cannot bypass the protection.
--
-- Errors meant for the user are raised here, in Lua, with error(msg, level) or with a
-- {err=...} table, so that they carry Lua's own position prefix exactly as Redis's C
-- code produces it. Rust primitives only ever return values.
--
-- Called with R, a table of Rust primitives (R.redis is the redis table, already holding
-- the Rust functions); returns the proxy globals, the real globals and set_loading.
local R = ...
local G = _G
local type, error, tostring, select, tonumber = type, error, tostring, select, tonumber
local raw_rawget, raw_rawset, raw_next = rawget, rawset, next
local raw_setmetatable, raw_getmetatable = setmetatable, getmetatable
local floor = math.floor

-- Remove what Redis 7.0 (as Debian builds it) does not offer.
for _, name in ipairs({'print', 'dofile', 'loadfile', 'getfenv', 'setfenv', 'newproxy',
                       'module', 'require', 'package', 'io', 'os', 'debug'}) do
  G[name] = nil
end

local RO = 'Attempt to modify a readonly table'
local real = raw_setmetatable({}, {__mode = 'k'})

local function ro_newindex()
  error(RO, 2)
end

-- A read-only view of t. Its metatable is itself shown only through a read-only view.
local function protect(t)
  local p = {}
  local mt = {__index = t, __newindex = ro_newindex}
  local view = raw_setmetatable({}, {__index = mt, __newindex = ro_newindex, __metatable = false})
  real[view] = mt
  mt.__metatable = view
  raw_setmetatable(p, mt)
  real[p] = t
  return p, mt
end

-- ---- the raw functions, made proxy-aware ------------------------------------------
-- C functions (lua_base.rs), so that their errors read as Lua's own: a Lua wrapper here
-- would show in every error text (its position, its names, "no value" for nil).
-- `bare`: the library tables' proxies, which have no metatable in Redis.
local bare = raw_setmetatable({}, {__mode = 'k'})
G.next, G.pairs, G.ipairs, G.rawget, G.rawset, G.setmetatable, G.loadstring, G.load,
  G.getmetatable = R.base(real, bare)

-- pcall and xpcall are C functions (lua_c.rs), installed by Rust after this chunk: a
-- Lua wrapper would change error positions (a tail call, `pcall(error, 'x', 2)`). They
-- use R.unwrap_error on errors raised by redsim's Rust functions.

-- math.random / math.randomseed: Redis's lrand48, implemented in Rust (C functions, so
-- that `return math.random(0)` keeps the caller's frame for the error position).
math.random = R.random
math.randomseed = R.randomseed

-- ---- the redis table ---------------------------------------------------------------
local function err_table(msg)
  return {err = msg}
end

-- call, pcall, sha1hex, log, setresp, set_repl and acl_check_cmd are Rust (C) functions:
-- a Lua wrapper would be tail-called by `return redis.call(...)`, and the user's frame,
-- whose line Redis reports, would be gone.
local redis = R.redis
-- An error reply table: "-CODE msg" keeps its code, anything else gets ERR, as
-- Redis's luaPushErrorBuff.
local function error_buff(s)
  local code, msg
  if s:sub(1, 1) == '-' then
    local space = s:find(' ', 1, true)
    if space then
      code, msg = s:sub(2, space - 1), s:sub(space + 1)
    else
      code, msg = 'ERR', s:sub(2)
    end
  else
    code, msg = 'ERR', s
  end
  msg = msg:gsub('^[\r\n]+', ''):gsub('[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end
redis.error_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return err_table('ERR wrong number or type of arguments')
  end
  if s:sub(1, 1) ~= '-' then s = '-' .. s end
  return error_buff(s)
end
redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return err_table('ERR wrong number or type of arguments')
  end
  return {ok = s}
end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.replicate_commands = function()
  return true
end
redis.breakpoint = function()
  return false
end
redis.debug = function()
end
redis.REDIS_VERSION = R.version
redis.REDIS_VERSION_NUM = R.version_num

-- The error handler of every script run: Rust fills in source and line.
G.__redis__err__handler = R.handler
G.redis = redis

-- Libraries: read-only views, with the string metatable pointing at the view.
for _, name in ipairs({'string', 'math', 'table', 'coroutine', 'redis', 'bit', 'cjson', 'cmsgpack', 'struct'}) do
  local lib = raw_rawget(G, name)
  if type(lib) == 'table' then
    local p = protect(lib)
    bare[p] = true
    raw_rawset(G, name, p)
  end
end
local string_mt = raw_getmetatable('')
string_mt.__index = raw_rawget(G, 'string')
string_mt.__metatable = protect(string_mt)

-- Globals: reads of undeclared names fail, writes are refused.
local PG, PG_mt = protect(G)
raw_rawset(G, '_G', PG)
local function nonexistent(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
raw_setmetatable(G, {__index = nonexistent})

-- ---- function libraries (FUNCTION LOAD) -------------------------------------------
-- While a library loads, its code sees only `redis` with register_function, log and
-- the version fields (Redis 7.0's load API); everything else is a nonexistent global.
local function reg_error(msg)
  error(err_table('ERR ' .. msg), 0)
end
local function isstring(v)
  return type(v) == 'string' or type(v) == 'number'
end
local function register_function(...)
  local n = select('#', ...)
  if n < 1 or n > 2 then reg_error('wrong number of arguments to redis.register_function') end
  local name, callback, flags, description
  if n == 1 then
    local t = ...
    if type(t) ~= 'table' then
      reg_error('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
    end
    for k, v in raw_next, t do
      if type(k) ~= 'string' and type(k) ~= 'number' then
        reg_error('named argument key given to redis.register_function is not a string')
      elseif k == 'function_name' then
        if not isstring(v) then reg_error('function_name argument given to redis.register_function must be a string') end
        name = v
      elseif k == 'description' then
        if not isstring(v) then reg_error('description argument given to redis.register_function must be a string') end
        description = v
      elseif k == 'callback' then
        if type(v) ~= 'function' then reg_error('callback argument given to redis.register_function must be a function') end
        callback = v
      elseif k == 'flags' then
        if type(v) ~= 'table' then
          reg_error('flags argument to redis.register_function must be a table representing function flags')
        end
        flags = v
      else
        reg_error('unknown argument given to redis.register_function')
      end
    end
    if name == nil then reg_error('redis.register_function must get a function name argument') end
    if callback == nil then reg_error('redis.register_function must get a callback argument') end
  else
    name, callback = ...
    if not isstring(name) then reg_error('first argument to redis.register_function must be a string') end
    if type(callback) ~= 'function' then reg_error('second argument to redis.register_function must be a function') end
  end
  local flag_list = {}
  if flags then
    for _, f in raw_next, flags do
      if type(f) ~= 'string' then reg_error('unknown flag given') end
      flag_list[#flag_list + 1] = f
    end
  end
  local e = R.add_function(tostring(name), callback, flag_list, description ~= nil and tostring(description) or nil)
  if e then reg_error(e) end
end
local set_loading
if R.add_function then
  local lredis = raw_setmetatable({
    register_function = register_function,
    log = redis.log,
    LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
    REDIS_VERSION = R.version, REDIS_VERSION_NUM = R.version_num,
  }, {__index = nonexistent, __newindex = ro_newindex})
  local load_api = raw_setmetatable({redis = lredis}, {__index = nonexistent})
  set_loading = function(on)
    if on then PG_mt.__index = load_api else PG_mt.__index = G end
  end
end

-- Scripts and functions are called from Rust (lua_c.rs: one lua_pcall, as Redis's
-- luaCallFunction) with R.handler as the message handler; EVAL's KEYS and ARGV are set on
-- the real globals table G (Redis lifts the protection for that moment).
return PG, G, set_loading
