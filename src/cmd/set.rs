//! Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER,
//! SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE, SMOVE, SSCAN.
//!
//! Sets hold distinct byte strings. A missing key reads as an empty set; a set left
//! empty is deleted. Whole-set replies are RESP3 sets (arrays in RESP2).

use super::args_range::long_in;
use super::hash::random_picks;
use super::typed::{self, db_and_config, keys_after_numkeys};
use super::{args, flags::*, scan, CommandSpec, Ctx};
use crate::db::{Set, Value};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sadd", -3, WRITE | DENYOOM | FAST, sadd)
        .keys(1, 1, 1)
        .acl("write set fast"),
    CommandSpec::new("srem", -3, WRITE | FAST, srem)
        .keys(1, 1, 1)
        .acl("write set fast"),
    CommandSpec::new("smembers", 2, READONLY, smembers)
        .keys(1, 1, 1)
        .acl("read set slow"),
    CommandSpec::new("sismember", 3, READONLY | FAST, sismember)
        .keys(1, 1, 1)
        .acl("read set fast"),
    CommandSpec::new("smismember", -3, READONLY | FAST, smismember)
        .keys(1, 1, 1)
        .acl("read set fast"),
    CommandSpec::new("scard", 2, READONLY | FAST, scard)
        .keys(1, 1, 1)
        .acl("read set fast"),
    CommandSpec::new("spop", -2, WRITE | FAST, spop)
        .keys(1, 1, 1)
        .acl("write set fast"),
    CommandSpec::new("srandmember", -2, READONLY, srandmember)
        .keys(1, 1, 1)
        .acl("read set slow"),
    CommandSpec::new("sinter", -2, READONLY, sinter)
        .keys(1, -1, 1)
        .acl("read set slow"),
    CommandSpec::new("sintercard", -3, READONLY | MOVABLEKEYS, sintercard)
        .key_finder(keys_after_numkeys)
        .acl("read set slow"),
    CommandSpec::new("sunion", -2, READONLY, sunion)
        .keys(1, -1, 1)
        .acl("read set slow"),
    CommandSpec::new("sdiff", -2, READONLY, sdiff)
        .keys(1, -1, 1)
        .acl("read set slow"),
    CommandSpec::new("sinterstore", -3, WRITE | DENYOOM, sinterstore)
        .keys(1, -1, 1)
        .acl("write set slow"),
    CommandSpec::new("sunionstore", -3, WRITE | DENYOOM, sunionstore)
        .keys(1, -1, 1)
        .acl("write set slow"),
    CommandSpec::new("sdiffstore", -3, WRITE | DENYOOM, sdiffstore)
        .keys(1, -1, 1)
        .acl("write set slow"),
    CommandSpec::new("smove", 4, WRITE | FAST | SIGNALS_OWN_KEYS, smove)
        .keys(1, 2, 1)
        .acl("write set fast"),
    CommandSpec::new("sscan", -3, READONLY, sscan)
        .keys(1, 1, 1)
        .acl("read set slow"),
];

fn members_reply<'a>(members: impl IntoIterator<Item = &'a Vec<u8>>) -> Reply {
    Reply::Set(
        members
            .into_iter()
            .map(|m| Reply::Bulk(m.clone()))
            .collect(),
    )
}

/// SADD key member…: how many members were new.
fn sadd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let set = match typed::set_or_create(db, &argv[1], now) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let added = argv[2..].iter().filter(|m| set.insert(m, config)).count();
    ctx.dirty(added as u64);
    if added > 0 {
        ctx.notify(notify::SET, "sadd", &argv[1]);
    }
    Reply::Integer(added as i64)
}

/// SREM key member…: how many members were removed.
fn srem(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    let set = match typed::set(db, &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(s)) => s,
    };
    let removed = argv[2..].iter().filter(|m| set.remove(m)).count();
    typed::remove_if_empty(db, &argv[1], now);
    ctx.dirty(removed as u64);
    if removed > 0 {
        ctx.notify(notify::SET, "srem", &argv[1]);
        super::key_events::notify_if_removed(ctx, &argv[1]);
    }
    Reply::Integer(removed as i64)
}

fn smembers(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::set(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(None) => Reply::Set(Vec::new()),
        Ok(Some(set)) => members_reply(set.ordered()),
    }
}

fn sismember(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::set(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(set) => Reply::Integer(set.is_some_and(|s| s.contains(&argv[2])) as i64),
    }
}

fn smismember(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::set(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(set) => Reply::Array(
            argv[2..]
                .iter()
                .map(|m| Reply::Integer(set.as_ref().is_some_and(|s| s.contains(m)) as i64))
                .collect(),
        ),
    }
}

fn scard(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::set(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(set) => Reply::Integer(set.map_or(0, |s| s.len() as i64)),
    }
}

/// SPOP key [count]: removes and returns a random member (nil when missing), or with a
/// count up to count distinct members as a set.
fn spop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 3 {
        return Reply::error(errors::SYNTAX);
    }
    let count = match argv.get(2) {
        None => None,
        Some(arg) => match long_in(arg, 0, i64::MAX, "value is out of range, must be positive") {
            Ok(n) => Some(n as usize),
            Err(e) => return e,
        },
    };
    let now = ctx.now_ms;
    let len = match typed::set(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => {
            return if count.is_some() {
                Reply::Set(Vec::new())
            } else {
                Reply::Null
            }
        }
        Ok(Some(set)) => set.len(),
    };
    if count == Some(0) {
        return Reply::Set(Vec::new());
    }
    let wanted = count.unwrap_or(1).min(len);
    let mut popped = Vec::with_capacity(wanted);
    if wanted == len {
        if let Some(Value::Set(set)) = ctx.db().remove(&argv[1]) {
            popped.extend(set.ordered().into_iter().cloned());
        }
    } else {
        for _ in 0..wanted {
            let index = ctx.random_below((len - popped.len()) as u64) as usize;
            if let Ok(Some(set)) = typed::set(ctx.db(), &argv[1], now) {
                if let Some(m) = set.remove_index(index) {
                    popped.push(m);
                }
            }
        }
    }
    ctx.dirty(popped.len() as u64);
    if !popped.is_empty() {
        ctx.notify(notify::SET, "spop", &argv[1]);
        super::key_events::notify_removed_after_reply(ctx, &argv[1]);
    }
    match count {
        None => Reply::bulk_or_null(popped.into_iter().next()),
        Some(_) => members_reply(&popped),
    }
}

/// SRANDMEMBER key [count]: a random member (nil when missing), or with a count an array
/// of up to count distinct members (negative: |count| members that may repeat).
fn srandmember(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 3 {
        return Reply::error(errors::SYNTAX);
    }
    let count = match argv.get(2) {
        None => None,
        Some(arg) => match args::parse_i64(arg) {
            None => return Reply::error(errors::NOT_INTEGER),
            Some(i64::MIN) => {
                return Reply::error(format!(
                    "ERR value is out of range, value must between {} and {}",
                    -i64::MAX,
                    i64::MAX
                ))
            }
            Some(n) => Some(n),
        },
    };
    let now = ctx.now_ms;
    let set = match typed::set(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => {
            return if count.is_some() {
                Reply::Array(Vec::new())
            } else {
                Reply::Null
            }
        }
        Ok(Some(set)) => set.clone(),
    };
    match count {
        None => {
            let index = ctx.random_below(set.len() as u64) as usize;
            Reply::bulk_or_null(set.get_index(index).cloned())
        }
        Some(n) if n >= set.len() as i64 => {
            Reply::array_of_bulks(set.ordered().into_iter().cloned())
        }
        Some(n) => {
            let picks = random_picks(ctx, set.len(), n);
            Reply::array_of_bulks(picks.into_iter().filter_map(|i| set.get_index(i).cloned()))
        }
    }
}

/// Reads every key as a set (missing: `None`); WRONGTYPE if any holds another type.
fn load_sets(ctx: &mut Ctx<'_>, keys: &[Vec<u8>]) -> Result<Vec<Option<Set>>, Reply> {
    let now = ctx.now_ms;
    let db = ctx.db();
    keys.iter()
        .map(|k| typed::set(db, k, now).map(|s| s.cloned()))
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Inter,
    Union,
    Diff,
}

/// The members of the intersection, union or difference, in the order Redis produces
/// them for intsets (the smallest set walked first for an intersection).
fn combine(sets: &[Option<Set>], op: Op, limit: usize) -> Set {
    let config = crate::config::Config::default();
    let mut out = Set::new();
    match op {
        Op::Inter => {
            if sets.iter().any(Option::is_none) {
                return out;
            }
            let mut order: Vec<&Set> = sets.iter().flatten().collect();
            order.sort_by_key(|s| s.len());
            let Some((first, rest)) = order.split_first() else {
                return out;
            };
            for m in first.ordered() {
                if rest.iter().all(|s| s.contains(m)) {
                    out.insert(m, &config);
                    if out.len() >= limit {
                        break;
                    }
                }
            }
        }
        Op::Union => {
            for set in sets.iter().flatten() {
                for m in set.ordered() {
                    out.insert(m, &config);
                }
            }
        }
        Op::Diff => {
            let Some(Some(first)) = sets.first() else {
                return out;
            };
            for m in first.ordered() {
                if !sets[1..].iter().flatten().any(|s| s.contains(m)) {
                    out.insert(m, &config);
                }
            }
        }
    }
    out
}

fn read_op(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], op: Op) -> Reply {
    match load_sets(ctx, &argv[1..]) {
        Err(e) => e,
        Ok(sets) => members_reply(combine(&sets, op, usize::MAX).ordered()),
    }
}

fn sinter(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    read_op(ctx, argv, Op::Inter)
}

fn sunion(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    read_op(ctx, argv, Op::Union)
}

fn sdiff(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    read_op(ctx, argv, Op::Diff)
}

/// SINTERSTORE/SUNIONSTORE/SDIFFSTORE destination key…: stores the result (replacing
/// whatever the destination held, or deleting it when the result is empty); its size.
fn store_op(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], op: Op) -> Reply {
    let sets = match load_sets(ctx, &argv[2..]) {
        Err(e) => return e,
        Ok(sets) => sets,
    };
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let mut result = Set::new();
    for m in combine(&sets, op, usize::MAX).ordered() {
        result.insert(m, config);
    }
    let len = result.len();
    if len == 0 {
        if db.get(&argv[1], now).is_some() {
            db.remove(&argv[1]);
            ctx.dirty(1);
            ctx.notify_after_reply(notify::GENERIC, "del", &argv[1]);
        }
    } else {
        db.set(&argv[1], Value::Set(result));
        ctx.dirty(1);
        let event = match op {
            Op::Inter => "sinterstore",
            Op::Union => "sunionstore",
            Op::Diff => "sdiffstore",
        };
        ctx.notify_after_reply(notify::SET, event, &argv[1]);
    }
    Reply::Integer(len as i64)
}

fn sinterstore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    store_op(ctx, argv, Op::Inter)
}

fn sunionstore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    store_op(ctx, argv, Op::Union)
}

fn sdiffstore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    store_op(ctx, argv, Op::Diff)
}

/// SINTERCARD numkeys key… [LIMIT limit]: the size of the intersection, counting stops
/// at limit (0: no limit).
fn sintercard(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let numkeys = match long_in(&argv[1], 1, i64::MAX, "numkeys should be greater than 0") {
        Ok(n) => n as usize,
        Err(e) => return e,
    };
    if numkeys > argv.len() - 2 {
        return Reply::error("ERR Number of keys can't be greater than number of args");
    }
    let mut limit = 0usize;
    let mut i = 2 + numkeys;
    while i < argv.len() {
        if args::is(&argv[i], "limit") && i + 1 < argv.len() {
            limit = match long_in(&argv[i + 1], 0, i64::MAX, "LIMIT can't be negative") {
                Ok(n) => n as usize,
                Err(e) => return e,
            };
            i += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    match load_sets(ctx, &argv[2..2 + numkeys]) {
        Err(e) => e,
        Ok(sets) => {
            let limit = if limit == 0 { usize::MAX } else { limit };
            Reply::Integer(combine(&sets, Op::Inter, limit).len() as i64)
        }
    }
}

/// SMOVE source destination member: 1 when the member moved, 0 when it was not in the
/// source (or the source is missing).
fn smove(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    let (src, dst, member) = (&argv[1], &argv[2], &argv[3]);
    // A missing source answers 0 before the destination's type is looked at.
    let in_src = match typed::set(db, src, now) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(s)) => s.contains(member),
    };
    if let Err(e) = typed::set(db, dst, now) {
        return e;
    }
    if src == dst {
        return Reply::Integer(in_src as i64);
    }
    if !in_src {
        return Reply::Integer(0);
    }
    if let Ok(Some(s)) = typed::set(db, src, now) {
        s.remove(member);
    }
    typed::remove_if_empty(db, src, now);
    ctx.notify(notify::SET, "srem", src);
    super::key_events::notify_if_removed(ctx, src);
    let (db, config) = db_and_config(ctx);
    let added = match typed::set_or_create(db, dst, now) {
        Ok(target) => target.insert(member, config),
        Err(_) => false,
    };
    // As Redis: the source changed; the destination only if the member was new there.
    ctx.dirty(1);
    ctx.touch(src);
    if added {
        ctx.dirty(1);
        ctx.touch(dst);
        ctx.notify(notify::SET, "sadd", dst);
    }
    Reply::Integer(1)
}

/// SSCAN key cursor [MATCH pattern] [COUNT count].
fn sscan(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let parsed = match scan::parse(argv) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let set = match typed::set(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return scan::reply(0, Vec::new()),
        Ok(Some(s)) => s,
    };
    let whole = !set.is_hashtable();
    let (start, end, next) = parsed.window(whole, set.len());
    let members: Vec<&Vec<u8>> = if whole {
        set.ordered()
    } else {
        (start..end).filter_map(|i| set.get_index(i)).collect()
    };
    let items = members
        .into_iter()
        .filter(|m| parsed.matches(m))
        .map(|m| Reply::Bulk(m.clone()))
        .collect();
    scan::reply(next, items)
}
