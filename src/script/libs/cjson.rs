//! `cjson`: Lua CJSON 2.1.0 as Redis 7.0 bundles it (`deps/lua/src/lua_cjson.c`): the module
//! table, its configuration functions and the encoder. The decoder is in `cjson_decode.rs`.
//!
//! Encoding: numbers with `%.14g` (`encode_number_precision`), NaN and Inf refused (or `nan` /
//! `inf` / `null`, `encode_invalid_numbers`), strings with `"` `\` `/` DEL and control
//! characters escaped and other bytes copied as they are, a table whose keys are all integers
//! from 1 up is an array (holes as `null`) unless excessively sparse (max index over twice the
//! items and over 10: refused or, with `encode_sparse_array(true)`, an object), every other
//! table an object with string or number keys (the empty table is `{}`), nesting past
//! `encode_max_depth` (1000) refused. Configuration is per module table (`cjson.new()` makes a fresh one) and persists
//! for the life of the VM, as in Redis.

use std::sync::{Arc, Mutex, MutexGuard};

use mlua::{Function, LightUserData, Lua, MultiValue, Table, Value};

use super::nest::TableStack;
use super::{arg_err, as_num, c_f64_to_i32, format_g, set_fn, type_name, Args, LibResult};
use super::{cjson_decode, msg, out_of_memory, MAX_OUTPUT};

/// Lua 5.1's `LUAI_MAXCSTACK`: the encoder fails where the C one runs out of Lua stack.
const MAX_C_STACK: i64 = 8000;

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub sparse_convert: i32,
    pub sparse_ratio: i32,
    pub sparse_safe: i32,
    pub encode_max_depth: i32,
    /// 0 refuse, 1 allow (`nan`, `inf`), 2 encode as `null`.
    pub encode_invalid_numbers: i32,
    pub encode_number_precision: i32,
    pub encode_keep_buffer: i32,
    pub decode_invalid_numbers: i32,
    pub decode_max_depth: i32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sparse_convert: 0,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            encode_invalid_numbers: 0,
            encode_number_precision: 14,
            encode_keep_buffer: 1,
            decode_invalid_numbers: 1,
            decode_max_depth: 1000,
        }
    }
}

/// Shared by the functions of one module table. A Mutex (not a RefCell) so the closures are
/// Send when mlua's `send` feature is on; the VM runs one call at a time, so it never waits.
type Cfg = Arc<Mutex<Config>>;

fn lock(c: &Cfg) -> MutexGuard<'_, Config> {
    c.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `json_arg_init`: at most `n` arguments.
fn arg_init(a: &Args, n: usize) -> LibResult<()> {
    if a.top() > n {
        return arg_err(n as i32 + 1, "found too many arguments");
    }
    Ok(())
}

/// `json_integer_option`: sets from argument `i` when given (range errors name argument 1,
/// as the C code does), returns the setting.
fn integer_option(
    lua: &Lua,
    a: &Args,
    i: usize,
    setting: &mut i32,
    min: i32,
    max: i32,
) -> LibResult<Value> {
    if !a.is_none_or_nil(i) {
        let value = a.check_integer(lua, i)? as i32;
        if !(min <= value && value <= max) {
            return arg_err(1, format!("expected integer between {} and {}", min, max));
        }
        *setting = value;
    }
    Ok(Value::Integer(*setting as i64))
}

/// `json_enum_option` with `bool_true` 1: booleans or one of `options` by name.
fn enum_option(
    lua: &Lua,
    a: &Args,
    i: usize,
    setting: &mut i32,
    options: &[&str],
) -> LibResult<Value> {
    if !a.is_none_or_nil(i) {
        if let Some(Value::Boolean(b)) = a.get(i) {
            *setting = *b as i32;
        } else {
            let name = a.check_bytes(lua, i)?;
            match options.iter().position(|o| o.as_bytes() == name.as_slice()) {
                Some(p) => *setting = p as i32,
                None => {
                    let mut m = b"invalid option '".to_vec();
                    m.extend_from_slice(&name);
                    m.push(b'\'');
                    return arg_err(i as i32, m);
                }
            }
        }
    }
    if *setting == 0 || *setting == 1 {
        Ok(Value::Boolean(*setting == 1))
    } else {
        let name = options.get(*setting as usize).copied().unwrap_or("");
        Ok(Value::String(lua.create_string(name)?))
    }
}

const ON_OFF: &[&str] = &["off", "on"];

fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            8 => out.extend_from_slice(b"\\b"),
            9 => out.extend_from_slice(b"\\t"),
            10 => out.extend_from_slice(b"\\n"),
            12 => out.extend_from_slice(b"\\f"),
            13 => out.extend_from_slice(b"\\r"),
            0..=31 | 127 => out.extend_from_slice(format!("\\u{:04x}", c).as_bytes()),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

fn serialise_error<T>(v: &Value, reason: &str) -> LibResult<T> {
    msg(format!("Cannot serialise {}: {}", type_name(v), reason))
}

struct Encoder<'a> {
    lua: &'a Lua,
    cfg: &'a Config,
    out: Vec<u8>,
}

impl Encoder<'_> {
    fn number(&mut self, v: &Value, num: f64) -> LibResult<()> {
        if num.is_nan() || num.is_infinite() {
            match self.cfg.encode_invalid_numbers {
                0 => return serialise_error(v, "must not be NaN or Inf"),
                1 if num.is_nan() => {
                    self.out.extend_from_slice(b"nan");
                    return Ok(());
                }
                1 => {}
                _ => {
                    self.out.extend_from_slice(b"null");
                    return Ok(());
                }
            }
        }
        let text = format_g(num, self.cfg.encode_number_precision as usize);
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    /// `lua_array_length`: the array length, or -1 for an object (or an excessively sparse
    /// array being converted).
    fn array_length(&self, t: &Table, tv: &Value) -> LibResult<i32> {
        let mut max: i32 = 0;
        let mut items: i32 = 0;
        for pair in t.pairs::<Value, Value>() {
            let (k, _) = pair?;
            match as_num(&k) {
                Some(k) if k != 0.0 && k.floor() == k && k >= 1.0 => {
                    if k > max as f64 {
                        max = c_f64_to_i32(k);
                    }
                    items = items.wrapping_add(1);
                }
                _ => return Ok(-1),
            }
        }
        let cfg = self.cfg;
        if cfg.sparse_ratio > 0
            && max > items.wrapping_mul(cfg.sparse_ratio)
            && max > cfg.sparse_safe
        {
            if cfg.sparse_convert == 0 {
                return serialise_error(tv, "excessively sparse array");
            }
            return Ok(-1);
        }
        Ok(max)
    }

    /// Appends a value that is not a table.
    fn scalar(&mut self, v: &Value) -> LibResult<()> {
        match v {
            Value::String(s) => escape_into(&mut self.out, &s.as_bytes()),
            Value::Integer(_) | Value::Number(_) => self.number(v, as_num(v).unwrap_or(0.0))?,
            Value::Boolean(true) => self.out.extend_from_slice(b"true"),
            Value::Boolean(false) => self.out.extend_from_slice(b"false"),
            Value::Nil => self.out.extend_from_slice(b"null"),
            Value::LightUserData(p) if p.0.is_null() => self.out.extend_from_slice(b"null"),
            _ => return serialise_error(v, "type not supported"),
        }
        Ok(())
    }

    /// Appends `root`, walking nested tables with an explicit stack (no recursion, so deep
    /// nesting cannot exhaust the Rust stack). `slots` mirrors the Lua stack the C encoder
    /// would use: 1 for the argument, 1 per open array (the element), 2 per open object (key
    /// and value).
    fn encode(&mut self, root: Value, next: &Function) -> LibResult<()> {
        let mut frames: Vec<Frame> = Vec::new();
        let mut tables = TableStack::new();
        let mut slots: i64 = 1;
        let mut cur = root;
        'value: loop {
            if self.out.len() > MAX_OUTPUT {
                return out_of_memory();
            }
            if let Value::Table(t) = &cur {
                let depth = frames.len() as i32 + 1;
                if depth > self.cfg.encode_max_depth || slots + 3 > MAX_C_STACK {
                    return msg(format!("Cannot serialise, excessive nesting ({})", depth));
                }
                let len = self.array_length(t, &cur)?;
                if len > 0 {
                    self.out.push(b'[');
                    frames.push(Frame::Array { len, next: 1 });
                    slots += 1;
                } else {
                    self.out.push(b'{');
                    frames.push(Frame::Object { first: true });
                    slots += 2;
                }
                tables.push(self.lua, t.clone())?;
            } else {
                self.scalar(&cur)?;
            }
            // Find the next value to write, closing the tables that are done.
            loop {
                match frames.last_mut() {
                    None => return Ok(()),
                    Some(Frame::Array { len, next: i }) => {
                        if *i > *len {
                            self.out.push(b']');
                            frames.pop();
                            tables.pop()?;
                            slots -= 1;
                            continue;
                        }
                        if *i > 1 {
                            self.out.push(b',');
                        }
                        cur = tables.top()?.raw_get(*i)?;
                        *i += 1;
                        continue 'value;
                    }
                    Some(Frame::Object { first }) => {
                        let t = tables.top()?;
                        let key = tables.take_key()?;
                        let (k, v): (Value, Value) = next.call((t, key))?;
                        if k.is_nil() {
                            self.out.push(b'}');
                            frames.pop();
                            tables.pop()?;
                            slots -= 2;
                            continue;
                        }
                        if !*first {
                            self.out.push(b',');
                        }
                        *first = false;
                        match &k {
                            Value::Integer(_) | Value::Number(_) => {
                                self.out.push(b'"');
                                self.number(&k, as_num(&k).unwrap_or(0.0))?;
                                self.out.extend_from_slice(b"\":");
                            }
                            Value::String(s) => {
                                escape_into(&mut self.out, &s.as_bytes());
                                self.out.push(b':');
                            }
                            _ => {
                                return serialise_error(&k, "table key must be a number or string")
                            }
                        }
                        tables.set_key(k)?;
                        cur = v;
                        continue 'value;
                    }
                }
            }
        }
    }
}

/// An open table of the encoder.
enum Frame {
    Array { len: i32, next: i32 },
    Object { first: bool },
}

fn encode(lua: &Lua, cfg: &Cfg, next: &Function, a: &Args) -> LibResult<MultiValue> {
    if a.top() != 1 {
        return arg_err(1, "expected 1 argument");
    }
    let cfg = lock(cfg).clone();
    let mut enc = Encoder {
        lua,
        cfg: &cfg,
        out: Vec::new(),
    };
    let v = a.get(1).cloned().unwrap_or(Value::Nil);
    enc.encode(v, next)?;
    Ok(std::iter::once(Value::String(lua.create_string(&enc.out)?)).collect())
}

fn one(v: Value) -> LibResult<MultiValue> {
    Ok(std::iter::once(v).collect())
}

/// A fresh `cjson` table with its own default configuration (`cjson.new`).
pub(super) fn module(lua: &Lua) -> mlua::Result<Table> {
    let cfg: Cfg = Arc::new(Mutex::new(Config::default()));
    let t = lua.create_table()?;
    let next = super::raw_next(lua)?;
    let c = cfg.clone();
    set_fn(lua, &t, "encode", move |lua, a| encode(lua, &c, &next, &a))?;
    let c = cfg.clone();
    set_fn(lua, &t, "decode", move |lua, a| {
        let conf = lock(&c).clone();
        cjson_decode::decode(lua, &conf, &a)
    })?;
    let c = cfg.clone();
    set_fn(lua, &t, "encode_sparse_array", move |lua, a| {
        arg_init(&a, 3)?;
        let mut cfg = lock(&c);
        let convert = enum_option(lua, &a, 1, &mut cfg.sparse_convert, ON_OFF)?;
        let ratio = integer_option(lua, &a, 2, &mut cfg.sparse_ratio, 0, i32::MAX)?;
        let safe = integer_option(lua, &a, 3, &mut cfg.sparse_safe, 0, i32::MAX)?;
        Ok([convert, ratio, safe].into_iter().collect())
    })?;
    let c = cfg.clone();
    set_fn(lua, &t, "encode_max_depth", move |lua, a| {
        arg_init(&a, 1)?;
        one(integer_option(
            lua,
            &a,
            1,
            &mut lock(&c).encode_max_depth,
            1,
            i32::MAX,
        )?)
    })?;
    let c = cfg.clone();
    set_fn(lua, &t, "decode_max_depth", move |lua, a| {
        arg_init(&a, 1)?;
        one(integer_option(
            lua,
            &a,
            1,
            &mut lock(&c).decode_max_depth,
            1,
            i32::MAX,
        )?)
    })?;
    let c = cfg.clone();
    set_fn(lua, &t, "encode_number_precision", move |lua, a| {
        arg_init(&a, 1)?;
        one(integer_option(
            lua,
            &a,
            1,
            &mut lock(&c).encode_number_precision,
            1,
            14,
        )?)
    })?;
    let c = cfg.clone();
    set_fn(lua, &t, "encode_keep_buffer", move |lua, a| {
        arg_init(&a, 1)?;
        one(enum_option(
            lua,
            &a,
            1,
            &mut lock(&c).encode_keep_buffer,
            ON_OFF,
        )?)
    })?;
    let c = cfg.clone();
    set_fn(lua, &t, "encode_invalid_numbers", move |lua, a| {
        arg_init(&a, 1)?;
        let opts = &["off", "on", "null"];
        one(enum_option(
            lua,
            &a,
            1,
            &mut lock(&c).encode_invalid_numbers,
            opts,
        )?)
    })?;
    let c = cfg;
    set_fn(lua, &t, "decode_invalid_numbers", move |lua, a| {
        arg_init(&a, 1)?;
        one(enum_option(
            lua,
            &a,
            1,
            &mut lock(&c).decode_invalid_numbers,
            ON_OFF,
        )?)
    })?;
    set_fn(lua, &t, "new", |lua, _a| one(Value::Table(module(lua)?)))?;
    t.raw_set(
        "null",
        Value::LightUserData(LightUserData(std::ptr::null_mut())),
    )?;
    t.raw_set("_NAME", "cjson")?;
    t.raw_set("_VERSION", "2.1.0")?;
    Ok(t)
}
