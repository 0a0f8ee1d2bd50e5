//! `cmsgpack`: lua-cmsgpack 0.4.0 as Redis 7.0 bundles it (`deps/lua/src/lua_cmsgpack.c`),
//! with the bytes written through `rmp`.
//!
//! Packing: numbers that are integral and fit an int64 are packed as the smallest unsigned
//! (when >= 0) or signed format, other numbers as float32 when that is lossless, else float64;
//! a table whose keys are exactly 1..n is an array (the empty table too), any other table a
//! map; tables nested 16 deep, functions, nil and userdata pack as nil. Unpacking returns every
//! value of a stream (`unpack`), or one / `limit` values from a byte offset preceded by the
//! offset to continue from, -1 at the end (`unpack_one`, `unpack_limit`).

use mlua::{Lua, MultiValue, Table, Value};
use rmp::encode as enc;
use rmp::Marker;

use super::nest::TableStack;
use super::{
    arg_err, as_num, c_f64_to_i32, c_f64_to_i64, msg, out_of_memory, set_fn, Args, LibError,
    LibResult, MAX_OUTPUT,
};

const MAX_NESTING: usize = 16;
/// Lua 5.1's `LUAI_MAXCSTACK`, the stack a C function may use; decoding is bounded by it.
const MAX_C_STACK: usize = 8000;

fn encode_int(buf: &mut Vec<u8>, n: i64) {
    // Writing to a Vec cannot fail.
    let _ = if n >= 0 {
        if n <= 127 {
            enc::write_pfix(buf, n as u8).map_err(|_| ())
        } else if n <= 0xff {
            enc::write_u8(buf, n as u8).map_err(|_| ())
        } else if n <= 0xffff {
            enc::write_u16(buf, n as u16).map_err(|_| ())
        } else if n <= 0xffff_ffff {
            enc::write_u32(buf, n as u32).map_err(|_| ())
        } else {
            enc::write_u64(buf, n as u64).map_err(|_| ())
        }
    } else if n >= -32 {
        enc::write_nfix(buf, n as i8).map_err(|_| ())
    } else if n >= -128 {
        enc::write_i8(buf, n as i8).map_err(|_| ())
    } else if n >= -32768 {
        enc::write_i16(buf, n as i16).map_err(|_| ())
    } else if n >= -2_147_483_648 {
        enc::write_i32(buf, n as i32).map_err(|_| ())
    } else {
        enc::write_i64(buf, n).map_err(|_| ())
    };
}

fn encode_number(buf: &mut Vec<u8>, n: f64) {
    let i = c_f64_to_i64(n);
    if !n.is_infinite() && i as f64 == n {
        encode_int(buf, i);
    } else if (n as f32) as f64 == n {
        let _ = enc::write_f32(buf, n as f32);
    } else {
        let _ = enc::write_f64(buf, n);
    }
}

/// Keys exactly 1..n (n = number of keys, 0 included)?
fn is_array(t: &Table) -> mlua::Result<bool> {
    let mut count: i64 = 0;
    let mut max: i64 = 0;
    for pair in t.pairs::<Value, Value>() {
        let (k, _) = pair?;
        let Some(n) = as_num(&k) else {
            return Ok(false);
        };
        if n <= 0.0 || n.is_infinite() || c_f64_to_i32(n) as f64 != n {
            return Ok(false);
        }
        max = max.max(n as i64);
        count += 1;
    }
    Ok(max == count)
}

/// Appends `v`; `Ok(false)` when the output grew past [`MAX_OUTPUT`].
fn encode_value(buf: &mut Vec<u8>, v: &Value, level: usize) -> mlua::Result<bool> {
    if buf.len() > MAX_OUTPUT {
        return Ok(false);
    }
    match v {
        Value::String(s) => {
            let bytes = s.as_bytes();
            let _ = enc::write_str_len(buf, bytes.len() as u32);
            buf.extend_from_slice(&bytes);
        }
        Value::Boolean(b) => {
            let _ = enc::write_bool(buf, *b);
        }
        Value::Integer(_) | Value::Number(_) => encode_number(buf, as_num(v).unwrap_or(0.0)),
        Value::Table(t) if level < MAX_NESTING => {
            if is_array(t)? {
                let len = t.raw_len();
                let _ = enc::write_array_len(buf, len as u32);
                for j in 1..=len {
                    let item: Value = t.raw_get(j)?;
                    if !encode_value(buf, &item, level + 1)? {
                        return Ok(false);
                    }
                }
            } else {
                let mut len: u32 = 0;
                for pair in t.pairs::<Value, Value>() {
                    pair?;
                    len = len.wrapping_add(1);
                }
                let _ = enc::write_map_len(buf, len);
                for pair in t.pairs::<Value, Value>() {
                    let (k, item) = pair?;
                    if !encode_value(buf, &k, level + 1)? || !encode_value(buf, &item, level + 1)? {
                        return Ok(false);
                    }
                }
            }
        }
        _ => {
            let _ = enc::write_nil(buf);
        }
    }
    Ok(true)
}

fn pack(lua: &Lua, a: &Args) -> LibResult<MultiValue> {
    if a.top() == 0 {
        return arg_err(0, "MessagePack pack needs input.");
    }
    if a.top() * 2 > MAX_C_STACK {
        return arg_err(0, "Too many arguments for MessagePack pack.");
    }
    let mut buf = Vec::new();
    for v in &a.0 {
        if !encode_value(&mut buf, v, 0)? {
            return out_of_memory();
        }
    }
    Ok(std::iter::once(Value::String(lua.create_string(&buf)?)).collect())
}

/// Why decoding stopped.
enum Stop {
    Eof,
    BadFormat,
    Lib(LibError),
}

impl From<mlua::Error> for Stop {
    fn from(e: mlua::Error) -> Self {
        Stop::Lib(LibError::Lua(e))
    }
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }
    fn need(&self, n: usize) -> Result<(), Stop> {
        if self.left() < n {
            Err(Stop::Eof)
        } else {
            Ok(())
        }
    }
    /// `n` bytes starting `skip` bytes after the cursor.
    fn bytes(&self, skip: usize, n: usize) -> &'a [u8] {
        &self.data[self.pos + skip..self.pos + skip + n]
    }
    fn be(&self, skip: usize, n: usize) -> u64 {
        self.bytes(skip, n)
            .iter()
            .fold(0u64, |acc, b| acc << 8 | *b as u64)
    }
}

enum Item {
    Value(Value),
    Array(usize),
    Map(usize),
}

/// Reads one item's header (and a scalar's value).
fn read_item(lua: &Lua, c: &mut Cursor) -> Result<Item, Stop> {
    c.need(1)?;
    let b = c.data[c.pos];
    let num = |v: f64| Ok(Item::Value(Value::Number(v)));
    let (item, used) = match Marker::from_u8(b) {
        Marker::FixPos(n) => (num(n as f64), 1),
        Marker::FixNeg(n) => (num(n as f64), 1),
        Marker::Null => (Ok(Item::Value(Value::Nil)), 1),
        Marker::True => (Ok(Item::Value(Value::Boolean(true))), 1),
        Marker::False => (Ok(Item::Value(Value::Boolean(false))), 1),
        Marker::U8 | Marker::I8 => {
            c.need(2)?;
            let v = c.data[c.pos + 1];
            (num(if b == 0xcc { v as f64 } else { v as i8 as f64 }), 2)
        }
        Marker::U16 | Marker::I16 => {
            c.need(3)?;
            let v = c.be(1, 2) as u16;
            (num(if b == 0xcd { v as f64 } else { v as i16 as f64 }), 3)
        }
        Marker::U32 | Marker::I32 => {
            c.need(5)?;
            let v = c.be(1, 4) as u32;
            (num(if b == 0xce { v as f64 } else { v as i32 as f64 }), 5)
        }
        // uint64 goes through lua_pushinteger, a signed 64-bit integer: past 2^63 it wraps.
        Marker::U64 | Marker::I64 => {
            c.need(9)?;
            (num(c.be(1, 8) as i64 as f64), 9)
        }
        Marker::F32 => {
            c.need(5)?;
            (num(f32::from_bits(c.be(1, 4) as u32) as f64), 5)
        }
        Marker::F64 => {
            c.need(9)?;
            (num(f64::from_bits(c.be(1, 8))), 9)
        }
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
            let hdr = match b {
                0xd9 => 2,
                0xda => 3,
                0xdb => 5,
                _ => 1,
            };
            c.need(hdr)?;
            let len = match b {
                0xd9..=0xdb => c.be(1, hdr - 1) as usize,
                _ => (b & 0x1f) as usize,
            };
            if c.left() - hdr < len {
                return Err(Stop::Eof);
            }
            let s = lua.create_string(c.bytes(hdr, len))?;
            (Ok(Item::Value(Value::String(s))), hdr + len)
        }
        Marker::FixArray(n) => (Ok(Item::Array(n as usize)), 1),
        Marker::FixMap(n) => (Ok(Item::Map(n as usize)), 1),
        Marker::Array16 | Marker::Map16 => {
            c.need(3)?;
            let n = c.be(1, 2) as usize;
            (
                Ok(if b == 0xdc {
                    Item::Array(n)
                } else {
                    Item::Map(n)
                }),
                3,
            )
        }
        Marker::Array32 | Marker::Map32 => {
            c.need(5)?;
            let n = c.be(1, 4) as usize;
            (
                Ok(if b == 0xdd {
                    Item::Array(n)
                } else {
                    Item::Map(n)
                }),
                5,
            )
        }
        _ => return Err(Stop::BadFormat),
    };
    c.pos += used;
    item
}

/// An open container: what is left to read in it.
enum Open {
    Array {
        left: usize,
        next: i64,
    },
    /// `want_key`: the next item read is a key (else the value of the pending key).
    Map {
        left: usize,
        want_key: bool,
    },
}

/// Decodes one top-level value; `slots` is the C function's stack height (kept to fail where
/// the C library runs out of Lua stack).
fn decode_one(lua: &Lua, c: &mut Cursor, slots: usize) -> Result<Value, Stop> {
    let mut tables = TableStack::new();
    let mut open: Vec<Open> = Vec::new();
    let mut slots = slots;
    'read: loop {
        if c.left() == 0 {
            return Err(Stop::Eof);
        }
        if slots + 1 > MAX_C_STACK {
            return Err(Stop::Lib(LibError::Msg(
                b"stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)".to_vec(),
            )));
        }
        let mut value = match read_item(lua, c)? {
            Item::Value(v) => {
                slots += 1;
                v
            }
            Item::Array(n) => {
                slots += 1;
                if slots + 1 > MAX_C_STACK {
                    return Err(Stop::Lib(LibError::Msg(
                        b"stack overflow (in function mp_decode_to_lua_array)".to_vec(),
                    )));
                }
                // No preallocation from the declared length: a few bytes may claim 2^32 elements.
                let t = lua.create_table()?;
                if n > 0 {
                    tables.push(lua, t)?;
                    open.push(Open::Array {
                        left: n - 1,
                        next: 1,
                    });
                    slots += 1; // the index pushed before the first element
                    continue 'read;
                }
                Value::Table(t)
            }
            Item::Map(n) => {
                slots += 1;
                let t = lua.create_table()?;
                if n > 0 {
                    tables.push(lua, t)?;
                    open.push(Open::Map {
                        left: n - 1,
                        want_key: true,
                    });
                    continue 'read;
                }
                Value::Table(t)
            }
        };
        // Store the finished value in its container, closing containers that are complete.
        loop {
            let Some(top) = open.last_mut() else {
                return Ok(value);
            };
            match top {
                Open::Array { left, next } => {
                    tables.top()?.raw_set(*next, value)?;
                    slots -= 2;
                    if *left == 0 {
                        open.pop();
                        value = Value::Table(tables.pop()?);
                        continue;
                    }
                    *left -= 1;
                    *next += 1;
                    slots += 1;
                    continue 'read;
                }
                Open::Map { left, want_key } => {
                    if *want_key {
                        *want_key = false;
                        tables.set_key(value)?;
                        continue 'read;
                    }
                    let key = tables.take_key()?;
                    match &key {
                        Value::Nil => {
                            return Err(Stop::Lib(LibError::Raw(b"table index is nil".to_vec())))
                        }
                        Value::Number(n) if n.is_nan() => {
                            return Err(Stop::Lib(LibError::Raw(b"table index is NaN".to_vec())))
                        }
                        _ => {}
                    }
                    tables.top()?.raw_set(key, value)?;
                    slots -= 2;
                    if *left == 0 {
                        open.pop();
                        value = Value::Table(tables.pop()?);
                        continue;
                    }
                    *left -= 1;
                    *want_key = true;
                    continue 'read;
                }
            }
        }
    }
}

/// `mp_unpack_full`: `limit` values (all when limit and offset are 0) from `offset`.
fn unpack_full(
    lua: &Lua,
    a: &Args,
    limit: i64,
    offset: i64,
    base_slots: usize,
) -> LibResult<MultiValue> {
    let data = a.check_bytes(lua, 1)?;
    let len = data.len();
    if offset < 0 || limit < 0 {
        return msg(format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset as i32, len as i32
        ));
    }
    if offset as u64 > len as u64 {
        return msg(format!(
            "Start offset {} greater than input length {}.",
            offset as i32, len as i32
        ));
    }
    let decode_all = limit == 0 && offset == 0;
    let limit = if decode_all { i32::MAX as i64 } else { limit };
    let mut c = Cursor {
        data: &data,
        pos: offset as usize,
    };
    let mut out: Vec<Value> = Vec::new();
    while c.left() > 0 && (out.len() as i64) < limit {
        match decode_one(lua, &mut c, base_slots + out.len()) {
            Ok(v) => out.push(v),
            Err(Stop::Eof) => return msg("Missing bytes in input."),
            Err(Stop::BadFormat) => return msg("Bad data format in input."),
            Err(Stop::Lib(e)) => return Err(e),
        }
    }
    let mut res = MultiValue::new();
    if !decode_all {
        let next = if c.left() == 0 { -1 } else { c.pos as i64 };
        res.push_back(Value::Integer(next));
    }
    res.extend(out);
    Ok(res)
}

pub(super) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    set_fn(lua, &t, "pack", |lua, a| pack(lua, &a))?;
    set_fn(lua, &t, "unpack", |lua, a| {
        let base = a.top();
        unpack_full(lua, &a, 0, 0, base)
    })?;
    set_fn(lua, &t, "unpack_one", |lua, a| {
        let offset = a.opt_integer(lua, 2, 0)?;
        let a = Args(a.0.into_iter().take(1).collect());
        let base = a.top();
        unpack_full(lua, &a, 1, offset, base)
    })?;
    set_fn(lua, &t, "unpack_limit", |lua, a| {
        let limit = a.check_integer(lua, 2)?;
        let offset = a.opt_integer(lua, 3, 0)?;
        let a = Args(a.0.into_iter().take(1).collect());
        let base = a.top();
        unpack_full(lua, &a, limit, offset, base)
    })?;
    t.raw_set("_NAME", "cmsgpack")?;
    t.raw_set("_VERSION", "lua-cmsgpack 0.4.0")?;
    t.raw_set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo")?;
    t.raw_set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(t)
}
