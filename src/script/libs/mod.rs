//! The Lua libraries Redis 7.0 bundles for scripts: `cjson`, `cmsgpack`, `bit` and `struct`,
//! written in Rust to behave like Redis's C versions (`deps/lua/src/lua_cjson.c`,
//! `lua_cmsgpack.c`, `lua_bit.c`, `lua_struct.c`): same results, same error texts, same limits.
//!
//! Errors are raised the way the C functions raise them, as plain Lua strings a script can
//! `pcall` and inspect: `luaL_error` texts get the caller's `chunk:line:` prefix and
//! `luaL_argerror` texts read `bad argument #N to 'name' (...)`. mlua would raise a Rust error
//! as userdata, so every library function is a small C closure (see `trampoline`) around the
//! Rust implementation, which reports failure as a value; the closure then raises it with the
//! real `luaL_where` / `luaL_argerror`, which see the same call stack the C library would.
//!
//! Limits follow the C code's own: where the C libraries run out of Lua stack
//! (`LUAI_MAXCSTACK`, 8000 slots) the same error comes out at the same depth, computed by
//! counting the slots the C code would hold. Nothing recurses on the Rust stack except
//! `cmsgpack.pack` (16 levels at most), so no input can overflow it.
//!
//! Known differences from the C libraries (checked against redis-server 7.0.15):
//! - `cmsgpack.pack` with 4000 arguments whose tables nest deep enough to exhaust the Lua
//!   stack: C fails with "stack overflow (in function mp_encode_lua_table_as_...)", here it
//!   packs (only the "Too many arguments" rule past 4000 arguments is reproduced).
//! - `struct.pack` reading an argument past the last one given: C may find its own string
//!   buffer pieces on the stack there (outputs over 8 KB) and report a different type than
//!   "no value" / "nil".
//! - Hexadecimal numbers with more than 30 significant hex digits in `cjson.decode` are
//!   rounded by our conversion, not glibc's (they agree for every realistic input).
//! - `cjson.encode_keep_buffer` only records its setting (buffer reuse is not observable).
//! - `cjson.encode` and `cmsgpack.pack` stop at `MAX_OUTPUT` bytes of output with
//!   "not enough memory"; the C code keeps allocating until malloc fails and then aborts.

use std::os::raw::c_int;
use std::ptr;

use mlua::{ffi, Function, Lua, MaybeSend, MultiValue, Table, Value};

mod bit;
mod cjson;
mod cjson_decode;
mod cmsgpack;
mod nest;
mod numfmt;
mod struct_lib;

pub(crate) use numfmt::format_g;
pub use numfmt::strtod;

/// Installs `cjson`, `cmsgpack`, `bit` and `struct` as globals, as Redis does when it builds a
/// script VM.
pub fn install_all(lua: &Lua) -> mlua::Result<()> {
    let globals = lua.globals();
    globals.set("cjson", cjson::module(lua)?)?;
    globals.set("cmsgpack", cmsgpack::module(lua)?)?;
    globals.set("bit", bit::module(lua)?)?;
    globals.set("struct", struct_lib::module(lua)?)?;
    Ok(())
}

/// How a library function failed; the trampoline turns it into the Lua error C would raise.
#[derive(Debug)]
pub(crate) enum LibError {
    /// `luaL_argerror(L, n, msg)`: "bad argument #n to 'f' (msg)".
    Arg(i32, Vec<u8>),
    /// `luaL_error(L, msg)`: the caller's position, then msg.
    Msg(Vec<u8>),
    /// `lua_error` with a bare message (no position), as `lua_settable` errors are raised.
    Raw(Vec<u8>),
    /// An error of the VM itself (memory limit...), passed through untouched.
    Lua(mlua::Error),
}

impl From<mlua::Error> for LibError {
    fn from(e: mlua::Error) -> Self {
        LibError::Lua(e)
    }
}

pub(crate) type LibResult<T> = Result<T, LibError>;

/// Largest text an encoder builds (1 GiB, twice Redis's largest bulk string). Shared
/// subtables can make cjson / cmsgpack output grow exponentially with the input; past this
/// the call fails like a Lua allocation failure instead of exhausting the process (the C
/// libraries would abort on a failed realloc).
pub(crate) const MAX_OUTPUT: usize = 1 << 30;

pub(crate) fn out_of_memory<T>() -> LibResult<T> {
    Err(LibError::Raw(b"not enough memory".to_vec()))
}

/// Messages are bytes: C formats raw bytes (a format character, an option name) into them.
pub(crate) fn msg<T>(s: impl Into<Vec<u8>>) -> LibResult<T> {
    Err(LibError::Msg(s.into()))
}

pub(crate) fn arg_err<T>(n: i32, s: impl Into<Vec<u8>>) -> LibResult<T> {
    Err(LibError::Arg(n, s.into()))
}

/// The C closure every library function is: it calls the Rust implementation (its upvalue),
/// which returns `true, results...` or `false, <how to fail>`, and raises failures with the
/// Lua API so positions and function names come out exactly as from a C library.
///
/// Safety: this frame holds no Rust values with destructors, so `lua_error`'s longjmp over it
/// is sound; the Rust implementation has fully returned before any error is raised.
// Allowed: a C function over mlua's raw Lua API is the only way to raise errors with
// C-library positions and argument messages; this is unsafe code mlua needs.
#[allow(unsafe_code)]
unsafe extern "C-unwind" fn trampoline(l: *mut ffi::lua_State) -> c_int {
    let nargs = ffi::lua_gettop(l);
    ffi::luaL_checkstack(l, 2, ptr::null());
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
    ffi::lua_insert(l, 1);
    ffi::lua_call(l, nargs, ffi::LUA_MULTRET);
    if ffi::lua_toboolean(l, 1) != 0 {
        ffi::lua_remove(l, 1);
        return ffi::lua_gettop(l);
    }
    // false, kind, message[, narg]
    let kind = ffi::lua_tointeger(l, 2);
    match kind {
        0 => {
            let narg = ffi::lua_tointeger(l, 4) as c_int;
            let m = ffi::lua_tolstring(l, 3, ptr::null_mut());
            ffi::luaL_argerror(l, narg, m)
        }
        1 => {
            ffi::luaL_where(l, 1);
            ffi::lua_pushvalue(l, 3);
            ffi::lua_concat(l, 2);
            ffi::lua_error(l)
        }
        _ => {
            ffi::lua_pushvalue(l, 3);
            ffi::lua_error(l)
        }
    }
}

/// `next` as the base library has it (`lua_next`), independent of the globals a sandbox
/// leaves: the cjson encoder walks object members with it.
// Allowed: registering a C function is unsafe in mlua's API.
#[allow(unsafe_code)]
pub(crate) fn raw_next(lua: &Lua) -> mlua::Result<Function> {
    unsafe extern "C-unwind" fn next(l: *mut ffi::lua_State) -> c_int {
        ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
        ffi::lua_settop(l, 2);
        if ffi::lua_next(l, 1) != 0 {
            2
        } else {
            ffi::lua_pushnil(l);
            1
        }
    }
    // SAFETY: a plain C function over the Lua API; it holds no Rust values.
    unsafe { lua.create_c_function(next) }
}

/// Wraps a Rust implementation as a library function (see [`trampoline`]).
// Allowed: pushing the trampoline as a C closure needs mlua's raw state access.
#[allow(unsafe_code)]
pub(crate) fn lib_fn<F>(lua: &Lua, f: F) -> mlua::Result<Function>
where
    F: Fn(&Lua, Args) -> LibResult<MultiValue> + MaybeSend + 'static,
{
    let inner = lua.create_function(move |lua, mv: MultiValue| {
        let mut out = MultiValue::new();
        match f(lua, Args(mv.into_iter().collect())) {
            Ok(vals) => {
                out.push_back(Value::Boolean(true));
                out.extend(vals);
            }
            Err(LibError::Arg(n, m)) => {
                out.push_back(Value::Boolean(false));
                out.push_back(Value::Integer(0));
                out.push_back(Value::String(lua.create_string(m)?));
                out.push_back(Value::Integer(n as i64));
            }
            Err(LibError::Msg(m)) => {
                out.push_back(Value::Boolean(false));
                out.push_back(Value::Integer(1));
                out.push_back(Value::String(lua.create_string(m)?));
            }
            // A VM memory limit hit while building a result reads as Lua's own allocation
            // failure: the string "not enough memory", which pcall hands back as such.
            Err(LibError::Lua(mlua::Error::MemoryError(_))) => {
                out.push_back(Value::Boolean(false));
                out.push_back(Value::Integer(2));
                out.push_back(Value::String(lua.create_string("not enough memory")?));
            }
            Err(LibError::Raw(m)) => {
                out.push_back(Value::Boolean(false));
                out.push_back(Value::Integer(2));
                out.push_back(Value::String(lua.create_string(m)?));
            }
            Err(LibError::Lua(e)) => return Err(e),
        }
        Ok(out)
    })?;
    // SAFETY: pushcclosure consumes the one argument exec_raw pushed and leaves the closure.
    unsafe {
        lua.exec_raw::<Function>(inner, |state| {
            ffi::lua_pushcclosure(state, trampoline, 1);
        })
    }
}

/// Sets `name` in `t` to the library function `f`.
pub(crate) fn set_fn<F>(lua: &Lua, t: &Table, name: &str, f: F) -> mlua::Result<()>
where
    F: Fn(&Lua, Args) -> LibResult<MultiValue> + MaybeSend + 'static,
{
    t.raw_set(name, lib_fn(lua, f)?)
}

/// Lua's type name for a value (`lua_typename`): light userdata is "userdata".
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::LightUserData(_) | Value::UserData(_) => "userdata",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}

/// A number value as a double (no string coercion).
pub(crate) fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

/// 2^63 as a double.
pub(crate) const TWO63: f64 = (1u64 << 63) as f64;

/// C's `(int64_t)d` on x86-64: truncation, and INT64_MIN for NaN or out of range values.
pub(crate) fn c_f64_to_i64(d: f64) -> i64 {
    if (-TWO63..TWO63).contains(&d) {
        d as i64
    } else {
        i64::MIN
    }
}

/// C's `(int)d` on x86-64: truncation, and INT_MIN for NaN or out of range values.
pub(crate) fn c_f64_to_i32(d: f64) -> i32 {
    // Truncation keeps (-2^31 - 1, 2^31) in range; NaN fails both comparisons.
    if d > -2_147_483_649.0 && d < 2_147_483_648.0 {
        d as i32
    } else {
        i32::MIN
    }
}

/// The arguments of a library call, with the `luaL_check*` helpers (1-based like the C API).
pub(crate) struct Args(pub Vec<Value>);

impl Args {
    pub fn top(&self) -> usize {
        self.0.len()
    }

    pub fn get(&self, n: usize) -> Option<&Value> {
        if n == 0 {
            None
        } else {
            self.0.get(n - 1)
        }
    }

    /// `lua_isnoneornil`.
    pub fn is_none_or_nil(&self, n: usize) -> bool {
        matches!(self.get(n), None | Some(Value::Nil))
    }

    /// `luaL_typename`: "no value" past the last argument.
    pub fn type_name(&self, n: usize) -> &'static str {
        self.get(n).map(type_name).unwrap_or("no value")
    }

    pub fn type_error<T>(&self, n: usize, expected: &str) -> LibResult<T> {
        arg_err(
            n as i32,
            format!("{} expected, got {}", expected, self.type_name(n)),
        )
    }

    /// `lua_tonumber`: numbers and numeric strings.
    pub fn to_number(&self, lua: &Lua, n: usize) -> LibResult<Option<f64>> {
        match self.get(n) {
            Some(Value::String(s)) => Ok(lua.coerce_number(Value::String(s.clone()))?),
            Some(v) => Ok(as_num(v)),
            None => Ok(None),
        }
    }

    /// `luaL_checknumber`.
    pub fn check_number(&self, lua: &Lua, n: usize) -> LibResult<f64> {
        match self.to_number(lua, n)? {
            Some(d) => Ok(d),
            None => self.type_error(n, "number"),
        }
    }

    /// `luaL_checkinteger`: the number truncated as `(ptrdiff_t)` does.
    pub fn check_integer(&self, lua: &Lua, n: usize) -> LibResult<i64> {
        Ok(c_f64_to_i64(self.check_number(lua, n)?))
    }

    /// `luaL_optinteger`.
    pub fn opt_integer(&self, lua: &Lua, n: usize, def: i64) -> LibResult<i64> {
        if self.is_none_or_nil(n) {
            Ok(def)
        } else {
            self.check_integer(lua, n)
        }
    }

    /// `luaL_checklstring`: strings, and numbers converted as Lua converts them.
    pub fn check_bytes(&self, lua: &Lua, n: usize) -> LibResult<Vec<u8>> {
        match self.get(n) {
            Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
            Some(v @ (Value::Integer(_) | Value::Number(_))) => {
                match lua.coerce_string(v.clone())? {
                    Some(s) => Ok(s.as_bytes().to_vec()),
                    None => self.type_error(n, "string"),
                }
            }
            _ => self.type_error(n, "string"),
        }
    }
}
