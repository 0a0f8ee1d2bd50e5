//! SAVE, BGSAVE and DEBUG RELOAD: the dataset and function libraries written as an RDB
//! file (see [`crate::rdb::file`]), handed to the host — `redsim serve` writes it to
//! `dir`/`dbfilename`; the simulator's and tests' hosts keep nothing.
//!
//! redsim writes the file at once, inside the command: BGSAVE answers as Redis does
//! ("Background saving started") but the save is done when the reply is sent, so there
//! is never a save in progress to report or refuse.

use super::flags::{ADMIN, NOSCRIPT, NO_ASYNC_LOADING, NO_MULTI};
use super::spec::CommandSpec;
use super::{args, Ctx};
use crate::db::{Entry, StrEnc};
use crate::rdb::file::{self, FileKey, Snapshot};
use crate::resp::{errors, Reply};
use std::borrow::Cow;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "save",
        1,
        ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI,
        save,
    )
    .acl("admin slow dangerous"),
    CommandSpec::new("bgsave", -1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING, bgsave)
        .acl("admin slow dangerous"),
];

/// The path the file goes to, as Redis opens it: `dbfilename` inside `dir`.
pub(crate) fn rdb_path(config: &crate::config::Config) -> String {
    let name = config.get("dbfilename").unwrap_or_default();
    match config.get("dir") {
        Some(dir) if !dir.is_empty() => format!("{}/{name}", dir.trim_end_matches('/')),
        _ => name,
    }
}

/// The RDB file of the server's state, written from the dataset in place.
fn file_bytes(ctx: &mut Ctx<'_>) -> Vec<u8> {
    image(ctx.store, ctx.scripts.as_deref(), ctx.now_ms)
}

/// The RDB file of `store` and the function libraries of `scripts` at `now_ms`: what
/// SAVE writes, and what the engine hands a simulator as a server's persisted state.
pub(crate) fn image(
    store: &mut crate::store::Store,
    scripts: Option<&crate::script::Scripting>,
    now_ms: u64,
) -> Vec<u8> {
    let used = super::memory::used_memory(store, scripts);
    let now_s = now_ms / 1000;
    let libraries = scripts.map(|s| s.library_codes()).unwrap_or_default();
    let store = &*store;
    let lru = store
        .config
        .get("maxmemory-policy")
        .is_some_and(|p| p.ends_with("lru"));
    let dbs = store
        .dbs
        .iter()
        .enumerate()
        .map(|(index, db)| {
            let keys = db
                .entries_full()
                .map(|(key, entry)| FileKey {
                    key: Cow::Borrowed(&key[..]),
                    value: Cow::Borrowed(&entry.value),
                    expire_ms: db.expire_at(key),
                    idle_s: lru.then(|| now_s.saturating_sub(entry.access_s)),
                })
                .collect();
            (index, keys)
        })
        .collect();
    file::write(&Snapshot { libraries, dbs }, &store.config, now_s, used)
}

/// Writes the file through the host and records the save; the file's bytes, or `None`
/// when the host could not write it.
fn write_file(ctx: &mut Ctx<'_>) -> Option<Vec<u8>> {
    let bytes = file_bytes(ctx);
    let path = rdb_path(&ctx.store.config);
    ctx.host.persist(&path, &bytes).ok()?;
    saved(ctx);
    Some(bytes)
}

/// Writes the file; Redis's error reply when the host could not.
pub(crate) fn save_now(ctx: &mut Ctx<'_>) -> Result<(), Reply> {
    write_file(ctx).map(drop).ok_or_else(|| Reply::error("ERR"))
}

/// Records a successful save (LASTSAVE, INFO persistence).
fn saved(ctx: &mut Ctx<'_>) {
    ctx.store.process.last_save_ms = Some(ctx.now_ms);
    ctx.store.process.dirty_at_save = ctx.store.dirty;
}

fn save(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    match save_now(ctx) {
        Ok(()) => Reply::ok(),
        Err(e) => e,
    }
}

/// BGSAVE [SCHEDULE].
fn bgsave(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 2 || (argv.len() == 2 && !args::is(&argv[1], "SCHEDULE")) {
        return Reply::error(errors::SYNTAX);
    }
    match save_now(ctx) {
        Ok(()) => Reply::simple("Background saving started"),
        Err(e) => e,
    }
}

/// DEBUG RELOAD: saves, empties every database and loads the file back (what a restart
/// with the file would give).
pub(crate) fn debug_reload(ctx: &mut Ctx<'_>) -> Reply {
    let Some(bytes) = write_file(ctx) else {
        return Reply::error("ERR Error trying to save the DB");
    };
    match file::read(&bytes, &ctx.store.config, ctx.now_ms) {
        Ok(loaded) => {
            load_into(ctx.store, loaded, ctx.now_ms);
            Reply::ok()
        }
        Err(_) => Reply::error("ERR Error trying to load the RDB dump"),
    }
}

/// Replaces every database's keys with a file's (the libraries are the caller's).
pub(crate) fn load_into(store: &mut crate::store::Store, snapshot: Snapshot<'_>, now_ms: u64) {
    for db in &mut store.dbs {
        db.clear();
    }
    for (index, keys) in snapshot.dbs {
        let db = &mut store.dbs[index];
        for k in keys {
            let access_s = (now_ms / 1000).saturating_sub(k.idle_s.unwrap_or(0));
            db.put_entry(
                &k.key,
                Entry::with(k.value.into_owned(), StrEnc::Auto, access_s),
            );
            if let Some(at) = k.expire_ms {
                db.set_expire_at(&k.key, at);
            }
        }
    }
}
