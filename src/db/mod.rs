//! The keyspace: databases of keys with optional expiry, iterated in a deterministic order.

mod collections;
mod encoding;
mod fingerprint;
pub mod footprint;
mod keyspace;
mod sds;
mod value;
mod zset;

pub use collections::{Hash, List, Set};
pub use encoding::collection_encoding;
pub use keyspace::{Db, Entry};
pub use sds::Sds;
pub(crate) use value::{is_shared_integer, EMBSTR_SIZE_LIMIT};
pub use value::{string_encoding, StrEnc, Value};
pub(crate) use zset::{LexBound, LexRange, ScoreRange};
pub use zset::{Score, ZSet};

/// How many databases a server has (`databases 16`).
pub(crate) const DB_COUNT: usize = 16;
