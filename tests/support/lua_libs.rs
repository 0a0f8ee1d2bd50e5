//! Shared by the Lua library tests: a VM with the bundled libraries, a chunk runner named
//! as Redis names scripts, and `script_for`, which wraps a chunk body so its results (or
//! its error) come back as one printable line, here and on a real redis-server alike.

use mlua::Lua;
use redsim::script::libs::install_all;

const SERIALISER: &str = r#"local function S(...)
  local function ser(v, d)
    local t = type(v)
    if t == 'string' then return string.format('%q', v)
    elseif t == 'number' then return string.format('%.17g', v)
    elseif t == 'table' then
      if d > 30 then return '{...}' end
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys, function(a, b)
        local ta, tb = type(a), type(b)
        if ta ~= tb then return ta < tb end
        if ta == 'number' or ta == 'string' then return a < b end
        return false
      end)
      local parts = {}
      for _, k in ipairs(keys) do parts[#parts + 1] = '[' .. ser(k, d + 1) .. ']=' .. ser(v[k], d + 1) end
      return '{' .. table.concat(parts, ',') .. '}'
    elseif t == 'userdata' then
      if v == cjson.null then return 'NULL' end
      return 'userdata'
    elseif t == 'function' or t == 'thread' then return t
    else return tostring(v) end
  end
  local out = {}
  for i = 1, select('#', ...) do out[#out + 1] = ser((select(i, ...)), 0) end
  local s = table.concat(out, ' | ')
  return (string.gsub(s, '[%c\128-\255]', function(c) return string.format('\\%03d', string.byte(c)) end))
end
"#;

/// The body runs as a function whose results are packed into a table before they reach
/// `pcall`: Lua 5.1's pcall pushes its status without checking the stack, which trips the
/// API checks of a debug build when a call returns more than about 20 values.
pub fn script_for(body: &str) -> String {
    format!(
        "{}local function body() {} end \
         local function pk(...) return {{n = select('#', ...), ...}} end \
         local ok, r = pcall(function() return pk(body()) end) \
         if ok then return S(true, unpack(r, 1, r.n)) end return S(false, r)",
        SERIALISER.replace('\n', " "),
        body
    )
}

pub fn vm() -> Lua {
    let lua = Lua::new();
    install_all(&lua).expect("install libraries");
    lua
}

/// Runs a chunk as Redis names scripts (`@user_script`), returning its string result or the
/// error text.
pub fn eval(lua: &Lua, src: &str) -> String {
    match lua.load(src).set_name("@user_script").eval::<mlua::Value>() {
        Ok(mlua::Value::String(s)) => String::from_utf8_lossy(&s.as_bytes()).into_owned(),
        Ok(other) => format!("<{other:?}>"),
        Err(e) => format!("<error {e}>"),
    }
}
