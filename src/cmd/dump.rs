//! DUMP and RESTORE (Redis 7.0's `dumpCommand` / `restoreCommand` in cluster.c): a key's
//! value as an RDB payload, and a key made from one. Payloads are interchangeable with
//! real Redis 7.0 in both directions (see [`crate::rdb`]).

use super::args;
use super::flags::{ASKING, DENYOOM, READONLY, WRITE};
use super::spec::CommandSpec;
use super::Ctx;
use crate::db::{Entry, StrEnc};
use crate::rdb;
use crate::resp::{errors, Reply};
use crate::store::notify;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("dump", 2, READONLY, dump)
        .keys(1, 1, 1)
        .acl("keyspace read slow"),
    CommandSpec::new("restore", -4, WRITE | DENYOOM, restore)
        .keys(1, 1, 1)
        .acl("keyspace write slow dangerous"),
    CommandSpec::new("restore-asking", -4, WRITE | DENYOOM | ASKING, restore)
        .keys(1, 1, 1)
        .acl("keyspace write slow dangerous"),
];

/// DUMP key: the payload, or a null reply for a missing key.
fn dump(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let index = ctx.db_index();
    let store = &mut *ctx.store;
    match store.dbs[index].get(&argv[1], now) {
        None => Reply::Null,
        Some(value) => Reply::Bulk(rdb::dump_payload(value, &store.config)),
    }
}

/// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency].
/// Checked in Redis's order: the options, an existing key (BUSYKEY), the TTL, the
/// payload's footer, then its contents. A TTL already in the past restores nothing
/// (and, with REPLACE, deletes the old key) but still answers OK.
fn restore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut replace = false;
    let mut absttl = false;
    let mut idle_s: Option<i64> = None;
    let mut freq: Option<i64> = None;
    let mut j = 4;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        if args::is(&argv[j], "REPLACE") {
            replace = true;
        } else if args::is(&argv[j], "ABSTTL") {
            absttl = true;
        } else if args::is(&argv[j], "IDLETIME") && more && freq.is_none() {
            let Some(idle) = args::parse_i64(&argv[j + 1]) else {
                return Reply::error(errors::NOT_INTEGER);
            };
            if idle < 0 {
                return Reply::error("ERR Invalid IDLETIME value, must be >= 0");
            }
            idle_s = Some(idle);
            j += 1;
        } else if args::is(&argv[j], "FREQ") && more && idle_s.is_none() {
            let Some(f) = args::parse_i64(&argv[j + 1]) else {
                return Reply::error(errors::NOT_INTEGER);
            };
            if !(0..=255).contains(&f) {
                return Reply::error("ERR Invalid FREQ value, must be >= 0 and <= 255");
            }
            freq = Some(f);
            j += 1;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    let key = &argv[1];
    let now = ctx.now_ms;
    if !replace && ctx.db().contains(key, now) {
        return Reply::error("BUSYKEY Target key name already exists.");
    }
    let Some(mut ttl) = args::parse_i64(&argv[2]) else {
        return Reply::error(errors::NOT_INTEGER);
    };
    if ttl < 0 {
        return Reply::error("ERR Invalid TTL value, must be >= 0");
    }
    let payload = &argv[3];
    if !rdb::payload_footer_ok(payload, false) {
        return Reply::error("ERR DUMP payload version or checksum are wrong");
    }
    let Ok(value) = rdb::restore_payload(payload, &ctx.store.config) else {
        return Reply::error("ERR Bad data format");
    };
    let live = ctx.live_ms() as i64;
    let deleted = replace && ctx.db().remove(key).is_some();
    if ttl != 0 && !absttl {
        ttl = ttl.saturating_add(live);
    }
    if ttl != 0 && ttl <= live {
        if deleted {
            ctx.notify(notify::GENERIC, "del", key);
            ctx.dirty(1);
        }
        return Reply::ok();
    }
    let access_s = (now / 1000).saturating_sub(idle_s.unwrap_or(0) as u64);
    let db = ctx.db();
    db.put_entry(key, Entry::with(value, StrEnc::Auto, access_s));
    if ttl != 0 {
        db.set_expire_at(key, ttl as u64);
    }
    ctx.notify(notify::GENERIC, "restore", key);
    ctx.dirty(1);
    Reply::ok()
}
