//! Typed access to the collection held by a key, with Redis's WRONGTYPE error, shared by
//! the list, hash, set and sorted-set families.

use super::Ctx;
use crate::config::Config;
use crate::db::{Db, Hash, List, Set, Value, ZSet};
use crate::resp::{errors, Protocol, Reply};

pub fn wrongtype() -> Reply {
    Reply::error(errors::WRONGTYPE)
}

/// Whether the caller speaks RESP3 (some replies change shape, not just encoding).
pub fn resp3(ctx: &Ctx<'_>) -> bool {
    ctx.store.session(ctx.client).protocol == Protocol::Resp3
}

/// The selected database and the configuration, borrowed together.
pub fn db_and_config<'a>(ctx: &'a mut Ctx<'_>) -> (&'a mut Db, &'a Config) {
    let index = ctx.store.session(ctx.client).db;
    let store = &mut *ctx.store;
    (&mut store.dbs[index], &store.config)
}

macro_rules! typed_access {
    ($get:ident, $get_or_create:ident, $variant:ident, $ty:ty, $new:expr) => {
        /// The collection under `key`: `None` when missing, WRONGTYPE for another type.
        pub fn $get<'a>(
            db: &'a mut Db,
            key: &[u8],
            now_ms: u64,
        ) -> Result<Option<&'a mut $ty>, Reply> {
            match db.get_mut(key, now_ms) {
                None => Ok(None),
                Some(Value::$variant(c)) => Ok(Some(c)),
                Some(_) => Err(wrongtype()),
            }
        }

        /// The collection under `key`, created empty when missing (the caller must leave
        /// it non-empty or remove it: Redis never keeps an empty collection).
        pub fn $get_or_create<'a>(
            db: &'a mut Db,
            key: &[u8],
            now_ms: u64,
        ) -> Result<&'a mut $ty, Reply> {
            match db.get(key, now_ms) {
                None => db.set(key, Value::$variant($new)),
                Some(Value::$variant(_)) => {}
                Some(_) => return Err(wrongtype()),
            }
            match db.get_mut(key, now_ms) {
                Some(Value::$variant(c)) => Ok(c),
                _ => Err(wrongtype()),
            }
        }
    };
}

typed_access!(list, list_or_create, List, List, List::new());
typed_access!(hash, hash_or_create, Hash, Hash, Hash::new());
typed_access!(set, set_or_create, Set, Set, Set::new());
typed_access!(zset, zset_or_create, ZSet, ZSet, ZSet::new());

/// Removes `key` when the command left its collection empty.
pub fn remove_if_empty(db: &mut Db, key: &[u8], now_ms: u64) -> bool {
    let empty = match db.get(key, now_ms) {
        Some(Value::List(l)) => l.is_empty(),
        Some(Value::Hash(h)) => h.is_empty(),
        Some(Value::Set(s)) => s.is_empty(),
        Some(Value::ZSet(z)) => z.is_empty(),
        _ => false,
    };
    if empty {
        db.remove(key);
    }
    empty
}

/// Converts a start/end index pair (negative counts from the end) into an inclusive
/// range of `len` elements, or `None` when it selects nothing (as LRANGE/ZRANGE do).
pub fn index_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

/// Keys of `CMD numkeys key… …` (LMPOP, SINTERCARD, ZUNION…): numkeys at `at`. As
/// Redis's `genericGetKeys`, a numkeys below 1 or beyond the arguments gives no keys.
fn numkeys_keys(argv: &[Vec<u8>], at: usize) -> Vec<usize> {
    let n = argv
        .get(at)
        .and_then(|a| super::args::parse_i64(a))
        .unwrap_or(0);
    let available = argv.len().saturating_sub(at + 1) as i64;
    if n < 1 || n > available {
        return Vec::new();
    }
    (at + 1..at + 1 + n as usize).collect()
}

/// Keys of LMPOP, SINTERCARD, ZMPOP, ZUNION, ZINTER, ZDIFF, ZINTERCARD.
pub fn keys_after_numkeys(argv: &[Vec<u8>]) -> Vec<usize> {
    numkeys_keys(argv, 1)
}

/// Keys of BLMPOP and BZMPOP (`timeout numkeys key…`).
pub fn keys_after_timeout_numkeys(argv: &[Vec<u8>]) -> Vec<usize> {
    numkeys_keys(argv, 2)
}

/// Keys of ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE (`destination numkeys key…`).
pub fn store_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    let sources = numkeys_keys(argv, 2);
    if sources.is_empty() {
        return sources;
    }
    let mut keys = vec![1];
    keys.extend(sources);
    keys
}
