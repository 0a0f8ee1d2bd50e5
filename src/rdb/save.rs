//! Writing values in RDB format (`rdbSaveObjectType` + `rdbSaveObject` of Redis 7.0).
//!
//! Each value is written in the encoding Redis 7.0 keeps it in, so that a DUMP payload
//! is the one Redis writes: strings (integers up to 32 bits in 2–5 bytes, longer strings
//! LZF-compressed when `rdbcompression` is on and it saves at least 4 bytes), lists as
//! quicklists of listpacks, small hashes and sorted sets as one listpack, integer sets
//! as an intset, and the rest element by element.
//!
//! Where Redis's bytes depend on state redsim does not keep, the payload holds the same
//! value in another order: a hashtable's members are written in redsim's order (Redis's
//! depends on its hash seed, so even two Redis processes differ), and a list is split
//! into quicklist nodes as if it had been built by RPUSH (a list grown at both ends or
//! in the middle may be split elsewhere in Redis). Either way it restores to the same
//! value, on redsim and on Redis.

use super::listpack::ListpackWriter;
use super::{intset, lzf, types};
use crate::cmd::args::parse_i64;
use crate::config::Config;
use crate::db::{Hash, List, Set, Value, ZSet};

/// How a value is written: the options of the server that writes it.
pub(crate) struct SaveOptions {
    /// `rdbcompression`: LZF for strings longer than 20 bytes.
    pub(crate) compress: bool,
    /// `list-max-listpack-size`: the quicklist's fill factor.
    pub(crate) list_fill: i64,
}

impl SaveOptions {
    pub(crate) fn of(config: &Config) -> Self {
        SaveOptions {
            compress: config.get("rdbcompression").as_deref() != Some("no"),
            list_fill: config.list_max_listpack_size,
        }
    }
}

/// The RDB type byte of a value: its type in the encoding Redis keeps it in
/// (`rdbSaveObjectType`).
pub(crate) fn object_type(value: &Value) -> u8 {
    match value {
        Value::Str(_) => types::STRING,
        Value::List(_) => types::LIST_QUICKLIST_2,
        Value::Set(set) if set.is_hashtable() => types::SET,
        Value::Set(_) => types::SET_INTSET,
        Value::ZSet(zset) if zset.is_skiplist() => types::ZSET_2,
        Value::ZSet(_) => types::ZSET_LISTPACK,
        Value::Hash(hash) if hash.is_hashtable() => types::HASH,
        Value::Hash(_) => types::HASH_LISTPACK,
        Value::Stream(_) => types::STREAM_LISTPACKS_2,
    }
}

/// Appends the value's type byte and the value.
pub(crate) fn save_object(out: &mut Vec<u8>, value: &Value, opts: &SaveOptions) {
    out.push(object_type(value));
    save_value(out, value, opts);
}

/// Appends the value in the encoding [`object_type`] names (`rdbSaveObject`).
pub(crate) fn save_value(out: &mut Vec<u8>, value: &Value, opts: &SaveOptions) {
    match value {
        Value::Str(s) => save_string(out, s, opts),
        Value::List(list) => save_list(out, list, opts),
        Value::Set(set) => save_set(out, set, opts),
        Value::ZSet(zset) => save_zset(out, zset, opts),
        Value::Hash(hash) => save_hash(out, hash, opts),
        Value::Stream(stream) => super::stream::save_stream(out, stream, opts),
    }
}

/// `rdbSaveLen`: 6, 14, 32 or 64-bit lengths, the last two big endian.
pub(crate) fn save_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.extend_from_slice(&[0x40 | (len >> 8) as u8, len as u8]);
    } else if len <= u64::from(u32::MAX) {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// `rdbSaveRawString`: an integer of up to 32 bits in 2–5 bytes, else LZF when it pays,
/// else length and bytes.
pub(crate) fn save_string(out: &mut Vec<u8>, s: &[u8], opts: &SaveOptions) {
    if s.len() <= 11 {
        if let Some(v) = parse_i64(s) {
            if let Ok(small) = i8::try_from(v) {
                out.extend_from_slice(&[0xC0, small as u8]);
                return;
            } else if let Ok(small) = i16::try_from(v) {
                out.push(0xC1);
                out.extend_from_slice(&small.to_le_bytes());
                return;
            } else if let Ok(small) = i32::try_from(v) {
                out.push(0xC2);
                out.extend_from_slice(&small.to_le_bytes());
                return;
            }
        }
    }
    if opts.compress && s.len() > 20 {
        if let Some(packed) = lzf::compress(s, s.len() - 4) {
            out.push(0xC3);
            save_len(out, packed.len() as u64);
            save_len(out, s.len() as u64);
            out.extend_from_slice(&packed);
            return;
        }
    }
    save_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// A list as quicklist nodes, each a listpack (container 2, "packed"), filled as
/// `quicklistPushTail` fills them.
fn save_list(out: &mut Vec<u8>, list: &List, opts: &SaveOptions) {
    let mut nodes: Vec<Vec<u8>> = Vec::new();
    let mut node: Option<ListpackWriter> = None;
    for item in list {
        let fits = node
            .as_ref()
            .is_some_and(|n| node_allows_insert(n, opts.list_fill, item.len()));
        if !fits {
            if let Some(full) = node.take() {
                nodes.push(full.finish());
            }
            node = Some(ListpackWriter::new());
        }
        node.as_mut().expect("node just made").push(item);
    }
    nodes.extend(node.map(ListpackWriter::finish));
    save_len(out, nodes.len() as u64);
    for lp in nodes {
        save_len(out, 2);
        save_string(out, &lp, opts);
    }
}

/// `_quicklistNodeAllowInsert`: a negative fill limits a node's bytes (4 KB × 2^(-fill-1),
/// with an 8 KB safety limit otherwise), a positive one its element count.
fn node_allows_insert(node: &ListpackWriter, fill: i64, element_len: usize) -> bool {
    const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
    let new_size = node.total_bytes() + element_len + 8;
    if fill < 0 {
        let level = (-fill - 1) as usize;
        if level < OPTIMIZATION_LEVEL.len() && new_size <= OPTIMIZATION_LEVEL[level] {
            return true;
        }
    }
    if new_size > 8192 {
        return false;
    }
    (node.count() as i64) < fill
}

fn save_set(out: &mut Vec<u8>, set: &Set, opts: &SaveOptions) {
    if set.is_hashtable() {
        save_len(out, set.len() as u64);
        for member in set.iter() {
            save_string(out, member, opts);
        }
    } else {
        let mut members: Vec<i64> = set
            .iter()
            .map(|m| parse_i64(m).expect("an intset holds integers"))
            .collect();
        members.sort_unstable();
        save_string(out, &intset::encode(&members, set.intset_width()), opts);
    }
}

fn save_zset(out: &mut Vec<u8>, zset: &ZSet, opts: &SaveOptions) {
    if zset.is_skiplist() {
        save_len(out, zset.len() as u64);
        // From the greatest to the smallest, as Redis walks its skiplist backwards.
        for (member, score) in zset.iter().rev() {
            save_string(out, member, opts);
            out.extend_from_slice(&score.to_le_bytes());
        }
    } else {
        let mut lp = ListpackWriter::new();
        for (member, score) in zset.iter() {
            lp.push(member);
            lp.push(score_text(score).as_bytes());
        }
        save_string(out, &lp.finish(), opts);
    }
}

/// A score as `d2string` prints it into a sorted set's listpack: an integer when the
/// double is one (within ±2^62), `-0`, else `%.17g`.
fn score_text(score: f64) -> String {
    const HALF_LLONG: f64 = (i64::MAX / 2) as f64;
    if score == 0.0 {
        if score.is_sign_negative() { "-0" } else { "0" }.to_string()
    } else if (-HALF_LLONG..=HALF_LLONG).contains(&score) && score.fract() == 0.0 {
        (score as i64).to_string()
    } else {
        crate::resp::format_double(score)
    }
}

fn save_hash(out: &mut Vec<u8>, hash: &Hash, opts: &SaveOptions) {
    if hash.is_hashtable() {
        save_len(out, hash.len() as u64);
        for (field, value) in hash.iter() {
            save_string(out, field, opts);
            save_string(out, value, opts);
        }
    } else {
        let mut lp = ListpackWriter::new();
        for (field, value) in hash.iter() {
            lp.push(field);
            lp.push(value);
        }
        save_string(out, &lp.finish(), opts);
    }
}
