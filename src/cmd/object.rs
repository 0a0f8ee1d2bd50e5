//! OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP.
//!
//! Strings report Redis's encodings (`int`, `embstr`, `raw`, see `db::string_encoding`);
//! collections ask `db::collection_encoding`, which follows Redis's thresholds. The
//! idle time comes from the last access on the host clock, at Redis's 1 s resolution.
//! FREQ needs an LFU policy; redsim keeps no access frequency, so it always answers that
//! none is tracked (a divergence under the LFU policies, where Redis gives the counter).

use super::{flags::*, CommandSpec, Ctx};
use crate::db::{collection_encoding, is_shared_integer, string_encoding, Entry, Value};
use crate::resp::Reply;

const KEYED: u32 = READONLY;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("object", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("encoding", 3, KEYED, encoding)
            .keys(2, 2, 1)
            .acl("keyspace read slow"),
        CommandSpec::new("refcount", 3, KEYED, refcount)
            .keys(2, 2, 1)
            .acl("keyspace read slow"),
        CommandSpec::new("idletime", 3, KEYED, idletime)
            .keys(2, 2, 1)
            .acl("keyspace read slow"),
        CommandSpec::new("freq", 3, KEYED, freq)
            .keys(2, 2, 1)
            .acl("keyspace read slow"),
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("keyspace slow"),
    ])];

/// How many elements a collection holds (1 for a string).
pub fn element_count(value: &Value) -> usize {
    match value {
        Value::Str(_) => 1,
        Value::List(l) => l.len(),
        Value::Hash(h) => h.len(),
        Value::Set(s) => s.len(),
        Value::ZSet(z) => z.len(),
        Value::Stream(s) => s.len() as usize,
    }
}

/// The encoding Redis would report for this entry.
pub fn encoding_of(entry: &Entry, config: &crate::config::Config) -> &'static str {
    match &entry.value {
        Value::Str(s) => string_encoding(s, entry.enc),
        other => collection_encoding(other, config).unwrap_or("unknown"),
    }
}

/// Runs `f` on the entry of `argv[2]` without touching it; nil when there is no key.
fn with_entry(
    ctx: &mut Ctx<'_>,
    argv: &[Vec<u8>],
    f: impl FnOnce(&Entry, &crate::config::Config, u64) -> Reply,
) -> Reply {
    let now = ctx.now_ms;
    let config = ctx.store.config.clone();
    match ctx.db().peek(&argv[2], now) {
        Some(entry) => f(entry, &config, now),
        None => Reply::Null,
    }
}

fn encoding(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_entry(ctx, argv, |e, config, _| {
        Reply::bulk(encoding_of(e, config))
    })
}

/// OBJECT REFCOUNT: 2147483647 for Redis's shared integers 0..9999, else 1.
fn refcount(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_entry(ctx, argv, |e, _, _| {
        Reply::Integer(match &e.value {
            Value::Str(s) if is_shared_integer(s, e.enc) => i32::MAX as i64,
            _ => 1,
        })
    })
}

/// OBJECT IDLETIME: seconds since the last access; an LFU `maxmemory-policy` keeps no
/// access time, and Redis says so.
fn idletime(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_entry(ctx, argv, |e, config, now| {
        if config
            .get("maxmemory-policy")
            .is_some_and(|p| p.ends_with("lfu"))
        {
            return Reply::error(
                "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that \
                 when switching between policies at runtime LRU and LFU data will take some time to adjust.",
            );
        }
        Reply::Integer((now / 1000).saturating_sub(e.access_s) as i64)
    })
}

fn freq(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_entry(ctx, argv, |_, _, _| {
        Reply::error(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that \
             when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        )
    })
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("object");
    }
    let lines = [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
