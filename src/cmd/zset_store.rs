//! Sorted-set algebra: ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE,
//! ZINTERCARD (Redis's `zunionInterDiffGenericCommand`).
//!
//! Inputs may be sorted sets or plain sets (whose members score 1). WEIGHTS multiplies
//! each input's scores; AGGREGATE SUM|MIN|MAX combines a member's scores (a NaN from
//! `inf + -inf` or `inf * 0` becomes 0, as in Redis). Missing keys are empty inputs.

use super::args_range::long_in;
use super::typed::{self, db_and_config, keys_after_numkeys, resp3, store_keys};
use super::zset::pop_reply;
use super::zset_range::store_result;
use super::{args, flags::*, CommandSpec, Ctx};
use crate::db::{Value, ZSet};
use crate::resp::{errors, Reply};
use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("zunion", -3, READONLY | MOVABLEKEYS, zunion)
        .key_finder(keys_after_numkeys)
        .acl("read sortedset slow"),
    CommandSpec::new("zinter", -3, READONLY | MOVABLEKEYS, zinter)
        .key_finder(keys_after_numkeys)
        .acl("read sortedset slow"),
    CommandSpec::new("zdiff", -3, READONLY | MOVABLEKEYS, zdiff)
        .key_finder(keys_after_numkeys)
        .acl("read sortedset slow"),
    CommandSpec::new(
        "zunionstore",
        -4,
        WRITE | DENYOOM | MOVABLEKEYS,
        zunionstore,
    )
    .keys(1, 1, 1)
    .key_finder(store_keys)
    .acl("write sortedset slow"),
    CommandSpec::new(
        "zinterstore",
        -4,
        WRITE | DENYOOM | MOVABLEKEYS,
        zinterstore,
    )
    .keys(1, 1, 1)
    .key_finder(store_keys)
    .acl("write sortedset slow"),
    CommandSpec::new("zdiffstore", -4, WRITE | DENYOOM | MOVABLEKEYS, zdiffstore)
        .keys(1, 1, 1)
        .key_finder(store_keys)
        .acl("write sortedset slow"),
    CommandSpec::new("zintercard", -3, READONLY | MOVABLEKEYS, zintercard)
        .key_finder(keys_after_numkeys)
        .acl("read sortedset slow"),
];

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// One input: its members with scores (a plain set scores 1), `None` when missing.
type Input = Option<Vec<(Vec<u8>, f64)>>;

struct Parsed {
    inputs: Vec<Input>,
    weights: Vec<f64>,
    aggregate: Aggregate,
    with_scores: bool,
    limit: usize,
}

fn load(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Input, Reply> {
    let now = ctx.now_ms;
    match ctx.db().get(key, now) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z.iter().map(|(m, s)| (m.to_vec(), s)).collect())),
        Some(Value::Set(s)) => Ok(Some(
            s.ordered().into_iter().map(|m| (m.clone(), 1.0)).collect(),
        )),
        Some(_) => Err(typed::wrongtype()),
    }
}

/// Parses `numkeys key… [WEIGHTS w…] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]` (or
/// `[LIMIT limit]` for ZINTERCARD) with numkeys at argv[at].
fn parse(
    ctx: &mut Ctx<'_>,
    argv: &[Vec<u8>],
    at: usize,
    op: Op,
    store: bool,
    card: bool,
) -> Result<Parsed, Reply> {
    let numkeys = super::args_range::long(&argv[at])?;
    if numkeys < 1 {
        return Err(Reply::error(format!(
            "ERR at least 1 input key is needed for '{}' command",
            String::from_utf8_lossy(&argv[0]).to_lowercase()
        )));
    }
    if numkeys > (argv.len() - at - 1) as i64 {
        return Err(Reply::error(errors::SYNTAX));
    }
    let numkeys = numkeys as usize;
    let mut inputs = Vec::with_capacity(numkeys);
    for key in &argv[at + 1..at + 1 + numkeys] {
        inputs.push(load(ctx, key)?);
    }
    let mut parsed = Parsed {
        inputs,
        weights: vec![1.0; numkeys],
        aggregate: Aggregate::Sum,
        with_scores: false,
        limit: 0,
    };
    let mut j = at + 1 + numkeys;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let opt = &argv[j];
        if card {
            if args::is(opt, "limit") && remaining >= 2 {
                parsed.limit =
                    long_in(&argv[j + 1], 0, i64::MAX, "LIMIT can't be negative")? as usize;
                j += 2;
                continue;
            }
            return Err(Reply::error(errors::SYNTAX));
        }
        if op != Op::Diff && remaining > numkeys && args::is(opt, "weights") {
            for i in 0..numkeys {
                parsed.weights[i] = super::args_range::redis_double(&argv[j + 1 + i])
                    .ok_or_else(|| Reply::error("ERR weight value is not a float"))?;
            }
            j += 1 + numkeys;
        } else if op != Op::Diff && remaining >= 2 && args::is(opt, "aggregate") {
            let word = &argv[j + 1];
            parsed.aggregate = if args::is(word, "sum") {
                Aggregate::Sum
            } else if args::is(word, "min") {
                Aggregate::Min
            } else if args::is(word, "max") {
                Aggregate::Max
            } else {
                return Err(Reply::error(errors::SYNTAX));
            };
            j += 2;
        } else if !store && args::is(opt, "withscores") {
            parsed.with_scores = true;
            j += 1;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok(parsed)
}

fn aggregate(target: &mut f64, value: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += value;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => *target = target.min(value),
        Aggregate::Max => *target = target.max(value),
    }
}

fn weighted(score: f64, weight: f64) -> f64 {
    let value = score * weight;
    if value.is_nan() {
        0.0
    } else {
        value
    }
}

/// The result of the operation as member → score, in no particular order.
fn compute(p: &Parsed, op: Op) -> IndexMap<Vec<u8>, f64, FxBuildHasher> {
    let mut out: IndexMap<Vec<u8>, f64, FxBuildHasher> = IndexMap::default();
    match op {
        Op::Union => {
            for (input, &w) in p.inputs.iter().zip(&p.weights) {
                for (m, s) in input.iter().flatten() {
                    let value = weighted(*s, w);
                    match out.get_mut(m) {
                        Some(target) => aggregate(target, value, p.aggregate),
                        None => {
                            out.insert(m.clone(), value);
                        }
                    }
                }
            }
        }
        Op::Inter => {
            if p.inputs.iter().any(Option::is_none) {
                return out;
            }
            let mut order: Vec<(usize, FxMap)> = p
                .inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    (
                        i,
                        input
                            .iter()
                            .flatten()
                            .map(|(m, s)| (m.clone(), *s))
                            .collect(),
                    )
                })
                .collect();
            order.sort_by_key(|(_, set)| set.len());
            let Some(((first_i, _), rest)) = order.split_first() else {
                return out;
            };
            let first_members = &p.inputs[*first_i];
            for (m, s) in first_members.iter().flatten() {
                let mut score = weighted(*s, p.weights[*first_i]);
                let mut everywhere = true;
                for (i, set) in rest {
                    match set.get(m) {
                        Some(other) => {
                            aggregate(&mut score, weighted(*other, p.weights[*i]), p.aggregate)
                        }
                        None => {
                            everywhere = false;
                            break;
                        }
                    }
                }
                if everywhere {
                    out.insert(m.clone(), score);
                    if p.limit > 0 && out.len() >= p.limit {
                        break;
                    }
                }
            }
        }
        Op::Diff => {
            let Some(Some(first)) = p.inputs.first() else {
                return out;
            };
            let others: Vec<FxMap> = p.inputs[1..]
                .iter()
                .map(|input| {
                    input
                        .iter()
                        .flatten()
                        .map(|(m, s)| (m.clone(), *s))
                        .collect()
                })
                .collect();
            for (m, s) in first {
                if !others.iter().any(|o| o.contains_key(m)) {
                    out.insert(m.clone(), *s);
                }
            }
        }
    }
    out
}

type FxMap = IndexMap<Vec<u8>, f64, FxBuildHasher>;

fn to_zset(result: IndexMap<Vec<u8>, f64, FxBuildHasher>, config: &crate::config::Config) -> ZSet {
    let mut z = ZSet::new();
    for (m, s) in result {
        z.insert(&m, s, config);
    }
    z.settle_encoding(config);
    z
}

fn read(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], op: Op) -> Reply {
    let parsed = match parse(ctx, argv, 1, op, false, false) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let nested = resp3(ctx);
    let result = to_zset(compute(&parsed, op), &ctx.store.config);
    let entries: Vec<(Vec<u8>, f64)> = result.iter().map(|(m, s)| (m.to_vec(), s)).collect();
    if parsed.with_scores {
        pop_reply(entries, nested)
    } else {
        Reply::array_of_bulks(entries.into_iter().map(|(m, _)| m))
    }
}

fn store(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], op: Op) -> Reply {
    let parsed = match parse(ctx, argv, 2, op, true, false) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let result = to_zset(compute(&parsed, op), config);
    let len = result.len();
    let dirty = store_result(db, &argv[1], result, now);
    ctx.dirty(dirty);
    let event = match op {
        Op::Union => "zunionstore",
        Op::Inter => "zinterstore",
        Op::Diff => "zdiffstore",
    };
    super::zset_range::notify_stored(ctx, &argv[1], len, dirty, event);
    Reply::Integer(len as i64)
}

/// ZUNION numkeys key… [WEIGHTS w…] [AGGREGATE SUM|MIN|MAX] [WITHSCORES].
fn zunion(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    read(ctx, argv, Op::Union)
}

fn zinter(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    read(ctx, argv, Op::Inter)
}

/// ZDIFF numkeys key… [WITHSCORES]: members of the first input found in no other.
fn zdiff(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    read(ctx, argv, Op::Diff)
}

/// ZUNIONSTORE destination numkeys key… [WEIGHTS w…] [AGGREGATE …]: the result's size.
fn zunionstore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    store(ctx, argv, Op::Union)
}

fn zinterstore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    store(ctx, argv, Op::Inter)
}

fn zdiffstore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    store(ctx, argv, Op::Diff)
}

/// ZINTERCARD numkeys key… [LIMIT limit]: the intersection's size, counting stopped at
/// limit (0: no limit).
fn zintercard(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match parse(ctx, argv, 1, Op::Inter, true, true) {
        Ok(parsed) => Reply::Integer(compute(&parsed, Op::Inter).len() as i64),
        Err(e) => e,
    }
}
