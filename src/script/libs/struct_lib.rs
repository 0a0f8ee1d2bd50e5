//! `struct`: Roberto Ierusalimschy's struct library 1.4 as Redis 7.0 bundles it
//! (`deps/lua/src/lua_struct.c`, with Redis's size-overflow fixes), on an x86-64 host:
//! native little endian, `int` 4 bytes, `short` 2, `long` and `size_t` 8, maximum alignment 8.
//!
//! Formats: `>` big endian, `<` little endian, `![n]` alignment, `x` padding byte, `b/B h/H
//! l/L T i[n]/I[n]` integers (at most 32 bytes, wider than 8 only the low 8 bytes carry value),
//! `c[n]` fixed string (`c0`: whole string when packing, previous number as length when
//! unpacking), `s` zero-terminated string, `f` float, `d` double, space ignored.

use mlua::{Lua, MultiValue, Table, Value};

use super::{arg_err, c_f64_to_i64, msg, set_fn, Args, LibResult, TWO63};

const MAXINTSIZE: i64 = 32;
const MAXALIGN: i64 = 8;
/// Lua 5.1's `LUAI_MAXCSTACK`: how many stack slots a C function may use.
const MAX_C_STACK: usize = 8000;

struct Header {
    little: bool,
    align: i64,
}

impl Header {
    fn new() -> Self {
        Header {
            little: true,
            align: 1,
        }
    }
}

/// Reads the digits at `*i`, or returns `df`; refuses numbers past `INT_MAX`.
fn getnum(fmt: &[u8], i: &mut usize, df: i64) -> LibResult<i64> {
    if !fmt.get(*i).is_some_and(|c| c.is_ascii_digit()) {
        return Ok(df);
    }
    let mut a: i64 = 0;
    while let Some(c) = fmt.get(*i).filter(|c| c.is_ascii_digit()) {
        let d = (*c - b'0') as i64;
        if a > i32::MAX as i64 / 10 || a * 10 > i32::MAX as i64 - d {
            return msg("integral size overflow");
        }
        a = a * 10 + d;
        *i += 1;
    }
    Ok(a)
}

/// The size of option `opt` (reading its digits); 0 for options that take no room.
fn optsize(opt: u8, fmt: &[u8], i: &mut usize) -> LibResult<i64> {
    Ok(match opt {
        b'B' | b'b' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' | b'd' => 8,
        b'f' | b'x' => {
            if opt == b'f' {
                4
            } else {
                1
            }
        }
        b'c' => getnum(fmt, i, 1)?,
        b'i' | b'I' => {
            let sz = getnum(fmt, i, 4)?;
            if sz > MAXINTSIZE {
                return msg(format!(
                    "integral size {} is larger than limit of {}",
                    sz, MAXINTSIZE
                ));
            }
            sz
        }
        _ => 0,
    })
}

/// Padding needed before an item of `size` at offset `len` (the C formula, also for sizes
/// that are not powers of two).
fn gettoalign(len: u64, h: &Header, opt: u8, size: i64) -> u64 {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = (size.min(h.align)) as u64;
    (size.wrapping_sub(len & size.wrapping_sub(1))) & size.wrapping_sub(1)
}

/// Endianness, alignment and spaces; anything else is an invalid option.
fn controloptions(opt: u8, fmt: &[u8], i: &mut usize, h: &mut Header) -> LibResult<()> {
    match opt {
        b' ' => Ok(()),
        b'>' => {
            h.little = false;
            Ok(())
        }
        b'<' => {
            h.little = true;
            Ok(())
        }
        b'!' => {
            let a = getnum(fmt, i, MAXALIGN)?;
            if a <= 0 || a & (a - 1) != 0 {
                return msg(format!("alignment {} is not a power of 2", a));
            }
            h.align = a;
            Ok(())
        }
        _ => {
            let mut m = b"invalid format option '".to_vec();
            m.extend_from_slice(&[opt, b'\'']);
            arg_err(1, m)
        }
    }
}

/// struct's `n < 0 ? (unsigned long)(long)n : (unsigned long)n` as gcc compiles it on x86-64:
/// values from 2^63 go through `n - 2^63` (so 2^64 and inf give 0), NaN takes the signed
/// conversion and gives 2^63.
fn c_f64_to_u64(n: f64) -> u64 {
    if n >= TWO63 {
        (c_f64_to_i64(n - TWO63) as u64) ^ (1u64 << 63)
    } else {
        c_f64_to_i64(n) as u64
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8], little: bool) {
    if little {
        out.extend_from_slice(bytes);
    } else {
        out.extend(bytes.iter().rev());
    }
}

fn pack(lua: &Lua, a: &Args) -> LibResult<MultiValue> {
    let fmt = a.check_bytes(lua, 1)?;
    // C pushes a nil marker above the arguments: reading one argument too many finds nil.
    let mut with_marker = a.0.clone();
    with_marker.push(Value::Nil);
    let a = &Args(with_marker);
    let mut h = Header::new();
    let mut arg = 2usize;
    let mut total: u64 = 0;
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < fmt.len() && fmt[i] != 0 {
        let opt = fmt[i];
        i += 1;
        let mut size = optsize(opt, &fmt, &mut i)?;
        let toalign = gettoalign(total, &h, opt, size);
        total += toalign;
        out.resize(out.len() + toalign as usize, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = a.check_number(lua, arg)?;
                arg += 1;
                let mut value = c_f64_to_u64(n);
                let mut buf = vec![0u8; size as usize];
                for b in buf.iter_mut() {
                    *b = (value & 0xff) as u8;
                    value >>= 8;
                }
                put_bytes(&mut out, &buf, h.little);
            }
            b'x' => out.push(0),
            b'f' => {
                let f = a.check_number(lua, arg)? as f32;
                arg += 1;
                put_bytes(&mut out, &f.to_le_bytes(), h.little);
            }
            b'd' => {
                let d = a.check_number(lua, arg)?;
                arg += 1;
                put_bytes(&mut out, &d.to_le_bytes(), h.little);
            }
            b'c' | b's' => {
                let s = a.check_bytes(lua, arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len() as i64;
                }
                if (s.len() as i64) < size {
                    return arg_err(arg as i32, "string too short");
                }
                out.extend_from_slice(&s[..size as usize]);
                if opt == b's' {
                    out.push(0);
                    size += 1;
                }
            }
            _ => controloptions(opt, &fmt, &mut i, &mut h)?,
        }
        total += size as u64;
    }
    Ok(std::iter::once(Value::String(lua.create_string(&out)?)).collect())
}

/// An integer of `size` bytes (only the low 8 count, as in C's `unsigned long`).
fn getinteger(buf: &[u8], little: bool, signed: bool) -> f64 {
    let size = buf.len();
    let mut l: u64 = 0;
    for k in 0..size {
        let byte = if little { buf[size - 1 - k] } else { buf[k] };
        l = (l << 8) | byte as u64;
    }
    if !signed {
        return l as f64;
    }
    // `~0UL << (size*8 - 1)` with x86's masking of the shift count.
    let shift = ((size as i64) * 8 - 1) & 63;
    let mask = u64::MAX << shift;
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

fn unpack(lua: &Lua, a: &Args) -> LibResult<MultiValue> {
    let fmt = a.check_bytes(lua, 1)?;
    let data = a.check_bytes(lua, 2)?;
    let ld = data.len() as u64;
    // The offset is a size_t in C: only 0 is refused here, negative ones wrap around and
    // fail as "data string too short" below.
    let start = a.opt_integer(lua, 3, 1)? as u64;
    if start == 0 {
        return arg_err(3, "offset must be 1 or greater");
    }
    let mut pos: u64 = start - 1;
    let mut h = Header::new();
    // The C function's stack: format and data, then the results it pushes.
    let mut stack: Vec<Value> = vec![
        a.get(1).cloned().unwrap_or(Value::Nil),
        a.get(2).cloned().unwrap_or(Value::Nil),
    ];
    let too_short = |pos: u64, size: u64| pos.checked_add(size).is_none_or(|end| end > ld);
    let mut i = 0;
    while i < fmt.len() && fmt[i] != 0 {
        let opt = fmt[i];
        i += 1;
        let size = optsize(opt, &fmt, &mut i)?;
        let mut size = size as u64;
        pos = pos.wrapping_add(gettoalign(pos, &h, opt, size as i64));
        if too_short(pos, size) {
            return arg_err(2, "data string too short");
        }
        if stack.len() + 1 > MAX_C_STACK {
            return msg("stack overflow (too many results)");
        }
        let p = pos as usize;
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let v = getinteger(
                    &data[p..p + size as usize],
                    h.little,
                    opt.is_ascii_lowercase(),
                );
                stack.push(Value::Number(v));
            }
            b'x' => {}
            b'f' => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&data[p..p + 4]);
                let f = if h.little {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                };
                stack.push(Value::Number(f as f64));
            }
            b'd' => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[p..p + 8]);
                let d = if h.little {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                };
                stack.push(Value::Number(d));
            }
            b'c' => {
                if size == 0 {
                    // Only a value this call has pushed can give the size.
                    if stack.len() <= 2 {
                        return msg("format 'c0' needs a previous size");
                    }
                    let prev = stack.last().cloned().unwrap_or(Value::Nil);
                    let n = match prev {
                        Value::String(s) => lua.coerce_number(Value::String(s))?,
                        v => super::as_num(&v),
                    };
                    let Some(n) = n else {
                        return msg("format 'c0' needs a previous size");
                    };
                    size = c_f64_to_u64(n);
                    stack.pop();
                    if too_short(pos, size) {
                        return arg_err(2, "data string too short");
                    }
                }
                let s = lua.create_string(&data[p..p + size as usize])?;
                stack.push(Value::String(s));
            }
            b's' => {
                let Some(nul) = data[p..].iter().position(|&c| c == 0) else {
                    return msg("unfinished string in data");
                };
                size = nul as u64 + 1;
                stack.push(Value::String(lua.create_string(&data[p..p + nul])?));
            }
            _ => controloptions(opt, &fmt, &mut i, &mut h)?,
        }
        pos = pos.wrapping_add(size);
    }
    stack.push(Value::Number(pos.wrapping_add(1) as i64 as f64));
    let n = stack.len().saturating_sub(2);
    let from = stack.len() - n;
    Ok(stack.drain(from..).collect())
}

fn size(lua: &Lua, a: &Args) -> LibResult<MultiValue> {
    let fmt = a.check_bytes(lua, 1)?;
    let mut h = Header::new();
    let mut pos: u64 = 0;
    let mut i = 0;
    while i < fmt.len() && fmt[i] != 0 {
        let opt = fmt[i];
        i += 1;
        let size = optsize(opt, &fmt, &mut i)?;
        pos = pos.wrapping_add(gettoalign(pos, &h, opt, size));
        if opt == b's' {
            return arg_err(1, "option 's' has no fixed size");
        } else if opt == b'c' && size == 0 {
            return arg_err(1, "option 'c0' has no fixed size");
        }
        if !opt.is_ascii_alphanumeric() {
            controloptions(opt, &fmt, &mut i, &mut h)?;
        }
        pos = pos.wrapping_add(size as u64);
    }
    Ok(std::iter::once(Value::Number(pos as i64 as f64)).collect())
}

pub(super) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    set_fn(lua, &t, "pack", |lua, a| pack(lua, &a))?;
    set_fn(lua, &t, "unpack", |lua, a| unpack(lua, &a))?;
    set_fn(lua, &t, "size", |lua, a| size(lua, &a))?;
    Ok(t)
}
