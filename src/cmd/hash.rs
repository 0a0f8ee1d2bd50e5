//! Hash commands: HSET, HSETNX, HGET, HMSET, HMGET, HDEL, HEXISTS, HLEN, HGETALL, HKEYS,
//! HVALS, HINCRBY, HINCRBYFLOAT, HSTRLEN, HRANDFIELD, HSCAN.
//!
//! A hash maps fields to values (byte strings). A hash left without fields is deleted.
//! HGETALL answers a map (a flat array in RESP2).

use super::args_range::{long, long_in, strtod};
use super::long_double::{self, LongDouble};
use super::typed::{self, db_and_config, resp3};
use super::{args, flags::*, scan, CommandSpec, Ctx};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("hset", -4, WRITE | DENYOOM | FAST, hset)
        .keys(1, 1, 1)
        .acl("write hash fast"),
    CommandSpec::new("hsetnx", 4, WRITE | DENYOOM | FAST, hsetnx)
        .keys(1, 1, 1)
        .acl("write hash fast"),
    CommandSpec::new("hget", 3, READONLY | FAST, hget)
        .keys(1, 1, 1)
        .acl("read hash fast"),
    CommandSpec::new("hmset", -4, WRITE | DENYOOM | FAST, hmset)
        .keys(1, 1, 1)
        .acl("write hash fast"),
    CommandSpec::new("hmget", -3, READONLY | FAST, hmget)
        .keys(1, 1, 1)
        .acl("read hash fast"),
    CommandSpec::new("hdel", -3, WRITE | FAST, hdel)
        .keys(1, 1, 1)
        .acl("write hash fast"),
    CommandSpec::new("hexists", 3, READONLY | FAST, hexists)
        .keys(1, 1, 1)
        .acl("read hash fast"),
    CommandSpec::new("hlen", 2, READONLY | FAST, hlen)
        .keys(1, 1, 1)
        .acl("read hash fast"),
    CommandSpec::new("hgetall", 2, READONLY, hgetall)
        .keys(1, 1, 1)
        .acl("read hash slow"),
    CommandSpec::new("hkeys", 2, READONLY, hkeys)
        .keys(1, 1, 1)
        .acl("read hash slow"),
    CommandSpec::new("hvals", 2, READONLY, hvals)
        .keys(1, 1, 1)
        .acl("read hash slow"),
    CommandSpec::new("hincrby", 4, WRITE | DENYOOM | FAST, hincrby)
        .keys(1, 1, 1)
        .acl("write hash fast"),
    CommandSpec::new("hincrbyfloat", 4, WRITE | DENYOOM | FAST, hincrbyfloat)
        .keys(1, 1, 1)
        .acl("write hash fast"),
    CommandSpec::new("hstrlen", 3, READONLY | FAST, hstrlen)
        .keys(1, 1, 1)
        .acl("read hash fast"),
    CommandSpec::new("hrandfield", -2, READONLY, hrandfield)
        .keys(1, 1, 1)
        .acl("read hash slow"),
    CommandSpec::new("hscan", -3, READONLY, hscan)
        .keys(1, 1, 1)
        .acl("read hash slow"),
];

/// HSET key field value [field value …]: the number of fields that were new.
/// HMSET: the same, answering OK.
fn set_pairs(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], name: &str) -> Result<i64, Reply> {
    if argv.len() % 2 == 1 {
        return Err(super::wrong_arity(name));
    }
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let hash = typed::hash_or_create(db, &argv[1], now)?;
    let mut created = 0;
    for pair in argv[2..].chunks(2) {
        if hash.insert(&pair[0], pair[1].clone(), config) {
            created += 1;
        }
    }
    ctx.dirty((argv.len() as u64 - 2) / 2);
    ctx.notify_after_reply(notify::HASH, "hset", &argv[1]);
    Ok(created)
}

fn hset(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match set_pairs(ctx, argv, "hset") {
        Ok(n) => Reply::Integer(n),
        Err(e) => e,
    }
}

fn hmset(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match set_pairs(ctx, argv, "hmset") {
        Ok(_) => Reply::ok(),
        Err(e) => e,
    }
}

/// HSETNX key field value: sets the field only if it is new; 1 if it did.
fn hsetnx(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let hash = match typed::hash_or_create(db, &argv[1], now) {
        Ok(h) => h,
        Err(e) => return e,
    };
    if hash.contains_key(&argv[2]) {
        return Reply::Integer(0);
    }
    hash.insert(&argv[2], argv[3].clone(), config);
    ctx.dirty(1);
    ctx.notify_after_reply(notify::HASH, "hset", &argv[1]);
    Reply::Integer(1)
}

fn hget(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(hash) => Reply::bulk_or_null(hash.and_then(|h| h.get(&argv[2]).cloned())),
    }
}

fn hmget(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(hash) => Reply::Array(
            argv[2..]
                .iter()
                .map(|f| Reply::bulk_or_null(hash.as_ref().and_then(|h| h.get(f).cloned())))
                .collect(),
        ),
    }
}

/// HDEL key field…: how many fields were removed (the key goes with the last one).
fn hdel(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    let hash = match typed::hash(db, &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(h)) => h,
    };
    let mut removed = 0;
    for field in &argv[2..] {
        if hash.remove(field).is_some() {
            removed += 1;
            if hash.is_empty() {
                break;
            }
        }
    }
    typed::remove_if_empty(db, &argv[1], now);
    ctx.dirty(removed);
    if removed > 0 {
        ctx.notify(notify::HASH, "hdel", &argv[1]);
        super::key_events::notify_if_removed(ctx, &argv[1]);
    }
    Reply::Integer(removed as i64)
}

fn hexists(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(hash) => Reply::Integer(hash.is_some_and(|h| h.contains_key(&argv[2])) as i64),
    }
}

fn hlen(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(hash) => Reply::Integer(hash.map_or(0, |h| h.len() as i64)),
    }
}

fn hstrlen(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(hash) => Reply::Integer(
            hash.and_then(|h| h.get(&argv[2]))
                .map_or(0, |v| v.len() as i64),
        ),
    }
}

/// HGETALL key: a map of every field to its value.
fn hgetall(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(hash) => Reply::Map(
            hash.into_iter()
                .flat_map(|h| h.iter())
                .map(|(f, v)| (Reply::Bulk(f.clone()), Reply::Bulk(v.clone())))
                .collect(),
        ),
    }
}

fn hkeys(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(hash) => Reply::array_of_bulks(hash.into_iter().flat_map(|h| h.keys().cloned())),
    }
}

fn hvals(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(hash) => Reply::array_of_bulks(hash.into_iter().flat_map(|h| h.values().cloned())),
    }
}

/// HINCRBY key field increment: the field's new integer value (0 when missing).
fn hincrby(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let incr = match long(&argv[3]) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let hash = match typed::hash_or_create(db, &argv[1], now) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let current = match hash.get(&argv[2]) {
        None => 0,
        Some(v) => match args::parse_i64(v) {
            Some(n) => n,
            None => {
                typed::remove_if_empty(db, &argv[1], now);
                return Reply::error("ERR hash value is not an integer");
            }
        },
    };
    let Some(next) = current.checked_add(incr) else {
        typed::remove_if_empty(db, &argv[1], now);
        return Reply::error(errors::OVERFLOW);
    };
    hash.insert(&argv[2], next.to_string().into_bytes(), config);
    ctx.dirty(1);
    ctx.notify_after_reply(notify::HASH, "hincrby", &argv[1]);
    Reply::Integer(next)
}

/// A long double as `string2ld` reads it: the whole text, no leading space, no NaN.
fn parse_long_double(text: &[u8]) -> Option<f64> {
    if text.is_empty() || text[0].is_ascii_whitespace() {
        return None;
    }
    let (value, used, _) = strtod(text);
    (used == text.len() && !value.is_nan()).then_some(value)
}

/// HINCRBYFLOAT key field increment: the field's new value, as text.
fn hincrbyfloat(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let Some(incr) = parse_long_double(&argv[3]) else {
        return Reply::error(errors::NOT_FLOAT);
    };
    // A long double reaches about 1e4932: only what overflows it is infinite there.
    if incr.is_infinite()
        && LongDouble::parse(&argv[3])
            .and_then(LongDouble::finite)
            .is_none()
    {
        return Reply::error("ERR value is NaN or Infinity");
    }
    let now = ctx.now_ms;
    let (db, config) = db_and_config(ctx);
    let hash = match typed::hash_or_create(db, &argv[1], now) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let (current_text, current) = match hash.get(&argv[2]) {
        None => (b"0".to_vec(), 0.0),
        Some(v) => match parse_long_double(v) {
            Some(n) => (v.clone(), n),
            None => {
                typed::remove_if_empty(db, &argv[1], now);
                return Reply::error("ERR hash value is not a float");
            }
        },
    };
    let Some(text) = long_double::add_texts(&current_text, current, &argv[3], incr) else {
        typed::remove_if_empty(db, &argv[1], now);
        return Reply::error("ERR increment would produce NaN or Infinity");
    };
    hash.insert(&argv[2], text.clone(), config);
    ctx.dirty(1);
    ctx.notify_after_reply(notify::HASH, "hincrbyfloat", &argv[1]);
    Reply::Bulk(text)
}

/// HRANDFIELD key [count [WITHVALUES]]: one random field (nil when missing); with a
/// positive count up to count distinct fields, with a negative one |count| fields that
/// may repeat; WITHVALUES pairs each with its value.
fn hrandfield(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    if argv.len() == 2 {
        let hash = match typed::hash(ctx.db(), &argv[1], now) {
            Err(e) => return e,
            Ok(None) => return Reply::Null,
            Ok(Some(h)) => h.clone(),
        };
        let index = ctx.random_below(hash.len() as u64) as usize;
        return Reply::Bulk(
            hash.get_index(index)
                .map(|(f, _)| f.clone())
                .unwrap_or_default(),
        );
    }
    let count = match long_in(&argv[2], -i64::MAX, i64::MAX, "") {
        Ok(n) => n,
        Err(_) if args::parse_i64(&argv[2]).is_some() => {
            return Reply::error(format!(
                "ERR value is out of range, value must between {} and {}",
                -i64::MAX,
                i64::MAX
            ))
        }
        Err(_) => return Reply::error(errors::NOT_INTEGER),
    };
    let with_values = match argv.len() {
        3 => false,
        4 if args::is(&argv[3], "withvalues") => true,
        _ => return Reply::error(errors::SYNTAX),
    };
    if with_values && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return Reply::error("ERR value is out of range");
    }
    let resp3 = resp3(ctx);
    let hash = match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(Vec::new()),
        Ok(Some(h)) => h.clone(),
    };
    let picks = random_picks(ctx, hash.len(), count);
    let entry = |i: usize| {
        hash.get_index(i)
            .map(|(f, v)| (f.clone(), v.clone()))
            .unwrap_or_default()
    };
    Reply::Array(
        picks
            .into_iter()
            .flat_map(|i| {
                let (f, v) = entry(i);
                match (with_values, resp3) {
                    (false, _) => vec![Reply::Bulk(f)],
                    (true, true) => vec![Reply::Array(vec![Reply::Bulk(f), Reply::Bulk(v)])],
                    (true, false) => vec![Reply::Bulk(f), Reply::Bulk(v)],
                }
            })
            .collect(),
    )
}

/// Positions chosen by HRANDFIELD/SRANDMEMBER/ZRANDMEMBER among `len` entries: with a
/// negative count |count| independent picks; with a count at least `len` every entry in
/// order; else `count` distinct entries.
pub fn random_picks(ctx: &mut Ctx<'_>, len: usize, count: i64) -> Vec<usize> {
    if len == 0 || count == 0 {
        return Vec::new();
    }
    if count < 0 {
        let n = count.unsigned_abs();
        return (0..n)
            .map(|_| ctx.random_below(len as u64) as usize)
            .collect();
    }
    if count as u64 >= len as u64 {
        return (0..len).collect();
    }
    // A partial Fisher–Yates shuffle: `count` distinct positions.
    let mut positions: Vec<usize> = (0..len).collect();
    let count = count as usize;
    for i in 0..count {
        let j = i + ctx.random_below((len - i) as u64) as usize;
        positions.swap(i, j);
    }
    positions.truncate(count);
    positions
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]: `[cursor, [field, value, …]]`.
fn hscan(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let parsed = match scan::parse(argv) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let hash = match typed::hash(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return scan::reply(0, Vec::new()),
        Ok(Some(h)) => h,
    };
    let (start, end, next) = parsed.window(!hash.is_hashtable(), hash.len());
    let mut items = Vec::new();
    for i in start..end {
        if let Some((f, v)) = hash.get_index(i) {
            if parsed.matches(f) {
                items.push(Reply::Bulk(f.clone()));
                items.push(Reply::Bulk(v.clone()));
            }
        }
    }
    scan::reply(next, items)
}
