//! Sorted-set range commands: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES),
//! ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE, ZRANGESTORE,
//! ZCOUNT, ZLEXCOUNT, ZREMRANGEBYSCORE, ZREMRANGEBYRANK, ZREMRANGEBYLEX.
//!
//! A range is by rank (0-based, negative from the end), by score (`(` excludes a bound,
//! `-inf`/`+inf`) or by member (`[a`, `(a`, `-`, `+`). REV walks from the highest
//! member and takes the bounds as max then min.

use super::args_range::{lex_range, long, score_range};
use super::typed::{self, db_and_config, index_range, resp3};
use super::zset::pop_reply;
use super::{args, flags::*, CommandSpec, Ctx};
use crate::db::{LexRange, ScoreRange, Value, ZSet};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("zrange", -4, READONLY, zrange)
        .keys(1, 1, 1)
        .acl("read sortedset slow"),
    CommandSpec::new("zrangebyscore", -4, READONLY, zrangebyscore)
        .keys(1, 1, 1)
        .acl("read sortedset slow"),
    CommandSpec::new("zrevrangebyscore", -4, READONLY, zrevrangebyscore)
        .keys(1, 1, 1)
        .acl("read sortedset slow"),
    CommandSpec::new("zrangebylex", -4, READONLY, zrangebylex)
        .keys(1, 1, 1)
        .acl("read sortedset slow"),
    CommandSpec::new("zrevrangebylex", -4, READONLY, zrevrangebylex)
        .keys(1, 1, 1)
        .acl("read sortedset slow"),
    CommandSpec::new("zrevrange", -4, READONLY, zrevrange)
        .keys(1, 1, 1)
        .acl("read sortedset slow"),
    CommandSpec::new("zrangestore", -5, WRITE | DENYOOM, zrangestore)
        .keys(1, 2, 1)
        .acl("write sortedset slow"),
    CommandSpec::new("zcount", 4, READONLY | FAST, zcount)
        .keys(1, 1, 1)
        .acl("read sortedset fast"),
    CommandSpec::new("zlexcount", 4, READONLY | FAST, zlexcount)
        .keys(1, 1, 1)
        .acl("read sortedset fast"),
    CommandSpec::new("zremrangebyscore", 4, WRITE, zremrangebyscore)
        .keys(1, 1, 1)
        .acl("write sortedset slow"),
    CommandSpec::new("zremrangebyrank", 4, WRITE, zremrangebyrank)
        .keys(1, 1, 1)
        .acl("write sortedset slow"),
    CommandSpec::new("zremrangebylex", 4, WRITE, zremrangebylex)
        .keys(1, 1, 1)
        .acl("write sortedset slow"),
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Rank,
    Score,
    Lex,
}

enum Range {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

struct Query {
    range: Range,
    reverse: bool,
    offset: i64,
    /// -1: no limit.
    limit: i64,
    with_scores: bool,
}

/// Parses a range query the way Redis's `zrangeGenericCommand` does. `key_at` is the
/// source key's index; `fixed` pins the kind and direction (the legacy commands).
fn parse(
    argv: &[Vec<u8>],
    key_at: usize,
    fixed: Option<(Kind, bool)>,
    store: bool,
) -> Result<Query, Reply> {
    let (mut kind, mut reverse) = fixed.unwrap_or((Kind::Rank, false));
    // REV and BYSCORE/BYLEX may each be given once (Redis leaves "auto" only once).
    let (mut direction_set, mut kind_set) = (fixed.is_some(), fixed.is_some());
    let (mut offset, mut limit, mut with_scores) = (0i64, -1i64, false);
    let mut j = key_at + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let opt = &argv[j];
        if !store && args::is(opt, "withscores") {
            with_scores = true;
        } else if args::is(opt, "limit") && left >= 2 {
            offset = long(&argv[j + 1])?;
            limit = long(&argv[j + 2])?;
            j += 2;
        } else if !direction_set && args::is(opt, "rev") {
            reverse = true;
            direction_set = true;
        } else if !kind_set && args::is(opt, "bylex") {
            kind = Kind::Lex;
            kind_set = true;
        } else if !kind_set && args::is(opt, "byscore") {
            kind = Kind::Score;
            kind_set = true;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    // Redis tests only the count: `LIMIT 5 -1` passes with a rank range.
    if limit != -1 && kind == Kind::Rank {
        return Err(Reply::error(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if with_scores && kind == Kind::Lex {
        return Err(Reply::error(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let (mut lo, mut hi) = (&argv[key_at + 1], &argv[key_at + 2]);
    if reverse && kind != Kind::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    let range = match kind {
        Kind::Rank => Range::Rank(long(lo)?, long(hi)?),
        Kind::Score => Range::Score(score_range(lo, hi)?),
        Kind::Lex => Range::Lex(lex_range(lo, hi)?),
    };
    Ok(Query {
        range,
        reverse,
        offset,
        limit,
        with_scores,
    })
}

/// The members and scores a query selects, in reply order.
fn select(zset: &ZSet, q: &Query) -> Vec<(Vec<u8>, f64)> {
    let owned = |(m, s): (&[u8], f64)| (m.to_vec(), s);
    let limited = |iter: Box<dyn Iterator<Item = (&[u8], f64)> + '_>| -> Vec<(Vec<u8>, f64)> {
        if q.offset < 0 {
            return Vec::new();
        }
        let take = if q.limit < 0 {
            usize::MAX
        } else {
            q.limit as usize
        };
        iter.skip(q.offset as usize).take(take).map(owned).collect()
    };
    match &q.range {
        Range::Rank(start, end) => match index_range(*start, *end, zset.len()) {
            None => Vec::new(),
            Some((s, e)) => {
                if q.reverse {
                    zset.iter()
                        .rev()
                        .skip(s)
                        .take(e - s + 1)
                        .map(owned)
                        .collect()
                } else {
                    zset.iter().skip(s).take(e - s + 1).map(owned).collect()
                }
            }
        },
        Range::Score(r) => limited(if q.reverse {
            zset.range_by_score_rev(r)
        } else {
            zset.range_by_score(r)
        }),
        Range::Lex(r) => limited(if q.reverse {
            zset.range_by_lex_rev(r)
        } else {
            zset.range_by_lex(r)
        }),
    }
}

fn range_reply(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], fixed: Option<(Kind, bool)>) -> Reply {
    let q = match parse(argv, 1, fixed, false) {
        Ok(q) => q,
        Err(e) => return e,
    };
    let nested = resp3(ctx);
    let now = ctx.now_ms;
    let selected = match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(Vec::new()),
        Ok(Some(z)) => select(z, &q),
    };
    if q.with_scores {
        pop_reply(selected, nested)
    } else {
        Reply::array_of_bulks(selected.into_iter().map(|(m, _)| m))
    }
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES].
fn zrange(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    range_reply(ctx, argv, None)
}

fn zrevrange(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    range_reply(ctx, argv, Some((Kind::Rank, true)))
}

fn zrangebyscore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    range_reply(ctx, argv, Some((Kind::Score, false)))
}

fn zrevrangebyscore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    range_reply(ctx, argv, Some((Kind::Score, true)))
}

fn zrangebylex(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    range_reply(ctx, argv, Some((Kind::Lex, false)))
}

fn zrevrangebylex(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    range_reply(ctx, argv, Some((Kind::Lex, true)))
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]: stores the
/// selected members with their scores in dst (deleting it when none); how many.
fn zrangestore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let q = match parse(argv, 2, None, true) {
        Ok(q) => q,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let selected = match typed::zset(db, &argv[2], now) {
        Err(e) => return e,
        Ok(None) => Vec::new(),
        Ok(Some(z)) => select(z, &q),
    };
    let mut result = ZSet::new();
    for (m, s) in &selected {
        result.insert(m, *s, config);
    }
    result.settle_encoding(config);
    let len = result.len();
    let dirty = store_result(db, &argv[1], result, now);
    ctx.dirty(dirty);
    notify_stored(ctx, &argv[1], len, dirty, "zrangestore");
    Reply::Integer(len as i64)
}

/// The event of a store command: `event` when it stored a non-empty result, `del`
/// when an empty result deleted the destination.
pub(crate) fn notify_stored(ctx: &mut Ctx<'_>, key: &[u8], len: usize, dirty: u64, event: &str) {
    // Redis writes the count first.
    if len > 0 {
        ctx.notify_after_reply(notify::ZSET, event, key);
    } else if dirty > 0 {
        ctx.notify_after_reply(notify::GENERIC, "del", key);
    }
}

/// Stores a computed sorted set under `key`, or deletes `key` when it is empty (as
/// Redis's store commands do); the number of changes to count as dirty.
pub fn store_result(db: &mut crate::db::Db, key: &[u8], result: ZSet, now: u64) -> u64 {
    if result.is_empty() {
        if db.get(key, now).is_some() {
            db.remove(key);
            return 1;
        }
        0
    } else {
        db.set(key, Value::ZSet(result));
        1
    }
}

/// ZCOUNT key min max: how many members have a score in the range.
fn zcount(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let range = match score_range(&argv[2], &argv[3]) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(z) => Reply::Integer(z.map_or(0, |z| z.range_by_score(&range).count() as i64)),
    }
}

/// ZLEXCOUNT key min max: how many members are in the lexicographic range.
fn zlexcount(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let range = match lex_range(&argv[2], &argv[3]) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    match typed::zset(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(z) => Reply::Integer(z.map_or(0, |z| z.range_by_lex(&range).count() as i64)),
    }
}

/// ZREMRANGEBYSCORE/RANK/LEX key min max: removes the selected members; how many.
fn remove_range(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], kind: Kind) -> Reply {
    let range = match kind {
        Kind::Rank => match (long(&argv[2]), long(&argv[3])) {
            (Ok(s), Ok(e)) => Range::Rank(s, e),
            (Err(e), _) | (_, Err(e)) => return e,
        },
        Kind::Score => match score_range(&argv[2], &argv[3]) {
            Ok(r) => Range::Score(r),
            Err(e) => return e,
        },
        Kind::Lex => match lex_range(&argv[2], &argv[3]) {
            Ok(r) => Range::Lex(r),
            Err(e) => return e,
        },
    };
    let q = Query {
        range,
        reverse: false,
        offset: 0,
        limit: -1,
        with_scores: false,
    };
    let now = ctx.now_ms;
    let db = ctx.db();
    let zset = match typed::zset(db, &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(z)) => z,
    };
    let doomed = select(zset, &q);
    for (m, _) in &doomed {
        zset.remove(m);
    }
    typed::remove_if_empty(db, &argv[1], now);
    ctx.dirty(doomed.len() as u64);
    if !doomed.is_empty() {
        let event = match kind {
            Kind::Rank => "zremrangebyrank",
            Kind::Score => "zremrangebyscore",
            Kind::Lex => "zremrangebylex",
        };
        ctx.notify(notify::ZSET, event, &argv[1]);
        super::key_events::notify_if_removed(ctx, &argv[1]);
    }
    Reply::Integer(doomed.len() as i64)
}

fn zremrangebyscore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    remove_range(ctx, argv, Kind::Score)
}

fn zremrangebyrank(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    remove_range(ctx, argv, Kind::Rank)
}

fn zremrangebylex(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    remove_range(ctx, argv, Kind::Lex)
}
