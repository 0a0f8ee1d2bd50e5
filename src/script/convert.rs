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
use mlua::{Lua, Table, Value};

/// Nesting beyond this answers an error element instead of recursing further (Redis
/// stops at its Lua stack limit with "reached lua stack limit").
pub const MAX_REPLY_DEPTH: usize = 1000;

/// A C `(long long)` cast of a double as x86-64 performs it: out-of-range and NaN give
/// the "integer indefinite" value, i64::MIN.
pub fn double_to_i64(d: f64) -> i64 {
    if d.is_nan() || d >= 9_223_372_036_854_775_808.0 || d < -9_223_372_036_854_775_808.0 {
        i64::MIN
    } else {
        d as i64
    }
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
/// (`redis.setresp`), which decides how booleans are sent.
pub fn lua_to_reply(value: &Value, resp3: bool) -> Reply {
    to_reply(value, resp3, 0)
}

fn to_reply(value: &Value, resp3: bool, depth: usize) -> Reply {
    match value {
        Value::String(s) => Reply::Bulk(s.as_bytes().to_vec()),
        Value::Boolean(b) if resp3 => Reply::Bool(*b),
        Value::Boolean(true) => Reply::Integer(1),
        Value::Boolean(false) => Reply::Null,
        Value::Integer(i) => Reply::Integer(*i),
        Value::Number(n) => Reply::Integer(double_to_i64(*n)),
        Value::Table(t) => {
            if depth >= MAX_REPLY_DEPTH {
                return Reply::error("ERR reached lua stack limit");
            }
            table_to_reply(t, resp3, depth)
        }
        _ => Reply::Null,
    }
}

/// Converts a returned value the prelude has already classified (`shape` in
/// prelude.lua): `kind` is the table's meaning and, for a short array, `items` are its
/// elements.
pub fn shaped_to_reply(
    value: &Value,
    kind: Option<i64>,
    len: Option<i64>,
    items: &[Value],
    resp3: bool,
) -> Reply {
    let Value::Table(t) = value else {
        return lua_to_reply(value, resp3);
    };
    match (kind, len) {
        (Some(0), Some(n)) if items.len() as i64 == n => {
            Reply::Array(items.iter().map(|v| to_reply(v, resp3, 1)).collect())
        }
        _ => table_to_reply(t, resp3, 0),
    }
}

fn table_to_reply(t: &Table, resp3: bool, depth: usize) -> Reply {
    if let Ok(Value::String(e)) = t.raw_get::<Value>("err") {
        // Redis replies `addReplyErrorFormat("-%s")`: the `-` keeps leading CR/LF from
        // the trim, so only trailing ones go; the rest become spaces (`{err='a\n'}` → `-a`).
        let mut text: &[u8] = &e.as_bytes();
        while let [rest @ .., b'\r' | b'\n'] = text {
            text = rest;
        }
        return Reply::error(text);
    }
    if let Ok(Value::String(ok)) = t.raw_get::<Value>("ok") {
        return Reply::Simple(no_newlines(&ok.as_bytes()));
    }
    if let Ok(v @ (Value::Integer(_) | Value::Number(_))) = t.raw_get::<Value>("double") {
        let d = match v {
            Value::Integer(i) => i as f64,
            Value::Number(n) => n,
            _ => 0.0,
        };
        return Reply::Double(d);
    }
    if let Ok(Value::String(n)) = t.raw_get::<Value>("big_number") {
        return Reply::BigNumber(no_newlines(&n.as_bytes()));
    }
    if let Ok(Value::Table(v)) = t.raw_get::<Value>("verbatim_string") {
        if let (Ok(Value::String(format)), Ok(Value::String(text))) =
            (v.raw_get::<Value>("format"), v.raw_get::<Value>("string"))
        {
            let f = format.as_bytes();
            let mut fmt = [0u8; 3];
            for (i, b) in f.iter().take(3).enumerate() {
                fmt[i] = *b;
            }
            return Reply::Verbatim {
                format: fmt,
                text: text.as_bytes().to_vec(),
            };
        }
    }
    if let Ok(Value::Table(m)) = t.raw_get::<Value>("map") {
        let mut pairs = Vec::new();
        for (k, v) in m.pairs::<Value, Value>().flatten() {
            pairs.push((
                to_reply(&k, resp3, depth + 1),
                to_reply(&v, resp3, depth + 1),
            ));
        }
        return Reply::Map(pairs);
    }
    if let Ok(Value::Table(s)) = t.raw_get::<Value>("set") {
        let mut items = Vec::new();
        for (k, _) in s.pairs::<Value, Value>().flatten() {
            items.push(to_reply(&k, resp3, depth + 1));
        }
        return Reply::Set(items);
    }
    let mut items = Vec::new();
    for i in 1.. {
        match t.raw_get::<Value>(i) {
            Ok(Value::Nil) | Err(_) => break,
            Ok(v) => items.push(to_reply(&v, resp3, depth + 1)),
        }
    }
    Reply::Array(items)
}

fn no_newlines(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect()
}

/// Converts a command's reply into what `redis.call` hands the script. Errors become
/// `{err="CODE msg"}` tables (the caller decides whether to raise them). `resp3` is the
/// script's protocol.
pub fn reply_to_lua(lua: &Lua, reply: &Reply, resp3: bool) -> mlua::Result<Value> {
    Ok(match reply {
        Reply::Simple(s) => {
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("ok", lua.create_string(s)?)?;
            Value::Table(t)
        }
        Reply::Error(e) => Value::Table(error_table(lua, e)?),
        Reply::Integer(n) => Value::Number(*n as f64),
        Reply::Bulk(b) => Value::String(lua.create_string(b)?),
        Reply::Null | Reply::NullArray if resp3 => Value::Nil,
        Reply::Null | Reply::NullArray => Value::Boolean(false),
        Reply::Array(items) | Reply::Push(items) => array(lua, items, resp3)?,
        Reply::Bool(b) if resp3 => Value::Boolean(*b),
        Reply::Bool(b) => Value::Number(if *b { 1.0 } else { 0.0 }),
        Reply::Double(d) if resp3 => {
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("double", *d)?;
            Value::Table(t)
        }
        Reply::Double(d) => Value::String(lua.create_string(crate::resp::format_double(*d))?),
        Reply::BigNumber(n) if resp3 => {
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("big_number", lua.create_string(n)?)?;
            Value::Table(t)
        }
        Reply::BigNumber(n) => Value::String(lua.create_string(n)?),
        Reply::Verbatim { format, text } if resp3 => {
            let inner = lua.create_table_with_capacity(0, 2)?;
            inner.raw_set("string", lua.create_string(text)?)?;
            inner.raw_set("format", lua.create_string(format)?)?;
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("verbatim_string", inner)?;
            Value::Table(t)
        }
        Reply::Verbatim { text, .. } => Value::String(lua.create_string(text)?),
        Reply::Map(pairs) if resp3 => {
            let inner = lua.create_table_with_capacity(0, pairs.len())?;
            for (k, v) in pairs {
                let key = reply_to_lua(lua, k, resp3)?;
                let value = reply_to_lua(lua, v, resp3)?;
                if key != Value::Nil {
                    inner.raw_set(key, value)?;
                }
            }
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("map", inner)?;
            Value::Table(t)
        }
        Reply::Map(pairs) => {
            let t = lua.create_table_with_capacity(pairs.len() * 2, 0)?;
            for (i, (k, v)) in pairs.iter().enumerate() {
                t.raw_set(2 * i + 1, reply_to_lua(lua, k, resp3)?)?;
                t.raw_set(2 * i + 2, reply_to_lua(lua, v, resp3)?)?;
            }
            Value::Table(t)
        }
        Reply::Set(items) if resp3 => {
            let inner = lua.create_table_with_capacity(0, items.len())?;
            for item in items {
                let key = reply_to_lua(lua, item, resp3)?;
                if key != Value::Nil {
                    inner.raw_set(key, true)?;
                }
            }
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("set", inner)?;
            Value::Table(t)
        }
        Reply::Set(items) => array(lua, items, resp3)?,
    })
}

fn array(lua: &Lua, items: &[Reply], resp3: bool) -> mlua::Result<Value> {
    let t = lua.create_table_with_capacity(items.len(), 0)?;
    for (i, item) in items.iter().enumerate() {
        // RESP3 nulls inside arrays leave holes, as lua_settable with nil does.
        t.raw_set(i + 1, reply_to_lua(lua, item, resp3)?)?;
    }
    Ok(Value::Table(t))
}

/// `{err="CODE msg"}` for an error reply's text, as Redis's `luaPushErrorBuff`: the
/// first word is the code; a text without a space gets the code ERR.
pub fn error_table(lua: &Lua, text: &[u8]) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, 2)?;
    t.raw_set("err", lua.create_string(error_text(text))?)?;
    t.raw_set("ignore_error_stats_update", true)?;
    Ok(t)
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
