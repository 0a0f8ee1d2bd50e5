//! SORT and SORT_RO (Redis's `sort.c`).
//!
//! `SORT key [BY pattern] [LIMIT offset count] [GET pattern …] [ASC|DESC] [ALPHA]
//! [STORE destination]` sorts the elements of a list, set or sorted set — numerically
//! by default (each element, or its BY weight, read as a double), or as strings with
//! ALPHA. Equal numeric weights are ordered by the elements' bytes; ALPHA compares with
//! `strcoll` (redsim: the C / C.UTF-8 collation, bytes up to the first NUL), or by bytes
//! when storing. A BY pattern without `*` (`BY nosort`) skips sorting: lists and sorted
//! sets keep their own order (DESC reverses it), except that a set is then still sorted
//! ALPHA when storing or inside a script (so replicas and AOF see the same result).
//!
//! Patterns: the first `*` is replaced by the element; `key*->field` reads a hash field;
//! `GET #` is the element itself. A missing weight sorts as 0 (numeric) or first (ALPHA);
//! a missing GET value answers nil, or an empty string in a STOREd list. STORE replaces
//! the destination by a list (no TTL) and answers its length; an empty result deletes it.
//! SORT_RO is SORT without STORE. A sorted set that is sorted becomes (and stays)
//! `skiplist`-encoded.
//!
//! Not reproduced: Redis 7.0 tests `errno == ERANGE` after `strtod` without clearing
//! `errno` first, so once a weight has overflowed (`1e400`), later SORTs that parse text
//! weights fail with the conversion error until some other code clears `errno`. redsim
//! judges each weight on its own.

use super::args_range::strtod;
use super::bitops::c_is;
use super::pqsort::pqsort;
use super::{args, c_str, flags::*, CommandSpec, Ctx};
use crate::db::{List, Value};
use crate::resp::{errors, Reply};
use crate::store::notify;
use std::cmp::Ordering;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sort", -2, WRITE | DENYOOM | SIGNALS_OWN_KEYS, sort)
        .keys(1, 1, 1)
        .key_finder(sort_keys)
        .acl("write set sortedset list slow dangerous"),
    CommandSpec::new("sort_ro", -2, READONLY, sort_ro)
        .keys(1, 1, 1)
        .key_finder(sort_ro_keys)
        .acl("read set sortedset list slow dangerous"),
];

/// Redis's `sortGetKeys`: the sorted key, and the key of the last STORE. Options are
/// skipped by their argument counts (LIMIT 2, GET 1, BY 1); a STORE's argument is
/// scanned as an option word in turn, as in Redis.
pub(crate) fn sort_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    let mut keys = vec![1];
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let word = &argv[i];
        if c_is(word, "limit") {
            i += 2;
        } else if c_is(word, "get") || c_is(word, "by") {
            i += 1;
        } else if c_is(word, "store") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    keys.extend(store);
    keys
}

/// SORT_RO's keys: the sorted key (the BY / GET keys cannot be known in advance, which
/// is why Redis marks it as having movable keys).
fn sort_ro_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    if argv.len() > 1 {
        vec![1]
    } else {
        Vec::new()
    }
}

/// Whether a SORT line looks keys up through patterns (a BY or GET with a `*`), so that
/// what it reads depends on the data.
pub(crate) fn reads_pattern_keys(argv: &[Vec<u8>]) -> bool {
    let mut i = 2;
    while i < argv.len() {
        if (c_is(&argv[i], "by") || c_is(&argv[i], "get")) && i + 1 < argv.len() {
            if c_str(&argv[i + 1], usize::MAX).contains(&b'*') {
                return true;
            }
            i += 1;
        } else if c_is(&argv[i], "limit") {
            i += 2;
        }
        i += 1;
    }
    false
}

fn sort(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    sort_generic(ctx, argv, false)
}

fn sort_ro(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    sort_generic(ctx, argv, true)
}

/// What the options asked for.
struct Options<'a> {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    limit_count: i64,
    store: Option<&'a [u8]>,
    by: Option<&'a [u8]>,
    /// BY a pattern without `*`: no sorting.
    dont_sort: bool,
    gets: Vec<&'a [u8]>,
}

/// `all_keys_readable`: whether the user may read any key (BY and GET read keys no key
/// spec names, so Redis allows them only then).
fn parse_options(
    argv: &[Vec<u8>],
    read_only: bool,
    all_keys_readable: bool,
) -> Result<Options<'_>, Reply> {
    let mut o = Options {
        desc: false,
        alpha: false,
        limit_start: 0,
        limit_count: -1,
        store: None,
        by: None,
        dont_sort: false,
        gets: Vec::new(),
    };
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let word = &argv[j];
        if c_is(word, "asc") {
            o.desc = false;
        } else if c_is(word, "desc") {
            o.desc = true;
        } else if c_is(word, "alpha") {
            o.alpha = true;
        } else if c_is(word, "limit") && left >= 2 {
            o.limit_start = args::int(&argv[j + 1])?;
            o.limit_count = args::int(&argv[j + 2])?;
            j += 2;
        } else if !read_only && c_is(word, "store") && left >= 1 {
            o.store = Some(&argv[j + 1]);
            j += 1;
        } else if c_is(word, "by") && left >= 1 {
            o.by = Some(&argv[j + 1]);
            o.dont_sort = !c_str(&argv[j + 1], usize::MAX).contains(&b'*');
            if !o.dont_sort && !all_keys_readable {
                return Err(Reply::error(
                    "ERR BY option of SORT denied due to insufficient ACL permissions.",
                ));
            }
            j += 1;
        } else if c_is(word, "get") && left >= 1 {
            if !all_keys_readable {
                return Err(Reply::error(
                    "ERR GET option of SORT denied due to insufficient ACL permissions.",
                ));
            }
            o.gets.push(&argv[j + 1]);
            j += 1;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    Ok(o)
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the first `*` is
/// replaced by the element and the key read — a string, or with `->field` after the `*`
/// a hash field. Anything else (no `*`, no key, another type) is `None`.
fn lookup_by_pattern(ctx: &mut Ctx<'_>, pattern: &[u8], element: &[u8]) -> Option<Vec<u8>> {
    let text = c_str(pattern, usize::MAX);
    if text == b"#" {
        return Some(element.to_vec());
    }
    let star = text.iter().position(|&b| b == b'*')?;
    let field_at = text[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|p| star + 1 + p)
        .filter(|&at| at + 2 < text.len());
    let key_end = field_at.unwrap_or(pattern.len());
    let mut key = pattern[..star].to_vec();
    key.extend_from_slice(element);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let now = ctx.now_ms;
    match (ctx.db().get(&key, now)?, field_at) {
        (Value::Hash(hash), Some(at)) => hash.get(&pattern[at + 2..]).cloned(),
        (Value::Str(s), None) => Some(s.clone()),
        _ => None,
    }
}

/// One element to sort and what it sorts by.
struct Item {
    element: Vec<u8>,
    score: f64,
    /// ALPHA BY: the weight, `None` when missing.
    weight: Option<Vec<u8>>,
}

/// The elements of the value to sort (in the order Redis loads them), or WRONGTYPE.
/// With no sorting to do on a list or sorted set, only the LIMIT range is loaded, in
/// the requested direction; `ranged` tells whether that happened.
fn load(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    o: &Options<'_>,
    in_script: bool,
) -> Result<(Vec<Vec<u8>>, bool, bool), Reply> {
    let now = ctx.now_ms;
    if let Some(Value::ZSet(zset)) = ctx.db().get(key, now) {
        if !zset.is_skiplist() {
            // Redis converts the sorted set it sorts to a skiplist, and it stays one.
            if let Some(Value::ZSet(zset)) = ctx.db().get_mut(key, now) {
                zset.convert_to_skiplist();
            }
        }
    }
    let value = ctx.db().get(key, now);
    let (elements, ordered) = match value {
        None => (Vec::new(), true),
        Some(Value::List(list)) => (list.iter().cloned().collect(), true),
        Some(Value::Set(set)) => (set.ordered().into_iter().cloned().collect(), false),
        Some(Value::ZSet(zset)) => (zset.iter().map(|(m, _)| m.to_vec()).collect(), true),
        Some(_) => return Err(Reply::error(errors::WRONGTYPE)),
    };
    // A set has no order of its own: with no sort asked, one is still forced when the
    // result is stored or a script runs the command.
    let force_sort = o.dont_sort && !ordered && (o.store.is_some() || in_script);
    Ok((elements, ordered, force_sort))
}

fn sort_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], read_only: bool) -> Reply {
    let readable = super::acl_check::all_keys_readable(ctx, argv);
    let mut o = match parse_options(argv, read_only, readable) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let in_script = ctx.caller == super::Caller::Script;
    let (mut elements, ordered, force_sort) = match load(ctx, &argv[1], &o, in_script) {
        Ok(loaded) => loaded,
        Err(e) => return e,
    };
    if force_sort {
        o.dont_sort = false;
        o.alpha = true;
        o.by = None;
    }
    let len = elements.len() as i64;
    let mut start = o.limit_start.clamp(0, len);
    let count = o.limit_count.clamp(-1, len);
    let mut end = if count < 0 {
        len - 1
    } else {
        start + count - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    if o.dont_sort && ordered {
        // Lists and sorted sets in their own order: just the range, DESC from the tail.
        if o.desc {
            elements.reverse();
        }
        let range = if end >= start {
            elements.drain(start as usize..=end as usize).collect()
        } else {
            Vec::new()
        };
        elements = range;
        end -= start;
        start = 0;
    }
    let mut items: Vec<Item> = elements
        .into_iter()
        .map(|element| Item {
            element,
            score: 0.0,
            weight: None,
        })
        .collect();
    let mut conversion_error = false;
    if !o.dont_sort {
        for item in &mut items {
            let by_value = match o.by {
                Some(pattern) => match lookup_by_pattern(ctx, pattern, &item.element) {
                    Some(v) => v,
                    None => continue,
                },
                None => item.element.clone(),
            };
            if o.alpha {
                if o.by.is_some() {
                    item.weight = Some(by_value);
                }
            } else {
                let text = c_str(&by_value, usize::MAX);
                let (score, used, erange) = strtod(text);
                item.score = score;
                if used < text.len() || erange || score.is_nan() {
                    conversion_error = true;
                }
            }
        }
        if !conversion_error {
            let binary = o.store.is_some();
            let by_pattern = o.by.is_some();
            let (alpha, desc) = (o.alpha, o.desc);
            let mut cmp = |a: &Item, b: &Item| {
                let c = compare(a, b, alpha, by_pattern, binary);
                if desc {
                    c.reverse()
                } else {
                    c
                }
            };
            if by_pattern && (start != 0 || end != len - 1) {
                pqsort(&mut items, start, end, &mut cmp);
            } else {
                // glibc's qsort is a merge sort: stable, as Rust's.
                items.sort_by(cmp);
            }
        }
    }
    if conversion_error {
        return Reply::error("ERR One or more scores can't be converted into double");
    }
    let chosen = if end >= start {
        &items[start as usize..=end as usize]
    } else {
        &[][..]
    };
    match o.store {
        None => {
            let mut out = Vec::new();
            for item in chosen {
                if o.gets.is_empty() {
                    out.push(Reply::Bulk(item.element.clone()));
                }
                for pattern in &o.gets {
                    out.push(match lookup_by_pattern(ctx, pattern, &item.element) {
                        Some(v) => Reply::Bulk(v),
                        None => Reply::Null,
                    });
                }
            }
            Reply::Array(out)
        }
        Some(dest) => {
            let mut list = List::new();
            for item in chosen {
                if o.gets.is_empty() {
                    list.push_back(item.element.clone());
                }
                for pattern in &o.gets {
                    let value = lookup_by_pattern(ctx, pattern, &item.element);
                    list.push_back(value.unwrap_or_default());
                }
            }
            let stored = list.len() as i64;
            if stored > 0 {
                ctx.db().set(dest, Value::List(list));
                ctx.notify(notify::LIST, "sortstore", dest);
                ctx.dirty(stored as u64);
                ctx.touch(dest);
            } else if ctx.db().remove(dest).is_some() {
                ctx.notify(notify::GENERIC, "del", dest);
                ctx.dirty(1);
                ctx.touch(dest);
            }
            Reply::Integer(stored)
        }
    }
}

/// Redis's `sortCompare` before DESC is applied.
fn compare(a: &Item, b: &Item, alpha: bool, by_pattern: bool, binary: bool) -> Ordering {
    let strings = |x: &[u8], y: &[u8]| {
        if binary {
            x.cmp(y)
        } else {
            // strcoll in the C locale: bytes up to the first NUL.
            c_str(x, usize::MAX).cmp(c_str(y, usize::MAX))
        }
    };
    if !alpha {
        if a.score > b.score {
            Ordering::Greater
        } else if a.score < b.score {
            Ordering::Less
        } else {
            a.element.cmp(&b.element)
        }
    } else if by_pattern {
        match (&a.weight, &b.weight) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => strings(x, y),
        }
    } else {
        strings(&a.element, &b.element)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn the_last_store_is_the_key() {
        assert_eq!(sort_keys(&argv("SORT k STORE a STORE b")), vec![1, 5]);
        assert_eq!(sort_keys(&argv("SORT k LIMIT 0 1 STORE d")), vec![1, 6]);
        assert_eq!(sort_keys(&argv("SORT k GET store STORE")), vec![1]);
    }

    #[test]
    fn pattern_reads_are_noticed() {
        assert!(reads_pattern_keys(&argv("SORT k BY w_*")));
        assert!(!reads_pattern_keys(&argv("SORT k BY nosort GET #")));
    }
}
