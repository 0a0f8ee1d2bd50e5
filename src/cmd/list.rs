//! List commands on one list: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LRANGE, LLEN,
//! LINDEX, LSET, LREM, LTRIM, LINSERT, LPOS. Those that move elements between lists or
//! pick one of several (LMOVE, RPOPLPUSH, LMPOP) are in `list_move.rs`; the blocking
//! variants in `blocking.rs`.
//!
//! Lists are sequences of byte strings, pushed and popped at either end. A list that
//! becomes empty is deleted; a missing key reads as an empty list.

use super::args_range::{long, long_in};
use super::typed;
use super::{args, flags::*, CommandSpec, Ctx};
use crate::db::Db;
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("lpush", -3, WRITE | DENYOOM | FAST, lpush)
        .keys(1, 1, 1)
        .acl("write list fast"),
    CommandSpec::new("rpush", -3, WRITE | DENYOOM | FAST, rpush)
        .keys(1, 1, 1)
        .acl("write list fast"),
    CommandSpec::new("lpushx", -3, WRITE | DENYOOM | FAST, lpushx)
        .keys(1, 1, 1)
        .acl("write list fast"),
    CommandSpec::new("rpushx", -3, WRITE | DENYOOM | FAST, rpushx)
        .keys(1, 1, 1)
        .acl("write list fast"),
    CommandSpec::new("lpop", -2, WRITE | FAST, lpop)
        .keys(1, 1, 1)
        .acl("write list fast"),
    CommandSpec::new("rpop", -2, WRITE | FAST, rpop)
        .keys(1, 1, 1)
        .acl("write list fast"),
    CommandSpec::new("lrange", 4, READONLY, lrange)
        .keys(1, 1, 1)
        .acl("read list slow"),
    CommandSpec::new("llen", 2, READONLY | FAST, llen)
        .keys(1, 1, 1)
        .acl("read list fast"),
    CommandSpec::new("lindex", 3, READONLY, lindex)
        .keys(1, 1, 1)
        .acl("read list slow"),
    CommandSpec::new("lset", 4, WRITE | DENYOOM, lset)
        .keys(1, 1, 1)
        .acl("write list slow"),
    CommandSpec::new("lrem", 4, WRITE, lrem)
        .keys(1, 1, 1)
        .acl("write list slow"),
    CommandSpec::new("ltrim", 4, WRITE, ltrim)
        .keys(1, 1, 1)
        .acl("write list slow"),
    CommandSpec::new("linsert", 5, WRITE | DENYOOM, linsert)
        .keys(1, 1, 1)
        .acl("write list slow"),
    CommandSpec::new("lpos", -3, READONLY, lpos)
        .keys(1, 1, 1)
        .acl("read list slow"),
];

/// LPUSH/RPUSH/LPUSHX/RPUSHX key element…: pushes each element in turn; the list's new
/// length. The X forms push only onto an existing list (else 0).
fn push(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], left: bool, only_existing: bool) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    let list = if only_existing {
        match typed::list(db, &argv[1], now) {
            Ok(Some(list)) => list,
            Ok(None) => return Reply::Integer(0),
            Err(e) => return e,
        }
    } else {
        match typed::list_or_create(db, &argv[1], now) {
            Ok(list) => list,
            Err(e) => return e,
        }
    };
    for element in &argv[2..] {
        if left {
            list.push_front(element.clone());
        } else {
            list.push_back(element.clone());
        }
    }
    let len = list.len() as i64;
    ctx.dirty(argv.len() as u64 - 2);
    ctx.notify_after_reply(notify::LIST, super::key_events::push_event(left), &argv[1]);
    Reply::Integer(len)
}

fn lpush(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    push(ctx, argv, true, false)
}

fn rpush(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    push(ctx, argv, false, false)
}

fn lpushx(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    push(ctx, argv, true, true)
}

fn rpushx(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    push(ctx, argv, false, true)
}

/// Pops up to `count` elements from one end of the list under `key`, deleting the key
/// when it empties. `None` when the key is missing.
pub fn pop_elements(
    db: &mut Db,
    key: &[u8],
    left: bool,
    count: usize,
    now: u64,
) -> Result<Option<Vec<Vec<u8>>>, Reply> {
    let Some(list) = typed::list(db, key, now)? else {
        return Ok(None);
    };
    let n = count.min(list.len());
    let popped: Vec<Vec<u8>> = if left {
        list.take_front(n)
    } else {
        (0..n).filter_map(|_| list.pop_back()).collect()
    };
    typed::remove_if_empty(db, key, now);
    Ok(Some(popped))
}

/// LPOP/RPOP key [count]: one element (nil when missing), or with a count an array of
/// up to count elements (a null array when missing, an empty one for count 0).
fn pop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], left: bool) -> Reply {
    if argv.len() > 3 {
        return super::wrong_arity(if left { "lpop" } else { "rpop" });
    }
    let count = match argv.get(2) {
        Some(arg) => match long_in(arg, 0, i64::MAX, "value is out of range, must be positive") {
            Ok(n) => Some(n as usize),
            Err(e) => return e,
        },
        None => None,
    };
    let now = ctx.now_ms;
    let db = ctx.db();
    match typed::list(db, &argv[1], now) {
        Err(e) => return e,
        Ok(None) => {
            return if count.is_some() {
                Reply::NullArray
            } else {
                Reply::Null
            }
        }
        Ok(Some(_)) => {}
    }
    if count == Some(0) {
        return Reply::Array(Vec::new());
    }
    let popped = match pop_elements(db, &argv[1], left, count.unwrap_or(1), now) {
        Ok(Some(popped)) => popped,
        Ok(None) => return Reply::Null,
        Err(e) => return e,
    };
    ctx.dirty(popped.len() as u64);
    super::key_events::notify_popped(ctx, &argv[1], left);
    match count {
        None => Reply::bulk_or_null(popped.into_iter().next()),
        Some(_) => Reply::array_of_bulks(popped),
    }
}

fn lpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    pop(ctx, argv, true)
}

fn rpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    pop(ctx, argv, false)
}

/// LRANGE key start stop: the elements between two indexes, both inclusive; negative
/// indexes count from the end.
fn lrange(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (start, end) = match (long(&argv[2]), long(&argv[3])) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let now = ctx.now_ms;
    match typed::list(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(list)) => match typed::index_range(start, end, list.len()) {
            None => Reply::Array(Vec::new()),
            Some((s, e)) => Reply::array_of_bulks(list.range(s..=e).cloned()),
        },
    }
}

fn llen(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::list(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(list) => Reply::Integer(list.map_or(0, |l| l.len() as i64)),
    }
}

/// Resolves a possibly negative index against a list of `len` elements.
fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let i = if index < 0 { len as i64 + index } else { index };
    (i >= 0 && i < len as i64).then_some(i as usize)
}

/// LINDEX key index: the element at index, nil when out of range or missing.
fn lindex(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let list = match typed::list(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Null,
        Ok(Some(list)) => list,
    };
    let index = match long(&argv[2]) {
        Ok(i) => i,
        Err(e) => return e,
    };
    Reply::bulk_or_null(resolve_index(index, list.len()).map(|i| list[i].clone()))
}

/// LSET key index element: "no such key" for a missing list, "index out of range".
fn lset(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let list = match typed::list(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::error(errors::NO_SUCH_KEY),
        Ok(Some(list)) => list,
    };
    let index = match long(&argv[2]) {
        Ok(i) => i,
        Err(e) => return e,
    };
    match resolve_index(index, list.len()) {
        None => Reply::error(errors::INDEX_OUT_OF_RANGE),
        Some(i) => {
            list.set(i, argv[3].clone());
            ctx.dirty(1);
            ctx.notify_after_reply(notify::LIST, "lset", &argv[1]);
            Reply::ok()
        }
    }
}

/// LREM key count element: removes up to |count| occurrences, from the head when count
/// is positive, from the tail when negative, all of them for 0; how many went.
fn lrem(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let count = match long(&argv[2]) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let db = ctx.db();
    let list = match typed::list(db, &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(list)) => list,
    };
    let limit = if count == 0 {
        usize::MAX
    } else {
        count.unsigned_abs() as usize
    };
    let element = &argv[3];
    let mut removed = 0usize;
    if count >= 0 {
        let mut i = 0;
        while i < list.len() && removed < limit {
            if &list[i] == element {
                list.remove(i);
                removed += 1;
            } else {
                i += 1;
            }
        }
    } else {
        let mut i = list.len();
        while i > 0 && removed < limit {
            i -= 1;
            if &list[i] == element {
                list.remove(i);
                removed += 1;
            }
        }
    }
    typed::remove_if_empty(db, &argv[1], now);
    if removed > 0 {
        ctx.dirty(removed as u64);
        ctx.notify(notify::LIST, "lrem", &argv[1]);
        super::key_events::notify_if_removed(ctx, &argv[1]);
    }
    Reply::Integer(removed as i64)
}

/// LTRIM key start stop: keeps only the given range (deleting the key if none is left).
fn ltrim(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (start, end) = match (long(&argv[2]), long(&argv[3])) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let now = ctx.now_ms;
    let db = ctx.db();
    let list = match typed::list(db, &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::ok(),
        Ok(Some(list)) => list,
    };
    let before = list.len();
    match typed::index_range(start, end, list.len()) {
        None => list.keep(0, 0),
        Some((s, e)) => list.keep(s, e + 1),
    }
    let removed = before - list.len();
    typed::remove_if_empty(db, &argv[1], now);
    ctx.dirty(removed as u64);
    ctx.notify(notify::LIST, "ltrim", &argv[1]);
    super::key_events::notify_if_removed(ctx, &argv[1]);
    Reply::ok()
}

/// LINSERT key BEFORE|AFTER pivot element: the new length, -1 when the pivot is not
/// found, 0 when the key is missing.
fn linsert(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let after = if args::is(&argv[2], "after") {
        true
    } else if args::is(&argv[2], "before") {
        false
    } else {
        return Reply::error(errors::SYNTAX);
    };
    let now = ctx.now_ms;
    let list = match typed::list(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(list)) => list,
    };
    let Some(at) = list.iter().position(|e| e == &argv[3]) else {
        return Reply::Integer(-1);
    };
    list.insert(if after { at + 1 } else { at }, argv[4].clone());
    let len = list.len() as i64;
    ctx.dirty(1);
    ctx.notify(notify::LIST, "linsert", &argv[1]);
    Reply::Integer(len)
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]: the index of the
/// rank-th match (negative ranks search from the tail), or with COUNT an array of up to
/// num-matches indexes (0: all); MAXLEN bounds how many elements are compared.
fn lpos(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut rank: i64 = 1;
    let mut count: Option<i64> = None;
    let mut maxlen: i64 = 0;
    let mut i = 3;
    while i < argv.len() {
        let has_value = i + 1 < argv.len();
        let opt = &argv[i];
        if args::is(opt, "rank") && has_value {
            rank = match long(&argv[i + 1]) {
                Ok(r) => r,
                Err(e) => return e,
            };
            if rank == 0 {
                return Reply::error(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                );
            }
        } else if args::is(opt, "count") && has_value {
            let n = match long(&argv[i + 1]) {
                Ok(n) => n,
                Err(e) => return e,
            };
            if n < 0 {
                return Reply::error("ERR COUNT can't be negative");
            }
            count = Some(n);
        } else if args::is(opt, "maxlen") && has_value {
            maxlen = match long(&argv[i + 1]) {
                Ok(n) => n,
                Err(e) => return e,
            };
            if maxlen < 0 {
                return Reply::error("ERR MAXLEN can't be negative");
            }
        } else {
            return Reply::error(errors::SYNTAX);
        }
        i += 2;
    }
    let now = ctx.now_ms;
    let list = match typed::list(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => {
            return if count.is_some() {
                Reply::Array(Vec::new())
            } else {
                Reply::Null
            }
        }
        Ok(Some(list)) => list,
    };
    // Redis negates the rank in a C long: LLONG_MIN stays negative, so every match counts.
    let from_tail = rank < 0;
    let skip = if rank == i64::MIN {
        0
    } else {
        rank.unsigned_abs() - 1
    };
    let wanted = match count {
        None => 1,
        Some(0) => u64::MAX,
        Some(n) => n as u64,
    };
    let limit = if maxlen == 0 {
        usize::MAX
    } else {
        maxlen as usize
    };
    let len = list.len();
    let mut matches = 0u64;
    let mut found = Vec::new();
    for step in 0..len.min(limit) {
        let index = if from_tail { len - 1 - step } else { step };
        if list[index] == argv[2] {
            matches += 1;
            if matches > skip {
                found.push(Reply::Integer(index as i64));
                if found.len() as u64 >= wanted {
                    break;
                }
            }
        }
    }
    match count {
        Some(_) => Reply::Array(found),
        None => found.into_iter().next().unwrap_or(Reply::Null),
    }
}
