//! String commands: GET, SET and its variants, counters, ranges and LCS.
//!
//! Strings are binary-safe byte arrays. Counters are strings holding the decimal text of
//! a 64-bit integer; INCR on anything else answers "value is not an integer". Strings are
//! limited to `proto-max-bulk-len` (512 MB) when they grow (APPEND, SETRANGE).

use super::string_counter::{decr, decrby, incr, incrby, incrbyfloat};
use super::{args, expire, flags::*, CommandSpec, Ctx};
use crate::db::{StrEnc, Value};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("get", 2, READONLY | FAST, get)
        .keys(1, 1, 1)
        .acl("read string fast"),
    CommandSpec::new("set", -3, WRITE | DENYOOM, set)
        .keys(1, 1, 1)
        .acl("write string slow"),
    CommandSpec::new("setnx", 3, WRITE | DENYOOM | FAST, setnx)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("setex", 4, WRITE | DENYOOM, setex)
        .keys(1, 1, 1)
        .acl("write string slow"),
    CommandSpec::new("psetex", 4, WRITE | DENYOOM, psetex)
        .keys(1, 1, 1)
        .acl("write string slow"),
    CommandSpec::new("getset", 3, WRITE | DENYOOM | FAST, getset)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("getdel", 2, WRITE | FAST, getdel)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("getex", -2, WRITE | FAST, getex)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("mget", -2, READONLY | FAST, mget)
        .keys(1, -1, 1)
        .acl("read string fast"),
    CommandSpec::new("mset", -3, WRITE | DENYOOM, mset)
        .keys(1, -1, 2)
        .acl("write string slow"),
    CommandSpec::new("msetnx", -3, WRITE | DENYOOM, msetnx)
        .keys(1, -1, 2)
        .acl("write string slow"),
    CommandSpec::new("incr", 2, WRITE | DENYOOM | FAST, incr)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("decr", 2, WRITE | DENYOOM | FAST, decr)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("incrby", 3, WRITE | DENYOOM | FAST, incrby)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("decrby", 3, WRITE | DENYOOM | FAST, decrby)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("incrbyfloat", 3, WRITE | DENYOOM | FAST, incrbyfloat)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("append", 3, WRITE | DENYOOM | FAST, append)
        .keys(1, 1, 1)
        .acl("write string fast"),
    CommandSpec::new("strlen", 2, READONLY | FAST, strlen)
        .keys(1, 1, 1)
        .acl("read string fast"),
    CommandSpec::new("getrange", 4, READONLY, getrange)
        .keys(1, 1, 1)
        .acl("read string slow"),
    CommandSpec::new("substr", 4, READONLY, getrange)
        .keys(1, 1, 1)
        .acl("read string slow"),
    CommandSpec::new("setrange", 4, WRITE | DENYOOM, setrange)
        .keys(1, 1, 1)
        .acl("write string slow"),
    CommandSpec::new("lcs", -3, READONLY, super::lcs::lcs)
        .keys(1, 2, 1)
        .acl("read string slow"),
];

/// `proto-max-bulk-len`'s default: the largest string APPEND and SETRANGE may build.
pub const PROTO_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;

/// The `proto-max-bulk-len` in force (CONFIG SET may change it; it is stored as text).
pub(crate) fn proto_max_bulk_len(ctx: &Ctx<'_>) -> u64 {
    ctx.store
        .config
        .stored
        .get("proto-max-bulk-len")
        .and_then(|v| v.parse().ok())
        .unwrap_or(PROTO_MAX_BULK_LEN)
}

const TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/// Redis's `getGenericCommand`: the string's bytes, nil, or WRONGTYPE.
fn read_string(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Vec<u8>>, Reply> {
    let now = ctx.now_ms;
    match ctx.db().get(key, now) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Reply::error(errors::WRONGTYPE)),
    }
}

/// GET key: the string's bytes, nil when the key does not exist, WRONGTYPE otherwise.
fn get(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match ctx.db().get(&argv[1], now) {
        None => Reply::Null,
        Some(Value::Str(s)) => Reply::Bulk(s.clone()),
        Some(_) => Reply::error(errors::WRONGTYPE),
    }
}

/// What SET's options asked for.
#[derive(Default)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    /// Absolute expiry in Unix ms.
    expire_at_ms: Option<u64>,
}

/// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts-ms|KEEPTTL].
///
/// Options may repeat (the last expiry wins) but not contradict each other: any
/// contradiction is a syntax error (`parseExtendedStringArgumentsOrReply`). With GET the
/// reply is the old value (WRONGTYPE aborts the SET); NX/XX failing answers nil.
fn set(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() == 3 {
        let now = ctx.now_ms;
        ctx.db().set_string(&argv[1], &argv[2], now);
        ctx.dirty(1);
        ctx.notify(notify::STRING, "set", &argv[1]);
        return Reply::ok();
    }
    let opts = match parse_set_options(ctx, argv) {
        Ok(o) => o,
        Err(e) => return e,
    };
    set_generic(ctx, &argv[1], &argv[2], opts, Reply::ok(), Reply::Null)
}

fn parse_set_options(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Result<SetOptions, Reply> {
    let mut o = SetOptions::default();
    let mut expiry: Option<(expire::Unit, &[u8])> = None;
    let mut j = 3;
    while j < argv.len() {
        let opt = argv[j].as_slice();
        let has_next = j + 1 < argv.len();
        let kind = expiry.map(|(u, _)| u);
        if args::is(opt, "NX") && !o.xx {
            o.nx = true;
        } else if args::is(opt, "XX") && !o.nx {
            o.xx = true;
        } else if args::is(opt, "GET") {
            o.get = true;
        } else if args::is(opt, "KEEPTTL") && kind.is_none() {
            o.keep_ttl = true;
        } else if let Some(unit) = expire::Unit::from_option(opt) {
            if o.keep_ttl || !has_next || kind.is_some_and(|k| k != unit) {
                return Err(Reply::error(errors::SYNTAX));
            }
            expiry = Some((unit, &argv[j + 1]));
            j += 1;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    if let Some((unit, arg)) = expiry {
        let live = ctx.live_ms();
        o.expire_at_ms = Some(expire::expire_option_ms(arg, unit, live, &argv[0])?);
    }
    Ok(o)
}

/// Redis's `setGenericCommand`, after options are parsed.
fn set_generic(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    value: &[u8],
    opts: SetOptions,
    ok_reply: Reply,
    abort_reply: Reply,
) -> Reply {
    let old = if opts.get {
        match read_string(ctx, key) {
            Ok(v) => Some(v),
            Err(e) => return e,
        }
    } else {
        None
    };
    let now = ctx.now_ms;
    let db = ctx.db();
    let found = db.entry_mut(key, now).is_some();
    if (opts.nx && found) || (opts.xx && !found) {
        return match old {
            Some(v) => Reply::bulk_or_null(v),
            None => abort_reply,
        };
    }
    if opts.keep_ttl {
        db.set_keep_ttl(key, Value::Str(value.to_vec()));
    } else {
        db.set(key, Value::Str(value.to_vec()));
    }
    if let Some(at) = opts.expire_at_ms {
        db.set_expire_at(key, at);
    }
    ctx.dirty(1);
    ctx.notify(notify::STRING, "set", key);
    if opts.expire_at_ms.is_some() {
        ctx.notify(notify::GENERIC, "expire", key);
    }
    match old {
        Some(v) => Reply::bulk_or_null(v),
        None => ok_reply,
    }
}

/// SETNX key value: 1 when the key was set, 0 when it existed.
fn setnx(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let opts = SetOptions {
        nx: true,
        ..Default::default()
    };
    set_generic(
        ctx,
        &argv[1],
        &argv[2],
        opts,
        Reply::Integer(1),
        Reply::Integer(0),
    )
}

/// SETEX key seconds value.
fn setex(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    set_with_ttl(ctx, argv, expire::Unit::Seconds)
}

/// PSETEX key milliseconds value.
fn psetex(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    set_with_ttl(ctx, argv, expire::Unit::Millis)
}

fn set_with_ttl(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], unit: expire::Unit) -> Reply {
    let live = ctx.live_ms();
    let at = match expire::expire_option_ms(&argv[2], unit, live, &argv[0]) {
        Ok(at) => at,
        Err(e) => return e,
    };
    let opts = SetOptions {
        expire_at_ms: Some(at),
        ..Default::default()
    };
    set_generic(ctx, &argv[1], &argv[3], opts, Reply::ok(), Reply::Null)
}

/// GETSET key value: the old value (or nil); the new value drops any TTL.
fn getset(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let old = match read_string(ctx, &argv[1]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    ctx.db().set(&argv[1], Value::Str(argv[2].clone()));
    ctx.notify_after_reply(notify::STRING, "set", &argv[1]);
    ctx.dirty(1);
    Reply::bulk_or_null(old)
}

/// GETDEL key: the value, and the key is deleted.
fn getdel(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match read_string(ctx, &argv[1]) {
        Ok(Some(v)) => {
            ctx.db().remove(&argv[1]);
            ctx.notify_after_reply(notify::GENERIC, "del", &argv[1]);
            ctx.dirty(1);
            Reply::Bulk(v)
        }
        Ok(None) => Reply::Null,
        Err(e) => e,
    }
}

/// GETEX key [EX s|PX ms|EXAT ts|PXAT ts-ms|PERSIST]: the value, and its TTL changed.
/// An EXAT/PXAT in the past deletes the key (after replying with its value).
fn getex(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut persist = false;
    let mut expiry: Option<(expire::Unit, &[u8])> = None;
    let mut j = 2;
    while j < argv.len() {
        let opt = argv[j].as_slice();
        let kind = expiry.map(|(u, _)| u);
        if args::is(opt, "PERSIST") && kind.is_none() {
            persist = true;
        } else if let Some(unit) = expire::Unit::from_option(opt) {
            if persist || j + 1 >= argv.len() || kind.is_some_and(|k| k != unit) {
                return Reply::error(errors::SYNTAX);
            }
            expiry = Some((unit, &argv[j + 1]));
            j += 1;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    let value = match read_string(ctx, &argv[1]) {
        Ok(Some(v)) => v,
        Ok(None) => return Reply::Null,
        Err(e) => return e,
    };
    let now = ctx.live_ms();
    if let Some((unit, arg)) = expiry {
        let at = match expire::expire_option_ms(arg, unit, now, &argv[0]) {
            Ok(at) => at,
            Err(e) => return e,
        };
        if unit.is_absolute() && at <= now {
            ctx.db().remove(&argv[1]);
            ctx.notify_after_reply(notify::GENERIC, "del", &argv[1]);
        } else {
            ctx.db().set_expire_at(&argv[1], at);
            ctx.notify_after_reply(notify::GENERIC, "expire", &argv[1]);
        }
        ctx.dirty(1);
    } else if persist && ctx.db().persist(&argv[1]) {
        ctx.notify_after_reply(notify::GENERIC, "persist", &argv[1]);
        ctx.dirty(1);
    }
    Reply::Bulk(value)
}

/// MGET key [key ...]: values, nil for missing keys and for keys that are not strings.
fn mget(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    let items = argv[1..]
        .iter()
        .map(|key| match db.get(key, now) {
            Some(Value::Str(s)) => Reply::Bulk(s.clone()),
            _ => Reply::Null,
        })
        .collect();
    Reply::Array(items)
}

/// MSET key value [key value ...]: sets them all, dropping their TTLs.
fn mset(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    mset_generic(ctx, argv, false)
}

/// MSETNX key value [key value ...]: sets them all only if none exists; 1 or 0.
fn msetnx(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    mset_generic(ctx, argv, true)
}

fn mset_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], nx: bool) -> Reply {
    if argv.len().is_multiple_of(2) {
        return super::wrong_arity(if nx { "msetnx" } else { "mset" });
    }
    let now = ctx.now_ms;
    let db = ctx.db();
    if nx
        && argv[1..]
            .chunks(2)
            .any(|pair| db.entry_mut(&pair[0], now).is_some())
    {
        return Reply::Integer(0);
    }
    for pair in argv[1..].chunks(2) {
        ctx.db().set_string(&pair[0], &pair[1], now);
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    ctx.dirty((argv.len() as u64 - 1) / 2);
    if nx {
        Reply::Integer(1)
    } else {
        Reply::ok()
    }
}

/// APPEND key value: the new length. The string becomes `raw`-encoded, as in Redis.
fn append(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let limit = proto_max_bulk_len(ctx);
    let now = ctx.now_ms;
    let db = ctx.db();
    let len = match db.entry_mut(&argv[1], now) {
        None => {
            db.set(&argv[1], Value::Str(argv[2].clone()));
            argv[2].len()
        }
        Some(entry) => {
            let Value::Str(s) = &mut entry.value else {
                return Reply::error(errors::WRONGTYPE);
            };
            if (s.len() + argv[2].len()) as u64 > limit {
                return Reply::error(TOO_LONG);
            }
            entry.enc = entry.enc.after_write(s.len(), s.len() + argv[2].len());
            s.extend_from_slice(&argv[2]);
            s.len()
        }
    };
    ctx.notify(notify::STRING, "append", &argv[1]);
    ctx.dirty(1);
    Reply::Integer(len as i64)
}

/// STRLEN key: the length of the string, 0 when the key does not exist.
fn strlen(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match ctx.db().get(&argv[1], now) {
        None => Reply::Integer(0),
        Some(Value::Str(s)) => Reply::Integer(s.len() as i64),
        Some(_) => Reply::error(errors::WRONGTYPE),
    }
}

/// GETRANGE key start end (and its old name SUBSTR): the bytes from start to end,
/// both inclusive, negative offsets counting from the end.
fn getrange(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (mut start, mut end) = match (args::int(&argv[2]), args::int(&argv[3])) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let now = ctx.now_ms;
    let s = match ctx.db().get(&argv[1], now) {
        None => return Reply::bulk(""),
        Some(Value::Str(s)) => s,
        Some(_) => return Reply::error(errors::WRONGTYPE),
    };
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return Reply::bulk("");
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return Reply::bulk("");
    }
    Reply::Bulk(s[start as usize..=end as usize].to_vec())
}

/// SETRANGE key offset value: overwrites from `offset`, padding with zero bytes;
/// the new length. Creates a `raw` string.
fn setrange(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let offset = match args::int(&argv[2]) {
        Ok(o) => o,
        Err(e) => return e,
    };
    if offset < 0 {
        return Reply::error("ERR offset is out of range");
    }
    let value = &argv[3];
    let total = (offset as u64).saturating_add(value.len() as u64);
    let limit = proto_max_bulk_len(ctx);
    let now = ctx.now_ms;
    let db = ctx.db();
    let len = match db.entry_mut(&argv[1], now) {
        None => {
            if value.is_empty() {
                return Reply::Integer(0);
            }
            if total > limit {
                return Reply::error(TOO_LONG);
            }
            let mut s = Vec::new();
            grow_zeroed(&mut s, total as usize);
            s[offset as usize..].copy_from_slice(value);
            let len = s.len();
            db.set(&argv[1], Value::Str(s));
            if let Some(entry) = db.entry_mut(&argv[1], now) {
                entry.enc = StrEnc::fresh_raw(len);
            }
            len
        }
        Some(entry) => {
            let Value::Str(s) = &mut entry.value else {
                return Reply::error(errors::WRONGTYPE);
            };
            if value.is_empty() {
                return Reply::Integer(s.len() as i64);
            }
            if total > limit {
                return Reply::error(TOO_LONG);
            }
            let offset = offset as usize;
            let end = offset + value.len();
            entry.enc = entry.enc.after_write(s.len(), end.max(s.len()));
            grow_zeroed(s, end);
            s[offset..end].copy_from_slice(value);
            s.len()
        }
    };
    ctx.notify(notify::STRING, "setrange", &argv[1]);
    ctx.dirty(1);
    Reply::Integer(len as i64)
}

/// Extends `s` with zero bytes to `len` (SETRANGE past the end, Redis's `sdsgrowzero`).
/// When the padding is larger than the string, a fresh zeroed block (`vec![0; n]` is one
/// zeroed allocation: for large sizes fresh pages, zero without being written) and a
/// copy of the old bytes write less than zero-filling the padding in place would.
fn grow_zeroed(s: &mut Vec<u8>, len: usize) {
    if s.len() >= len {
        return;
    }
    if len - s.len() > s.len() {
        let mut grown = vec![0u8; len];
        grown[..s.len()].copy_from_slice(s);
        *s = grown;
    } else {
        s.resize(len, 0);
    }
}
