//! `bit`: LuaBitOp 1.0.2 as Redis bundles it (`deps/lua/src/lua_bit.c`).
//!
//! Every argument is reduced to 32 bits the way LuaBitOp does on doubles: add 2^52+2^51 and
//! keep the low word of the result, so fractions round to nearest-even and values wrap modulo
//! 2^32. Results are signed 32-bit numbers. Non-numbers are refused with
//! `number expected, got <type>` (numeric strings are accepted, as `lua_tonumber` does).

use mlua::{Lua, MultiValue, Table, Value};

use super::{set_fn, Args, LibResult};

/// `barg`: argument `n` as 32 bits.
fn barg(lua: &Lua, a: &Args, n: usize) -> LibResult<u32> {
    let num = a.to_number(lua, n)?;
    let d = num.unwrap_or(0.0) + 6_755_399_441_055_744.0;
    let b = d.to_bits() as u32;
    if b == 0 && num.is_none() {
        return a.type_error(n, "number");
    }
    Ok(b)
}

fn bret(b: u32) -> LibResult<MultiValue> {
    Ok(std::iter::once(Value::Number(b as i32 as f64)).collect())
}

type BinOp = fn(u32, u32) -> u32;

fn fold(lua: &Lua, a: &Args, op: BinOp) -> LibResult<MultiValue> {
    let mut b = barg(lua, a, 1)?;
    // LuaBitOp reads the extra arguments from the last one down.
    let mut i = a.top();
    while i > 1 {
        b = op(b, barg(lua, a, i)?);
        i -= 1;
    }
    bret(b)
}

fn shift(lua: &Lua, a: &Args, op: BinOp) -> LibResult<MultiValue> {
    let b = barg(lua, a, 1)?;
    let n = barg(lua, a, 2)? & 31;
    bret(op(b, n))
}

fn tohex(lua: &Lua, a: &Args) -> LibResult<MultiValue> {
    let mut b = barg(lua, a, 1)?;
    let mut n: i64 = if a.get(2).is_none() {
        8
    } else {
        barg(lua, a, 2)? as i32 as i64
    };
    let mut digits: &[u8] = b"0123456789abcdef";
    if n < 0 {
        n = -n;
        digits = b"0123456789ABCDEF";
    }
    let n = n.min(8) as usize;
    let mut buf = vec![0u8; n];
    for slot in buf.iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    Ok(std::iter::once(Value::String(lua.create_string(&buf)?)).collect())
}

pub(super) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    set_fn(lua, &t, "tobit", |lua, a| bret(barg(lua, &a, 1)?))?;
    set_fn(lua, &t, "bnot", |lua, a| bret(!barg(lua, &a, 1)?))?;
    set_fn(lua, &t, "band", |lua, a| fold(lua, &a, |x, y| x & y))?;
    set_fn(lua, &t, "bor", |lua, a| fold(lua, &a, |x, y| x | y))?;
    set_fn(lua, &t, "bxor", |lua, a| fold(lua, &a, |x, y| x ^ y))?;
    set_fn(lua, &t, "lshift", |lua, a| shift(lua, &a, |b, n| b << n))?;
    set_fn(lua, &t, "rshift", |lua, a| shift(lua, &a, |b, n| b >> n))?;
    set_fn(lua, &t, "arshift", |lua, a| {
        shift(lua, &a, |b, n| ((b as i32) >> n) as u32)
    })?;
    set_fn(lua, &t, "rol", |lua, a| {
        shift(lua, &a, |b, n| b.rotate_left(n))
    })?;
    set_fn(lua, &t, "ror", |lua, a| {
        shift(lua, &a, |b, n| b.rotate_right(n))
    })?;
    set_fn(lua, &t, "bswap", |lua, a| {
        bret(barg(lua, &a, 1)?.swap_bytes())
    })?;
    set_fn(lua, &t, "tohex", |lua, a| tohex(lua, &a))?;
    Ok(t)
}
