//! Server commands about the whole dataset: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME,
//! DEBUG (PROTOCOL, SLEEP, SET-ACTIVE-EXPIRE, SET-DISABLE-DENY-SCRIPTS, OBJECT, DIGEST).
//! (INFO, CONFIG, COMMAND, OBJECT and MEMORY have their own files.)

use super::{args, flags::*, CommandSpec, Ctx};
use crate::db::{string_encoding, Value, DB_COUNT};
use crate::resp::{errors, Reply};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("dbsize", 1, READONLY | FAST, dbsize).acl("keyspace read fast"),
    CommandSpec::new("flushdb", -1, WRITE, flushdb).acl("keyspace write slow dangerous"),
    CommandSpec::new("flushall", -1, WRITE, flushall).acl("keyspace write slow dangerous"),
    CommandSpec::new("swapdb", 3, WRITE | FAST, swapdb).acl("keyspace write fast dangerous"),
    CommandSpec::new("time", 1, LOADING | STALE | FAST, time).acl("fast"),
    CommandSpec::new("lastsave", 1, LOADING | STALE | FAST, lastsave).acl("admin fast dangerous"),
    CommandSpec::new(
        "debug",
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE | PROTECTED,
        debug,
    )
    .acl("admin slow dangerous"),
];

/// DBSIZE: the number of keys in the selected database, counting keys that have expired
/// but were not accessed since (Redis removes those lazily or in its background expiry
/// cycle, which redsim does not have: a DBSIZE right after an expiry agrees with Redis,
/// one a while later counts keys Redis would have collected).
fn dbsize(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let db = ctx.db_index();
    Reply::Integer(ctx.store.dbs[db].len() as i64)
}

/// The optional ASYNC|SYNC of FLUSHDB and FLUSHALL (both empty at once here).
fn flush_flags(argv: &[Vec<u8>]) -> Result<(), Reply> {
    match argv.len() {
        1 => Ok(()),
        2 if args::is(&argv[1], "SYNC") || args::is(&argv[1], "ASYNC") => Ok(()),
        _ => Err(Reply::error(errors::SYNTAX)),
    }
}

/// Empties database `db`, signalling WATCH for the watched keys that existed.
fn flush_db(ctx: &mut Ctx<'_>, db: usize) {
    let now = ctx.now_ms;
    ctx.store.touch_all_in_db(db, None, now);
    let removed = ctx.store.dbs[db].len() as u64;
    ctx.store.dbs[db].clear();
    ctx.dirty(removed);
}

/// FLUSHDB [ASYNC|SYNC]: removes every key of the selected database.
fn flushdb(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if let Err(e) = flush_flags(argv) {
        return e;
    }
    let db = ctx.db_index();
    flush_db(ctx, db);
    Reply::ok()
}

/// FLUSHALL [ASYNC|SYNC]: removes every key of every database.
fn flushall(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if let Err(e) = flush_flags(argv) {
        return e;
    }
    for db in 0..DB_COUNT {
        flush_db(ctx, db);
    }
    // Redis counts a FLUSHALL as a change even on an empty server (it forces a save).
    ctx.dirty(1);
    Reply::ok()
}

/// SWAPDB index1 index2: exchanges two databases; clients see the other data at once.
fn swapdb(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if ctx.store.config.cluster_enabled {
        return Reply::error("ERR SWAPDB is not allowed in cluster mode");
    }
    let first = match args::int32(&argv[1], Some("invalid first DB index")) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let second = match args::int32(&argv[2], Some("invalid second DB index")) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let range = 0..DB_COUNT as i64;
    if !range.contains(&first) || !range.contains(&second) {
        return Reply::error(errors::DB_INDEX_OUT_OF_RANGE);
    }
    let (a, b) = (first as usize, second as usize);
    if a != b {
        // Watchers stay with their database number while the data moves (Redis's
        // dbSwapDatabases signals both sides before the swap).
        let now = ctx.now_ms;
        ctx.store.touch_all_in_db(a, Some(b), now);
        ctx.store.touch_all_in_db(b, Some(a), now);
        ctx.store.dbs.swap(a, b);
    }
    ctx.dirty(1);
    Reply::ok()
}

/// C's `atoi`: optional spaces and sign, then the digits there are (none: 0).
fn atoi(arg: &[u8]) -> i64 {
    let text = std::str::from_utf8(arg).unwrap_or("");
    let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |n, d| {
            n.wrapping_mul(10).wrapping_add((d - b'0') as i64)
        });
    if negative {
        -value
    } else {
        value
    }
}

/// LASTSAVE: when the dataset was last saved, in Unix seconds. redsim never saves, so it
/// is when the server started, as Redis reports before its first save.
fn lastsave(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.store.process.last_save_s() as i64)
}

/// TIME: [unix seconds, microseconds] from the host clock, as bulk strings.
fn time(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let us = ctx.host.now_us();
    Reply::Array(vec![
        Reply::bulk_int((us / 1_000_000) as i64),
        Reply::bulk_int((us % 1_000_000) as i64),
    ])
}

const PROTOCOL_TYPES: &str = "ERR Wrong protocol type name. Please use one of the following: \
    string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

/// DEBUG PROTOCOL type | SLEEP seconds | SET-ACTIVE-EXPIRE 0|1 | SET-DISABLE-DENY-SCRIPTS
/// 0|1 | OBJECT key | DIGEST | DIGEST-VALUE key... | HELP.
fn debug(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let sub = argv[1].to_ascii_lowercase();
    match (sub.as_slice(), argv.len()) {
        (b"help", 2) => Reply::Array(
            [
                "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "DIGEST",
                "    Output a hex signature representing the current DB content.",
                "DIGEST-VALUE <key> [<key> ...]",
                "    Output a hex signature of the values of all the specified keys.",
                "OBJECT <key>",
                "    Show low level info about `key` and associated value.",
                "PROTOCOL <type>",
                "    Reply with a test value of the specified type. <type> can be: string,",
                "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
                "    true, false.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not",
                "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                "    default.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.",
                "HELP",
                "    Prints this help.",
            ]
            .iter()
            .map(|l| Reply::simple(l))
            .collect(),
        ),
        (b"protocol", 3) => debug_protocol(ctx, &argv[2]),
        (b"sleep", 3) => {
            // Redis reads the seconds with strtod (anything else is 0) and sleeps.
            let seconds = crate::script::libs::strtod(&argv[2]).map_or(0.0, |(v, _)| v);
            let us = (seconds * 1_000_000.0) as i64;
            if us > 0 {
                ctx.host.sleep_us(us as u64);
            }
            Reply::ok()
        }
        (b"set-active-expire", 3) => {
            // Switches `redsim serve`'s background expiry; Redis reads the flag with atoi.
            ctx.store.config.active_expire_enabled = atoi(&argv[2]) != 0;
            Reply::ok()
        }
        (b"object", 3) => debug_object(ctx, &argv[2]),
        (b"set-disable-deny-scripts", 3) => {
            // Redis reads the flag with atoi, as SET-ACTIVE-EXPIRE.
            ctx.store.config.scripts_may_call_noscript = atoi(&argv[2]) != 0;
            Reply::ok()
        }
        (b"digest", 2) => super::debug_digest::dataset(ctx),
        (b"reload", _) => super::persist::debug_reload(ctx),
        (b"error", 3) => {
            // The text as an error, newlines made spaces; Redis writes it with
            // `addReplySds`, so it is not counted as an error reply.
            ctx.store.stats.reply_counted = Some(0);
            Reply::error(&argv[2])
        }
        (b"digest-value", _) => super::debug_digest::values(ctx, &argv[2..]),
        _ => super::subcommand_syntax_error(argv),
    }
}

/// DEBUG PROTOCOL: a sample of each reply type. `attrib` sends an attribute frame (RESP3
/// only) before its reply, `push` (RESP3 only) a push frame before its reply.
// Redis's sample double is the literal 3.141, not an approximation of pi.
#[allow(clippy::approx_constant)]
fn debug_protocol(ctx: &mut Ctx<'_>, kind: &[u8]) -> Reply {
    let kind = kind.to_ascii_lowercase();
    let resp3 = ctx.session().protocol == crate::resp::Protocol::Resp3;
    match kind.as_slice() {
        b"string" => Reply::bulk("Hello World"),
        b"integer" => Reply::Integer(12345),
        b"double" => Reply::Double(3.141),
        b"bignum" => Reply::BigNumber(b"1234567999999999999999999999999999999".to_vec()),
        b"null" => Reply::Null,
        b"array" => Reply::Array((0..3).map(Reply::Integer).collect()),
        b"set" => Reply::Set((0..3).map(Reply::Integer).collect()),
        b"map" => Reply::Map(
            (0..3)
                .map(|j| (Reply::Integer(j), Reply::Bool(j == 1)))
                .collect(),
        ),
        b"attrib" => Reply::Preceded {
            frame: Box::new(Reply::Attribute(vec![(
                Reply::bulk("key-popularity"),
                Reply::Array(vec![Reply::bulk("key:123"), Reply::Integer(90)]),
            )])),
            reply: Box::new(Reply::bulk("Some real reply following the attribute")),
        },
        b"push" if !resp3 => Reply::error("ERR RESP2 is not supported by this command"),
        b"push" => Reply::Preceded {
            frame: Box::new(Reply::Push(vec![
                Reply::bulk("server-cpu-usage"),
                Reply::Integer(42),
            ])),
            reply: Box::new(Reply::bulk("Some real reply following the push reply")),
        },
        b"true" => Reply::Bool(true),
        b"false" => Reply::Bool(false),
        b"verbatim" => Reply::Verbatim {
            format: *b"txt",
            text: b"This is a verbatim\nstring".to_vec(),
        },
        _ => Reply::error(PROTOCOL_TYPES),
    }
}

/// DEBUG OBJECT key: the object header as Redis prints it. There is no address and no
/// RDB serialisation, so `Value at` is the key's position and `serializedlength` the
/// value's length in bytes (strings) or elements (collections).
fn debug_object(ctx: &mut Ctx<'_>, key: &[u8]) -> Reply {
    let now = ctx.now_ms;
    let config = ctx.store.config.clone();
    let db = ctx.db();
    // Redis looks the key up in the main dict, without the expiry check.
    let Some(entry) = db.stored_entry(key) else {
        return Reply::error(errors::NO_SUCH_KEY);
    };
    let (encoding, refcount, length) = match &entry.value {
        Value::Str(s) => (
            string_encoding(s, entry.enc),
            if crate::db::is_shared_integer(s, entry.enc) {
                2147483647
            } else {
                1
            },
            s.len(),
        ),
        other => (
            crate::db::collection_encoding(other, &config).unwrap_or("unknown"),
            1,
            super::object::element_count(other),
        ),
    };
    let idle = (now / 1000).saturating_sub(entry.access_s);
    let lru = (entry.access_s & ((1 << 24) - 1)) as i64;
    Reply::simple(&format!(
        "Value at:0x0 refcount:{refcount} encoding:{encoding} serializedlength:{length} lru:{lru} lru_seconds_idle:{idle}"
    ))
}
