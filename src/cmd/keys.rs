//! Keyspace commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, KEYS, SCAN, RENAME, RENAMENX,
//! RANDOMKEY, COPY, MOVE. (Expiry commands live in `expire.rs`.)
//!
//! Iteration (KEYS, SCAN, RANDOMKEY) follows the database's deterministic order, not
//! Redis's hash-table order: the same set of keys may come back in another order.

use super::scan::parse_cursor;
use super::{args, flags::*, glob, CommandSpec, Ctx};
use crate::db::{Entry, StrEnc, Value, DB_COUNT};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("del", -2, WRITE | SIGNALS_OWN_KEYS, del)
        .keys(1, -1, 1)
        .acl("keyspace write slow"),
    CommandSpec::new("unlink", -2, WRITE | FAST | SIGNALS_OWN_KEYS, del)
        .keys(1, -1, 1)
        .acl("keyspace write fast"),
    CommandSpec::new("exists", -2, READONLY | FAST, exists)
        .keys(1, -1, 1)
        .acl("keyspace read fast"),
    CommandSpec::new("type", 2, READONLY | FAST, type_cmd)
        .keys(1, 1, 1)
        .acl("keyspace read fast"),
    CommandSpec::new("touch", -2, READONLY | FAST, touch)
        .keys(1, -1, 1)
        .acl("keyspace read fast"),
    CommandSpec::new("keys", 2, READONLY, keys).acl("keyspace read slow dangerous"),
    CommandSpec::new("scan", -2, READONLY, scan).acl("keyspace read slow"),
    CommandSpec::new("rename", 3, WRITE, rename)
        .keys(1, 2, 1)
        .acl("keyspace write slow"),
    CommandSpec::new("renamenx", 3, WRITE | FAST, renamenx)
        .keys(1, 2, 1)
        .acl("keyspace write fast"),
    CommandSpec::new("randomkey", 1, READONLY, randomkey).acl("keyspace read slow"),
    CommandSpec::new("copy", -3, WRITE | DENYOOM, copy)
        .keys(1, 2, 1)
        .acl("keyspace write slow"),
    CommandSpec::new("move", 3, WRITE | FAST, move_cmd)
        .keys(1, 1, 1)
        .acl("keyspace write fast"),
];

const SAME_OBJECT: &str = "ERR source and destination objects are the same";

/// DEL / UNLINK key [key ...]: how many of the keys existed and were removed.
fn del(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let mut removed = 0;
    for key in &argv[1..] {
        let db = ctx.db();
        db.expire_if_needed(key, now);
        if db.remove(key).is_some() {
            removed += 1;
            // Only the keys that existed changed (a missing one is not signalled).
            ctx.touch(key);
            ctx.notify(notify::GENERIC, "del", key);
        }
    }
    ctx.dirty(removed);
    Reply::Integer(removed as i64)
}

/// EXISTS key [key ...]: how many of the keys exist (a key named twice counts twice).
fn exists(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    Reply::Integer(
        argv[1..]
            .iter()
            .filter(|k| db.peek(k, now).is_some())
            .count() as i64,
    )
}

/// TOUCH key [key ...]: like EXISTS, and refreshes the keys' last access time.
fn touch(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let db = ctx.db();
    Reply::Integer(
        argv[1..]
            .iter()
            .filter(|k| db.entry_mut(k, now).is_some())
            .count() as i64,
    )
}

/// TYPE key: string, list, hash, set, zset, or none.
fn type_cmd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match ctx.db().peek(&argv[1], now) {
        Some(entry) => Reply::simple(entry.value.type_name()),
        None => Reply::simple("none"),
    }
}

/// KEYS pattern: every live key matching the glob pattern.
fn keys(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let pattern = &argv[1];
    let all = pattern.as_slice() == b"*";
    let db = ctx.db();
    let found: Vec<Reply> = db
        .keys()
        .filter(|k| all || glob::matches(pattern, k, false))
        .filter(|k| !db.is_expired(k, now))
        .map(|k| Reply::Bulk(k.clone()))
        .collect();
    Reply::Array(found)
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].
///
/// The cursor is a position in the database's order, walked from the end towards the
/// start: keys are removed by swapping the last key into the hole, so a key that is
/// present for the whole iteration is always returned (perhaps twice), as Redis
/// guarantees. COUNT keys are visited per call; MATCH and TYPE filter the visited keys.
fn scan(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let cursor = match parse_cursor(&argv[1]) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_name: Option<&[u8]> = None;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - i >= 2;
        if args::is(&argv[i], "COUNT") && more {
            count = match args::int(&argv[i + 1]) {
                Ok(c) => c,
                Err(e) => return e,
            };
            if count < 1 {
                return Reply::error(errors::SYNTAX);
            }
        } else if args::is(&argv[i], "MATCH") && more {
            pattern = Some(&argv[i + 1])
                .filter(|p| p.as_slice() != b"*")
                .map(|p| p.as_slice());
        } else if args::is(&argv[i], "TYPE") && more {
            type_name = Some(&argv[i + 1]);
        } else {
            return Reply::error(errors::SYNTAX);
        }
        i += 2;
    }
    let now = ctx.now_ms;
    let db = ctx.db();
    let mut position = if cursor == 0 {
        db.len()
    } else {
        (cursor as usize).min(db.len())
    };
    let mut visited = Vec::new();
    while position > 0 && (visited.len() as i64) < count {
        position -= 1;
        if let Some(key) = db.key_at(position) {
            visited.push(key.clone());
        }
    }
    let mut found = Vec::with_capacity(visited.len());
    for key in visited {
        if pattern.is_some_and(|p| !glob::matches(p, &key, false)) {
            continue;
        }
        if let Some(wanted) = type_name {
            let actual = db.peek(&key, now).map_or("none", |e| e.value.type_name());
            if !wanted.eq_ignore_ascii_case(actual.as_bytes()) {
                continue;
            }
        }
        if db.expire_if_needed(&key, now) {
            continue;
        }
        found.push(Reply::Bulk(key));
    }
    Reply::Array(vec![Reply::bulk(position.to_string()), Reply::Array(found)])
}

fn rename(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    rename_generic(ctx, argv, false)
}

fn renamenx(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    rename_generic(ctx, argv, true)
}

/// RENAME / RENAMENX source destination: moves the value and its TTL. The source must
/// exist ("no such key"), even when both names are the same.
fn rename_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], nx: bool) -> Reply {
    let (src, dst) = (&argv[1], &argv[2]);
    let now = ctx.now_ms;
    let db = ctx.db();
    if db.entry_mut(src, now).is_none() {
        return Reply::error(errors::NO_SUCH_KEY);
    }
    let done = if nx { Reply::Integer(1) } else { Reply::ok() };
    if src == dst {
        return if nx { Reply::Integer(0) } else { done };
    }
    if db.entry_mut(dst, now).is_some() {
        if nx {
            return Reply::Integer(0);
        }
        db.remove(dst);
    }
    let Some((entry, expire)) = db.take_entry(src) else {
        return Reply::error(errors::NO_SUCH_KEY);
    };
    db.put_entry(dst, entry);
    if let Some(at) = expire {
        db.set_expire_at(dst, at);
    }
    ctx.notify(notify::GENERIC, "rename_from", src);
    ctx.notify(notify::GENERIC, "rename_to", dst);
    ctx.dirty(1);
    done
}

/// RANDOMKEY: a random live key, or nil in an empty database.
fn randomkey(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    // On a replica expired keys stay stored: when every key has a TTL they could all
    // be expired, so Redis (`dbRandomKey`) gives up after 100 tries and returns the
    // last key picked, expired or not.
    let all_volatile = ctx.db().len() == ctx.db().expires_len();
    let mut tries_left = if ctx.store.repl.is_replica() && all_volatile {
        100
    } else {
        u32::MAX
    };
    loop {
        let len = ctx.db().len();
        if len == 0 {
            return Reply::Null;
        }
        let index = ctx.random_below(len as u64) as usize;
        let db = ctx.db();
        let Some(key) = db.key_at(index).cloned() else {
            return Reply::Null;
        };
        if db.expire_at(&key).is_some() {
            tries_left -= 1;
            if tries_left == 0 {
                return Reply::Bulk(key);
            }
        }
        if !db.expire_if_needed(&key, now) {
            return Reply::Bulk(key);
        }
    }
}

/// A database index argument, as `getIntFromObjectOrReply` + `selectDb`.
pub fn db_index(arg: &[u8]) -> Result<usize, Reply> {
    let index = args::int32(arg, None)?;
    if !(0..DB_COUNT as i64).contains(&index) {
        return Err(Reply::error(errors::DB_INDEX_OUT_OF_RANGE));
    }
    Ok(index as usize)
}

/// COPY source destination [DB index] [REPLACE]: 1 when copied, 0 when the source is
/// missing or the destination exists (without REPLACE). The copy keeps the TTL.
fn copy(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let src_db = ctx.db_index();
    let mut dst_db = src_db;
    let mut replace = false;
    let mut j = 3;
    while j < argv.len() {
        if args::is(&argv[j], "REPLACE") {
            replace = true;
        } else if args::is(&argv[j], "DB") && j + 1 < argv.len() {
            dst_db = match db_index(&argv[j + 1]) {
                Ok(d) => d,
                Err(e) => return e,
            };
            j += 1;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    if ctx.store.config.cluster_enabled && (src_db != 0 || dst_db != 0) {
        return Reply::error("ERR Copying to another database is not allowed in cluster mode");
    }
    let (src, dst) = (&argv[1], &argv[2]);
    if src_db == dst_db && src == dst {
        return Reply::error(SAME_OBJECT);
    }
    let now = ctx.now_ms;
    let dbs = &mut ctx.store.dbs;
    let Some(entry) = dbs[src_db].entry_mut(src, now) else {
        return Reply::Integer(0);
    };
    let enc = match (&entry.value, entry.enc) {
        (_, StrEnc::Auto) => StrEnc::Copy,
        // dupStringObject: a raw string's copy is a fresh SDS of its length.
        (Value::Str(s), StrEnc::Raw(_)) => StrEnc::fresh_raw(s.len()),
        (_, enc) => enc,
    };
    let copy = Entry::with(entry.value.clone(), enc, now / 1000);
    let expire = dbs[src_db].expire_at(src);
    if dbs[dst_db].entry_mut(dst, now).is_some() {
        if !replace {
            return Reply::Integer(0);
        }
        dbs[dst_db].remove(dst);
    }
    dbs[dst_db].put_entry(dst, copy);
    if let Some(at) = expire {
        dbs[dst_db].set_expire_at(dst, at);
    }
    ctx.store.touch(dst_db, dst);
    ctx.store.notify(notify::GENERIC, "copy_to", dst, dst_db);
    ctx.dirty(1);
    Reply::Integer(1)
}

/// MOVE key db: moves the key (with its TTL) to another database; 1 or 0.
fn move_cmd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if ctx.store.config.cluster_enabled {
        return Reply::error("ERR MOVE is not allowed in cluster mode");
    }
    let src_db = ctx.db_index();
    let dst_db = match db_index(&argv[2]) {
        Ok(d) => d,
        Err(e) => return e,
    };
    if src_db == dst_db {
        return Reply::error(SAME_OBJECT);
    }
    let key = &argv[1];
    let now = ctx.now_ms;
    let dbs = &mut ctx.store.dbs;
    if dbs[src_db].entry_mut(key, now).is_none() || dbs[dst_db].entry_mut(key, now).is_some() {
        return Reply::Integer(0);
    }
    let Some((entry, expire)) = dbs[src_db].take_entry(key) else {
        return Reply::Integer(0);
    };
    dbs[dst_db].put_entry(key, entry);
    if let Some(at) = expire {
        dbs[dst_db].set_expire_at(key, at);
    }
    ctx.store.touch(src_db, key);
    ctx.store.touch(dst_db, key);
    ctx.store.notify(notify::GENERIC, "move_from", key, src_db);
    ctx.store.notify(notify::GENERIC, "move_to", key, dst_db);
    ctx.dirty(1);
    Reply::Integer(1)
}
