//! What a key costs in memory, estimated the way Redis's allocations add up — object
//! header, SDS headers, listpack and intset byte layouts, dict tables and entries, each
//! allocation rounded up to a jemalloc size class (Redis's `objectComputeSize`).
//!
//! Every collection keeps a [`Tally`] of its elements as they are added and removed, so
//! the size of any value is known without walking it: the database adds up its keys'
//! sizes as they change (`used_memory`), and MEMORY USAGE reads the same figure.
//!
//! A string changed in place carries its SDS allocation (see [`super::Sds`]).
//!
//! What is estimated: Redis's figure depends on allocation history where redsim keeps
//! none — quicklist node splits (nodes taken as evenly filled to 8 KB),
//! skiplist levels (one level per node), dict rehashing (tables a power of two, at least
//! the element count). Hashtables are summed exactly where Redis samples.

use super::{StrEnc, Value};
use crate::cmd::args::parse_i64;

/// Bytes of a Redis object header (`robj`).
pub const ROBJ: usize = 16;
/// Bytes of a hash table entry (`dictEntry`).
pub const DICT_ENTRY: usize = 24;
/// Bytes of a hash table (`dict`) without its buckets.
pub const DICT: usize = 56;
const QUICKLIST: usize = 40;
const QUICKLIST_NODE: usize = 40;
/// `list-max-listpack-size -2`: 8 KB per quicklist node.
const LIST_NODE_BYTES: usize = 8192;
/// A listpack's header (total bytes, element count) and end byte.
pub const LISTPACK_EMPTY: usize = 7;
/// The zset and zskiplist structs and a 32-level skiplist header (24 + 32 × 16 bytes,
/// in jemalloc's 640 class).
const SKIPLIST_HEADER: usize = 16 + 32 + 640;
/// A skiplist node of one level (score, backward pointer, one forward link).
const SKIPLIST_NODE: usize = 48;

/// jemalloc's size class for an allocation of `n` bytes.
pub fn jemalloc_class(n: usize) -> usize {
    match n {
        0..=8 => 8,
        9..=128 => n.div_ceil(16) * 16,
        _ => {
            let group = n.next_power_of_two();
            let step = group / 8;
            n.div_ceil(step) * step
        }
    }
}

/// The allocation of an SDS string of `len` bytes made by `sdsnewlen`.
pub fn sds_size(len: usize) -> usize {
    let header = match len {
        0..=31 => 1,
        32..=255 => 3,
        256..=65535 => 5,
        _ => 9,
    };
    jemalloc_class(header + len + 1)
}

/// A dict's table for `len` entries: a power of two of pointers, at least 4.
pub fn dict_table(len: usize) -> usize {
    8 * len.next_power_of_two().max(4)
}

/// The bytes one element takes in a listpack: encoding, data and back-length.
pub fn listpack_entry(item: &[u8]) -> usize {
    let body = match parse_i64(item) {
        Some(n) => int_body(n),
        None if item.len() < 64 => 1 + item.len(),
        None if item.len() < 4096 => 2 + item.len(),
        None => 5 + item.len(),
    };
    body + backlen(body)
}

/// The bytes an integer takes in a listpack (`lpAppendInteger`).
pub(crate) fn listpack_int(n: i64) -> usize {
    let body = int_body(n);
    body + backlen(body)
}

fn int_body(n: i64) -> usize {
    match n {
        0..=127 => 1,
        -4096..=4095 => 2,
        _ if i16::try_from(n).is_ok() => 3,
        _ if (-(1 << 23)..(1 << 23)).contains(&n) => 4,
        _ if i32::try_from(n).is_ok() => 5,
        _ => 9,
    }
}

fn backlen(body: usize) -> usize {
    match body {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    }
}

/// A score as a listpack stores it: an integer when it has no fraction (Redis's
/// `d2string` prints those as integers), else its `%.17g` text.
pub fn score_entry(score: f64) -> usize {
    if score.fract() == 0.0 && score.abs() < (1u64 << 52) as f64 {
        let body = int_body(score as i64);
        body + backlen(body)
    } else {
        listpack_entry(crate::resp::format_double(score).as_bytes())
    }
}

/// Running totals of a collection's elements, kept as it changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// The elements' bytes in a listpack (or intset, for sets: see `Set`).
    pub listpack: usize,
    /// The elements' allocations once the collection is a hashtable or skiplist.
    pub table: usize,
}

impl Tally {
    /// Counts an element of `listpack` and `table` bytes.
    pub fn add(&mut self, listpack: usize, table: usize) {
        self.listpack += listpack;
        self.table += table;
    }

    /// Stops counting an element of `listpack` and `table` bytes.
    pub fn remove(&mut self, listpack: usize, table: usize) {
        self.listpack -= listpack;
        self.table -= table;
    }
}

/// The bytes a key and its value take: the value, the key's SDS and its dict entry.
pub fn entry_bytes(key_len: usize, value: &Value, enc: StrEnc) -> usize {
    value_bytes(value, enc) + sds_size(key_len) + DICT_ENTRY
}

/// The bytes a value takes (`objectComputeSize`), from its tally: no element is visited.
pub fn value_bytes(value: &Value, enc: StrEnc) -> usize {
    match value {
        Value::Str(s) => match (enc, super::string_encoding(s, enc)) {
            (StrEnc::Raw(sds), _) => ROBJ + sds.bytes(s.len()),
            (_, "int") => ROBJ,
            (_, "embstr") => jemalloc_class(ROBJ + 3 + s.len() + 1),
            _ => ROBJ + sds_size(s.len()),
        },
        Value::List(list) => {
            if list.is_empty() {
                return ROBJ + QUICKLIST;
            }
            let bytes = list.tally().listpack;
            let nodes = bytes.div_ceil(LIST_NODE_BYTES - LISTPACK_EMPTY).max(1);
            let per_node = bytes.div_ceil(nodes) + LISTPACK_EMPTY;
            ROBJ + QUICKLIST + nodes * (QUICKLIST_NODE + jemalloc_class(per_node))
        }
        Value::Hash(hash) if !hash.is_hashtable() => {
            ROBJ + jemalloc_class(LISTPACK_EMPTY + hash.tally().listpack)
        }
        Value::Hash(hash) => hashtable(hash.len(), hash.tally().table),
        Value::Set(set) if !set.is_hashtable() => {
            ROBJ + jemalloc_class(8 + set.intset_width() * set.len())
        }
        Value::Set(set) => hashtable(set.len(), set.tally().table),
        Value::ZSet(zset) if !zset.is_skiplist() => {
            ROBJ + jemalloc_class(LISTPACK_EMPTY + zset.tally().listpack)
        }
        Value::ZSet(zset) => SKIPLIST_HEADER + hashtable(zset.len(), zset.tally().table),
        Value::Stream(stream) => stream_bytes(stream),
    }
}

/// `sizeof(stream)`, `sizeof(streamCG)`, `sizeof(streamConsumer)`, `sizeof(streamNACK)`.
const STREAM: usize = 80;
const STREAM_CG: usize = 40;
const STREAM_CONSUMER: usize = 40;
const STREAM_NACK: usize = 24;
/// `streamRadixTreeMemoryUsage`'s cost of one radix tree node (`raxNode` and 30 words).
const RAX_NODE: usize = 4 + 8 * 30;

/// A stream as `objectComputeSize` counts it: its radix tree (taken as two tree nodes
/// a key), its listpacks (each rounded to a size class, the tail's preallocated 4 KB at
/// least) and its groups' pending lists and consumers.
fn stream_bytes(stream: &super::Stream) -> usize {
    let nodes = stream.node_count();
    let rax = |keys: usize| keys * 16 + (2 * keys).max(1) * RAX_NODE;
    let lists = match stream.lp_bytes().checked_div(nodes) {
        None => 0,
        Some(average) => jemalloc_class(average) * (nodes - 1) + jemalloc_class(average.max(4096)),
    };
    let (groups, consumers, pending, names) = stream.group_totals();
    ROBJ + STREAM
        + rax(nodes)
        + lists
        + groups * (STREAM_CG + rax(0))
        + consumers * (STREAM_CONSUMER + rax(0))
        + names
        + pending * (16 + 2 * RAX_NODE)
        + pending / 2 * STREAM_NACK
}

fn hashtable(len: usize, elements: usize) -> usize {
    ROBJ + DICT + dict_table(len) + elements
}

/// A hash field and value: (listpack bytes, hashtable bytes).
pub fn hash_pair(field: &[u8], value: &[u8]) -> (usize, usize) {
    (
        listpack_entry(field) + listpack_entry(value),
        sds_size(field.len()) + sds_size(value.len()) + DICT_ENTRY,
    )
}

/// A set member in a hashtable (its intset width is counted apart).
pub fn set_member(member: &[u8]) -> usize {
    sds_size(member.len()) + DICT_ENTRY
}

/// A sorted-set member and its score: (listpack bytes, skiplist + dict bytes).
pub fn zset_member(member: &[u8], score: f64) -> (usize, usize) {
    (
        listpack_entry(member) + score_entry(score),
        sds_size(member.len()) + DICT_ENTRY + SKIPLIST_NODE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_follow_jemalloc() {
        assert_eq!(jemalloc_class(5), 8);
        assert_eq!(jemalloc_class(21), 32);
        assert_eq!(jemalloc_class(104), 112);
        assert_eq!(jemalloc_class(129), 160);
        assert_eq!(jemalloc_class(536), 640);
    }

    #[test]
    fn integral_scores_are_listpack_integers() {
        assert_eq!(score_entry(1.0), listpack_entry(b"1"));
        assert_eq!(score_entry(-5000.0), listpack_entry(b"-5000"));
        assert_eq!(score_entry(1.5), listpack_entry(b"1.5"));
    }
}
