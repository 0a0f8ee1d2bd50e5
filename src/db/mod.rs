//! The keyspace: databases of keys with optional expiry, iterated in a deterministic order.

mod collections;
mod encoding;
mod fingerprint;
pub mod footprint;
mod keyspace;
mod sds;
mod stream;
mod stream_group;
mod stream_id;
mod value;
mod zset;

pub use collections::{Hash, List, Set};
pub use encoding::collection_encoding;
pub(crate) use keyspace::ReplicaExpiry;
pub use keyspace::{Db, Entry};
pub use sds::Sds;
pub(crate) use stream::{
    same_fields, NodeEntry, NodeLimits, StreamMeta, TrimTo, LISTPACK_MAX_SIZE,
};
pub use stream::{Stream, StreamId};
pub(crate) use stream_group::{Consumer, Group, Nack, INVALID_ENTRIES_READ};
pub(crate) use stream_id::{parse_id, IdRules};
pub(crate) use value::{is_shared_integer, EMBSTR_SIZE_LIMIT};
pub use value::{string_encoding, StrEnc, Value};
pub(crate) use zset::{LexBound, LexRange, ScoreRange};
pub use zset::{Score, ZSet};

/// How many databases a server has (`databases 16`).
pub(crate) const DB_COUNT: usize = 16;
