//! A script's result → reply, on the raw Lua stack, as Redis 7.0's `luaReplyToRedisReply`
//! (`script_lua.c`) does it: number → integer (C cast), string → bulk, boolean → 1 / null
//! (RESP2 scripts) or a boolean (after `redis.setresp(3)`), table → the first of `err`,
//! `ok`, `double`, `big_number`, `verbatim_string`, `map`, `set` fields (read raw) that has
//! the right type, else an array cut at the first nil; anything else → null.
//!
//! Depth: Redis converts recursively and, before each value, asks the Lua stack for 4 more
//! slots (`lua_checkstack`, at most `LUAI_MAXCSTACK` = 8000 slots in use); where that fails
//! the value becomes the error element "ERR reached lua stack limit". Each nesting level
//! holds stack slots: 1 for an array element, 3 for a map value or a set member, 4 for a
//! map key. A result starts with 2 slots in use (the error handler and the result), so
//! nested arrays come back whole up to 7995 levels (`MAX_REPLY_DEPTH`), a self-containing
//! table gives 7995 arrays around the error, and a self-containing map 2665 maps.
//!
//! This conversion keeps the same slots on the Lua stack (the tables being walked and the
//! keys of `lua_next`) and counts them the same way, but walks iteratively: its depth is
//! bounded by the Lua stack, never by the Rust stack. It holds no mlua references, whose
//! auxiliary stack is itself bounded near 8000.

// Unsafe: the walk works on the raw lua_State (mlua's safe API would hold one registry
// reference per nesting level, more than its auxiliary stack has room for). Every push is
// covered by the lua_checkstack(4) made before each value, as in Redis, and each frame
// pops exactly what it pushed.
#![allow(unsafe_code)]

use super::convert::double_to_i64;
use crate::resp::Reply;
use crate::stats::ReplyErrors;
use mlua::ffi;
use std::os::raw::{c_char, c_int};

/// `LUAI_MAXCSTACK`: the most stack slots a C function (Redis's conversion) may hold.
const MAX_SLOTS: c_int = 8000;

/// Stack slots in use when Redis converts a script's or function's result: the error
/// handler and the result itself.
pub const RESULT_SLOTS: c_int = 2;

/// Slots Redis checks for before converting each value.
const CHECK_SLOTS: c_int = 4;

const STACK_LIMIT_ERROR: &str = "ERR reached lua stack limit";

/// The field names a conversion probes, in [`Names`] order.
const NAMES: [&[u8]; 11] = [
    b"err",
    b"ok",
    b"double",
    b"big_number",
    b"verbatim_string",
    b"format",
    b"string",
    b"map",
    b"set",
    b"KEYS",
    b"ARGV",
];
const ERR: usize = 0;
const OK: usize = 1;
const DOUBLE: usize = 2;
const BIG_NUMBER: usize = 3;
const VERBATIM: usize = 4;
const FORMAT: usize = 5;
const STRING: usize = 6;
const MAP: usize = 7;
const SET: usize = 8;
pub const KEYS: usize = 9;
pub const ARGV: usize = 10;

/// The names above as registry references of one VM: pushing one is an array read,
/// where pushing a new copy hashes the text again.
#[derive(Clone, Copy)]
pub struct Names([c_int; 11]);

impl Names {
    pub fn new(lua: &mlua::Lua) -> Names {
        lua.exec_raw_lua(|raw| {
            let mut refs = [0; 11];
            // SAFETY: one slot at a time, checked for; luaL_ref pops it.
            unsafe {
                let l = raw.state();
                for (r, name) in refs.iter_mut().zip(NAMES) {
                    if ffi::lua_checkstack(l, 1) != 0 {
                        ffi::lua_pushlstring_(l, name.as_ptr().cast::<c_char>(), name.len());
                        *r = ffi::luaL_ref(l, ffi::LUA_REGISTRYINDEX);
                    }
                }
            }
            Names(refs)
        })
    }

    /// Pushes name `i`.
    ///
    /// # Safety
    /// A slot is free on `l`'s stack, and `l` is the state these references were made in.
    pub unsafe fn push(names: Option<&Names>, l: *mut ffi::lua_State, i: usize) {
        match names {
            Some(n) if n.0[i] > 0 => ffi::lua_rawgeti_(l, ffi::LUA_REGISTRYINDEX, n.0[i]),
            _ => ffi::lua_pushlstring_(l, NAMES[i].as_ptr().cast::<c_char>(), NAMES[i].len()),
        }
    }
}

/// A table being walked; its slots are on the Lua stack (`base` = slots in use with the
/// table on top).
enum Frame {
    /// Stack: table. `next`: the index read last.
    Array {
        items: Vec<Reply>,
        next: c_int,
        base: c_int,
    },
    /// Stack: table, map, [key]. `key`: the converted key waiting for its value.
    Map {
        pairs: Vec<(Reply, Reply)>,
        key: Option<Reply>,
        base: c_int,
    },
    /// Stack: table, set, [member].
    Set { items: Vec<Reply>, base: c_int },
}

/// Converts the value on top of the stack, popping it. `slots`: stack slots in use with
/// the value on top, counted as Redis's stack would hold them ([`RESULT_SLOTS`] for a
/// script's result).
///
/// The error replies made on the way (at any depth) are added to `errors`.
///
/// # Safety
/// `l` is a valid Lua state with a value on top; no Lua code runs meanwhile.
pub unsafe fn pop_reply(
    l: *mut ffi::lua_State,
    slots: c_int,
    resp3: bool,
    names: Option<&Names>,
    errors: &mut ReplyErrors,
) -> Reply {
    let mut frames: Vec<Frame> = Vec::new();
    let mut slots = slots;
    loop {
        let mut done = visit(l, slots, resp3, names, &mut frames, errors);
        // Hand finished values to their tables until a table has a new value on top.
        loop {
            let Some(frame) = frames.last_mut() else {
                return done.unwrap_or(Reply::Null);
            };
            let next_slots = match frame {
                Frame::Array { items, next, base } => {
                    if let Some(r) = done.take() {
                        items.push(r);
                    }
                    *next = next.wrapping_add(1);
                    ffi::lua_rawgeti_(l, -1, *next);
                    if ffi::lua_type(l, -1) == ffi::LUA_TNIL {
                        None
                    } else {
                        Some(*base + 1)
                    }
                }
                Frame::Map { pairs, key, base } => match (done.take(), key.take()) {
                    (Some(k), None) => {
                        // The key copy is converted; its value is on top.
                        *key = Some(k);
                        Some(*base + 3)
                    }
                    (value, key) => {
                        if let (Some(k), Some(v)) = (key, value) {
                            pairs.push((k, v));
                        }
                        if ffi::lua_next(l, -2) == 0 {
                            None
                        } else {
                            // table, map, key, value, key copy
                            ffi::lua_pushvalue(l, -2);
                            Some(*base + 4)
                        }
                    }
                },
                Frame::Set { items, base } => {
                    if let Some(r) = done.take() {
                        items.push(r);
                    }
                    if ffi::lua_next(l, -2) == 0 {
                        None
                    } else {
                        // table, set, member, value -> table, set, member, member copy
                        ffi::lua_pop(l, 1);
                        ffi::lua_pushvalue(l, -1);
                        Some(*base + 3)
                    }
                }
            };
            match next_slots {
                Some(s) => {
                    slots = s;
                    break;
                }
                None => {
                    done = Some(match frames.pop() {
                        Some(Frame::Array { items, .. }) => {
                            ffi::lua_pop(l, 2); // the nil and the table
                            Reply::Array(items)
                        }
                        Some(Frame::Map { pairs, .. }) => {
                            ffi::lua_pop(l, 2); // the map and the table
                            Reply::Map(pairs)
                        }
                        Some(Frame::Set { items, .. }) => {
                            ffi::lua_pop(l, 2); // the set and the table
                            Reply::Set(items)
                        }
                        None => Reply::Null,
                    });
                }
            }
        }
    }
}

/// Converts the value on top: pops it and returns its reply, or, for a table to walk,
/// leaves it on the stack with its frame and returns None.
unsafe fn visit(
    l: *mut ffi::lua_State,
    slots: c_int,
    resp3: bool,
    names: Option<&Names>,
    frames: &mut Vec<Frame>,
    errors: &mut ReplyErrors,
) -> Option<Reply> {
    if slots + CHECK_SLOTS > MAX_SLOTS || ffi::lua_checkstack(l, CHECK_SLOTS) == 0 {
        ffi::lua_pop(l, 1);
        errors.add(STACK_LIMIT_ERROR.as_bytes(), false);
        return Some(Reply::error(STACK_LIMIT_ERROR));
    }
    let reply = match ffi::lua_type(l, -1) {
        ffi::LUA_TSTRING => Reply::Bulk(bytes_at(l, -1).to_vec()),
        ffi::LUA_TBOOLEAN => {
            let b = ffi::lua_toboolean(l, -1) != 0;
            match (resp3, b) {
                (true, b) => Reply::Bool(b),
                (false, true) => Reply::Integer(1),
                (false, false) => Reply::Null,
            }
        }
        ffi::LUA_TNUMBER => Reply::Integer(double_to_i64(ffi::lua_tonumber(l, -1))),
        ffi::LUA_TTABLE => return table(l, slots, names, frames, errors),
        _ => Reply::Null,
    };
    ffi::lua_pop(l, 1);
    Some(reply)
}

/// The bytes of the string at `idx` (valid while it stays on the stack).
unsafe fn bytes_at<'a>(l: *mut ffi::lua_State, idx: c_int) -> &'a [u8] {
    let mut len = 0usize;
    let ptr = ffi::lua_tolstring(l, idx, &mut len);
    if ptr.is_null() {
        return &[];
    }
    std::slice::from_raw_parts(ptr.cast::<u8>(), len)
}

/// Pushes `t[name]` (raw) for the table at `idx`; returns its type.
unsafe fn raw_field(
    l: *mut ffi::lua_State,
    idx: c_int,
    names: Option<&Names>,
    name: usize,
) -> c_int {
    Names::push(names, l, name);
    ffi::lua_rawget_(l, idx - 1);
    ffi::lua_type(l, -1)
}

/// A table on top: a reply for the single-field kinds (popping the table), or a new frame.
unsafe fn table(
    l: *mut ffi::lua_State,
    slots: c_int,
    names: Option<&Names>,
    frames: &mut Vec<Frame>,
    errors: &mut ReplyErrors,
) -> Option<Reply> {
    // Each probe pushes one value above the table (the 4 slots were checked for).
    let done = |l: *mut ffi::lua_State, reply: Reply, pushed: c_int| {
        ffi::lua_pop(l, pushed + 1);
        Some(reply)
    };
    if raw_field(l, -1, names, ERR) == ffi::LUA_TSTRING {
        // Redis replies `addReplyErrorFormat("-%s")`: the `-` keeps leading CR/LF from
        // the trim, so only trailing ones go; the rest become spaces (`{err='a\n'}` → `-a`).
        // The text is a C string there: it ends at its first NUL.
        let mut text = crate::script::convert::c_string(bytes_at(l, -1));
        while let [rest @ .., b'\r' | b'\n'] = text {
            text = rest;
        }
        let reply = Reply::error(text);
        errors.add(text, already_counted(l));
        return done(l, reply, 1);
    }
    ffi::lua_pop(l, 1);
    if raw_field(l, -1, names, OK) == ffi::LUA_TSTRING {
        let text = no_newlines(bytes_at(l, -1));
        return done(l, Reply::Simple(text), 1);
    }
    ffi::lua_pop(l, 1);
    if raw_field(l, -1, names, DOUBLE) == ffi::LUA_TNUMBER {
        let d = ffi::lua_tonumber(l, -1);
        return done(l, Reply::Double(d), 1);
    }
    ffi::lua_pop(l, 1);
    if raw_field(l, -1, names, BIG_NUMBER) == ffi::LUA_TSTRING {
        let text = no_newlines(bytes_at(l, -1));
        return done(l, Reply::BigNumber(text), 1);
    }
    ffi::lua_pop(l, 1);
    if raw_field(l, -1, names, VERBATIM) == ffi::LUA_TTABLE {
        if raw_field(l, -1, names, FORMAT) == ffi::LUA_TSTRING {
            if raw_field(l, -2, names, STRING) == ffi::LUA_TSTRING {
                let mut format = [0u8; 3];
                for (i, b) in bytes_at(l, -2).iter().take(3).enumerate() {
                    format[i] = *b;
                }
                let text = bytes_at(l, -1).to_vec();
                return done(l, Reply::Verbatim { format, text }, 3);
            }
            ffi::lua_pop(l, 1);
        }
        ffi::lua_pop(l, 1);
    }
    ffi::lua_pop(l, 1);
    if raw_field(l, -1, names, MAP) == ffi::LUA_TTABLE {
        ffi::lua_pushnil(l);
        frames.push(Frame::Map {
            pairs: Vec::new(),
            key: None,
            base: slots,
        });
        return None;
    }
    ffi::lua_pop(l, 1);
    if raw_field(l, -1, names, SET) == ffi::LUA_TTABLE {
        ffi::lua_pushnil(l);
        frames.push(Frame::Set {
            items: Vec::new(),
            base: slots,
        });
        return None;
    }
    ffi::lua_pop(l, 1);
    frames.push(Frame::Array {
        items: Vec::new(),
        next: 0,
        base: slots,
    });
    None
}

/// Whether the error table under the `err` text on top says its error was counted when
/// its command failed: `ignore_error_stats_update` is `true` (a boolean; Redis reads it
/// with lua_getfield, here raw, as no Lua code runs during the conversion).
unsafe fn already_counted(l: *mut ffi::lua_State) -> bool {
    const FIELD: &[u8] = b"ignore_error_stats_update";
    ffi::lua_pushlstring_(l, FIELD.as_ptr().cast::<c_char>(), FIELD.len());
    ffi::lua_rawget_(l, -3);
    let counted = ffi::lua_type(l, -1) == ffi::LUA_TBOOLEAN && ffi::lua_toboolean(l, -1) != 0;
    ffi::lua_pop(l, 1);
    counted
}

fn no_newlines(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect()
}

/// Converts a Lua value held by mlua (the simulator's client-side scripts), with the slots
/// of a script's result.
pub fn value_to_reply(value: &mlua::Value, resp3: bool) -> Reply {
    use mlua::{IntoLua, Value};
    match value {
        Value::Table(t) => {
            let lua = t.weak_lua().upgrade();
            lua.exec_raw_lua(|raw| {
                // SAFETY: one slot checked for; pop_reply pops the pushed value.
                unsafe {
                    let l = raw.state();
                    if ffi::lua_checkstack(l, 1) == 0 || t.push_into_stack(raw).is_err() {
                        return Reply::error(STACK_LIMIT_ERROR);
                    }
                    pop_reply(l, RESULT_SLOTS, resp3, None, &mut ReplyErrors::default())
                }
            })
        }
        Value::String(s) => Reply::Bulk(s.as_bytes().to_vec()),
        Value::Boolean(b) if resp3 => Reply::Bool(*b),
        Value::Boolean(true) => Reply::Integer(1),
        Value::Boolean(false) => Reply::Null,
        Value::Integer(i) => Reply::Integer(*i),
        Value::Number(n) => Reply::Integer(double_to_i64(*n)),
        _ => Reply::Null,
    }
}
