//! `cjson.decode` as Lua CJSON 2.1.0 in Redis 7.0 does it.
//!
//! The text is read as C reads a NUL-terminated string (a NUL byte ends it); numbers go
//! through `strtod` (so `0x10`, `1e5`, `inf`, `nan`, `+1` are accepted while
//! `decode_invalid_numbers` is on, the default); `null` decodes to `cjson.null` (a NULL light
//! userdata); strings may hold any byte, `\uXXXX` escapes (with surrogate pairs) become UTF-8.
//! Errors: `Expected <what> but found <token> at character <n>`, `Found too many nested data
//! structures (<depth>) at character <n>` past `decode_max_depth` (1000), and "JSON parser does
//! not support UTF-16 or UTF-32" when one of the first two bytes is NUL.

use mlua::{LightUserData, Lua, MultiValue, Value};

use super::cjson::Config;
use super::nest::TableStack;
use super::{arg_err, msg, strtod, Args, LibResult};

const MAX_C_STACK: usize = 8000;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num,
    Bool,
    Null,
    Colon,
    Comma,
    End,
    Error,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::ObjBegin => "T_OBJ_BEGIN",
        Kind::ObjEnd => "T_OBJ_END",
        Kind::ArrBegin => "T_ARR_BEGIN",
        Kind::ArrEnd => "T_ARR_END",
        Kind::Str => "T_STRING",
        Kind::Num => "T_NUMBER",
        Kind::Bool => "T_BOOLEAN",
        Kind::Null => "T_NULL",
        Kind::Colon => "T_COLON",
        Kind::Comma => "T_COMMA",
        Kind::End => "T_END",
        Kind::Error => "T_ERROR",
    }
}

struct Token {
    kind: Kind,
    index: usize,
    num: f64,
    boolean: bool,
    /// The decoded string, or the error text for `Kind::Error`.
    text: Vec<u8>,
    err: &'static str,
}

impl Token {
    fn new(kind: Kind, index: usize) -> Self {
        Token {
            kind,
            index,
            num: 0.0,
            boolean: false,
            text: Vec::new(),
            err: "",
        }
    }
    fn error(index: usize, err: &'static str) -> Self {
        Token {
            err,
            ..Token::new(Kind::Error, index)
        }
    }
}

struct Parser<'a> {
    data: &'a [u8],
    ptr: usize,
    invalid_numbers: bool,
}

fn hexval(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

impl Parser<'_> {
    /// The byte at `i`; the text behaves as NUL-terminated.
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn hex4(&self, i: usize) -> Option<u32> {
        let mut v = 0;
        for k in 0..4 {
            v = v << 4 | hexval(self.at(i + k))?;
        }
        Some(v)
    }

    /// `\uXXXX` (and its low surrogate) at `ptr`, appended to `out` as UTF-8.
    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let mut cp = self.hex4(self.ptr + 2)?;
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            if cp & 0x400 != 0 {
                return None;
            }
            if self.at(self.ptr + 6) != b'\\' || self.at(self.ptr + 7) != b'u' {
                return None;
            }
            let low = self.hex4(self.ptr + 8)?;
            if low & 0xFC00 != 0xDC00 {
                return None;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        if cp <= 0x7F {
            out.push(cp as u8);
        } else if cp <= 0x7FF {
            out.extend_from_slice(&[(cp >> 6) as u8 | 0xC0, (cp & 0x3F) as u8 | 0x80]);
        } else if cp <= 0xFFFF {
            out.extend_from_slice(&[
                (cp >> 12) as u8 | 0xE0,
                ((cp >> 6) & 0x3F) as u8 | 0x80,
                (cp & 0x3F) as u8 | 0x80,
            ]);
        } else {
            out.extend_from_slice(&[
                (cp >> 18) as u8 | 0xF0,
                ((cp >> 12) & 0x3F) as u8 | 0x80,
                ((cp >> 6) & 0x3F) as u8 | 0x80,
                (cp & 0x3F) as u8 | 0x80,
            ]);
        }
        self.ptr += len;
        Some(())
    }

    fn string_token(&mut self) -> Token {
        self.ptr += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let ch = self.at(self.ptr);
            if ch == b'"' {
                break;
            }
            if ch == 0 {
                return Token::error(self.ptr, "unexpected end of string");
            }
            let mut c = ch;
            if ch == b'\\' {
                c = match self.at(self.ptr + 1) {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 8,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'f' => 12,
                    b'r' => b'\r',
                    b'u' => {
                        if self.unicode_escape(&mut out).is_some() {
                            continue;
                        }
                        return Token::error(self.ptr, "invalid unicode escape code");
                    }
                    _ => return Token::error(self.ptr, "invalid escape code"),
                };
                self.ptr += 1;
            }
            out.push(c);
            self.ptr += 1;
        }
        self.ptr += 1;
        Token {
            text: out,
            ..Token::new(Kind::Str, 0)
        }
    }

    /// `json_is_invalid_number`: a number strict JSON refuses (`+1`, `0x1`, `01`, inf, nan).
    fn is_invalid_number(&self) -> bool {
        let mut p = self.ptr;
        if self.at(p) == b'+' {
            return true;
        }
        if self.at(p) == b'-' {
            p += 1;
        }
        if self.at(p) == b'0' {
            let c2 = self.at(p + 1);
            return (c2 | 0x20) == b'x' || c2.is_ascii_digit();
        }
        // C compares a signed char: bytes >= 0x80 count as "ordinary numbers" here.
        if (self.at(p) as i8) <= b'9' as i8 {
            return false;
        }
        let starts = |w: &[u8]| {
            w.iter()
                .enumerate()
                .all(|(k, c)| self.at(p + k).to_ascii_lowercase() == *c)
        };
        starts(b"inf") || starts(b"nan")
    }

    fn number_token(&mut self, index: usize) -> Token {
        match strtod(&self.data[self.ptr.min(self.data.len())..]) {
            Some((v, used)) if used > 0 => {
                self.ptr += used;
                Token {
                    num: v,
                    ..Token::new(Kind::Num, index)
                }
            }
            _ => Token::error(self.ptr, "invalid number"),
        }
    }

    fn next_token(&mut self) -> Token {
        while matches!(self.at(self.ptr), b' ' | b'\t' | b'\n' | b'\r') {
            self.ptr += 1;
        }
        let index = self.ptr;
        let ch = self.at(self.ptr);
        let single = match ch {
            b'{' => Some(Kind::ObjBegin),
            b'}' => Some(Kind::ObjEnd),
            b'[' => Some(Kind::ArrBegin),
            b']' => Some(Kind::ArrEnd),
            b',' => Some(Kind::Comma),
            b':' => Some(Kind::Colon),
            0 => return Token::new(Kind::End, index),
            _ => None,
        };
        if let Some(kind) = single {
            self.ptr += 1;
            return Token::new(kind, index);
        }
        if !matches!(
            ch,
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'"' | b'+' | b'-' | b'0'..=b'9'
        ) {
            return Token::error(index, "invalid token");
        }
        let rest = &self.data[self.ptr..];
        if ch == b'"' {
            let mut t = self.string_token();
            if t.kind == Kind::Str {
                t.index = index;
            }
            return t;
        }
        if ch == b'-' || ch.is_ascii_digit() {
            if !self.invalid_numbers && self.is_invalid_number() {
                return Token::error(index, "invalid number");
            }
            return self.number_token(index);
        }
        if rest.starts_with(b"true") {
            self.ptr += 4;
            return Token {
                boolean: true,
                ..Token::new(Kind::Bool, index)
            };
        }
        if rest.starts_with(b"false") {
            self.ptr += 5;
            return Token::new(Kind::Bool, index);
        }
        if rest.starts_with(b"null") {
            self.ptr += 4;
            return Token::new(Kind::Null, index);
        }
        if self.invalid_numbers && self.is_invalid_number() {
            return self.number_token(index);
        }
        Token::error(index, "invalid token")
    }
}

fn parse_error<T>(expected: &str, t: &Token) -> LibResult<T> {
    let found = if t.kind == Kind::Error {
        t.err
    } else {
        kind_name(t.kind)
    };
    msg(format!(
        "Expected {} but found {} at character {}",
        expected,
        found,
        t.index + 1
    ))
}

enum Open {
    Array(i64),
    Object,
}

pub(super) fn decode(lua: &Lua, cfg: &Config, a: &Args) -> LibResult<MultiValue> {
    if a.top() != 1 {
        return arg_err(1, "expected 1 argument");
    }
    let data = a.check_bytes(lua, 1)?;
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return msg("JSON parser does not support UTF-16 or UTF-32");
    }
    let mut p = Parser {
        data: &data,
        ptr: 0,
        invalid_numbers: cfg.decode_invalid_numbers != 0,
    };
    let mut tables = TableStack::new();
    let mut open: Vec<Open> = Vec::new();
    // The C decoder's Lua stack: the argument, then per open array its table, per open
    // object its table and the key being decoded.
    let mut slots: usize = 1;
    let mut token = p.next_token();
    'value: loop {
        let mut value = match token.kind {
            Kind::Str => Value::String(lua.create_string(&token.text)?),
            Kind::Num => Value::Number(token.num),
            Kind::Bool => Value::Boolean(token.boolean),
            Kind::Null => Value::LightUserData(LightUserData(std::ptr::null_mut())),
            Kind::ObjBegin | Kind::ArrBegin => {
                let is_obj = token.kind == Kind::ObjBegin;
                let depth = open.len() + 1;
                let need = if is_obj { 3 } else { 2 };
                if depth > cfg.decode_max_depth.max(0) as usize || slots + need > MAX_C_STACK {
                    return msg(format!(
                        "Found too many nested data structures ({}) at character {}",
                        depth, p.ptr
                    ));
                }
                let t = lua.create_table()?;
                token = p.next_token();
                let empty = if is_obj { Kind::ObjEnd } else { Kind::ArrEnd };
                if token.kind == empty {
                    Value::Table(t)
                } else {
                    tables.push(lua, t)?;
                    slots += 1;
                    if is_obj {
                        open.push(Open::Object);
                        slots += 1;
                        object_key(lua, &mut p, &mut tables, &mut token)?;
                    } else {
                        open.push(Open::Array(1));
                    }
                    continue 'value;
                }
            }
            _ => return parse_error("value", &token),
        };
        // Store the value in its container; close the containers that end here.
        loop {
            match open.last_mut() {
                None => {
                    let t = p.next_token();
                    if t.kind != Kind::End {
                        return parse_error("the end", &t);
                    }
                    return Ok(std::iter::once(value).collect());
                }
                Some(Open::Array(i)) => {
                    tables.top()?.raw_set(*i, value)?;
                    token = p.next_token();
                    if token.kind == Kind::ArrEnd {
                        open.pop();
                        slots -= 1;
                        value = Value::Table(tables.pop()?);
                        continue;
                    }
                    if token.kind != Kind::Comma {
                        return parse_error("comma or array end", &token);
                    }
                    *i += 1;
                    token = p.next_token();
                    continue 'value;
                }
                Some(Open::Object) => {
                    let key = tables.take_key()?;
                    tables.top()?.raw_set(key, value)?;
                    token = p.next_token();
                    if token.kind == Kind::ObjEnd {
                        open.pop();
                        slots -= 2;
                        value = Value::Table(tables.pop()?);
                        continue;
                    }
                    if token.kind != Kind::Comma {
                        return parse_error("comma or object end", &token);
                    }
                    token = p.next_token();
                    object_key(lua, &mut p, &mut tables, &mut token)?;
                    continue 'value;
                }
            }
        }
    }
}

/// Reads `"key" :` of an object member (the key is in `token`); leaves the value's first
/// token in `token`.
fn object_key(
    lua: &Lua,
    p: &mut Parser,
    tables: &mut TableStack,
    token: &mut Token,
) -> LibResult<()> {
    if token.kind != Kind::Str {
        return parse_error("object key string", token);
    }
    let key = Value::String(lua.create_string(&token.text)?);
    tables.set_key(key)?;
    *token = p.next_token();
    if token.kind != Kind::Colon {
        return parse_error("colon", token);
    }
    *token = p.next_token();
    Ok(())
}
