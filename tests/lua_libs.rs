//! The bundled Lua libraries (cjson, cmsgpack, bit, struct) against replies recorded from a
//! real redis-server 7.0.15.
//!
//! Fixtures (`cjson`, `cmsgpack`, `bit`, `struct`, and the generated `mixed`):
//! `corpus/lua/lib_<name>.lua` holds one Lua chunk body per line; the line of the same number
//! in `corpus/lua/lib_<name>.expected` is what redis-server answered for the body wrapped by
//! `script_for` (run under pcall, results rendered by `S` as one printable line). Each fixture
//! file runs in one VM, in order (cjson settings persist between calls as they do in Redis;
//! the recorder sends SCRIPT FLUSH before each file).
//!
//! To re-record from a live server: `REDIS_PORT=7106 cargo test --test lua_libs -- --ignored`.
//! Generated and arbitrary calls are in `lua_libs_generated.rs`.

mod support;

use std::path::PathBuf;

use mlua::Lua;
use support::lua_libs::{eval, script_for, vm};

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/lua")
        .join(name)
}

fn cases(lib: &str) -> Vec<String> {
    let text = std::fs::read_to_string(corpus(&format!("lib_{lib}.lua"))).expect("fixture");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn check_fixture(lib: &str) {
    let bodies = cases(lib);
    let expected =
        std::fs::read_to_string(corpus(&format!("lib_{lib}.expected"))).expect("expected file");
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(
        bodies.len(),
        expected.len(),
        "lib_{lib}: one expected line per case"
    );
    let lua = vm();
    let mut failures = Vec::new();
    for (body, want) in bodies.iter().zip(expected) {
        let got = eval(&lua, &script_for(body));
        if got != want {
            failures.push(format!("case: {body}\n  redis: {want}\n  ours:  {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} lib_{lib} cases differ:\n{}",
        failures.len(),
        bodies.len(),
        failures.join("\n")
    );
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
    let got = eval(
        &lua,
        "local ok, e = pcall(cjson.decode, 'x') return type(e) .. ':' .. e",
    );
    assert_eq!(
        got,
        "string:Expected value but found invalid token at character 1"
    );
    let got = eval(
        &lua,
        "local ok, e = pcall(function() return bit.band('x') end) return e",
    );
    assert_eq!(
        got,
        "user_script:1: bad argument #1 to 'band' (number expected, got string)"
    );
}

#[test]
fn an_uncaught_library_error_names_the_callers_line() {
    let lua = vm();
    let err = lua
        .load("local x = 1\nreturn cjson.encode(function() end)")
        .set_name("@user_script")
        .exec();
    let text = err.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
    assert!(
        text.contains("user_script:2: Cannot serialise function: type not supported"),
        "{text}"
    );
}

#[test]
fn cjson_encode_of_a_self_referencing_table_stops_at_the_nesting_limit() {
    let lua = vm();
    let got = eval(
        &lua,
        "local t = {} t[1] = t local ok, e = pcall(cjson.encode, t) return e",
    );
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

/// A chunk's string result as raw bytes.
fn eval_bytes(lua: &Lua, src: &str) -> Vec<u8> {
    match lua.load(src).set_name("@user_script").eval::<mlua::Value>() {
        Ok(mlua::Value::String(s)) => s.as_bytes().to_vec(),
        other => panic!("{src}: {other:?}"),
    }
}

#[test]
fn cmsgpack_packs_integral_doubles_as_ints_and_lossless_floats_as_float32() {
    let lua = vm();
    let got = eval_bytes(&lua, "return cmsgpack.pack(3, 3.0, 1.5, 0.1, -1, 300)");
    let mut want = vec![0x03, 0x03, 0xca, 0x3f, 0xc0, 0, 0, 0xcb];
    want.extend_from_slice(&0.1f64.to_be_bytes());
    want.extend_from_slice(&[0xff, 0xcd, 0x01, 0x2c]);
    assert_eq!(got, want);
}

#[test]
fn bit_results_are_signed_32_bit_numbers() {
    let lua = vm();
    let got = eval(&lua, "return table.concat({bit.tobit(2^31), bit.bnot(0), bit.lshift(1, 31), bit.tohex(-1)}, ' ')");
    assert_eq!(got, "-2147483648 -1 -2147483648 ffffffff");
}

#[test]
fn struct_unpack_returns_the_values_then_the_next_position() {
    let lua = vm();
    let got = eval(
        &lua,
        "return table.concat({struct.unpack('>I2 s b', '\\1\\2hi\\0\\255')}, ' ')",
    );
    assert_eq!(got, "258 hi -1 7");
    let packed = eval_bytes(&lua, "return struct.pack('<i2 c3 d', -2, 'abc', 0.5)");
    assert_eq!(packed, b"\xfe\xffabc\0\0\0\0\0\0\xe0?");
}

#[test]
fn cjson_escapes_slashes_and_formats_numbers_with_14_digits() {
    let lua = vm();
    assert_eq!(
        eval(&lua, "return cjson.encode({1, 2, {a = 'x/y'}, cjson.null})"),
        r#"[1,2,{"a":"x\/y"},null]"#
    );
    assert_eq!(
        eval(&lua, "return cjson.encode(3.14159265358979)"),
        "3.1415926535898"
    );
}

#[test]
fn a_vm_memory_limit_reached_by_a_library_is_a_plain_not_enough_memory_error() {
    let lua = vm();
    let script = "local s = string.rep('x', 4 * 1024 * 1024) \
                  local ok, e = pcall(cjson.encode, {s, s, s, s, s, s, s, s}) return tostring(ok) .. ' ' .. e";
    lua.set_memory_limit(lua.used_memory() + 24 * 1024 * 1024)
        .expect("limit");
    assert_eq!(eval(&lua, script), "false not enough memory");
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
        let _: redis::Value = redis::cmd("SCRIPT")
            .arg("FLUSH")
            .query(&mut con)
            .expect("flush");
        let mut out = String::new();
        for body in cases(lib) {
            let v: redis::Value = redis::cmd("EVAL")
                .arg(script_for(&body))
                .arg(0)
                .query(&mut con)
                .expect("eval");
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
