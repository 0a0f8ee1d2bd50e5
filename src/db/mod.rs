//! The keyspace: databases of keys with optional expiry, iterated in a deterministic order.

mod collections;
mod encoding;
mod keyspace;
mod value;
mod zset;

pub use collections::{Hash, List, Set};
pub use encoding::collection_encoding;
pub use keyspace::Db;
pub use value::Value;
pub use zset::{LexBound, LexRange, Score, ScoreRange, ZSet};

/// How many databases a server has (`databases 16`).
pub const DB_COUNT: usize = 16;
