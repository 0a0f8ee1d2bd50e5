//! The value stored under a key: one of Redis's six data types.

use super::{Hash, List, Sds, Set, Stream, ZSet};

/// A value of a key.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(Vec<u8>),
    /// A list.
    List(List),
    /// A hash.
    Hash(Hash),
    /// A set.
    Set(Set),
    /// A sorted set.
    ZSet(ZSet),
    /// A stream.
    Stream(Box<Stream>),
}

impl Value {
    /// The name TYPE replies with.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }
}

/// Strings up to this length are stored `embstr` (Redis's `OBJ_ENCODING_EMBSTR_SIZE_LIMIT`).
pub(crate) const EMBSTR_SIZE_LIMIT: usize = 44;

/// Integers below this are Redis's shared integer objects (`OBJ_SHARED_INTEGERS`).
pub const SHARED_INTEGERS: i64 = 10000;

/// How a string value was made, which decides its encoding as in Redis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StrEnc {
    /// Stored through `tryObjectEncoding` (SET, MSET, GETSET, INCR…): int, embstr or raw.
    #[default]
    Auto,
    /// Made by `createStringObject` without trying an integer (INCRBYFLOAT's result):
    /// embstr up to 44 bytes, raw beyond.
    NoInt,
    /// Raw whatever its length: changed in place (APPEND, SETRANGE, SETBIT, BITFIELD) or
    /// made by `createObject` on a fresh SDS (BITOP's result, a COPY of a raw string),
    /// with the SDS allocation its history left (MEMORY USAGE counts it).
    Raw(Sds),
    /// Encoded as `Auto` but a private copy (COPY's `dupStringObject`): an integer
    /// below 10000 is not the shared object, so its refcount is 1.
    Copy,
}

/// The encoding Redis 7.0 reports for a string: for `StrEnc::Auto`, `int` for the text of
/// a 64-bit integer, `embstr` up to 44 bytes, `raw` beyond.
pub fn string_encoding(bytes: &[u8], enc: StrEnc) -> &'static str {
    if matches!(enc, StrEnc::Raw(_)) {
        "raw"
    } else if matches!(enc, StrEnc::Auto | StrEnc::Copy)
        && bytes.len() <= 20
        && crate::cmd::args::parse_i64(bytes).is_some()
    {
        "int"
    } else if bytes.len() <= EMBSTR_SIZE_LIMIT {
        "embstr"
    } else {
        "raw"
    }
}

/// Whether a string is one of Redis's shared integers 0..9999 (OBJECT REFCOUNT answers
/// `2147483647` for them, with no maxmemory set).
pub(crate) fn is_shared_integer(bytes: &[u8], enc: StrEnc) -> bool {
    enc == StrEnc::Auto
        && bytes.len() <= 5
        && matches!(crate::cmd::args::parse_i64(bytes), Some(n) if (0..SHARED_INTEGERS).contains(&n))
}

impl StrEnc {
    /// The allocation a command changing a string of `len` bytes in place finds after
    /// Redis's `dbUnshareStringValue`: the one a raw string's history left; for a raw
    /// string SET stored, that string trimmed as `tryObjectEncoding` left it; for an
    /// `int` or `embstr` one (or another kind of string), a fresh copy of exactly its
    /// length.
    pub(crate) fn allocation(self, len: usize) -> Sds {
        match self {
            StrEnc::Raw(sds) => sds,
            StrEnc::Auto if len > EMBSTR_SIZE_LIMIT => Sds::stored(len),
            _ => Sds::exact(len),
        }
    }

    /// The encoding after an in-place write takes a string from `len` to `new_len` bytes:
    /// the unshared allocation ([`StrEnc::allocation`]), grown with `sdsMakeRoomFor` when
    /// the string lengthens; a new end is written with its terminator.
    pub(crate) fn after_write(self, len: usize, new_len: usize) -> StrEnc {
        let mut sds = self.allocation(len);
        if new_len != len {
            sds.tail = 0;
        }
        StrEnc::Raw(if new_len > len {
            sds.grown(len, new_len)
        } else {
            sds
        })
    }

    /// A raw string made from a fresh SDS of `len` bytes (`createObject` on `sdsnewlen`).
    pub(crate) fn fresh_raw(len: usize) -> StrEnc {
        StrEnc::Raw(Sds::exact(len))
    }
}
