//! The bundled Lua libraries (cjson, cmsgpack, bit, struct) against replies recorded from a
//! real redis-server 7.0.15.
//!
//! Fixtures (`cjson`, `cmsgpack`, `bit`, `struct`, and `mixed`, generated): `corpus/lua/lib_<name>.lua` holds one Lua chunk body per line; the line of the
//! same number in `corpus/lua/lib_<name>.expected` is what redis-server answered for
//! `EVAL "return S(pcall(function() <body> end))" 0`, where `S` (below) renders any Lua values
//! as one printable line. Each fixture file runs in one VM, in order (cjson settings persist
//! between calls as they do in Redis; the recorder sends SCRIPT FLUSH before each file).
//!
//! To re-record from a live server: `REDIS_PORT=7106 cargo test --test lua_libs -- --ignored`.

use std::path::PathBuf;

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

fn script_for(body: &str) -> String {
    format!("{}return S(pcall(function() {} end))", SERIALISER.replace('\n', " "), body)
}

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/lua").join(name)
}

fn cases(lib: &str) -> Vec<String> {
    let text = std::fs::read_to_string(corpus(&format!("lib_{lib}.lua"))).expect("fixture");
    text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect()
}

fn vm() -> Lua {
    let lua = Lua::new();
    install_all(&lua).expect("install libraries");
    lua
}

/// Runs a chunk as Redis names scripts (`@user_script`), returning its string result or the
/// error text.
fn eval(lua: &Lua, src: &str) -> String {
    match lua.load(src).set_name("@user_script").eval::<mlua::Value>() {
        Ok(mlua::Value::String(s)) => String::from_utf8_lossy(&s.as_bytes()).into_owned(),
        Ok(other) => format!("<{other:?}>"),
        Err(e) => format!("<error {e}>"),
    }
}

fn check_fixture(lib: &str) {
    let bodies = cases(lib);
    let expected = std::fs::read_to_string(corpus(&format!("lib_{lib}.expected"))).expect("expected file");
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(bodies.len(), expected.len(), "lib_{lib}: one expected line per case");
    let lua = vm();
    let mut failures = Vec::new();
    for (body, want) in bodies.iter().zip(expected) {
        let got = eval(&lua, &script_for(body));
        if got != want {
            failures.push(format!("case: {body}\n  redis: {want}\n  ours:  {got}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} lib_{lib} cases differ:\n{}", failures.len(), bodies.len(), failures.join("\n"));
}

#[test]
fn cjson_matches_redis_fixture() {
    check_fixture("cjson");
}

#[test]
fn cmsgpack_matches_redis_fixture() {
    check_fixture("cmsgpack");
}

#[test]
fn bit_matches_redis_fixture() {
    check_fixture("bit");
}

#[test]
fn struct_matches_redis_fixture() {
    check_fixture("struct");
}

/// 800 generated calls (random JSON texts, numbers, msgpack bytes, struct formats and bit
/// operands; generator seed 20261129) recorded from redis-server.
#[test]
fn generated_mixed_cases_match_redis_fixture() {
    check_fixture("mixed");
}

#[test]
fn library_errors_are_plain_strings_a_script_can_pcall() {
    let lua = vm();
    let got = eval(&lua, "local ok, e = pcall(cjson.decode, 'x') return type(e) .. ':' .. e");
    assert_eq!(got, "string:Expected value but found invalid token at character 1");
    let got = eval(&lua, "local ok, e = pcall(function() return bit.band('x') end) return e");
    assert_eq!(got, "user_script:1: bad argument #1 to 'band' (number expected, got string)");
}

#[test]
fn an_uncaught_library_error_names_the_callers_line() {
    let lua = vm();
    let err = lua.load("local x = 1\nreturn cjson.encode(function() end)").set_name("@user_script").exec();
    let text = err.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
    assert!(
        text.contains("user_script:2: Cannot serialise function: type not supported"),
        "{text}"
    );
}

#[test]
fn cjson_encode_of_a_self_referencing_table_stops_at_the_nesting_limit() {
    let lua = vm();
    let got = eval(&lua, "local t = {} t[1] = t local ok, e = pcall(cjson.encode, t) return e");
    assert_eq!(got, "Cannot serialise, excessive nesting (1001)");
}

#[test]
fn deep_and_huge_inputs_end_in_errors_not_crashes() {
    let lua = vm();
    let scripts = [
        "cjson.decode_max_depth(100000) local ok, e = pcall(cjson.decode, string.rep('[', 9000)) return e",
        "cjson.decode_max_depth(100000) local ok, e = pcall(cjson.decode, string.rep('{\"a\":', 9000)) return e",
        "local ok, e = pcall(cmsgpack.unpack, string.rep('\\145', 9000) .. '\\192') return e",
        "local ok, e = pcall(cmsgpack.unpack, string.rep('\\129\\1', 5000) .. '\\192') return e",
        "local ok, e = pcall(cmsgpack.unpack, '\\221\\255\\255\\255\\255') return e",
        "local ok, e = pcall(struct.pack, 'c2147483647', 'a') return e",
        "local ok, e = pcall(struct.unpack, string.rep('b', 9000), string.rep('a', 9000)) return e",
        "cjson.encode_max_depth(100000) local t = {} local c = t for i = 1, 9000 do c[1] = {} c = c[1] end local ok, e = pcall(cjson.encode, t) return e",
    ];
    let want = [
        "Found too many nested data structures (7999) at character 7999",
        "Found too many nested data structures (4000) at character 19996",
        "stack overflow (in function mp_decode_to_lua_array)",
        "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)",
        "Missing bytes in input.",
        "bad argument #3 to '?' (string too short)",
        "stack overflow (too many results)",
        "Cannot serialise, excessive nesting (7998)",
    ];
    for (s, w) in scripts.iter().zip(want) {
        assert_eq!(eval(&lua, s), w, "script: {s}");
    }
}

#[test]
fn cjson_new_has_its_own_configuration() {
    let lua = vm();
    let got = eval(
        &lua,
        "local c = cjson.new() c.encode_number_precision(3) return cjson.encode(1/3) .. ' ' .. c.encode(1/3)",
    );
    assert_eq!(got, "0.33333333333333 0.333");
}

/// Records the `.expected` files from a live redis-server 7.0 (`REDIS_PORT`).
#[test]
#[ignore]
fn record_expectations_from_redis() {
    let port = std::env::var("REDIS_PORT").unwrap_or_else(|_| "6379".into());
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).expect("client");
    let mut con = client.get_connection().expect("connection");
    for lib in ["cjson", "cmsgpack", "bit", "struct", "mixed"] {
        let _: redis::Value = redis::cmd("SCRIPT").arg("FLUSH").query(&mut con).expect("flush");
        let mut out = String::new();
        for body in cases(lib) {
            let v: redis::Value = redis::cmd("EVAL").arg(script_for(&body)).arg(0).query(&mut con).expect("eval");
            let line = match v {
                redis::Value::BulkString(b) => String::from_utf8_lossy(&b).into_owned(),
                other => format!("<{other:?}>"),
            };
            out.push_str(&line);
            out.push('\n');
        }
        std::fs::write(corpus(&format!("lib_{lib}.expected")), out).expect("write");
    }
}
