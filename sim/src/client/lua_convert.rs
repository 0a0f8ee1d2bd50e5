//! Conversions between engine replies and Lua values, as EVAL does them in RESP2 mode
//! (Redis 7.0 `script_lua.c`), so that a script run client-side sees exactly what it
//! would see inside the server.
//!
//! Redis → Lua: integer → number; bulk → string; array → table; status → `{ok=…}`;
//! error → `{err=…}`; null bulk and null array → `false`. RESP3-only kinds arrive as
//! their RESP2 downgrades (boolean → 1/0, double/big number/verbatim → string, map →
//! flat array, set/push → array).
//!
//! Lua → Redis (a script's return value): number → integer (fraction dropped); string →
//! bulk; table → `{err=…}` error, `{ok=…}` status, else an array up to the first nil;
//! `false` → null bulk; `true` → integer 1; nil → null bulk.
//!
//! Written in the simulator because the scripting engine's conversions were not in
//! `main` yet when this was built; both follow the same table above.

use mlua::{Lua, Table, Value};
use redsim::Reply;

/// A reply as `redis.call` returns it to Lua (RESP2).
pub fn reply_to_lua(lua: &Lua, reply: &Reply) -> mlua::Result<Value> {
    Ok(match reply {
        Reply::Integer(n) => Value::Number(*n as f64),
        Reply::Bulk(b) => Value::String(lua.create_string(b)?),
        Reply::Simple(s) => status_table(lua, "ok", s)?,
        Reply::Error(e) => status_table(lua, "err", e)?,
        Reply::Null | Reply::NullArray => Value::Boolean(false),
        Reply::Bool(b) => Value::Number(if *b { 1.0 } else { 0.0 }),
        Reply::Double(d) => Value::String(lua.create_string(redsim::resp::format_double(*d))?),
        Reply::BigNumber(b) => Value::String(lua.create_string(b)?),
        Reply::Verbatim { text, .. } => Value::String(lua.create_string(text)?),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.iter().enumerate() {
                t.raw_set(i + 1, reply_to_lua(lua, item)?)?;
            }
            Value::Table(t)
        }
        Reply::Map(pairs) => {
            let t = lua.create_table_with_capacity(pairs.len() * 2, 0)?;
            for (i, (k, v)) in pairs.iter().enumerate() {
                t.raw_set(2 * i + 1, reply_to_lua(lua, k)?)?;
                t.raw_set(2 * i + 2, reply_to_lua(lua, v)?)?;
            }
            Value::Table(t)
        }
    })
}

fn status_table(lua: &Lua, field: &str, text: &[u8]) -> mlua::Result<Value> {
    let t = lua.create_table_with_capacity(0, 1)?;
    t.raw_set(field, lua.create_string(text)?)?;
    Ok(Value::Table(t))
}

/// A script's return value as the client receives it.
pub fn lua_to_reply(value: &Value) -> Reply {
    match value {
        Value::Nil => Reply::Null,
        Value::Boolean(false) => Reply::Null,
        Value::Boolean(true) => Reply::Integer(1),
        Value::Integer(n) => Reply::Integer(*n),
        Value::Number(n) => Reply::Integer(n.trunc() as i64),
        Value::String(s) => Reply::Bulk(s.as_bytes().to_vec()),
        Value::Table(t) => table_to_reply(t),
        _ => Reply::Null,
    }
}

fn table_to_reply(t: &Table) -> Reply {
    if let Ok(Value::String(e)) = t.raw_get::<Value>("err") {
        return Reply::error(e.as_bytes().to_vec());
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("ok") {
        return Reply::Simple(s.as_bytes().iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }).collect());
    }
    let mut items = Vec::new();
    for i in 1.. {
        match t.raw_get::<Value>(i) {
            Ok(Value::Nil) | Err(_) => break,
            Ok(v) => items.push(lua_to_reply(&v)),
        }
    }
    Reply::Array(items)
}

/// One `redis.call` argument as bytes: strings as they are, numbers as `%.17g` (Redis
/// 7.0 does not use Lua's lossy `%.14g`). Anything else is refused.
pub fn lua_arg(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Integer(n) => Some(n.to_string().into_bytes()),
        Value::Number(n) => Some(redsim::resp::format_g17(*n).into_bytes()),
        _ => None,
    }
}

/// The error a script's failure reaches the client as: a raised `{err=…}` table keeps its
/// text; a Lua runtime error becomes `ERR <message>`.
pub fn lua_error_to_reply(value: &Value) -> Reply {
    match value {
        Value::Table(t) => match t.raw_get::<Value>("err") {
            Ok(Value::String(e)) => Reply::error(e.as_bytes().to_vec()),
            _ => Reply::error("ERR Error running script (unknown error)"),
        },
        Value::String(s) => {
            let mut text = b"ERR ".to_vec();
            text.extend_from_slice(&s.as_bytes());
            Reply::error(text)
        }
        other => Reply::error(format!("ERR Error running script: {other:?}")),
    }
}
