//! The base functions that must see through the sandbox's read-only proxies (`next`,
//! `pairs`, `ipairs`, `rawget`, `rawset`, `setmetatable`, `getmetatable`), the loaders
//! that must refuse bytecode (`loadstring`, `load`) and Redis's `math.random` /
//! `math.randomseed`, as Lua C functions.
//!
//! Redis 7.0 patches Lua so that a table itself can be read-only; redsim's stock Lua 5.1
//! replaces each protected table with a proxy (prelude.lua), so these functions must know
//! the proxies. They were Lua wrappers once, and it showed in error texts: a Lua wrapper
//! raises from its own frame (`redsim:NN:`, names like `raw_setmetatable`), cannot tell a
//! nil argument from a missing one ("got no value" for `pairs(nil)`), is a real tail call
//! in `return pairs()` (the user's line is gone) and makes `pcall(pairs)` name 'pairs'.
//! As C functions they are Lua 5.1's own `luaB_*` plus one look-up in the proxy map
//! (upvalue 1: proxy → real table), so `luaL_argerror` writes Redis's texts word for word
//! (`bad argument #1 to '?'` under pcall, a local's name when called through one).

// Lua C functions work on the raw `lua_State`; each one only uses the slots Lua guarantees
// a C function (LUA_MINSTACK, 20) or checks for more.
//
// Errors: `luaL_check*`, `luaL_argcheck`, `luaL_error`, `lua_call` and any allocation (a
// script runs under a heap bound) may raise, and raising longjmps over these frames. They
// are sound because at each such call the frame holds no Rust value with a destructor:
// only raw pointers, integers and `Copy` closures. The one owned value, `loadstring`'s
// buffer, lives only across `luaL_loadbuffer`, which cannot raise: `lua_load` parses in
// protected mode and returns every error, memory errors included, as a status.
#![allow(unsafe_code)]

use mlua::{ffi, Function, IntoLua, Lua, Table};
use std::os::raw::{c_char, c_int, c_void};

const READONLY: &std::ffi::CStr = c"Attempt to modify a readonly table";

/// Replaces the table at `idx` (a positive index) with the real table behind it when it
/// is a proxy; returns whether it was one.
unsafe fn unwrap_proxy(l: *mut ffi::lua_State, idx: c_int) -> bool {
    ffi::lua_pushvalue(l, idx);
    ffi::lua_rawget_(l, ffi::lua_upvalueindex(1));
    if ffi::lua_isnil(l, -1) != 0 {
        ffi::lua_pop(l, 1);
        false
    } else {
        ffi::lua_replace(l, idx);
        true
    }
}

/// Whether the table at `idx` is a proxy (Redis: a read-only table).
unsafe fn is_proxy(l: *mut ffi::lua_State, idx: c_int) -> bool {
    ffi::lua_pushvalue(l, idx);
    ffi::lua_rawget_(l, ffi::lua_upvalueindex(1));
    let proxy = ffi::lua_isnil(l, -1) == 0;
    ffi::lua_pop(l, 1);
    proxy
}

/// Redis's read-only error: raised from C, so it carries no position, as Redis's
/// `luaG_runerror` from inside `lua_rawset` does not.
unsafe fn readonly_error(l: *mut ffi::lua_State) -> c_int {
    ffi::lua_pushstring_(l, READONLY.as_ptr());
    ffi::lua_error(l)
}

/// `next(t [, k])`, `luaB_next`.
unsafe extern "C-unwind" fn next(l: *mut ffi::lua_State) -> c_int {
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    ffi::lua_settop(l, 2);
    unwrap_proxy(l, 1);
    if ffi::lua_next(l, 1) != 0 {
        2
    } else {
        ffi::lua_pushnil(l);
        1
    }
}

/// `pairs(t)`, `luaB_pairs`: upvalue 2 is this VM's `next`.
unsafe extern "C-unwind" fn pairs(l: *mut ffi::lua_State) -> c_int {
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(2));
    ffi::lua_pushvalue(l, 1);
    ffi::lua_pushnil(l);
    3
}

/// The iterator `ipairs` returns, `ipairsaux`: raw reads, as Lua 5.1's.
unsafe extern "C-unwind" fn ipairs_step(l: *mut ffi::lua_State) -> c_int {
    let i = ffi::luaL_checkinteger(l, 2) as c_int;
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    unwrap_proxy(l, 1);
    let i = i.wrapping_add(1);
    ffi::lua_pushinteger(l, i as ffi::lua_Integer);
    ffi::lua_rawgeti_(l, 1, i);
    if ffi::lua_isnil(l, -1) != 0 {
        0
    } else {
        2
    }
}

/// `ipairs(t)`, `luaB_ipairs`: upvalue 2 is the iterator.
unsafe extern "C-unwind" fn ipairs(l: *mut ffi::lua_State) -> c_int {
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(2));
    ffi::lua_pushvalue(l, 1);
    ffi::lua_pushinteger(l, 0);
    3
}

/// `rawget(t, k)`, `luaB_rawget`: the key is required, even nil.
unsafe extern "C-unwind" fn rawget(l: *mut ffi::lua_State) -> c_int {
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    ffi::luaL_checkany(l, 2);
    ffi::lua_settop(l, 2);
    unwrap_proxy(l, 1);
    ffi::lua_rawget_(l, 1);
    1
}

/// `rawset(t, k, v)`, `luaB_rawset`; a protected table refuses after the argument checks,
/// as Redis's `lua_rawset` does.
unsafe extern "C-unwind" fn rawset(l: *mut ffi::lua_State) -> c_int {
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    ffi::luaL_checkany(l, 2);
    ffi::luaL_checkany(l, 3);
    ffi::lua_settop(l, 3);
    if is_proxy(l, 1) {
        return readonly_error(l);
    }
    ffi::lua_rawset(l, 1);
    1
}

/// `setmetatable(t, mt)`, `luaB_setmetatable`. Redis's `_G` has no `__metatable` field, so a
/// protected table refuses with the read-only error before the protected-metatable check
/// (the proxies' metatables do carry one).
unsafe extern "C-unwind" fn setmetatable(l: *mut ffi::lua_State) -> c_int {
    let t = ffi::lua_type(l, 2);
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    ffi::luaL_argcheck(
        l,
        (t == ffi::LUA_TNIL || t == ffi::LUA_TTABLE) as c_int,
        2,
        c"nil or table expected".as_ptr(),
    );
    if is_proxy(l, 1) {
        return readonly_error(l);
    }
    if ffi::luaL_getmetafield(l, 1, c"__metatable".as_ptr()) != 0 {
        return ffi::luaL_error(l, c"cannot change a protected metatable".as_ptr());
    }
    ffi::lua_settop(l, 2);
    ffi::lua_setmetatable(l, 1);
    1
}

/// `load_aux`: the chunk, or nil and the message.
unsafe fn load_result(l: *mut ffi::lua_State, status: c_int) -> c_int {
    if status == 0 {
        1
    } else {
        ffi::lua_pushnil(l);
        ffi::lua_insert(l, -2);
        2
    }
}

/// `loadstring(s [, name])`, `luaB_loadstring`. Redis's Lua has no undump: a chunk that
/// starts with the bytecode signature (ESC) is parsed as text. A leading space makes the
/// stock parser do that without changing line numbers; the name stays the original text.
unsafe extern "C-unwind" fn loadstring(l: *mut ffi::lua_State) -> c_int {
    let mut len = 0usize;
    let s = ffi::luaL_checklstring(l, 1, &mut len);
    let name = ffi::luaL_optstring(l, 2, s);
    let status = if len > 0 && *s == 27 {
        // Dropped at the end of this block, before anything that can raise.
        let mut text = Vec::with_capacity(len + 1);
        text.push(b' ');
        text.extend_from_slice(std::slice::from_raw_parts(s.cast::<u8>(), len));
        ffi::luaL_loadbuffer(l, text.as_ptr().cast(), text.len(), name)
    } else {
        ffi::luaL_loadbuffer(l, s, len, name)
    };
    load_result(l, status)
}

/// Where `load`'s reader is: before the first piece, holding back a bytecode piece behind
/// the space it put first, or past that.
const READER_FIRST: u8 = 0;
const READER_HELD: u8 = 1;
const READER_ON: u8 = 2;

/// `generic_reader` of `luaB_load`, with the bytecode refusal of `loadstring`.
unsafe extern "C-unwind" fn load_reader(
    l: *mut ffi::lua_State,
    ud: *mut c_void,
    size: *mut usize,
) -> *const c_char {
    let state = ud.cast::<u8>();
    if *state == READER_HELD {
        *state = READER_ON;
        return ffi::lua_tolstring(l, 3, size);
    }
    ffi::luaL_checkstack(l, 2, c"too many nested functions".as_ptr());
    ffi::lua_pushvalue(l, 1);
    ffi::lua_call(l, 0, 1);
    if ffi::lua_isnil(l, -1) != 0 {
        *size = 0;
        return std::ptr::null();
    }
    if ffi::lua_isstring(l, -1) == 0 {
        ffi::luaL_error(l, c"reader function must return a string".as_ptr());
        return std::ptr::null();
    }
    ffi::lua_replace(l, 3);
    let piece = ffi::lua_tolstring(l, 3, size);
    if *state == READER_FIRST && *size > 0 {
        *state = READER_ON;
        if *piece == 27 {
            *state = READER_HELD;
            *size = 1;
            return c" ".as_ptr();
        }
    }
    piece
}

/// `load(f [, name])`, `luaB_load`.
unsafe extern "C-unwind" fn load(l: *mut ffi::lua_State) -> c_int {
    let name = ffi::luaL_optstring(l, 2, c"=(load)".as_ptr());
    ffi::luaL_checktype(l, 1, ffi::LUA_TFUNCTION);
    ffi::lua_settop(l, 3);
    let mut state = READER_FIRST;
    let status = ffi::lua_load(l, load_reader, (&mut state as *mut u8).cast(), name);
    load_result(l, status)
}

/// `getmetatable(v)`, `luaB_getmetatable`; upvalue 1 holds the proxies of Redis's
/// library tables, which have no metatable in Redis (`getmetatable(string)` is nil).
unsafe extern "C-unwind" fn getmetatable(l: *mut ffi::lua_State) -> c_int {
    ffi::luaL_checkany(l, 1);
    if is_proxy(l, 1) || ffi::lua_getmetatable(l, 1) == 0 {
        ffi::lua_pushnil(l);
        return 1;
    }
    ffi::luaL_getmetafield(l, 1, c"__metatable".as_ptr());
    1
}

/// `math.random([m [, n]])`, Redis's `redis_math_random`: upvalue 1 draws the next number
/// in [0, 1) from the server's generator. The draw comes first, so a call that fails
/// still advances the generator, as in Redis. Bounds are C ints (`luaL_checkint`:
/// `2^31` wraps to INT_MIN, "interval is empty"), and so is the width `u - l + 1`.
unsafe extern "C-unwind" fn random(l: *mut ffi::lua_State) -> c_int {
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
    ffi::lua_call(l, 0, 1);
    let r = ffi::lua_tonumber(l, -1);
    ffi::lua_pop(l, 1);
    let checkint = |n| ffi::luaL_checkinteger(l, n) as c_int;
    let x = match ffi::lua_gettop(l) {
        0 => r,
        1 => {
            let u = checkint(1);
            ffi::luaL_argcheck(l, (1 <= u) as c_int, 1, c"interval is empty".as_ptr());
            (r * u as f64).floor() + 1.0
        }
        2 => {
            let (lo, u) = (checkint(1), checkint(2));
            ffi::luaL_argcheck(l, (lo <= u) as c_int, 2, c"interval is empty".as_ptr());
            (r * u.wrapping_sub(lo).wrapping_add(1) as f64).floor() + lo as f64
        }
        _ => return ffi::luaL_error(l, c"wrong number of arguments".as_ptr()),
    };
    ffi::lua_pushnumber(l, x);
    1
}

/// `math.randomseed(n)`, Redis's `redis_math_randomseed`: upvalue 1 reseeds with a C int.
unsafe extern "C-unwind" fn randomseed(l: *mut ffi::lua_State) -> c_int {
    let seed = ffi::luaL_checkinteger(l, 1) as c_int;
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
    ffi::lua_pushinteger(l, seed as ffi::lua_Integer);
    ffi::lua_call(l, 1, 0);
    0
}

/// `math.random` and `math.randomseed` around the generator's `draw()` and `seed(n)`.
pub fn create_random(
    lua: &Lua,
    draw: &Function,
    seed: &Function,
) -> mlua::Result<(Function, Function)> {
    lua.exec_raw_lua(|raw| {
        // SAFETY: one slot checked for; each closure is popped as a reference.
        unsafe {
            let l = raw.state();
            if ffi::lua_checkstack(l, 1) == 0 {
                return Err(mlua::Error::StackError);
            }
            let closure = |f: ffi::lua_CFunction, upvalue: &Function| {
                upvalue.push_into_stack(raw)?;
                ffi::lua_pushcclosure(l, f, 1);
                raw.pop::<Function>()
            };
            Ok((closure(random, draw)?, closure(randomseed, seed)?))
        }
    })
}

/// The functions, in the order the prelude takes them: next, pairs, ipairs, rawget,
/// rawset, setmetatable, loadstring, load, getmetatable. `proxies` maps each proxy to its
/// real table; `bare` holds the proxies whose metatable reads as nil.
pub fn create(lua: &Lua, proxies: &Table, bare: &Table) -> mlua::Result<Vec<Function>> {
    lua.exec_raw_lua(|raw| {
        // SAFETY: at most three slots are used at once, checked for first; each closure is
        // popped as a reference, leaving the stack as it was.
        unsafe {
            let l = raw.state();
            if ffi::lua_checkstack(l, 3) == 0 {
                return Err(mlua::Error::StackError);
            }
            let closure_on = |f: ffi::lua_CFunction, first: &Table, second: Option<&Function>| {
                first.push_into_stack(raw)?;
                let n = match second {
                    Some(g) => {
                        g.push_into_stack(raw)?;
                        2
                    }
                    None => 1,
                };
                ffi::lua_pushcclosure(l, f, n);
                raw.pop::<Function>()
            };
            let closure = |f, second| closure_on(f, proxies, second);
            // Lua 5.1's `pairs` returns a `next` of its own (auxopen), not the global one.
            let pairs_next = closure(next, None)?;
            let step = closure(ipairs_step, None)?;
            Ok(vec![
                closure(next, None)?,
                closure(pairs, Some(&pairs_next))?,
                closure(ipairs, Some(&step))?,
                closure(rawget, None)?,
                closure(rawset, None)?,
                closure(setmetatable, None)?,
                closure(loadstring, None)?,
                closure(load, None)?,
                closure_on(getmetatable, bare, None)?,
            ])
        }
    })
}
