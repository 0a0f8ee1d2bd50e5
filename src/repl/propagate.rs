//! What a primary puts on the replication stream for a command (Redis 7.0's
//! `alsoPropagate` / `propagatePendingCommands`, and the callers of
//! `rewriteClientCommandVector`): effects, not the commands as sent.
//!
//! - A command that changed the dataset (`server.dirty` moved) is propagated, rewritten
//!   where replaying it could give another result: relative expiries become absolute
//!   (`EXPIRE` → `PEXPIREAT`, `SET … EX` → `SET … PXAT`), an expiry in the past a `DEL`,
//!   `INCRBYFLOAT` → `SET key value KEEPTTL`, `HINCRBYFLOAT` → `HSET`, `SPOP` → `SREM`
//!   (or `DEL` of a set popped whole), `GETDEL` → `DEL`, `GETSET` → `SET`, `SET … GET`
//!   without `GET`.
//! - A key found expired on access is deleted and a `DEL` propagated before the command.
//! - Scripts and EXEC are not propagated themselves: the writes they made are, and when
//!   one execution unit (a client's command with what it ran) propagated more than one
//!   command, they are wrapped in MULTI … EXEC.

use crate::cmd::{flags, CommandSpec, Ctx};
use crate::resp::Reply;
use crate::store::Store;

/// After a command's handler: its effect joins the execution unit's pending ones.
pub(crate) fn after_command(
    ctx: &mut Ctx<'_>,
    target: &'static CommandSpec,
    argv: &[Vec<u8>],
    reply: &Reply,
    dirty_before: u64,
) {
    if ctx.store.dirty == dirty_before
        || target.has(flags::RUNS_SCRIPT)
        || target.name == "exec"
        || matches!(reply, Reply::Error(_))
    {
        return;
    }
    let db = ctx.db_index();
    for effect in effects(ctx, target.name, argv, reply) {
        ctx.store.repl.pending.push((db, effect));
    }
}

/// A key lazily expired on access: its deletion is propagated first.
pub(crate) fn expired(store: &mut Store, db: usize, key: &[u8]) {
    if store.repl.feeding() && !store.repl.is_replica() {
        store
            .repl
            .pending
            .push((db, vec![b"DEL".to_vec(), key.to_vec()]));
    }
}

/// The end of an execution unit: its effects go on the stream, wrapped in MULTI/EXEC
/// when more than one. Returns whether anything was propagated.
pub(crate) fn flush(store: &mut Store) -> bool {
    if store.repl.pending.is_empty() {
        return false;
    }
    let pending = std::mem::take(&mut store.repl.pending);
    let repl = &mut store.repl;
    let transaction = pending.len() > 1;
    if transaction {
        repl.feed(Some(pending[0].0), vec![b"MULTI".to_vec()]);
    }
    for (db, argv) in pending {
        repl.feed(Some(db), argv);
    }
    if transaction {
        repl.feed(None, vec![b"EXEC".to_vec()]);
    }
    true
}

fn upper(arg: &[u8]) -> Vec<u8> {
    arg.to_ascii_uppercase()
}

fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// The commands that reproduce `argv`'s effect on a replica.
fn effects(ctx: &mut Ctx<'_>, name: &str, argv: &[Vec<u8>], reply: &Reply) -> Vec<Vec<Vec<u8>>> {
    let key = argv.get(1).cloned().unwrap_or_default();
    let db = ctx.db_index();
    let expire_of = |ctx: &mut Ctx<'_>, key: &[u8]| ctx.store.dbs[db].expire_at(key);
    let exists = |ctx: &mut Ctx<'_>, key: &[u8]| ctx.store.dbs[db].holds(key);
    let del = |key: Vec<u8>| vec![b"DEL".to_vec(), key];
    let bulk = |reply: &Reply| match reply {
        Reply::Bulk(b) => Some(b.clone()),
        _ => None,
    };
    let ms = |at: u64| at.to_string().into_bytes();
    match name {
        "set" => {
            let expires = argv
                .iter()
                .skip(3)
                .any(|a| ["ex", "px", "exat", "pxat"].iter().any(|w| is(a, w)));
            if expires {
                if let Some(at) = expire_of(ctx, &key) {
                    return vec![vec![
                        b"SET".to_vec(),
                        key,
                        argv[2].clone(),
                        b"PXAT".to_vec(),
                        ms(at),
                    ]];
                }
            }
            let mut out = vec![argv[0].clone(), key, argv[2].clone()];
            out.extend(argv.iter().skip(3).filter(|a| !is(a, "get")).cloned());
            vec![out]
        }
        "setex" | "psetex" => match expire_of(ctx, &key) {
            Some(at) => vec![vec![
                b"SET".to_vec(),
                key,
                argv[3].clone(),
                b"PXAT".to_vec(),
                ms(at),
            ]],
            None => vec![argv.to_vec()],
        },
        "expire" | "pexpire" | "expireat" | "pexpireat" | "getex" => {
            if !exists(ctx, &key) {
                return vec![del(key)];
            }
            match expire_of(ctx, &key) {
                Some(at) => vec![vec![b"PEXPIREAT".to_vec(), key, ms(at)]],
                None if name == "getex" => vec![vec![b"PERSIST".to_vec(), key]],
                None => vec![argv.to_vec()],
            }
        }
        "incrbyfloat" => match bulk(reply) {
            Some(value) => vec![vec![b"SET".to_vec(), key, value, b"KEEPTTL".to_vec()]],
            None => vec![argv.to_vec()],
        },
        "hincrbyfloat" => match bulk(reply) {
            Some(value) => vec![vec![b"HSET".to_vec(), key, argv[2].clone(), value]],
            None => vec![argv.to_vec()],
        },
        "getdel" => vec![del(key)],
        "getset" => vec![vec![b"SET".to_vec(), key, argv[2].clone()]],
        "spop" => {
            let popped: Vec<Vec<u8>> = match reply {
                Reply::Bulk(member) => vec![member.clone()],
                Reply::Array(items) | Reply::Set(items) => items
                    .iter()
                    .filter_map(|i| match i {
                        Reply::Bulk(b) => Some(b.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if argv.len() > 2 && !exists(ctx, &key) {
                // The whole set went: one deletion.
                return vec![del(key)];
            }
            // Redis writes SREMs of at most 1024 members each.
            popped
                .chunks(1024)
                .map(|members| {
                    let mut out = vec![b"SREM".to_vec(), key.clone()];
                    out.extend(members.iter().cloned());
                    out
                })
                .collect()
        }
        _ => {
            let _ = upper;
            vec![argv.to_vec()]
        }
    }
}
