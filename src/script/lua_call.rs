//! `redis.call` and `redis.pcall` as Lua C functions, for speed: the arguments are read
//! straight off the Lua stack and the reply is pushed onto it, with no mlua reference per
//! value (about a third of a small script's cost went to mlua's argument and result
//! handling). Semantics are those of Redis 7.0's `luaRedisGenericCommand`:
//! - arguments are strings, or numbers formatted with `%.17g`;
//! - the command runs through `call::script_call` on the running script's state;
//! - the reply is converted as `convert.rs` documents; an error reply is raised as a
//!   `{err=..., ignore_error_stats_update=true}` table by `redis.call` and returned as
//!   one by `redis.pcall`.
//!
//! This is the only path from a script to a command: calls with no arguments, or with an
//! argument that is neither a string nor a number, get Redis's error here too (built by
//! `call::fill_argv`, the one builder of a script's arguments). redsim's own redis.*
//! functions reach the run's state through the VM's `side` function instead.
//! A Rust panic inside is caught, kept in the bridge and resumed by the run once the
//! script has unwound (`Bridge::take_panic`).

// Unsafe: a C function works on the raw lua_State. Rust values with destructors are all
// dropped before lua_error is called (it longjmps over this frame); pushes are covered by
// lua_checkstack; the run state is reached through RunSlot.
#![allow(unsafe_code)]

use super::call::{fill_argv, script_call, Arg};
use super::convert::error_text;
use super::lua_c::RunSlot;
use super::vm::Unlimited;
use crate::resp::{format_double, format_human, Reply};
use mlua::{ffi, Function, Lua, WeakLua};
use std::any::Any;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

/// What the C functions of one VM share (boxed by the VM, so its address is stable).
pub struct Bridge {
    pub slot: Arc<RunSlot>,
    lua: WeakLua,
    memory_limit: usize,
    /// A panic caught in redis.call, to resume outside Lua.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Bridge {
    pub fn new(lua: &Lua, slot: Arc<RunSlot>, memory_limit: usize) -> Box<Bridge> {
        Box::new(Bridge {
            slot,
            lua: lua.weak(),
            memory_limit,
            panic: Mutex::new(None),
        })
    }

    /// Resumes a panic caught inside redis.call during the last run.
    pub fn resume_panic(&self) {
        let caught = self.panic.lock().ok().and_then(|mut p| p.take());
        if let Some(payload) = caught {
            std::panic::resume_unwind(payload);
        }
    }

    /// Creates `redis.call` (raise) or `redis.pcall`. The bridge must outlive the VM's
    /// use of the function (the VM owns both).
    pub fn function(&self, lua: &Lua, raise: bool) -> mlua::Result<Function> {
        let f: ffi::lua_CFunction = if raise { redis_call } else { redis_pcall };
        let bridge = self as *const Bridge as *mut c_void;
        lua.exec_raw_lua(|raw| {
            // SAFETY: one slot checked for; the closure takes it as its upvalue.
            unsafe {
                let l = raw.state();
                if ffi::lua_checkstack(l, 1) == 0 {
                    return Err(mlua::Error::StackError);
                }
                ffi::lua_pushlightuserdata(l, bridge);
                ffi::lua_pushcclosure(l, f, 1);
                raw.pop::<Function>()
            }
        })
    }
}

unsafe extern "C-unwind" fn redis_call(l: *mut ffi::lua_State) -> c_int {
    generic(l, true)
}

unsafe extern "C-unwind" fn redis_pcall(l: *mut ffi::lua_State) -> c_int {
    generic(l, false)
}

/// What the Rust part left on the stack.
enum Pushed {
    /// The result, to return.
    Value,
    /// An error table, to raise.
    Error,
    /// A panic was caught (kept in the bridge); raise the message on the stack.
    Panic,
}

unsafe fn generic(l: *mut ffi::lua_State, raise: bool) -> c_int {
    let n = ffi::lua_gettop(l);
    let bridge = &*(ffi::lua_touserdata(l, ffi::lua_upvalueindex(1)) as *const Bridge);
    let pushed = catch_unwind(AssertUnwindSafe(|| run_command(l, bridge, n, raise)))
        .unwrap_or_else(|payload| {
            if let Ok(mut slot) = bridge.panic.lock() {
                *slot = Some(payload);
            }
            ffi::lua_pushstring_(l, c"redsim: panic in redis.call".as_ptr());
            Pushed::Panic
        });
    match pushed {
        Pushed::Value => 1,
        // Nothing with a destructor is alive here: lua_error does not return.
        Pushed::Error | Pushed::Panic => ffi::lua_error(l),
    }
}

/// Runs the command named by the `n` arguments and pushes its result.
unsafe fn run_command(l: *mut ffi::lua_State, bridge: &Bridge, n: c_int, raise: bool) -> Pushed {
    let lua = bridge.lua.try_upgrade();
    bridge.slot.with(|state| {
        let Some(state) = state else {
            push_error_table(
                l,
                b"ERR redis.call/pcall can only be called inside a script invocation",
                false,
            );
            return if raise { Pushed::Error } else { Pushed::Value };
        };
        let Ok(mut st) = state.try_borrow_mut() else {
            push_error_table(l, b"ERR redis.call: recursive call detected", false);
            return if raise { Pushed::Error } else { Pushed::Value };
        };
        let _unlimited = lua
            .as_ref()
            .map(|lua| Unlimited::new(lua, bridge.memory_limit));
        let mut argv = std::mem::take(&mut st.argv_buf);
        let filled = fill_argv(&mut argv, (1..=n).map(|i| arg_at(l, i)));
        // Redis's luaArgsToRedisArgv pops the arguments once read, which leaves room for
        // the reply: a call with 7,999 arguments (the most `unpack` gives) still gets it.
        ffi::lua_settop(l, 0);
        let reply = match filled {
            Ok(n) => script_call(&mut st, &argv[..n]),
            Err(text) => {
                st.argv_buf = argv;
                // An argument error is the script's own (luaArgsToRedisArgv): its table
                // has no `ignore_error_stats_update`, so the client's error reply counts it.
                push_error_table(l, &error_text(text.as_bytes()), false);
                return if raise { Pushed::Error } else { Pushed::Value };
            }
        };
        st.argv_buf = argv;
        if ffi::lua_checkstack(l, 4) == 0 {
            ffi::lua_pushnil(l);
            return Pushed::Value;
        }
        match &reply {
            // A command's error (or the script check's refusal) was counted when it was
            // made: raised or returned, its table says so (Redis's scriptCall and
            // redisProtocolToLuaType_Error both add ignore_error_stats_update).
            Reply::Error(text) if raise => {
                push_error_table(l, &error_text(text), true);
                Pushed::Error
            }
            _ => {
                push_reply(l, &reply, st.resp3);
                Pushed::Value
            }
        }
    })
}

/// The argument at stack index `idx`: strings and numbers as Redis reads them (a number
/// is never read as a string: `lua_tolstring` would convert it in place).
unsafe fn arg_at<'a>(l: *mut ffi::lua_State, idx: c_int) -> Arg<'a> {
    match ffi::lua_type(l, idx) {
        ffi::LUA_TNUMBER => Arg::Number(ffi::lua_tonumber(l, idx)),
        ffi::LUA_TSTRING => Arg::Bytes(bytes_at(l, idx)),
        _ => Arg::Other,
    }
}

unsafe fn bytes_at<'a>(l: *mut ffi::lua_State, idx: c_int) -> &'a [u8] {
    let mut len = 0usize;
    let p = ffi::lua_tolstring(l, idx, &mut len);
    if p.is_null() {
        return &[];
    }
    std::slice::from_raw_parts(p.cast::<u8>(), len)
}

unsafe fn push_bytes(l: *mut ffi::lua_State, b: &[u8]) {
    ffi::lua_pushlstring_(l, b.as_ptr().cast::<c_char>(), b.len());
}

/// `t[name] = <value on top>` for the table just below it.
unsafe fn set_field(l: *mut ffi::lua_State, name: &[u8]) {
    push_bytes(l, name);
    ffi::lua_insert(l, -2);
    ffi::lua_rawset(l, -3);
}

/// `{err=text}` (and `ignore_error_stats_update=true` when `from_reply`), as Redis's
/// `luaPushErrorBuff` (the text already has its code).
unsafe fn push_error_table(l: *mut ffi::lua_State, text: &[u8], from_reply: bool) {
    ffi::lua_createtable(l, 0, 2);
    push_bytes(l, text);
    set_field(l, b"err");
    if from_reply {
        ffi::lua_pushboolean(l, 1);
        set_field(l, b"ignore_error_stats_update");
    }
}

/// A one-field table `{name=<value pushed by f>}`.
unsafe fn push_wrapped(l: *mut ffi::lua_State, name: &[u8], f: impl FnOnce()) {
    ffi::lua_createtable(l, 0, 1);
    f();
    set_field(l, name);
}

/// Pushes what `redis.call` hands the script for `reply` (see `convert.rs`). Replies of
/// commands nest a few levels at most; each level checks for its stack slots.
pub unsafe fn push_reply(l: *mut ffi::lua_State, reply: &Reply, resp3: bool) {
    if ffi::lua_checkstack(l, 4) == 0 {
        ffi::lua_pushnil(l);
        return;
    }
    match reply {
        Reply::Simple(s) => push_wrapped(l, b"ok", || push_bytes(l, s)),
        Reply::Error(e) => push_error_table(l, &error_text(e), true),
        Reply::Integer(n) => ffi::lua_pushnumber(l, *n as f64),
        Reply::Bulk(b) => push_bytes(l, b),
        Reply::Null | Reply::NullArray if resp3 => ffi::lua_pushnil(l),
        Reply::Null | Reply::NullArray => ffi::lua_pushboolean(l, 0),
        Reply::Array(items) | Reply::Push(items) => push_array(l, items, resp3),
        Reply::Bool(b) if resp3 => ffi::lua_pushboolean(l, *b as c_int),
        Reply::Bool(b) => ffi::lua_pushnumber(l, if *b { 1.0 } else { 0.0 }),
        Reply::Double(d) if resp3 => push_wrapped(l, b"double", || ffi::lua_pushnumber(l, *d)),
        Reply::Double(d) => push_bytes(l, format_double(*d).as_bytes()),
        // Redis's parser reads the double back from its text (`strtod`).
        Reply::HumanDouble(d) if resp3 => {
            let value = format_human(*d).parse::<f64>().unwrap_or(*d);
            push_wrapped(l, b"double", || ffi::lua_pushnumber(l, value))
        }
        Reply::HumanDouble(d) => push_bytes(l, format_human(*d).as_bytes()),
        Reply::BigNumber(n) if resp3 => push_wrapped(l, b"big_number", || push_bytes(l, n)),
        Reply::BigNumber(n) => push_bytes(l, n),
        Reply::Verbatim { format, text } if resp3 => push_wrapped(l, b"verbatim_string", || {
            ffi::lua_createtable(l, 0, 2);
            push_bytes(l, text);
            set_field(l, b"string");
            push_bytes(l, format);
            set_field(l, b"format");
        }),
        Reply::Verbatim { text, .. } => push_bytes(l, text),
        // Only DEBUG PROTOCOL sends these (scripts reach it after DEBUG
        // SET-DISABLE-DENY-SCRIPTS); Redis's parser skips the attribute or push frame.
        Reply::Preceded { reply, .. } => push_reply(l, reply, resp3),
        // Not reachable from a script (the commands that answer with several frames are
        // `noscript`, and messages to the script's client wait for its EVAL's reply):
        // the last frame stands for the reply.
        Reply::Frames(frames) => match frames.last() {
            Some(last) => push_reply(l, last, resp3),
            None => ffi::lua_pushboolean(l, 0),
        },
        // Maps and sets are built from an empty table, one field at a time, as Redis's
        // redisProtocolToLuaType_Map/_Set do: the table's shape, and so the order `next`
        // walks it in (pairs(), the script's reply), is then Redis's.
        Reply::Map(pairs) | Reply::Attribute(pairs) if resp3 => push_wrapped(l, b"map", || {
            ffi::lua_createtable(l, 0, 0);
            for (k, v) in pairs {
                push_reply(l, k, resp3);
                if ffi::lua_type(l, -1) == ffi::LUA_TNIL {
                    ffi::lua_pop(l, 1);
                    continue;
                }
                push_reply(l, v, resp3);
                ffi::lua_rawset(l, -3);
            }
        }),
        Reply::Map(pairs) | Reply::Attribute(pairs) => {
            ffi::lua_createtable(l, (pairs.len() * 2).min(1 << 26) as c_int, 0);
            for (i, (k, v)) in pairs.iter().enumerate() {
                push_reply(l, k, resp3);
                ffi::lua_rawseti_(l, -2, (2 * i + 1) as c_int);
                push_reply(l, v, resp3);
                ffi::lua_rawseti_(l, -2, (2 * i + 2) as c_int);
            }
        }
        Reply::Set(items) if resp3 => push_wrapped(l, b"set", || {
            ffi::lua_createtable(l, 0, 0);
            for item in items {
                push_reply(l, item, resp3);
                if ffi::lua_type(l, -1) == ffi::LUA_TNIL {
                    ffi::lua_pop(l, 1);
                    continue;
                }
                ffi::lua_pushboolean(l, 1);
                ffi::lua_rawset(l, -3);
            }
        }),
        Reply::Set(items) => push_array(l, items, resp3),
    }
}

unsafe fn push_array(l: *mut ffi::lua_State, items: &[Reply], resp3: bool) {
    // Redis builds the table from empty, one `t[i] = v` at a time. With RESP3 nulls
    // (nil values) that shape is visible: the holes decide where the array part ends, so
    // `#t` and `unpack` stop where Redis's do (MGET b a b: `#t` is 1). Without holes a
    // pre-sized table reads the same, and is cheaper.
    let holes = resp3
        && items
            .iter()
            .any(|i| matches!(i, Reply::Null | Reply::NullArray));
    let size = if holes {
        0
    } else {
        items.len().min(1 << 26) as c_int
    };
    ffi::lua_createtable(l, size, 0);
    for (i, item) in items.iter().enumerate() {
        push_reply(l, item, resp3);
        ffi::lua_rawseti_(l, -2, (i + 1) as c_int);
    }
}

/// [`push_reply`] through mlua, for code holding values rather than the stack.
pub fn reply_to_value(lua: &Lua, reply: &Reply, resp3: bool) -> mlua::Result<mlua::Value> {
    lua.exec_raw_lua(|raw| {
        // SAFETY: push_reply checks for its own slots; the value is popped as a reference.
        unsafe {
            push_reply(raw.state(), reply, resp3);
            Ok(raw.pop_value())
        }
    })
}
