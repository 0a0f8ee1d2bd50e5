//! OBJECT ENCODING for the collection types: Redis 7.0's encoding names and the
//! thresholds that switch them. Owned by the collections work (issue 2, step 3).

use super::Value;
use crate::config::Config;

/// The encoding Redis 7.0 would report for a list, hash, set or sorted set;
/// `None` for strings (their encoding is decided by the string code).
pub fn collection_encoding(value: &Value, _config: &Config) -> Option<&'static str> {
    match value {
        Value::Str(_) => None,
        // Redis 7.0 always stores lists as quicklists.
        Value::List(_) => Some("quicklist"),
        Value::Hash(_) => Some("hashtable"),
        Value::Set(_) => Some("hashtable"),
        Value::ZSet(_) => Some("skiplist"),
    }
}
