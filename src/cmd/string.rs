//! String commands: GET, SET, INCR and family.
//!
//! Strings are binary-safe byte arrays. Counters are strings holding the decimal text of
//! a 64-bit integer; INCR on anything else answers "value is not an integer".

use super::{args, flags::*, CommandSpec, Ctx};
use crate::db::Value;
use crate::resp::{errors, Reply};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("get", 2, READONLY | FAST, get).keys(1, 1, 1).acl("read string fast"),
    CommandSpec::new("set", -3, WRITE | DENYOOM, set).keys(1, 1, 1).acl("write string slow"),
    CommandSpec::new("incr", 2, WRITE | DENYOOM | FAST, incr).keys(1, 1, 1).acl("write string fast"),
];

/// GET key: the string's bytes, nil when the key does not exist, WRONGTYPE otherwise.
fn get(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match ctx.db().get(&argv[1], now) {
        None => Reply::Null,
        Some(Value::Str(s)) => Reply::Bulk(s.clone()),
        Some(_) => Reply::error(errors::WRONGTYPE),
    }
}

/// SET key value: stores the value, dropping any previous value and TTL.
fn set(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() != 3 {
        return Reply::error(errors::SYNTAX);
    }
    ctx.db().set(&argv[1], Value::Str(argv[2].clone()));
    ctx.dirty(1);
    Reply::ok()
}

/// INCR key: adds one to the integer held by the key (0 when missing).
fn incr(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    let current = match db.get_mut(&argv[1], now) {
        None => 0,
        Some(Value::Str(s)) => match args::parse_i64(s) {
            Some(n) => n,
            None => return Reply::error(errors::NOT_INTEGER),
        },
        Some(_) => return Reply::error(errors::WRONGTYPE),
    };
    let Some(next) = current.checked_add(1) else {
        return Reply::error(errors::OVERFLOW);
    };
    let text = next.to_string().into_bytes();
    match db.get_mut(&argv[1], now) {
        Some(Value::Str(s)) => *s = text,
        _ => db.set(&argv[1], Value::Str(text)),
    }
    ctx.dirty(1);
    Reply::Integer(next)
}
