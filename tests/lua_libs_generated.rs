//! The bundled Lua libraries (cjson, cmsgpack, bit, struct) on generated calls: random
//! JSON texts, numbers, msgpack bytes, struct formats and bit operands compared with a
//! real redis-server (`live_generated_calls_match_redis_server` starts its own when one is
//! on PATH), and arbitrary bytes that must end in a value or a Lua error, never a panic.
//! `REDSIM_LIBS_CASES` sets the case count, `REDSIM_LIBS_SHOW` prints each call.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use support::lua_libs::{eval, script_for, vm};
use support::RedisServer;

/// A Lua string literal holding exactly `bytes` (decimal escapes for everything unusual).
fn lua_literal(bytes: &[u8]) -> String {
    let mut out = String::from("'");
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b" _.,:;{}[]+-*#@!?=<>|~^$%&()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\{b:03}"));
        }
    }
    out.push('\'');
    out
}

/// An exact double in Lua source: its 8 bytes read back with struct.
fn lua_double(bits: u64) -> String {
    format!("struct.unpack('<d', {})", lua_literal(&bits.to_le_bytes()))
}

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"a\"",
    "\"b\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "1",
    "-0.5",
    "1e10",
    "0x1F",
    "true",
    "false",
    "null",
    "nan",
    "-Infinity",
    "+3",
    "01",
    " ",
    "\t",
    "\"x\\n\"",
    "\"\\q\"",
    "x",
    "1.5e",
    ".5",
    "1.",
    "-",
    "\"",
    "\"\\u12\"",
    "\"\\/\"",
    "1e-400",
    "tru",
    "\u{1}",
    "\0",
    "\u{e9}",
    "[1,2]",
    "{\"k\":[]}",
    "123456789012345678901234567890",
];

const STRUCT_OPTS: &[&str] = &[
    "b", "B", "h", "H", "l", "L", "T", "i", "I", "i1", "I2", "i3", "i8", "I16", "i5", "x", "f",
    "d", "<", ">", "!", "!2", "!4", "!8", " ", "c2", "c0", "s", "q",
];

fn body_strategy() -> BoxedStrategy<String> {
    let bits = any::<u64>().prop_map(lua_double);
    let json = prop::collection::vec(prop::sample::select(JSON_TOKENS), 1..8).prop_map(|t| {
        format!(
            "return cjson.decode({})",
            lua_literal(t.concat().as_bytes())
        )
    });
    let encode = (1..=14i32, bits.clone(), bits.clone()).prop_map(|(p, a, b)| {
        format!(
            "cjson.encode_number_precision({p}) local ok, r = pcall(cjson.encode, {{{a}, {b}, [{a}] = 1}}) \
             cjson.encode_number_precision(14) return ok, r"
        )
    });
    let markers = prop::sample::select(vec![
        0xc0u8, 0xc2, 0xc3, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xca, 0xcb, 0xd9, 0xda,
        0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0x90, 0x92, 0x80, 0x82, 0xa1, 0xc1, 0xc4, 0x7f, 0xe0, 0xff,
        0x01,
    ]);
    let byte = prop_oneof![3 => markers, 2 => any::<u8>()];
    let unpack = (prop::collection::vec(byte, 1..14), 0..3usize, -1..5i64).prop_map(
        |(b, how, n)| match how {
            0 => format!("return cmsgpack.unpack({})", lua_literal(&b)),
            1 => format!("return cmsgpack.unpack_one({}, {n})", lua_literal(&b)),
            _ => format!("return cmsgpack.unpack_limit({}, {n})", lua_literal(&b)),
        },
    );
    let pack = prop::collection::vec(bits.clone(), 1..4)
        .prop_map(|v| format!("return cmsgpack.pack({})", v.join(", ")));
    let ops = prop::sample::select(vec![
        "tobit", "bnot", "band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror",
        "bswap", "tohex",
    ]);
    let bitop = (ops, prop::collection::vec(bits.clone(), 1..4))
        .prop_map(|(op, v)| format!("return bit.{op}({})", v.join(", ")));
    let sfmt =
        prop::collection::vec(prop::sample::select(STRUCT_OPTS), 1..6).prop_map(|v| v.concat());
    let spack = (sfmt.clone(), prop::collection::vec(bits, 0..5)).prop_map(|(f, v)| {
        let mut args = vec![lua_literal(f.as_bytes())];
        args.extend(v);
        format!("return struct.pack({})", args.join(", "))
    });
    let sunpack =
        (sfmt, prop::collection::vec(any::<u8>(), 0..24), 1..5i64).prop_map(|(f, d, pos)| {
            format!(
                "return struct.unpack({}, {}, {pos})",
                lua_literal(f.as_bytes()),
                lua_literal(&d)
            )
        });
    let tables = table_source();
    let enc_table = (tables.clone(), any::<bool>()).prop_map(|(t, sparse)| {
        if sparse {
            format!("cjson.encode_sparse_array(true) local ok, r = pcall(cjson.encode, {t}) cjson.encode_sparse_array(false) return ok, r")
        } else {
            format!("return cjson.encode({t})")
        }
    });
    let pack_table =
        tables.prop_map(|t| format!("local s = cmsgpack.pack({t}) return s, cmsgpack.unpack(s)"));
    let raw_json = prop::collection::vec(any::<u8>(), 0..12)
        .prop_map(|b| format!("return cjson.decode({})", lua_literal(&b)));
    let tohex = (any::<i32>(), -12..12i32).prop_map(|(a, n)| format!("return bit.tohex({a}, {n})"));
    prop_oneof![
        json, encode, unpack, pack, bitop, spack, sunpack, enc_table, pack_table, raw_json, tohex
    ]
    .boxed()
}

/// Lua table constructors: array parts, integer and float keys, names, strings of any bytes,
/// booleans, cjson.null and nested tables.
fn table_source() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        any::<u64>().prop_map(lua_double),
        (-40..40i32).prop_map(|i| i.to_string()),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(|b| lua_literal(&b)),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("cjson.null".to_string()),
    ];
    let entry = |v: BoxedStrategy<String>| {
        prop_oneof![
            v.clone(),
            (-3..30i32, v.clone()).prop_map(|(k, v)| format!("[{k}]={v}")),
            (0..6u8, v.clone()).prop_map(|(k, v)| format!("k{k}={v}")),
            (-3..5i32, v).prop_map(|(k, v)| format!("[{k}.5]={v}")),
        ]
    };
    leaf.prop_recursive(3, 40, 8, move |inner| {
        prop::collection::vec(entry(inner.boxed()), 0..8)
            .prop_map(|es| format!("{{{}}}", es.join(", ")))
    })
    .prop_map(|v| {
        if v.starts_with('{') {
            v
        } else {
            format!("{{{v}}}")
        }
    })
    .boxed()
}

/// Generated calls on a real redis-server and here give the same results (skipped without
/// `redis-server`; `REDSIM_LIBS_CASES=2000` for more than the default 200).
#[test]
fn live_generated_calls_match_redis_server() {
    if !support::redis_server_available() {
        eprintln!("redis-server not found: skipped");
        return;
    }
    let server = RedisServer::start();
    let conn = std::cell::RefCell::new(server.connect());
    let lua = vm();
    let cases = std::env::var("REDSIM_LIBS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let show = std::env::var("REDSIM_LIBS_SHOW").is_ok();
    let result = runner.run(&body_strategy(), |body| {
        if show {
            eprintln!("{body}");
        }
        let script = script_for(&body);
        let reply =
            conn.borrow_mut()
                .call(&[b"EVAL".to_vec(), script.clone().into_bytes(), b"0".to_vec()]);
        let ours = eval(&lua, &script);
        let want = format!("${}\r\n{}\r\n", ours.len(), ours);
        if reply != want.as_bytes() {
            return Err(TestCaseError::fail(format!(
                "case: {body}\n  redis: {}\n  ours:  {want}",
                String::from_utf8_lossy(&reply)
            )));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Arbitrary bytes as formats, texts and arguments: every call returns (a value or a Lua
/// error) without panicking or aborting. Runs without redis-server.
#[test]
fn arbitrary_inputs_never_panic() {
    let lua = vm();
    let bytes = prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| lua_literal(&b));
    let fmt = prop::collection::vec(
        prop::sample::select(b"bBhHlLTiIxfdcs<>! 0123456789q\0".to_vec()),
        0..12,
    )
    .prop_map(|b| lua_literal(&b));
    let arg = prop_oneof![
        bytes.clone(),
        any::<u64>().prop_map(lua_double),
        Just("{}".to_string()),
        Just("nil".to_string()),
        Just("true".to_string()),
        Just("cjson.null".to_string()),
        Just("function() end".to_string()),
    ];
    let args = prop::collection::vec(arg, 0..5).prop_map(|v| v.join(", "));
    let func = prop::sample::select(vec![
        "cjson.encode",
        "cjson.decode",
        "cjson.encode_sparse_array",
        "cjson.encode_number_precision",
        "cjson.encode_invalid_numbers",
        "cmsgpack.pack",
        "cmsgpack.unpack",
        "cmsgpack.unpack_one",
        "cmsgpack.unpack_limit",
        "bit.tohex",
        "bit.band",
        "bit.lshift",
        "struct.pack",
        "struct.unpack",
        "struct.size",
    ]);
    let call = prop_oneof![
        (func, args.clone()).prop_map(|(f, a)| format!("return {f}({a})")),
        (fmt.clone(), args).prop_map(|(f, a)| {
            let sep = if a.is_empty() { "" } else { ", " };
            format!("return struct.pack({f}{sep}{a})")
        }),
        (fmt, bytes.clone(), -3..30i64)
            .prop_map(|(f, d, p)| format!("return struct.unpack({f}, {d}, {p})")),
        bytes
            .clone()
            .prop_map(|b| format!("return cmsgpack.unpack({b})")),
        bytes.prop_map(|b| format!("return cjson.decode({b})")),
    ];
    let cases = std::env::var("REDSIM_LIBS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let show = std::env::var("REDSIM_LIBS_SHOW").is_ok();
    let result = runner.run(&call, |body| {
        if show {
            eprintln!("{body}");
        }
        let got = eval(&lua, &script_for(&body));
        prop_assert!(
            got.starts_with("true") || got.starts_with("false"),
            "{body} gave {got}"
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
