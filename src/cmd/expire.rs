//! Key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX XX GT LT), TTL, PTTL,
//! EXPIRETIME, PEXPIRETIME, PERSIST — and the expiry options of SET, SETEX and GETEX.
//!
//! Expiry times are absolute Unix milliseconds on the host clock. A time already in the
//! past deletes the key at once (EXPIRE with a negative TTL is a DEL that answers 1).

use super::{args, flags::*, CommandSpec, Ctx};
use crate::resp::Reply;
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("expire", -3, WRITE | FAST, expire)
        .keys(1, 1, 1)
        .acl("keyspace write fast"),
    CommandSpec::new("pexpire", -3, WRITE | FAST, pexpire)
        .keys(1, 1, 1)
        .acl("keyspace write fast"),
    CommandSpec::new("expireat", -3, WRITE | FAST, expireat)
        .keys(1, 1, 1)
        .acl("keyspace write fast"),
    CommandSpec::new("pexpireat", -3, WRITE | FAST, pexpireat)
        .keys(1, 1, 1)
        .acl("keyspace write fast"),
    CommandSpec::new("ttl", 2, READONLY | FAST, ttl)
        .keys(1, 1, 1)
        .acl("keyspace read fast"),
    CommandSpec::new("pttl", 2, READONLY | FAST, pttl)
        .keys(1, 1, 1)
        .acl("keyspace read fast"),
    CommandSpec::new("expiretime", 2, READONLY | FAST, expiretime)
        .keys(1, 1, 1)
        .acl("keyspace read fast"),
    CommandSpec::new("pexpiretime", 2, READONLY | FAST, pexpiretime)
        .keys(1, 1, 1)
        .acl("keyspace read fast"),
    CommandSpec::new("persist", 2, WRITE | FAST, persist)
        .keys(1, 1, 1)
        .acl("keyspace write fast"),
];

/// How an expiry option counts time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// EX: seconds from now.
    Seconds,
    /// PX: milliseconds from now.
    Millis,
    /// EXAT: a Unix time in seconds.
    AtSeconds,
    /// PXAT: a Unix time in milliseconds.
    AtMillis,
}

impl Unit {
    /// EX, PX, EXAT or PXAT, case-insensitively.
    pub fn from_option(opt: &[u8]) -> Option<Unit> {
        if args::is(opt, "EX") {
            Some(Unit::Seconds)
        } else if args::is(opt, "PX") {
            Some(Unit::Millis)
        } else if args::is(opt, "EXAT") {
            Some(Unit::AtSeconds)
        } else if args::is(opt, "PXAT") {
            Some(Unit::AtMillis)
        } else {
            None
        }
    }

    pub fn is_absolute(self) -> bool {
        matches!(self, Unit::AtSeconds | Unit::AtMillis)
    }

    fn in_seconds(self) -> bool {
        matches!(self, Unit::Seconds | Unit::AtSeconds)
    }
}

/// `ERR invalid expire time in 'set' command`.
pub fn invalid_expire_time(command: &[u8]) -> Reply {
    Reply::error(format!(
        "ERR invalid expire time in '{}' command",
        String::from_utf8_lossy(command).to_ascii_lowercase()
    ))
}

/// Redis's `getExpireMillisecondsOrReply` (SET, SETEX, PSETEX, GETEX): the option's
/// value as an absolute time in ms. Zero or negative values, and values that overflow,
/// are "invalid expire time".
pub fn expire_option_ms(arg: &[u8], unit: Unit, now_ms: u64, command: &[u8]) -> Result<u64, Reply> {
    let mut ms = args::int(arg)?;
    if ms <= 0 || (unit.in_seconds() && ms > i64::MAX / 1000) {
        return Err(invalid_expire_time(command));
    }
    if unit.in_seconds() {
        ms *= 1000;
    }
    if !unit.is_absolute() {
        ms = ms
            .checked_add(now_ms as i64)
            .ok_or_else(|| invalid_expire_time(command))?;
    }
    Ok(ms as u64)
}

fn expire(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.live_ms() as i64;
    expire_generic(ctx, argv, now, true)
}

fn pexpire(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.live_ms() as i64;
    expire_generic(ctx, argv, now, false)
}

fn expireat(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    expire_generic(ctx, argv, 0, true)
}

fn pexpireat(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    expire_generic(ctx, argv, 0, false)
}

const NX: u8 = 1;
const XX: u8 = 2;
const GT: u8 = 4;
const LT: u8 = 8;

/// Redis's `expireGenericCommand`: options, then the time (with overflow checks), then
/// the key; NX/XX/GT/LT compare with the current expiry, a key without one counting as
/// an infinite TTL. Replies 1 when the expiry was set (or the key deleted), else 0.
fn expire_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], base_ms: i64, seconds: bool) -> Reply {
    let mut flags = 0u8;
    for opt in &argv[3..] {
        flags |= if args::is(opt, "NX") {
            NX
        } else if args::is(opt, "XX") {
            XX
        } else if args::is(opt, "GT") {
            GT
        } else if args::is(opt, "LT") {
            LT
        } else {
            return Reply::error(format!(
                "ERR Unsupported option {}",
                String::from_utf8_lossy(opt)
            ));
        };
    }
    if flags & NX != 0 && flags & (XX | GT | LT) != 0 {
        return Reply::error("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if flags & GT != 0 && flags & LT != 0 {
        return Reply::error("ERR GT and LT options at the same time are not compatible");
    }
    let mut when = match args::int(&argv[2]) {
        Ok(w) => w,
        Err(e) => return e,
    };
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return super::expire::invalid_expire_time(&argv[0]);
        }
        when *= 1000;
    }
    if when > i64::MAX - base_ms {
        return invalid_expire_time(&argv[0]);
    }
    when += base_ms;
    let now = ctx.now_ms;
    let live = ctx.live_ms();
    let key = &argv[1];
    let db = ctx.db();
    if db.entry_mut(key, now).is_none() {
        return Reply::Integer(0);
    }
    if flags != 0 {
        let current = db.expire_at(key).map(|t| t as i64);
        let refused = (flags & NX != 0 && current.is_some())
            || (flags & XX != 0 && current.is_none())
            || (flags & GT != 0 && current.is_none_or(|c| when <= c))
            || (flags & LT != 0 && current.is_some_and(|c| when >= c));
        if refused {
            return Reply::Integer(0);
        }
    }
    // `checkAlreadyExpired` reads the live clock.
    if when <= live as i64 {
        db.remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    } else {
        db.set_expire_at(key, when as u64);
        ctx.notify_after_reply(notify::GENERIC, "expire", key);
    }
    ctx.dirty(1);
    Reply::Integer(1)
}

/// What TTL and friends report.
/// The key is looked up at the expiry time, the TTL counted from the live clock: inside
/// a script a key past its time still exists, with a TTL of 0.
fn ttl_generic(ctx: &mut Ctx<'_>, key: &[u8], millis: bool, absolute: bool) -> Reply {
    let now = ctx.now_ms;
    let live = ctx.live_ms();
    let db = ctx.db();
    if db.peek(key, now).is_none() {
        return Reply::Integer(-2);
    }
    let Some(at) = db.expire_at(key) else {
        return Reply::Integer(-1);
    };
    let ttl = if absolute {
        at as i64
    } else {
        (at as i64 - live as i64).max(0)
    };
    Reply::Integer(if millis { ttl } else { (ttl + 500) / 1000 })
}

/// TTL key: seconds to live (rounded), -1 without expiry, -2 without the key.
fn ttl(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    ttl_generic(ctx, &argv[1], false, false)
}

fn pttl(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    ttl_generic(ctx, &argv[1], true, false)
}

/// EXPIRETIME key: the absolute Unix time in seconds, -1 / -2 as TTL.
fn expiretime(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    ttl_generic(ctx, &argv[1], false, true)
}

fn pexpiretime(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    ttl_generic(ctx, &argv[1], true, true)
}

/// PERSIST key: 1 when an expiry was removed, else 0.
fn persist(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    if db.entry_mut(&argv[1], now).is_some() && db.persist(&argv[1]) {
        ctx.notify(notify::GENERIC, "persist", &argv[1]);
        ctx.dirty(1);
        Reply::Integer(1)
    } else {
        Reply::Integer(0)
    }
}

/// Signals to WATCH the keys the last command found expired and removed, as Redis's
/// `deleteExpiredKeyAndPropagate` does: a WATCHed key that expires and is then read by
/// anyone fails the watcher's EXEC. Only the selected database is drained; commands
/// reach other databases only through MOVE, COPY and SWAPDB, whose logs are drained by
/// the next command run there.
pub fn signal_lazy_expiries(ctx: &mut Ctx<'_>) {
    let db = ctx.db_index();
    if let Some(keys) = ctx.store.dbs[db].take_expired() {
        for key in keys {
            crate::repl::propagate::expired(ctx.store, db, &key);
            ctx.store.touch_expired(db, &key);
        }
    }
}
