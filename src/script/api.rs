//! The `redis.*` functions that can raise errors, and math.random / math.randomseed.
//!
//! They are Rust (C) functions rather than Lua wrappers for one reason: in Lua 5.1
//! `return f(...)` is a tail call that removes the caller's frame when `f` is a Lua
//! function, and Redis reports the line of the user's code that called the failing
//! function. A C function keeps that frame.
//!
//! Errors are raised as [`Raise`] values; the error handler, `pcall` and `xpcall` turn
//! them into what Redis's scripts see (`{err=…}` tables or position-prefixed strings).

use super::call::{fill_argv, Arg};
use super::rand::Lrand48;
use mlua::{Function, Lua, Table, Value, Variadic};
use std::sync::{Arc, Mutex};

pub const OP_LOG: i64 = 3;
pub const OP_SETRESP: i64 = 4;
pub const OP_SETREPL: i64 = 5;
pub const OP_ACL_CHECK: i64 = 6;
pub const OP_TICK: i64 = 9;

/// An error raised from Rust into a script.
#[derive(Clone, Debug)]
pub enum Raise {
    /// `{err=<text>}`, as Redis's `luaPushError` + `luaError`. (Errors that Redis raises
    /// with `luaL_error` come from C functions, lua_base.rs and lua_c.rs.)
    Table(Vec<u8>),
}

impl std::fmt::Display for Raise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Raise::Table(t) => write!(f, "{}", String::from_utf8_lossy(t)),
        }
    }
}

impl std::error::Error for Raise {}

/// Raises `{err=text}`.
pub fn raise_table(text: impl Into<Vec<u8>>) -> mlua::Error {
    mlua::Error::external(Raise::Table(text.into()))
}

/// The [`Raise`] inside an mlua error, if any.
pub fn find_raise(e: &mlua::Error) -> Option<&Raise> {
    match e {
        mlua::Error::CallbackError { cause, .. } => find_raise(cause),
        mlua::Error::ExternalError(inner) => inner.downcast_ref::<Raise>(),
        _ => None,
    }
}

/// Lua's `lua_isnumber` + `lua_tonumber`: numbers and numeric strings.
pub fn to_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        Value::String(s) => {
            let text = s.to_str().ok()?;
            let t = text.trim();
            if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                return u64::from_str_radix(hex, 16).ok().map(|n| n as f64);
            }
            t.parse::<f64>().ok()
        }
        _ => None,
    }
}

/// Asks the running script's state for a side operation (log, setresp, set_repl): `side`
/// is the VM's function for them (`run::side`); it does nothing when no script runs.
fn side_op(side: &Function, op: i64, a: Value, b: Value) -> mlua::Result<()> {
    side.call::<Value>((op, a, b))?;
    Ok(())
}

/// Fills `redis` with the raising functions and returns math.random / randomseed.
pub fn install(
    lua: &Lua,
    redis: &Table,
    side: &Function,
    rand: Arc<Mutex<Lrand48>>,
) -> mlua::Result<(Function, Function)> {
    redis.raw_set("sha1hex", sha1hex(lua)?)?;
    redis.raw_set("log", log(lua, side)?)?;
    redis.raw_set("setresp", setresp(lua, side)?)?;
    redis.raw_set("set_repl", set_repl(lua, side)?)?;
    redis.raw_set("acl_check_cmd", acl_check_cmd(lua, side)?)?;
    random(lua, rand)
}

/// `redis.sha1hex(s)`: a number is hashed as Lua prints it, anything else as "".
fn sha1hex(lua: &Lua) -> mlua::Result<Function> {
    lua.create_function(|lua, args: Variadic<Value>| {
        if args.len() != 1 {
            return Err(raise_table("ERR wrong number of arguments"));
        }
        let bytes = match &args[0] {
            Value::String(s) => s.as_bytes().to_vec(),
            v @ (Value::Integer(_) | Value::Number(_)) => super::convert::lua_tostring_number(v),
            _ => Vec::new(),
        };
        lua.create_string(super::sha1_hex(&bytes))
    })
}

/// `redis.log(level, …)`: the strings and numbers joined by spaces (others skipped), sent
/// to the bridge.
fn log(lua: &Lua, side: &Function) -> mlua::Result<Function> {
    let side = side.clone();
    lua.create_function(move |lua, args: Variadic<Value>| {
        if args.len() < 2 {
            return Err(raise_table(
                "ERR redis.log() requires two arguments or more.",
            ));
        }
        let Some(level) = to_number(&args[0]) else {
            return Err(raise_table(
                "ERR First argument must be a number (log level).",
            ));
        };
        let level = level as i64;
        if !(0..=3).contains(&level) {
            return Err(raise_table("ERR Invalid debug level."));
        }
        let mut text = Vec::new();
        for (j, v) in args.iter().enumerate().skip(1) {
            let piece = match v {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Integer(_) | Value::Number(_) => super::convert::lua_tostring_number(v),
                _ => continue,
            };
            if j != 1 {
                text.push(b' ');
            }
            text.extend_from_slice(&piece);
        }
        side_op(
            &side,
            OP_LOG,
            Value::Integer(level),
            Value::String(lua.create_string(text)?),
        )
    })
}

/// `redis.setresp(2|3)`.
fn setresp(lua: &Lua, side: &Function) -> mlua::Result<Function> {
    let check = |resp: i64| {
        (resp == 2 || resp == 3)
            .then_some(resp)
            .ok_or("ERR RESP version must be 2 or 3.")
    };
    setter(
        lua,
        side,
        OP_SETRESP,
        "ERR redis.setresp() requires one argument.",
        check,
    )
}

/// `redis.set_repl(flags)`: the REPL_* bits only.
fn set_repl(lua: &Lua, side: &Function) -> mlua::Result<Function> {
    let check = |flags: i64| {
        (flags & !3 == 0).then_some(flags).ok_or(
            "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
        )
    };
    setter(
        lua,
        side,
        OP_SETREPL,
        "ERR redis.set_repl() requires two arguments.",
        check,
    )
}

/// A `redis.*` function of one number that sets the side operation `op` to it, once
/// `check` accepts it (Redis reads a non-number as 0); `arity` is the error for another
/// count of arguments.
fn setter(
    lua: &Lua,
    side: &Function,
    op: i64,
    arity: &'static str,
    check: impl Fn(i64) -> Result<i64, &'static str> + Send + 'static,
) -> mlua::Result<Function> {
    let side = side.clone();
    lua.create_function(move |_, args: Variadic<Value>| {
        if args.len() != 1 {
            return Err(raise_table(arity));
        }
        let value = check(to_number(&args[0]).unwrap_or(0.0) as i64).map_err(raise_table)?;
        side_op(&side, op, Value::Integer(value), Value::Nil)
    })
}

/// `redis.acl_check_cmd(cmd, …)`: whether the running script's user may run it.
fn acl_check_cmd(lua: &Lua, side: &Function) -> mlua::Result<Function> {
    let side = side.clone();
    lua.create_function(move |lua, args: Variadic<Value>| {
        // Strings are read through mlua's borrows, held while the argv is built.
        let strings: Vec<_> = args
            .iter()
            .map(|v| match v {
                Value::String(s) => Some(s.as_bytes()),
                _ => None,
            })
            .collect();
        let mut argv = Vec::new();
        let n = fill_argv(
            &mut argv,
            args.iter()
                .zip(&strings)
                .map(|(v, s)| Arg::of(v, s.as_deref())),
        )
        .map_err(raise_table)?;
        argv.truncate(n);
        if !super::call::command_exists(&argv) {
            return Err(raise_table(
                "ERR Invalid command passed to redis.acl_check_cmd()",
            ));
        }
        // The running script's user decides (`ACLCheckAllUserCommandPerm`).
        let words = lua.create_table_with_capacity(argv.len(), 0)?;
        for (i, arg) in argv.iter().enumerate() {
            words.raw_set(i + 1, lua.create_string(arg)?)?;
        }
        side.call::<Value>((OP_ACL_CHECK, Value::Table(words), Value::Nil))
            .map_err(|_| {
                raise_table("ERR redis.acl_check_cmd can only be called inside a script invocation")
            })
    })
}

/// math.random and math.randomseed over the generator `rand`: C functions around its
/// two operations (lua_base.rs), so that their argument errors are Lua's own.
fn random(lua: &Lua, rand: Arc<Mutex<Lrand48>>) -> mlua::Result<(Function, Function)> {
    let next = rand.clone();
    let draw = lua.create_function(move |_, ()| {
        Ok(next.lock().unwrap_or_else(|p| p.into_inner()).next_unit())
    })?;
    let seed = lua.create_function(move |_, seed: i32| {
        rand.lock().unwrap_or_else(|p| p.into_inner()).seed(seed);
        Ok(())
    })?;
    super::lua_base::create_random(lua, &draw, &seed)
}

/// `R.unwrap_error(e, as_table)`: what a script sees of an error raised from Rust —
/// the `err` text (pcall) or an `{err=…}` table (xpcall handlers), or a message.
pub fn unwrap_error(lua: &Lua, (e, as_table): (Value, bool)) -> mlua::Result<Value> {
    let Value::Error(err) = &e else {
        return Ok(e);
    };
    Ok(match find_raise(err) {
        Some(Raise::Table(text)) if as_table => {
            let t = lua.create_table()?;
            t.raw_set("err", lua.create_string(text)?)?;
            Value::Table(t)
        }
        Some(Raise::Table(text)) => Value::String(lua.create_string(text)?),
        None => Value::String(lua.create_string(super::run::root_message(err))?),
    })
}
