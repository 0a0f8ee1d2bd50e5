//! Sorted-set commands on single members and ends: ZADD, ZINCRBY, ZCARD, ZSCORE,
//! ZMSCORE, ZRANK, ZREVRANK, ZREM, ZPOPMIN, ZPOPMAX, ZMPOP, ZRANDMEMBER, ZSCAN. Ranges
//! are in `zset_range.rs`, unions and intersections in `zset_store.rs`.
//!
//! Members are ordered by score, then bytewise by member. Scores are doubles (±inf
//! allowed, NaN refused) replied as RESP3 doubles (`%.17g` bulk strings in RESP2).

use super::args_range::{double, long_in};
use super::hash::random_picks;
use super::list_move::{parse_mpop, MpopArgs};
use super::typed::{self, db_and_config, keys_after_numkeys, resp3};
use super::{args, flags::*, scan, CommandSpec, Ctx};
use crate::resp::{errors, format_double, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("zadd", -4, WRITE | DENYOOM | FAST, zadd)
        .keys(1, 1, 1)
        .acl("write sortedset fast"),
    CommandSpec::new("zincrby", 4, WRITE | DENYOOM | FAST, zincrby)
        .keys(1, 1, 1)
        .acl("write sortedset fast"),
    CommandSpec::new("zcard", 2, READONLY | FAST, zcard)
        .keys(1, 1, 1)
        .acl("read sortedset fast"),
    CommandSpec::new("zscore", 3, READONLY | FAST, zscore)
        .keys(1, 1, 1)
        .acl("read sortedset fast"),
    CommandSpec::new("zmscore", -3, READONLY | FAST, zmscore)
        .keys(1, 1, 1)
        .acl("read sortedset fast"),
    CommandSpec::new("zrank", 3, READONLY | FAST, zrank)
        .keys(1, 1, 1)
        .acl("read sortedset fast"),
    CommandSpec::new("zrevrank", 3, READONLY | FAST, zrevrank)
        .keys(1, 1, 1)
        .acl("read sortedset fast"),
    CommandSpec::new("zrem", -3, WRITE | FAST, zrem)
        .keys(1, 1, 1)
        .acl("write sortedset fast"),
    CommandSpec::new("zpopmin", -2, WRITE | FAST, zpopmin)
        .keys(1, 1, 1)
        .acl("write sortedset fast"),
    CommandSpec::new("zpopmax", -2, WRITE | FAST, zpopmax)
        .keys(1, 1, 1)
        .acl("write sortedset fast"),
    CommandSpec::new(
        "zmpop",
        -4,
        WRITE | MOVABLEKEYS | TOUCHES_REPLIED_KEY,
        zmpop,
    )
    .key_finder(keys_after_numkeys)
    .acl("write sortedset slow"),
    CommandSpec::new("zrandmember", -2, READONLY, zrandmember)
        .keys(1, 1, 1)
        .acl("read sortedset slow"),
    CommandSpec::new("zscan", -3, READONLY, zscan)
        .keys(1, 1, 1)
        .acl("read sortedset slow"),
];

pub const NAN_SCORE: &str = "ERR resulting score is not a number (NaN)";

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member …]: the number of
/// members added (with CH: added or changed); with INCR the member's new score, or nil
/// when a condition kept it from changing.
pub(crate) fn zadd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (mut nx, mut xx, mut gt, mut lt, mut ch, mut incr) =
        (false, false, false, false, false, false);
    let mut at = 2;
    while at < argv.len() {
        let opt = &argv[at];
        match opt.len() {
            2 if args::is(opt, "nx") => nx = true,
            2 if args::is(opt, "xx") => xx = true,
            2 if args::is(opt, "gt") => gt = true,
            2 if args::is(opt, "lt") => lt = true,
            2 if args::is(opt, "ch") => ch = true,
            4 if args::is(opt, "incr") => incr = true,
            _ => break,
        }
        at += 1;
    }
    let rest = &argv[at..];
    if rest.is_empty() || rest.len() % 2 == 1 {
        return Reply::error(errors::SYNTAX);
    }
    if nx && xx {
        return Reply::error("ERR XX and NX options at the same time are not compatible");
    }
    if [gt, lt, nx].iter().filter(|&&flag| flag).count() > 1 {
        return Reply::error("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if incr && rest.len() > 2 {
        return Reply::error("ERR INCR option supports a single increment-element pair");
    }
    let mut scores = Vec::with_capacity(rest.len() / 2);
    for pair in rest.chunks(2) {
        match double(&pair[0]) {
            Ok(s) => scores.push(s),
            Err(e) => return e,
        }
    }
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let zset = match typed::zset(db, &argv[1], now) {
        Err(e) => return e,
        Ok(Some(z)) => z,
        Ok(None) if xx => return if incr { Reply::Null } else { Reply::Integer(0) },
        Ok(None) => match typed::zset_or_create(db, &argv[1], now) {
            Ok(z) => z,
            Err(e) => return e,
        },
    };
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0u64);
    let mut last_score = None;
    for (pair, &score) in rest.chunks(2).zip(&scores) {
        let member = &pair[1];
        match zset.score(member) {
            Some(current) => {
                if nx {
                    continue;
                }
                let new = if incr { current + score } else { score };
                if new.is_nan() {
                    typed::remove_if_empty(db, &argv[1], now);
                    ctx.dirty(processed);
                    if processed > 0 {
                        ctx.notify_after_reply(
                            notify::ZSET,
                            if incr { "zincr" } else { "zadd" },
                            &argv[1],
                        );
                    }
                    return Reply::error(NAN_SCORE);
                }
                if (lt && new >= current) || (gt && new <= current) {
                    continue;
                }
                last_score = Some(new);
                if new != current {
                    zset.insert(member, new, config);
                    updated += 1;
                    processed += 1;
                }
            }
            None => {
                if xx {
                    continue;
                }
                zset.insert_new(member, score, config);
                added += 1;
                processed += 1;
                last_score = Some(score);
            }
        }
    }
    // Only a key this command created can be empty here (every member was skipped).
    if zset.is_empty() {
        db.remove(&argv[1]);
    }
    ctx.dirty(processed);
    if processed > 0 {
        ctx.notify_after_reply(notify::ZSET, if incr { "zincr" } else { "zadd" }, &argv[1]);
    }
    if incr {
        return last_score.map_or(Reply::Null, Reply::Double);
    }
    Reply::Integer(if ch { added + updated } else { added })
}

/// ZINCRBY key increment member: the member's new score (added at increment if new).
fn zincrby(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let incr = match double(&argv[2]) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let zset = match typed::zset_or_create(db, &argv[1], now) {
        Ok(z) => z,
        Err(e) => return e,
    };
    let new = zset.score(&argv[3]).unwrap_or(0.0) + incr;
    if new.is_nan() {
        typed::remove_if_empty(db, &argv[1], now);
        return Reply::error(NAN_SCORE);
    }
    zset.insert(&argv[3], new, config);
    ctx.dirty(1);
    ctx.notify_after_reply(notify::ZSET, "zincr", &argv[1]);
    Reply::Double(new)
}

fn zcard(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(z) => Reply::Integer(z.map_or(0, |z| z.len() as i64)),
    }
}

fn zscore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(z) => z
            .and_then(|z| z.score(&argv[2]))
            .map_or(Reply::Null, Reply::Double),
    }
}

fn zmscore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(z) => Reply::Array(
            argv[2..]
                .iter()
                .map(|m| {
                    z.as_ref()
                        .and_then(|z| z.score(m))
                        .map_or(Reply::Null, Reply::Double)
                })
                .collect(),
        ),
    }
}

fn rank(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], reverse: bool) -> Reply {
    let now = ctx.now_ms;
    match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(None) => Reply::Null,
        Ok(Some(z)) => match z.rank(&argv[2]) {
            None => Reply::Null,
            Some(r) => Reply::Integer(if reverse {
                (z.len() - 1 - r) as i64
            } else {
                r as i64
            }),
        },
    }
}

fn zrank(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    rank(ctx, argv, false)
}

fn zrevrank(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    rank(ctx, argv, true)
}

/// ZREM key member…: how many members were removed.
fn zrem(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    let zset = match typed::zset(db, &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(z)) => z,
    };
    let removed = argv[2..]
        .iter()
        .filter(|m| zset.remove(m).is_some())
        .count();
    typed::remove_if_empty(db, &argv[1], now);
    ctx.dirty(removed as u64);
    if removed > 0 {
        ctx.notify(notify::ZSET, "zrem", &argv[1]);
        super::key_events::notify_if_removed(ctx, &argv[1]);
    }
    Reply::Integer(removed as i64)
}

/// `[member, score]` pairs: flat in RESP2; in RESP3 nested when `nested`.
pub fn pop_reply(popped: Vec<(Vec<u8>, f64)>, nested: bool) -> Reply {
    if nested {
        Reply::Array(
            popped
                .into_iter()
                .map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)]))
                .collect(),
        )
    } else {
        Reply::Array(
            popped
                .into_iter()
                .flat_map(|(m, s)| [Reply::Bulk(m), Reply::Double(s)])
                .collect(),
        )
    }
}

/// A member and its score, as popped.
type ScoredMember = (Vec<u8>, f64);

/// Pops up to `count` lowest (or highest) members of the sorted set under `key`,
/// deleting it when emptied; `None` when the key is missing.
fn pop_members(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    max: bool,
    count: usize,
) -> Result<Option<Vec<ScoredMember>>, Reply> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let Some(zset) = typed::zset(db, key, now)? else {
        return Ok(None);
    };
    let popped: Vec<(Vec<u8>, f64)> = (0..count.min(zset.len()))
        .filter_map(|_| zset.pop(max))
        .collect();
    typed::remove_if_empty(db, key, now);
    ctx.dirty(popped.len() as u64);
    if !popped.is_empty() {
        notify_zpopped(ctx, key, max);
    }
    Ok(Some(popped))
}

/// `zpopmin` or `zpopmax`, then `del` when the sorted set emptied.
pub(crate) fn notify_zpopped(ctx: &mut Ctx<'_>, key: &[u8], max: bool) {
    ctx.notify(notify::ZSET, if max { "zpopmax" } else { "zpopmin" }, key);
    super::key_events::notify_if_removed(ctx, key);
}

/// ZPOPMIN/ZPOPMAX key [count]: the popped members with their scores (flat; pairs in
/// RESP3 when a count is given), an empty array when the key is missing.
fn zpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], max: bool) -> Reply {
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
    let nested = count.is_some() && resp3(ctx);
    match pop_members(ctx, &argv[1], max, count.unwrap_or(1)) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(popped)) => pop_reply(popped, nested),
    }
}

fn zpopmin(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    zpop(ctx, argv, false)
}

fn zpopmax(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    zpop(ctx, argv, true)
}

/// Pops from the first non-empty sorted set of `keys` (`left` is MIN):
/// `[key, [[member, score]…]]`, `None` when every key is missing.
pub fn mpop_zsets(ctx: &mut Ctx<'_>, parsed: &MpopArgs) -> Result<Option<Reply>, Reply> {
    for key in &parsed.keys {
        if let Some(popped) = pop_members(ctx, key, !parsed.left, parsed.count)? {
            return Ok(Some(Reply::Array(vec![
                Reply::Bulk(key.clone()),
                pop_reply(popped, true),
            ])));
        }
    }
    Ok(None)
}

/// ZMPOP numkeys key… MIN|MAX [COUNT count].
fn zmpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let parsed = match parse_mpop(argv, 1, true) {
        Ok(p) => p,
        Err(e) => return e,
    };
    match mpop_zsets(ctx, &parsed) {
        Ok(Some(reply)) => reply,
        Ok(None) => Reply::NullArray,
        Err(e) => e,
    }
}

/// ZRANDMEMBER key [count [WITHSCORES]]: as HRANDFIELD, for sorted sets.
fn zrandmember(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    if argv.len() == 2 {
        let zset = match typed::zset(ctx.db(), &argv[1], now) {
            Err(e) => return e,
            Ok(None) => return Reply::Null,
            Ok(Some(z)) => z.len(),
        };
        let index = ctx.random_below(zset as u64) as usize;
        return match typed::zset(ctx.db(), &argv[1], now) {
            Ok(Some(z)) => Reply::bulk_or_null(z.get_index(index).map(|(m, _)| m.clone())),
            _ => Reply::Null,
        };
    }
    let count = match args::parse_i64(&argv[2]) {
        None => return Reply::error(errors::NOT_INTEGER),
        Some(i64::MIN) => {
            return Reply::error(format!(
                "ERR value is out of range, value must between {} and {}",
                -i64::MAX,
                i64::MAX
            ))
        }
        Some(n) => n,
    };
    let with_scores = match argv.len() {
        3 => false,
        4 if args::is(&argv[3], "withscores") => true,
        _ => return Reply::error(errors::SYNTAX),
    };
    if with_scores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return Reply::error("ERR value is out of range");
    }
    let nested = resp3(ctx);
    let zset = match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(Vec::new()),
        Ok(Some(z)) => z.clone(),
    };
    let picked: Vec<(Vec<u8>, f64)> = if count >= zset.len() as i64 {
        zset.iter().map(|(m, s)| (m.to_vec(), s)).collect()
    } else {
        random_picks(ctx, zset.len(), count)
            .into_iter()
            .filter_map(|i| zset.get_index(i).map(|(m, s)| (m.clone(), s)))
            .collect()
    };
    if with_scores {
        pop_reply(picked, nested)
    } else {
        Reply::array_of_bulks(picked.into_iter().map(|(m, _)| m))
    }
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]: `[cursor, [member, score, …]]`,
/// scores as `%.17g` text in both protocols.
fn zscan(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let parsed = match scan::parse(argv) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let zset = match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return scan::reply(0, Vec::new()),
        Ok(Some(z)) => z,
    };
    let whole = !zset.is_skiplist();
    let (start, end, next) = parsed.window(whole, zset.len());
    let entries: Vec<(Vec<u8>, f64)> = if whole {
        zset.iter().map(|(m, s)| (m.to_vec(), s)).collect()
    } else {
        (start..end)
            .filter_map(|i| zset.get_index(i).map(|(m, s)| (m.clone(), s)))
            .collect()
    };
    let mut items = Vec::new();
    for (m, s) in entries {
        if parsed.matches(&m) {
            items.push(Reply::Bulk(m));
            items.push(Reply::Bulk(format_double(s).into_bytes()));
        }
    }
    scan::reply(next, items)
}
