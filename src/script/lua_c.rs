//! `unpack`, `pcall` and `xpcall` as Lua C functions, in place of the vendored Lua 5.1.5's
//! and mlua's versions, which can write past the Lua stack.
//!
//! - `unpack(t, i, j)` as fixed Redis does it (CVE-2025-46817): Lua 5.1.5 computes the
//!   range size `j - i + 1` in a signed `int`; the overflow is undefined behaviour, the
//!   compiler drops the `n <= 0` check, and ranges near `INT_MIN` / `INT_MAX` push billions
//!   of values past the stack. Here the size is computed without overflow; a range of
//!   `INT_MAX` or more values, or one the stack cannot hold (`LUAI_MAXCSTACK`, 8000 slots),
//!   fails with "too many results to unpack". An empty range (`i > j`) returns nothing.
//! - `pcall(f, ...)` and `xpcall(f, h)`: Lua 5.1's (and mlua's replacements) push the status
//!   boolean after `lua_pcall` has returned all of `f`'s results, into a slot the frame does
//!   not own once those results fill it (`lapi.c: L->top < L->ci->top`, e.g. nested
//!   `pcall(f)` recursion returning 200 values). As Lua 5.2 does, the slot is checked for
//!   first; results that leave no room give `false, "stack overflow"`.
//!
//! Being C functions, their errors come from `luaL_error` / `luaL_argerror`, which report
//! the caller's position and the name it called them by (`bad argument #1 to 'unpack'
//! (table expected, got nil)`), exactly as the C originals; a Lua wrapper would lose the
//! caller's line in a tail call. Results stay on the Lua stack, which no Rust function can
//! return 8000 of.
//!
//! Panics: mlua's `pcall`/`xpcall` rethrow a caught Rust panic. Here a caught panic reaches
//! the prelude's wrappers as an error object, which they hand to a Rust function
//! (`unwrap_error`), and mlua resumes the panic there when it converts the argument.

// The only unsafe code of the scripting layer outside the bundled libraries' trampolines:
// Lua C functions work on the raw `lua_State`, which mlua's safe API does not reach (it
// cannot return thousands of values, nor run a protected call whose results stay on the
// Lua stack). Each function only uses stack slots it has checked for.
#![allow(unsafe_code)]

use super::lua_reply::Names;
use super::run::RunState;
use crate::resp::Reply;
use crate::stats::ReplyErrors;
use mlua::{ffi, Function, IntoLua, Lua, Table, Value};
use std::cell::RefCell;
use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};

/// Lua's `luaL_getn` in 5.1 (`lua_objlen` of a table).
unsafe fn getn(l: *mut ffi::lua_State, idx: c_int) -> c_int {
    ffi::lua_objlen(l, idx) as c_int
}

/// `unpack(list [, i [, j]])`, Redis's fixed `luaB_unpack`.
unsafe extern "C-unwind" fn unpack(l: *mut ffi::lua_State) -> c_int {
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    // luaL_optint / luaL_checkint: a C (int) cast of the lua_Integer.
    let i = ffi::luaL_optinteger(l, 2, 1) as c_int;
    let e = if ffi::lua_isnoneornil(l, 3) != 0 {
        getn(l, 1)
    } else {
        ffi::luaL_checkinteger(l, 3) as c_int
    };
    if i > e {
        return 0;
    }
    // Number of elements minus one, without overflow.
    let n = (e as u32).wrapping_sub(i as u32);
    if n >= c_int::MAX as u32 || ffi::lua_checkstack(l, (n + 1) as c_int) == 0 {
        return ffi::luaL_error(l, c"too many results to unpack".as_ptr());
    }
    let mut k = i as i64;
    while k <= e as i64 {
        ffi::lua_rawgeti_(l, 1, k as c_int);
        k += 1;
    }
    (n + 1) as c_int
}

/// Replaces an error object raised from Rust (userdata) at the top of the stack with what
/// a script sees of it (upvalue 1 is the prelude's `unwrap_error`; `as_table`: Redis's
/// `{err=...}` table, else its text). Uses up to 3 stack slots.
unsafe fn unwrap_rust_error(l: *mut ffi::lua_State, as_table: bool) {
    if ffi::lua_type(l, -1) == ffi::LUA_TUSERDATA {
        ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
        ffi::lua_insert(l, -2);
        ffi::lua_pushboolean(l, as_table as c_int);
        ffi::lua_call(l, 2, 1);
    }
}

/// `pcall(f, ...)`, Redis 7.0's `luaRedisPcall`: the status slot is reserved before the
/// call, so `f`'s results need no room after them; on error, an error table's `err` field,
/// when a string or number, replaces the table. Called without arguments it calls its own
/// placeholder, as Redis's does ("attempt to call a boolean value").
unsafe extern "C-unwind" fn pcall(l: *mut ffi::lua_State) -> c_int {
    let argc = ffi::lua_gettop(l);
    ffi::lua_pushboolean(l, 1);
    ffi::lua_insert(l, 1);
    let status = if argc == 0 {
        ffi::lua_pcall(l, 0, ffi::LUA_MULTRET, 0)
    } else {
        ffi::lua_pcall(l, argc - 1, ffi::LUA_MULTRET, 0)
    };
    if status != 0 {
        if argc != 0 {
            // Remove the placeholder; the error object is alone, with the frame's
            // LUA_MINSTACK slots free above it.
            ffi::lua_remove(l, 1);
        }
        unwrap_rust_error(l, false);
        if ffi::lua_type(l, -1) == ffi::LUA_TTABLE {
            ffi::lua_getfield_(l, -1, c"err".as_ptr());
            if ffi::lua_isstring(l, -1) != 0 {
                ffi::lua_replace(l, -2);
            } else {
                ffi::lua_pop(l, 1);
            }
        }
        ffi::lua_pushboolean(l, 0);
        ffi::lua_insert(l, 1);
    }
    ffi::lua_gettop(l)
}

/// The message handler of `xpcall`: upvalue 2 (the user's handler) gets errors raised from
/// Rust as Redis's `{err=...}` tables.
unsafe extern "C-unwind" fn xpcall_handler(l: *mut ffi::lua_State) -> c_int {
    ffi::lua_settop(l, 1);
    unwrap_rust_error(l, true);
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(2));
    ffi::lua_insert(l, 1);
    ffi::lua_call(l, 1, 1);
    1
}

/// `xpcall(f, h)`, Lua 5.1's `luaB_xpcall` (extra arguments are dropped), with `h` behind
/// `xpcall_handler` and the status pushed only where the stack has room: Lua 5.1 pushes it
/// past the results unchecked; when no slot is left, this answers `false, "stack
/// overflow"` as Lua 5.2 does.
unsafe extern "C-unwind" fn xpcall(l: *mut ffi::lua_State) -> c_int {
    ffi::luaL_checkany(l, 2);
    ffi::lua_settop(l, 2);
    // [f, h] -> [f, unwrap_error, h] -> [f, handler] -> [handler, f]
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
    ffi::lua_insert(l, 2);
    ffi::lua_pushcclosure(l, xpcall_handler, 2);
    ffi::lua_insert(l, 1);
    let status = ffi::lua_pcall(l, 0, ffi::LUA_MULTRET, 1);
    if ffi::lua_checkstack(l, 1) == 0 {
        ffi::lua_settop(l, 0);
        ffi::lua_pushboolean(l, 0);
        ffi::lua_pushstring_(l, c"stack overflow".as_ptr());
        return 2;
    }
    ffi::lua_pushboolean(l, (status == 0) as c_int);
    ffi::lua_replace(l, 1);
    ffi::lua_gettop(l)
}

/// Pushes a new array of strings.
unsafe fn push_strings(l: *mut ffi::lua_State, items: &[Vec<u8>]) {
    ffi::lua_createtable(l, items.len().min(c_int::MAX as usize) as c_int, 0);
    for (i, item) in items.iter().enumerate() {
        ffi::lua_pushlstring_(l, item.as_ptr().cast(), item.len());
        ffi::lua_rawseti_(l, -2, (i + 1) as c_int);
    }
}

/// What a script or function is called with.
pub struct Call<'a> {
    /// `__redis__err__handler`: makes the error object and finds the user's line.
    pub handler: &'a Function,
    /// The script's or function's Lua function.
    pub func: Callee<'a>,
    /// EVAL: the real globals table, which gets KEYS and ARGV; the function gets no
    /// arguments. FCALL (None): the function gets the KEYS and ARGV tables as arguments.
    pub globals: Option<&'a Table>,
    pub keys: &'a [Vec<u8>],
    pub args: &'a [Vec<u8>],
    /// The heap bound while the function runs (0: none).
    pub memory_limit: usize,
    /// Whether to convert the result to a reply (a library's load returns nothing).
    pub convert: bool,
    /// The VM's interned field names.
    pub names: &'a super::lua_reply::Names,
}

/// The Lua function a call runs.
#[derive(Clone, Copy)]
pub enum Callee<'a> {
    Function(&'a Function),
    /// Entry `id` of a table of compiled scripts: scripts are kept there rather than as
    /// mlua references, whose auxiliary stack holds only about 8000.
    Stored(&'a Table, i64),
}

/// How a call ended: its result as a reply (with the error replies in it, for the
/// statistics), or its error object (the handler's table, or a message for memory errors).
pub enum Ended {
    Ok(Reply, ReplyErrors),
    Err(Value),
}

/// Runs a script the way Redis's `luaCallFunction` does: one `lua_pcall` from the host
/// with the error handler as its message handler and one result. Being the only protected
/// call between the host and the script matters for the C-call limit (LUAI_MAXCCALLS,
/// 200): nested `pcall`s fail with "C stack overflow" at the same depth as in Redis.
/// `resp3` tells, once the script has run, how it asked for booleans to be converted.
pub fn call_script(
    lua: &Lua,
    call: &Call<'_>,
    resp3: impl FnOnce() -> bool,
) -> mlua::Result<Ended> {
    lua.exec_raw_lua(|raw| {
        // SAFETY: stack use is checked up front (8 slots; the conversion checks for its
        // own); the stack is restored to its height on entry on every path.
        //
        // Lua errors longjmp, and this closure's frame (and mlua's around it) hold Rust
        // values, so no Lua error may be raised here outside `lua_pcall`. What runs
        // unprotected is what cannot raise one:
        // - before the call, the pushes (handler, function, KEYS/ARGV tables) allocate
        //   with no heap bound (the limit is set just before `lua_pcall`, lifted just
        //   after), so they fail only when the process itself is out of memory, where
        //   Lua's panic function exits as Rust's allocator would abort; a GC step they
        //   trigger runs no finalizer that can raise (scripts cannot make userdata:
        //   `newproxy` is removed; a table's `__gc` does nothing in Lua 5.1; mlua's
        //   userdata finalizers only drop Rust values);
        // - `lua_pcall` catches every error of the script, of the C functions it calls
        //   (each of which drops its Rust values before `lua_error`: see lua_call.rs,
        //   libs/mod.rs) and of the message handler (`LUA_ERRERR`), memory errors included;
        // - after it, `pop_value` and `pop_reply` read raw (`lua_rawget*`, `lua_next` over
        //   an unmodified table, no metamethod) and allocate only without a bound.
        // tests/lua_boundary.rs raises errors at each of these places.
        unsafe {
            let l = raw.state();
            let top = ffi::lua_gettop(l);
            let result = (move || -> mlua::Result<Ended> {
                if ffi::lua_checkstack(l, 8) == 0 {
                    return Err(mlua::Error::StackError);
                }
                call.handler.push_into_stack(raw)?;
                match call.func {
                    Callee::Function(f) => f.push_into_stack(raw)?,
                    Callee::Stored(t, id) => {
                        t.push_into_stack(raw)?;
                        ffi::lua_rawgeti_(l, -1, id as c_int);
                        ffi::lua_remove(l, -2);
                    }
                }
                let nargs = match call.globals {
                    Some(g) => {
                        g.push_into_stack(raw)?;
                        Names::push(Some(call.names), l, super::lua_reply::KEYS);
                        push_strings(l, call.keys);
                        ffi::lua_rawset(l, -3);
                        Names::push(Some(call.names), l, super::lua_reply::ARGV);
                        push_strings(l, call.args);
                        ffi::lua_rawset(l, -3);
                        ffi::lua_pop(l, 1);
                        0
                    }
                    None => {
                        push_strings(l, call.keys);
                        push_strings(l, call.args);
                        2
                    }
                };
                if call.memory_limit > 0 {
                    let _ = lua.set_memory_limit(call.memory_limit);
                }
                let status = ffi::lua_pcall(l, nargs, 1, top + 1);
                if call.memory_limit > 0 {
                    let _ = lua.set_memory_limit(0);
                }
                // Stack: handler, value.
                if status != 0 {
                    return Ok(Ended::Err(raw.pop_value()));
                }
                let mut errors = ReplyErrors::default();
                if !call.convert {
                    return Ok(Ended::Ok(Reply::Null, errors));
                }
                let reply = super::lua_reply::pop_reply(
                    l,
                    super::lua_reply::RESULT_SLOTS,
                    resp3(),
                    Some(call.names),
                    &mut errors,
                );
                Ok(Ended::Ok(reply, errors))
            })();
            ffi::lua_settop(l, top);
            if let Some(g) = call.globals.filter(|_| large_arguments(call)) {
                // KEYS and ARGV stay in the globals until the next EVAL replaces them; big
                // ones would keep the heap full, and Lua 5.1 has no emergency collection,
                // so the next script would fail its first allocation. No script sees the
                // difference: every EVAL sets both before it runs.
                if g.push_into_stack(raw).is_ok() {
                    for name in [super::lua_reply::KEYS, super::lua_reply::ARGV] {
                        Names::push(Some(call.names), l, name);
                        ffi::lua_pushnil(l);
                        ffi::lua_rawset(l, -3);
                    }
                }
                ffi::lua_settop(l, top);
            }
            result
        }
    })
}

/// Whether a call's KEYS and ARGV together take more than an eighth of its heap bound.
fn large_arguments(call: &Call<'_>) -> bool {
    let bytes: usize = call.keys.iter().chain(call.args).map(Vec::len).sum();
    call.memory_limit > 0 && bytes > call.memory_limit / 8
}

/// `unpack`, for the globals before the prelude runs.
pub fn create_unpack(lua: &Lua) -> mlua::Result<Function> {
    // SAFETY: `unpack` pushes only slots it checked with lua_checkstack and raises errors
    // through luaL_error / luaL_argerror.
    unsafe { lua.create_c_function(unpack) }
}

/// `pcall` and `xpcall`, closing over the prelude's `unwrap_error`.
pub fn create_pcalls(lua: &Lua, unwrap_error: &Function) -> mlua::Result<(Function, Function)> {
    let closure = |f: ffi::lua_CFunction, upvalue: &Function| -> mlua::Result<Function> {
        lua.exec_raw_lua(|raw| {
            // SAFETY: two slots checked for; the closure replaces its upvalue on the stack
            // and is popped as a reference.
            unsafe {
                let l = raw.state();
                if ffi::lua_checkstack(l, 2) == 0 {
                    return Err(mlua::Error::StackError);
                }
                upvalue.push_into_stack(raw)?;
                ffi::lua_pushcclosure(l, f, 1);
                raw.pop::<Function>()
            }
        })
    };
    Ok((
        closure(pcall, unwrap_error)?,
        closure(xpcall, unwrap_error)?,
    ))
}

/// The state of the script running on a VM, for its permanent `redis.call` function
/// (creating a scoped function per run cost about a tenth of a small script's run).
/// [`during`](RunSlot::during) points the slot at the run's state for exactly as long as
/// a closure runs; `with` lends it to a closure that cannot keep it.
///
/// Sound without any destructor: there is no guard a caller could leak (`mem::forget`)
/// or a panic could skip; `during` clears the slot itself on return and, having caught
/// the unwind, on a panic too. No Lua error can longjmp over `during`: it is entered from
/// the host, and the script it runs is inside `call_script`'s own `lua_pcall`.
#[derive(Default)]
pub struct RunSlot(AtomicPtr<c_void>);

impl RunSlot {
    /// Runs `run` with the slot pointing at `state`, then puts back what the slot held
    /// before (nothing, unless runs nest), also when `run` panics.
    pub fn during<R>(&self, state: &RefCell<RunState<'_, '_>>, run: impl FnOnce() -> R) -> R {
        let p = state as *const RefCell<RunState<'_, '_>> as *mut c_void;
        let before = self.0.swap(p, Ordering::Relaxed);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
        self.0.store(before, Ordering::Relaxed);
        match result {
            Ok(value) => value,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }

    /// Calls `f` with the running script's state (None between runs). The closure is
    /// generic over the lifetimes, so the reference cannot leave it.
    pub fn with<R>(&self, f: impl for<'x> FnOnce(Option<&'x RefCell<RunState<'_, '_>>>) -> R) -> R {
        let p = self.0.load(Ordering::Relaxed);
        if p.is_null() {
            return f(None);
        }
        // SAFETY: a non-null pointer was stored by `during` from a reference that outlives
        // the call, and `during` replaces it before it returns or unwinds; runs happen on
        // the thread that owns the VM, and the RefCell inside catches re-entrant use.
        f(Some(unsafe { &*(p as *const RefCell<RunState<'_, '_>>) }))
    }
}
