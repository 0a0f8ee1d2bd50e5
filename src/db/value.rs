//! The value stored under a key: one of Redis's five data types.

use super::{Hash, List, Set, ZSet};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(Vec<u8>),
    List(List),
    Hash(Hash),
    Set(Set),
    ZSet(ZSet),
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
        }
    }
}

/// Strings up to this length are stored `embstr` (Redis's `OBJ_ENCODING_EMBSTR_SIZE_LIMIT`).
pub const EMBSTR_SIZE_LIMIT: usize = 44;

/// Integers below this are Redis's shared integer objects (`OBJ_SHARED_INTEGERS`).
pub const SHARED_INTEGERS: i64 = 10000;

/// The encoding Redis 7.0 gives a string stored through `tryObjectEncoding` (SET, MSET,
/// INCR…): `int` for the text of a 64-bit integer, `embstr` up to 44 bytes, `raw` beyond.
/// `raw_forced` is set for strings changed in place (APPEND, SETRANGE), which stay `raw`.
pub fn string_encoding(bytes: &[u8], raw_forced: bool) -> &'static str {
    if raw_forced {
        "raw"
    } else if bytes.len() <= 20 && crate::cmd::args::parse_i64(bytes).is_some() {
        "int"
    } else if bytes.len() <= EMBSTR_SIZE_LIMIT {
        "embstr"
    } else {
        "raw"
    }
}

/// Whether a string is one of Redis's shared integers 0..9999 (OBJECT REFCOUNT answers
/// `2147483647` for them, with no maxmemory set).
pub fn is_shared_integer(bytes: &[u8], raw_forced: bool) -> bool {
    !raw_forced
        && bytes.len() <= 5
        && matches!(crate::cmd::args::parse_i64(bytes), Some(n) if (0..SHARED_INTEGERS).contains(&n))
}
