//! MEMORY USAGE / HELP.
//!
//! MEMORY USAGE is an estimate built the way Redis's `objectComputeSize` builds it —
//! object header, SDS headers, listpack and intset byte layouts, dict tables and
//! entries, each allocation rounded up to a jemalloc size class — from what redsim
//! knows. It matches Redis for strings and small (listpack/intset) collections created
//! in one go; it differs where Redis's figure depends on allocation history (greedy SDS
//! growth after APPEND, quicklist node splits, skiplist levels, dict rehashing) and for
//! sampled collections, which Redis samples in its own hash order.

use super::{args, flags::*, object::encoding_of, CommandSpec, Ctx};
use crate::db::{Entry, Value};
use crate::resp::{errors, Reply};

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("memory", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("usage", -3, READONLY, usage)
            .keys(2, 2, 1)
            .acl("read slow"),
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow"),
    ])];

/// MEMORY USAGE key [SAMPLES count]: bytes used by the key and its value, or nil.
fn usage(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut samples: i64 = 5;
    let mut j = 3;
    while j < argv.len() {
        if args::is(&argv[j], "SAMPLES") && j + 1 < argv.len() {
            samples = match args::int(&argv[j + 1]) {
                Ok(n) if n < 0 => return Reply::error(errors::SYNTAX),
                Ok(0) => i64::MAX,
                Ok(n) => n,
                Err(e) => return e,
            };
            j += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    let now = ctx.now_ms;
    let config = ctx.store.config.clone();
    let key = &argv[2];
    match ctx.db().peek(key, now) {
        None => Reply::Null,
        Some(entry) => {
            let value = value_size(entry, &config, samples as usize);
            Reply::Integer((value + sds_size(key.len()) + DICT_ENTRY) as i64)
        }
    }
}

/// The estimate of the whole dataset: what MEMORY USAGE gives for every key (expired ones
/// still stored count, as in Redis until they are reclaimed). INFO's `used_memory_dataset`.
pub(crate) fn dataset_bytes(store: &crate::store::Store) -> usize {
    let mut total = 0;
    for db in &store.dbs {
        for (key, entry) in db.entries_full() {
            total += value_size(entry, &store.config, 5) + sds_size(key.len()) + DICT_ENTRY;
        }
    }
    total
}

const ROBJ: usize = 16;
const DICT_ENTRY: usize = 24;
const DICT: usize = 56;
const QUICKLIST: usize = 40;
const QUICKLIST_NODE: usize = 40;
/// `list-max-listpack-size -2`: 8 KB per quicklist node.
const LIST_NODE_BYTES: usize = 8192;

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
fn sds_size(len: usize) -> usize {
    let header = match len {
        0..=31 => 1,
        32..=255 => 3,
        256..=65535 => 5,
        _ => 9,
    };
    jemalloc_class(header + len + 1)
}

fn value_size(entry: &Entry, config: &crate::config::Config, samples: usize) -> usize {
    let encoding = encoding_of(entry, config);
    match &entry.value {
        Value::Str(s) => match encoding {
            "int" => ROBJ,
            "embstr" => jemalloc_class(ROBJ + 3 + s.len() + 1),
            _ if entry.enc == crate::db::StrEnc::Raw && s.len() < 1024 * 1024 => {
                // APPEND/SETRANGE grow the SDS greedily (twice the needed length).
                ROBJ + jemalloc_class(3 + 2 * s.len() + 1)
            }
            _ => ROBJ + sds_size(s.len()),
        },
        Value::List(list) => {
            let mut size = ROBJ + QUICKLIST;
            let mut node = LISTPACK_EMPTY;
            for item in list {
                let e = listpack_entry(item);
                if node + e > LIST_NODE_BYTES && node > LISTPACK_EMPTY {
                    size += QUICKLIST_NODE + jemalloc_class(node);
                    node = LISTPACK_EMPTY;
                }
                node += e;
            }
            if !list.is_empty() {
                size += QUICKLIST_NODE + jemalloc_class(node);
            }
            size
        }
        Value::Hash(hash) => match encoding {
            "listpack" => {
                let bytes: usize = hash
                    .iter()
                    .map(|(f, v)| listpack_entry(f) + listpack_entry(v))
                    .sum();
                ROBJ + jemalloc_class(LISTPACK_EMPTY + bytes)
            }
            _ => dict_size(
                hash.len(),
                hash.iter()
                    .map(|(f, v)| sds_size(f.len()) + sds_size(v.len()) + DICT_ENTRY),
                samples,
            ),
        },
        Value::Set(set) => match encoding {
            "intset" => {
                let width = set
                    .iter()
                    .filter_map(|m| args::parse_i64(m))
                    .map(|n| {
                        if i16::try_from(n).is_ok() {
                            2
                        } else if i32::try_from(n).is_ok() {
                            4
                        } else {
                            8
                        }
                    })
                    .max()
                    .unwrap_or(2);
                ROBJ + jemalloc_class(8 + width * set.len())
            }
            _ => dict_size(
                set.len(),
                set.iter().map(|m| sds_size(m.len()) + DICT_ENTRY),
                samples,
            ),
        },
        Value::ZSet(zset) => {
            let members = zset.iter();
            match encoding {
                "listpack" => {
                    let bytes: usize = members
                        .map(|(m, s)| {
                            listpack_entry(m)
                                + listpack_entry(crate::resp::format_double(s).as_bytes())
                        })
                        .sum();
                    ROBJ + jemalloc_class(LISTPACK_EMPTY + bytes)
                }
                _ => {
                    // zset + zskiplist structs and the 32-level skiplist header; nodes
                    // are counted at one level.
                    let header = 16 + 32 + jemalloc_class(24 + 32 * 16);
                    header
                        + dict_size(
                            zset.len(),
                            members.map(|(m, _)| sds_size(m.len()) + DICT_ENTRY + 48),
                            samples,
                        )
                }
            }
        }
    }
}

/// A dict of `len` entries whose first `samples` element sizes come from `sizes`.
fn dict_size(len: usize, sizes: impl Iterator<Item = usize>, samples: usize) -> usize {
    let slots = len.next_power_of_two().max(4);
    let mut size = ROBJ + DICT + 8 * slots;
    let (mut total, mut seen) = (0usize, 0usize);
    for s in sizes.take(samples) {
        total += s;
        seen += 1;
    }
    if seen > 0 {
        size += (total as f64 / seen as f64 * len as f64) as usize;
    }
    size
}

/// A listpack's header (total bytes, element count) and end byte.
const LISTPACK_EMPTY: usize = 7;

/// The bytes one element takes in a listpack: encoding, data and back-length.
fn listpack_entry(item: &[u8]) -> usize {
    let body = match args::parse_i64(item) {
        Some(n) if (0..=127).contains(&n) => 1,
        Some(n) if (-4096..=4095).contains(&n) => 2,
        Some(n) if i16::try_from(n).is_ok() => 3,
        Some(n) if (-(1 << 23)..(1 << 23)).contains(&n) => 4,
        Some(n) if i32::try_from(n).is_ok() => 5,
        Some(_) => 9,
        None if item.len() < 64 => 1 + item.len(),
        None if item.len() < 4096 => 2 + item.len(),
        None => 5 + item.len(),
    };
    let backlen = match body {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    };
    body + backlen
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("memory");
    }
    let lines = [
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
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
}
