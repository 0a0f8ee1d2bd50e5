//! OBJECT ENCODING for the collection types: Redis 7.0's encoding names. The containers
//! remember their one-way conversions (listpack → hashtable, intset → hashtable,
//! listpack → skiplist) as they are written, by the thresholds of the configuration in
//! force at the time, so the current configuration is not consulted here.

use super::Value;
use crate::config::Config;

/// The encoding Redis 7.0 would report for a list, hash, set or sorted set;
/// `None` for strings (their encoding is decided by the string code).
pub fn collection_encoding(value: &Value, _config: &Config) -> Option<&'static str> {
    match value {
        Value::Str(_) => None,
        // Redis 7.0 always stores lists as quicklists.
        Value::List(_) => Some("quicklist"),
        Value::Hash(h) => Some(if h.is_hashtable() {
            "hashtable"
        } else {
            "listpack"
        }),
        Value::Set(s) => Some(if s.is_hashtable() {
            "hashtable"
        } else {
            "intset"
        }),
        Value::ZSet(z) => Some(if z.is_skiplist() {
            "skiplist"
        } else {
            "listpack"
        }),
        Value::Stream(_) => Some("stream"),
    }
}
