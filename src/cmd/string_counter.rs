//! String counters: INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT.
//!
//! A counter is a string holding the decimal text of a 64-bit integer (or, for
//! INCRBYFLOAT, a number `strtold` reads, computed in 80-bit long double). An update
//! rewrites the stored text in place, keeping the key's expiry.

use super::{args, long_double::LongDouble, Ctx};
use crate::db::{StrEnc, Value};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub(super) fn incr(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    incr_by(ctx, &argv[1], 1)
}

pub(super) fn decr(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    incr_by(ctx, &argv[1], -1)
}

pub(super) fn incrby(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match args::int(&argv[2]) {
        Ok(by) => incr_by(ctx, &argv[1], by),
        Err(e) => e,
    }
}

pub(super) fn decrby(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match args::int(&argv[2]) {
        Ok(i64::MIN) => Reply::error("ERR decrement would overflow"),
        Ok(by) => incr_by(ctx, &argv[1], -by),
        Err(e) => e,
    }
}

/// Redis's `incrDecrCommand`: adds `by` to the integer held by `key` (0 when missing).
/// The result is stored as an `int`-encoded string, in place when the key exists.
fn incr_by(ctx: &mut Ctx<'_>, key: &[u8], by: i64) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    let next = match db.entry_mut(key, now) {
        None => {
            db.set(key, Value::Str(itoa(by)));
            by
        }
        Some(entry) => {
            let Value::Str(s) = &mut entry.value else {
                return Reply::error(errors::WRONGTYPE);
            };
            let Some(current) = args::parse_i64(s) else {
                return Reply::error(errors::NOT_INTEGER);
            };
            let Some(next) = current.checked_add(by) else {
                return Reply::error(errors::OVERFLOW);
            };
            write_int(s, next);
            entry.enc = StrEnc::Auto;
            next
        }
    };
    ctx.notify(notify::STRING, "incrby", key);
    ctx.dirty(1);
    Reply::Integer(next)
}

/// The decimal text of `n` in a new buffer.
fn itoa(n: i64) -> Vec<u8> {
    let mut v = Vec::with_capacity(20);
    write_int(&mut v, n);
    v
}

/// Overwrites `buf` with the decimal text of `n`, reusing its allocation.
fn write_int(buf: &mut Vec<u8>, n: i64) {
    buf.clear();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        buf.push(b'-');
    }
    buf.extend_from_slice(&digits[i..]);
}

/// INCRBYFLOAT key increment: adds in 80-bit long double, as Redis does, and stores
/// the result formatted with `%.17Lf` and trailing zeros removed.
pub(super) fn incrbyfloat(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let current = match ctx.db().get(&argv[1], now) {
        None => LongDouble::ZERO,
        Some(Value::Str(s)) => match LongDouble::parse(s) {
            Some(v) => v,
            None => return Reply::error(errors::NOT_FLOAT),
        },
        Some(_) => return Reply::error(errors::WRONGTYPE),
    };
    let Some(incr) = LongDouble::parse(&argv[2]) else {
        return Reply::error(errors::NOT_FLOAT);
    };
    let Some(sum) = current.plus(incr).finite() else {
        return Reply::error("ERR increment would produce NaN or Infinity");
    };
    let text = sum.to_human_string().into_bytes();
    let db = ctx.db();
    // Redis stores the result with createStringObject: embstr or raw, never int.
    if db.entry_mut(&argv[1], now).is_none() {
        db.set(&argv[1], Value::Str(Vec::new()));
    }
    if let Some(entry) = db.entry_mut(&argv[1], now) {
        entry.value = Value::Str(text.clone());
        entry.enc = StrEnc::NoInt;
    }
    ctx.notify(notify::STRING, "incrbyfloat", &argv[1]);
    ctx.dirty(1);
    Reply::Bulk(text)
}
