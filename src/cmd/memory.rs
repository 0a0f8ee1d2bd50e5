//! MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP, and the memory report
//! that INFO memory, MEMORY STATS and the `maxmemory` check read (Redis's
//! `getMemoryOverheadData`).
//!
//! `used_memory` is Redis's `used_memory_startup` (a constant measured on 7.0.15), plus
//! what the databases hold — each key's estimate kept up to date as it changes (see
//! `db::footprint`), with the dict tables of the keyspace and of the expires — plus the
//! script cache and function libraries. Client buffers, replication and the AOF are not
//! modelled and count 0. Nothing here walks the keyspace.

use super::{flags::*, CommandSpec, Ctx};
use crate::db::footprint::{dict_table, DICT_ENTRY, ROBJ};
use crate::resp::{errors, Reply};
use crate::script::{ScriptMemory, Scripting};
use crate::store::Store;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("memory", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("doctor", 2, 0, doctor).acl("slow"),
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow"),
        CommandSpec::new("malloc-stats", 2, 0, malloc_stats).acl("slow"),
        CommandSpec::new("purge", 2, 0, purge).acl("slow"),
        CommandSpec::new("stats", 2, 0, stats).acl("slow"),
        CommandSpec::new("usage", -3, READONLY, usage)
            .keys(2, 2, 1)
            .acl("read slow"),
    ])];

/// Redis's `used_memory_startup` on 7.0.15 (x86_64, jemalloc): what an empty server uses.
pub const USED_MEMORY_STARTUP: u64 = 876_144;

/// One database's share of the overhead (MEMORY STATS `db.N`).
#[derive(Clone, Copy, Debug)]
pub struct DbOverhead {
    pub id: usize,
    pub main: u64,
    pub expires: u64,
}

/// Where the memory goes, as Redis's `struct redisMemOverhead`.
#[derive(Clone, Debug, Default)]
pub struct MemoryReport {
    pub used: u64,
    pub peak: u64,
    pub lua_caches: u64,
    pub functions_caches: u64,
    pub dbs: Vec<DbOverhead>,
    pub overhead: u64,
    pub dataset: u64,
    pub keys: u64,
    pub scripts: ScriptMemory,
}

impl MemoryReport {
    /// What the server uses beyond an empty server's.
    pub fn net(&self) -> u64 {
        self.used.saturating_sub(USED_MEMORY_STARTUP).max(1)
    }
}

/// Redis's `used_memory` (`zmalloc_used_memory()`), without the breakdown.
pub fn used_memory(store: &mut Store, scripts: Option<&Scripting>) -> u64 {
    let scripts = scripts.map(|s| s.memory_report()).unwrap_or_default();
    let mut used = USED_MEMORY_STARTUP + scripts_bytes(&scripts);
    for db in store.dbs.iter_mut() {
        used += (db.used_bytes() + tables(db.len(), db.expires_len())) as u64;
    }
    used
}

/// The script cache (`evalScriptsMemory`) and the function libraries
/// (`functionsMemoryOverhead`, at least the 200 bytes of its empty dicts).
fn scripts_bytes(scripts: &ScriptMemory) -> u64 {
    (scripts.scripts_eval_bytes + 200 + scripts.library_bytes) as u64
}

/// The dict tables of a database with `keys` keys of which `expiring` have an expiry, and
/// the expires' entries (the keys' entries are part of each key's estimate).
fn tables(keys: usize, expiring: usize) -> usize {
    let main = if keys == 0 { 0 } else { dict_table(keys) };
    let expires = if expiring == 0 {
        0
    } else {
        dict_table(expiring) + expiring * DICT_ENTRY
    };
    main + expires
}

/// The full report; records the peak.
pub fn report(ctx: &mut Ctx<'_>) -> MemoryReport {
    let scripts = ctx
        .scripts
        .as_ref()
        .map(|s| s.memory_report())
        .unwrap_or_default();
    let lua_caches = scripts.scripts_eval_bytes as u64;
    let functions_caches = (200 + scripts.library_bytes) as u64;
    let mut overhead = USED_MEMORY_STARTUP + lua_caches + functions_caches;
    let mut used = overhead;
    let (mut dbs, mut keys) = (Vec::new(), 0);
    for (id, db) in ctx.store.dbs.iter_mut().enumerate() {
        let (n, expiring) = (db.len(), db.expires_len());
        used += (db.used_bytes() + tables(n, expiring)) as u64;
        if n == 0 {
            continue;
        }
        keys += n as u64;
        // As Redis counts it: dict entries, table and object headers of the keyspace.
        let main = (n * (DICT_ENTRY + ROBJ) + dict_table(n)) as u64;
        let expires = (expiring * DICT_ENTRY + tables(0, expiring)) as u64;
        overhead += main + expires;
        dbs.push(DbOverhead { id, main, expires });
    }
    let stats = &mut ctx.store.stats;
    stats.used_memory_peak = stats.used_memory_peak.max(used);
    MemoryReport {
        used,
        peak: stats.used_memory_peak,
        lua_caches,
        functions_caches,
        dbs,
        overhead,
        dataset: used.saturating_sub(overhead),
        keys,
        scripts,
    }
}

/// MEMORY USAGE key [SAMPLES count]: bytes used by the key and its value, or nil.
/// redsim's estimate is exact where Redis samples, so the count is checked and unused.
fn usage(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut j = 3;
    while j < argv.len() {
        if super::args::is(&argv[j], "SAMPLES") && j + 1 < argv.len() {
            match super::args::int(&argv[j + 1]) {
                Ok(n) if n < 0 => return Reply::error(errors::SYNTAX),
                Ok(_) => {}
                Err(e) => return e,
            }
            j += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    let now = ctx.now_ms;
    let db = ctx.db();
    if db.peek(&argv[2], now).is_none() {
        return Reply::Null;
    }
    match db.key_bytes(&argv[2]) {
        Some(bytes) => Reply::Integer(bytes as i64),
        None => Reply::Null,
    }
}

/// MEMORY STATS: the report as a map, in Redis's order.
fn stats(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let r = report(ctx);
    let int = |n: u64| Reply::Integer(n as i64);
    let mut pairs: Vec<(Reply, Reply)> = Vec::new();
    let mut put = |name: &str, value: Reply| pairs.push((Reply::bulk(name), value));
    put("peak.allocated", int(r.peak));
    put("total.allocated", int(r.used));
    put("startup.allocated", int(USED_MEMORY_STARTUP));
    put("replication.backlog", int(0));
    put("clients.slaves", int(0));
    put("clients.normal", int(0));
    put("cluster.links", int(0));
    put("aof.buffer", int(0));
    put("lua.caches", int(r.lua_caches));
    put("functions.caches", int(r.functions_caches));
    for db in &r.dbs {
        let overhead = vec![
            (Reply::bulk("overhead.hashtable.main"), int(db.main)),
            (Reply::bulk("overhead.hashtable.expires"), int(db.expires)),
            (Reply::bulk("overhead.hashtable.slot-to-keys"), int(0)),
        ];
        put(&format!("db.{}", db.id), Reply::Map(overhead));
    }
    put("overhead.total", int(r.overhead));
    put("keys.count", int(r.keys));
    put(
        "keys.bytes-per-key",
        int(r.net().checked_div(r.keys).unwrap_or(0)),
    );
    put("dataset.bytes", int(r.dataset));
    put(
        "dataset.percentage",
        Reply::Double(single(r.dataset as f64 * 100.0 / r.net() as f64)),
    );
    put(
        "peak.percentage",
        Reply::Double(single(r.used as f64 * 100.0 / r.peak.max(1) as f64)),
    );
    // The allocator is not measured: its figures are the estimate, with no fragmentation.
    put("allocator.allocated", int(r.used));
    put("allocator.active", int(r.used));
    put("allocator.resident", int(r.used));
    for (ratio, bytes) in [
        (
            "allocator-fragmentation.ratio",
            "allocator-fragmentation.bytes",
        ),
        ("allocator-rss.ratio", "allocator-rss.bytes"),
        ("rss-overhead.ratio", "rss-overhead.bytes"),
        ("fragmentation", "fragmentation.bytes"),
    ] {
        put(ratio, Reply::Double(1.0));
        put(bytes, int(0));
    }
    Reply::Map(pairs)
}

/// Redis computes these percentages in a C `float`.
fn single(x: f64) -> f64 {
    x as f32 as f64
}

/// MEMORY DOCTOR: Redis's report for the conditions redsim can have (an almost empty
/// instance, a past peak, many cached scripts); the fragmentation and buffer checks never
/// fire, as redsim measures neither.
fn doctor(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let r = report(ctx);
    let text = if r.used < 5 * 1024 * 1024 {
        concat!(
            "Hi Sam, this instance is empty or is using very little memory, ",
            "my issues detector can't be used in these conditions. ",
            "Please, leave for your mission on Earth and fill it with some data. ",
            "The new Sam and I will be back to our programming as soon as I ",
            "finished rebooting.\n"
        )
        .to_string()
    } else {
        let big_peak = r.peak as f32 / r.used as f32 > 1.5;
        let many_scripts = r.scripts.cached_scripts > 1000;
        if !big_peak && !many_scripts {
            concat!(
                "Hi Sam, I can't find any memory issue in your instance. ",
                "I can only account for what occurs on this base.\n"
            )
            .to_string()
        } else {
            let mut s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
                .to_string();
            if big_peak {
                s.push_str(BIG_PEAK);
            }
            if many_scripts {
                s.push_str(MANY_SCRIPTS);
            }
            s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
            s
        }
    };
    Reply::Verbatim {
        format: *b"txt",
        text: text.into_bytes(),
    }
}

const BIG_PEAK: &str = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n";

const MANY_SCRIPTS: &str = " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n";

/// MEMORY MALLOC-STATS: Redis's answer when it is not built with jemalloc.
fn malloc_stats(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::bulk("Stats not supported for the current allocator")
}

/// MEMORY PURGE: nothing to purge (Redis answers OK when jemalloc purged).
fn purge(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::ok()
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("memory");
    }
    let lines = [
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
