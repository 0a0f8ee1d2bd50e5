//! Conversions between Lua values and replies, both directions, as Redis 7.0's
//! `script_lua.c` does them.
//!
//! Redis → Lua (what `redis.call` returns), with the script's protocol (RESP2 until
//! `redis.setresp(3)`): integer → number, bulk → string, array → table, status →
//! `{ok=…}`, error → `{err=…}`, null bulk / null array → `false`. In RESP3: null → nil,
//! booleans → booleans, map → `{map={k=v}}`, set → `{set={m=true}}`, double →
//! `{double=n}`, big number → `{big_number=s}`, verbatim → `{verbatim_string={format=,
//! string=}}`. In RESP2 these kinds arrive as a RESP2 client would read them.
//!
//! Lua → Redis (what a script returns): number → integer (C cast: fraction dropped),
//! string → bulk, table → `err`, `ok`, `double`, `big_number`, `verbatim_string`, `map`,
//! `set` fields in that order, else an array cut at the first nil; `true` → 1 and `false`
//! → null in RESP2 scripts (booleans after `setresp(3)`); anything else → null.

use crate::resp::{format_g17, Reply};
use mlua::{Lua, Value};

/// The deepest nesting of arrays a script's result keeps whole: where Redis's Lua stack
/// (8000 slots, 2 in use under the result, 4 checked for before each value, 1 held per
/// level) runs out, the next level is the error element "ERR reached lua stack limit".
/// Maps and sets hold more slots per level and stop earlier (see `lua_reply.rs`).
pub const MAX_REPLY_DEPTH: usize = 7995;

/// A C `(long long)` cast of a double as x86-64 performs it: out-of-range and NaN give
/// the "integer indefinite" value, i64::MIN.
pub fn double_to_i64(d: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if (-LIMIT..LIMIT).contains(&d) {
        d as i64
    } else {
        i64::MIN // NaN too
    }
}

/// `luaL_checkint` of a Lua number: the double becomes a lua_Integer (64 bits, as
/// [`double_to_i64`]), then a C int, which keeps the low 32 bits (2^31 → INT_MIN).
pub fn lua_checkint(d: f64) -> i32 {
    double_to_i64(d) as i32
}

/// `%.17g` of a Lua number, as `redis.call` formats numeric arguments.
pub fn number_arg(d: f64) -> Vec<u8> {
    if d.is_nan() {
        return if d.is_sign_negative() {
            b"-nan".to_vec()
        } else {
            b"nan".to_vec()
        };
    }
    if d.is_infinite() {
        return if d > 0.0 {
            b"inf".to_vec()
        } else {
            b"-inf".to_vec()
        };
    }
    if d.fract() == 0.0 && d.abs() < 1e15 && !(d == 0.0 && d.is_sign_negative()) {
        return (d as i64).to_string().into_bytes();
    }
    format_g17(d).into_bytes()
}

/// Lua's own `tostring` of a number (`%.14g`).
pub fn lua_tostring_number(v: &Value) -> Vec<u8> {
    let d = match v {
        Value::Integer(i) => *i as f64,
        Value::Number(n) => *n,
        _ => return Vec::new(),
    };
    if d.is_nan() {
        return if d.is_sign_negative() {
            b"-nan".to_vec()
        } else {
            b"nan".to_vec()
        };
    }
    if d.is_infinite() {
        return if d > 0.0 {
            b"inf".to_vec()
        } else {
            b"-inf".to_vec()
        };
    }
    crate::resp::format_g(d, 14).into_bytes()
}

/// Converts a script's return value into a reply. `resp3` is the script's protocol
/// (`redis.setresp`), which decides how booleans are sent. Tables are walked on the Lua
/// stack, with Redis's depth limit (see `lua_reply.rs`).
pub fn lua_to_reply(value: &Value, resp3: bool) -> Reply {
    super::lua_reply::value_to_reply(value, resp3)
}

/// Converts a command's reply into what `redis.call` hands the script. Errors become
/// `{err="CODE msg"}` tables (the caller decides whether to raise them). `resp3` is the
/// script's protocol.
pub fn reply_to_lua(lua: &Lua, reply: &Reply, resp3: bool) -> mlua::Result<Value> {
    // One implementation for both paths: the C redis.call pushes the same way.
    super::lua_call::reply_to_value(lua, reply, resp3)
}

/// A Lua string as Redis's C code reads it with `lua_tostring` and `sdsnew`: up to its
/// first NUL. Error texts reach the client that way (`error('a\0b')` replies `-ERR …: a`).
pub fn c_string(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    }
}

/// The `err` field for an error text given without its leading `-`.
pub fn error_text(text: &[u8]) -> Vec<u8> {
    let (code, msg): (&[u8], &[u8]) = match text.iter().position(|&b| b == b' ') {
        Some(space) => (&text[..space], &text[space + 1..]),
        None => (b"ERR", text),
    };
    let msg = trim_newlines(msg);
    let mut out = Vec::with_capacity(code.len() + 1 + msg.len());
    out.extend_from_slice(code);
    out.push(b' ');
    out.extend_from_slice(msg);
    out
}

fn trim_newlines(mut s: &[u8]) -> &[u8] {
    while let [b'\r' | b'\n', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b'\r' | b'\n'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_doubles_cast_like_x86() {
        assert_eq!(double_to_i64(3.99), 3);
        assert_eq!(double_to_i64(-3.99), -3);
        assert_eq!(double_to_i64(1e300), i64::MIN);
        assert_eq!(double_to_i64(-1e300), i64::MIN);
        assert_eq!(double_to_i64(f64::NAN), i64::MIN);
    }

    #[test]
    fn numeric_arguments_use_17_digits() {
        assert_eq!(number_arg(0.1), b"0.10000000000000001");
        assert_eq!(number_arg(1e20), b"1e+20");
        assert_eq!(number_arg(1.5), b"1.5");
        assert_eq!(number_arg(42.0), b"42");
        assert_eq!(number_arg(1e17), b"1e+17");
    }

    /// Redis -> Lua for every reply kind, as the script sees it (RESP2, then RESP3).
    #[test]
    fn replies_reach_the_script_as_redis_hands_them_over() {
        let lua = Lua::new();
        let show = lua
            .load(
                r#"local function show(v)
                     if type(v) ~= 'table' then return type(v) .. ':' .. tostring(v) end
                     local keys = {}
                     for k in pairs(v) do keys[#keys + 1] = tostring(k) end
                     table.sort(keys)
                     local parts = {}
                     for _, k in ipairs(keys) do
                       local x = v[k] if x == nil then x = v[tonumber(k)] end
                       parts[#parts + 1] = k .. '=' .. show(x)
                     end
                     return '{' .. table.concat(parts, ',') .. '}'
                   end
                   return show"#,
            )
            .eval::<mlua::Function>()
            .unwrap();
        let cases: Vec<(Reply, &str, &str)> = vec![
            (Reply::Null, "boolean:false", "nil:nil"),
            (Reply::NullArray, "boolean:false", "nil:nil"),
            (Reply::Integer(7), "number:7", "number:7"),
            (Reply::Bool(true), "number:1", "boolean:true"),
            (Reply::Double(1.5), "string:1.5", "{double=number:1.5}"),
            (
                Reply::BigNumber(b"12".to_vec()),
                "string:12",
                "{big_number=string:12}",
            ),
            (
                Reply::Verbatim {
                    format: *b"txt",
                    text: b"hi".to_vec(),
                },
                "string:hi",
                "{verbatim_string={format=string:txt,string=string:hi}}",
            ),
            (
                Reply::Map(vec![(Reply::bulk("f"), Reply::Integer(1))]),
                "{1=string:f,2=number:1}",
                "{map={f=number:1}}",
            ),
            (
                Reply::Set(vec![Reply::bulk("m")]),
                "{1=string:m}",
                "{set={m=boolean:true}}",
            ),
            (Reply::simple("OK"), "{ok=string:OK}", "{ok=string:OK}"),
            (
                Reply::error("WRONGTYPE Operation"),
                "{err=string:WRONGTYPE Operation,ignore_error_stats_update=boolean:true}",
                "{err=string:WRONGTYPE Operation,ignore_error_stats_update=boolean:true}",
            ),
        ];
        for (reply, resp2, resp3) in cases {
            let v2 = reply_to_lua(&lua, &reply, false).unwrap();
            let v3 = reply_to_lua(&lua, &reply, true).unwrap();
            assert_eq!(
                show.call::<String>(v2).unwrap(),
                resp2,
                "{reply:?} in RESP2"
            );
            assert_eq!(
                show.call::<String>(v3).unwrap(),
                resp3,
                "{reply:?} in RESP3"
            );
        }
    }

    #[test]
    fn error_texts_keep_their_code() {
        assert_eq!(error_text(b"WRONGTYPE Operation"), b"WRONGTYPE Operation");
        assert_eq!(error_text(b"FOO"), b"ERR FOO");
    }
}
