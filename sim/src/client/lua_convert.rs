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
//! The conversions are the scripting engine's own (`redsim::script::convert`, RESP2 mode),
//! so the two paths cannot drift apart.

use mlua::{Lua, Value};
use redsim::script::convert;
use redsim::Reply;

/// A reply as `redis.call` returns it to Lua (RESP2); errors become `{err=…}` tables.
pub(crate) fn reply_to_lua(lua: &Lua, reply: &Reply) -> mlua::Result<Value> {
    convert::reply_to_lua(lua, reply, false)
}

/// A script's return value as the client receives it.
pub(crate) fn lua_to_reply(value: &Value) -> Reply {
    convert::lua_to_reply(value, false)
}

/// One `redis.call` argument as bytes: strings as they are, numbers as `%.17g` (Redis
/// 7.0 does not use Lua's lossy `%.14g`). Anything else is refused. mlua hands integral
/// Lua numbers over as `Integer`; they are still doubles to Redis (`1e17` is `1e+17`,
/// not `100000000000000000`), so they take the same formatting as EVAL's.
pub(crate) fn lua_arg(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Integer(n) => Some(convert::number_arg(*n as f64)),
        Value::Number(n) => Some(convert::number_arg(*n)),
        _ => None,
    }
}

/// The error a script's failure reaches the client as, read as EVAL reads it (without
/// the ` script: …` suffix, which names a server-side script): a raised `{err=…}` table
/// gives its `err` text (a number as Lua prints it); any other value becomes
/// `ERR <tostring(value)>`. Redis reads the text as a C string, so it ends at a NUL.
pub(crate) fn lua_error_to_reply(value: &Value) -> Reply {
    let text = |v: &Value| -> Option<Vec<u8>> {
        match v {
            Value::String(s) => Some(s.as_bytes().to_vec()),
            Value::Integer(_) | Value::Number(_) => Some(convert::lua_tostring_number(v)),
            _ => None,
        }
    };
    match value {
        Value::Table(t) => match t.raw_get::<Value>("err").ok().as_ref().and_then(text) {
            Some(e) => Reply::error(convert::c_string(&e)),
            None => Reply::error("ERR Error running script (unknown error)"),
        },
        other => {
            let shown = match other {
                Value::Nil => b"nil".to_vec(),
                Value::Boolean(b) => b.to_string().into_bytes(),
                v => text(v).unwrap_or_else(|| format!("{v:?}").into_bytes()),
            };
            let mut msg = b"ERR ".to_vec();
            msg.extend_from_slice(convert::c_string(&shown));
            Reply::error(msg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raised_errors_read_as_eval_reads_them() {
        let lua = Lua::new();
        let t = lua.create_table().unwrap();
        t.raw_set("err", 42).unwrap();
        assert_eq!(lua_error_to_reply(&Value::Table(t)), Reply::error("42"));
        assert_eq!(
            lua_error_to_reply(&Value::Boolean(true)),
            Reply::error("ERR true")
        );
        assert_eq!(lua_error_to_reply(&Value::Nil), Reply::error("ERR nil"));
        let s = lua.create_string(b"user_script:1: a\0b").unwrap();
        assert_eq!(
            lua_error_to_reply(&Value::String(s)),
            Reply::error("ERR user_script:1: a")
        );
    }
}
