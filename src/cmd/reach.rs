//! Records what a command reached into `Store::access` (see [`crate::access`]), around the
//! handler in [`super::run_started_at`], which every command passes through.

use super::{args, flags, CommandSpec, Ctx};
use crate::access::{Mode, Resource};

/// What must be read before the handler runs, because the handler changes it.
pub(super) struct Before {
    db: usize,
    /// A key of the command had an expiry before it ran.
    expiring: bool,
    /// EXEC's WATCHed keys (EXEC forgets them).
    watched: Vec<(usize, Vec<u8>)>,
    /// The state of math.random's generator, for scripts.
    lua_random: Option<u64>,
}

/// Takes note of what the handler will change; `None` when nothing is recorded.
pub(super) fn before(ctx: &mut Ctx<'_>, target: &CommandSpec, argv: &[Vec<u8>]) -> Option<Before> {
    ctx.store.access.as_ref()?;
    let db = ctx.db_index();
    let watched = if target.name == "exec" {
        ctx.store.session(ctx.client).watched.clone()
    } else {
        Vec::new()
    };
    let expiring = target
        .key_positions(argv)
        .into_iter()
        .any(|p| ctx.store.dbs[db].expire_at(&argv[p]).is_some())
        || watched
            .iter()
            .any(|(d, key)| ctx.store.dbs[*d].expire_at(key).is_some());
    let lua_random = ctx.scripts.as_ref().map(|s| s.random_state());
    Some(Before {
        db,
        expiring,
        watched,
        lua_random,
    })
}

/// Records what `argv` reached, once its handler has run.
pub(super) fn after(
    ctx: &mut Ctx<'_>,
    spec: &CommandSpec,
    sub: Option<&CommandSpec>,
    argv: &[Vec<u8>],
    before: Before,
) {
    let target = sub.unwrap_or(spec);
    let lua_random_after = ctx.scripts.as_ref().map(|s| s.random_state());
    let db = before.db;
    let expiring_after = target
        .key_positions(argv)
        .iter()
        .any(|&p| ctx.store.dbs[db].expire_at(&argv[p]).is_some());
    let Some(access) = ctx.store.access.as_mut() else {
        return;
    };
    access.clock |= before.expiring || expiring_after || reads_the_clock(target.name, argv);
    if before.lua_random != lua_random_after {
        access.touch(Resource::LuaRandom, Mode::Write);
    }
    if target.has(flags::SESSION_ONLY) {
        return;
    }
    match (spec.name, sub.map(|s| s.name)) {
        ("exec", _) => {
            // The queued commands record themselves as they run.
            for (d, key) in &before.watched {
                access.touch(Resource::Key(*d, key), Mode::Read);
            }
            return;
        }
        // A script reaches what its `redis.call`s reach (recorded as they run), not the
        // keys it declares.
        ("eval" | "eval_ro", _) => {
            let sha = crate::script::sha1_hex(&argv[1]);
            access.touch(Resource::Script(sha.as_bytes()), Mode::Add);
            return;
        }
        ("evalsha" | "evalsha_ro", _) => {
            access.touch(Resource::Script(&argv[1]), Mode::Read);
            return;
        }
        ("fcall" | "fcall_ro", _) => {
            access.touch(Resource::Functions, Mode::Read);
            return;
        }
        ("script", Some("load")) => {
            let sha = crate::script::sha1_hex(&argv[2]);
            access.touch(Resource::Script(sha.as_bytes()), Mode::Add);
            return;
        }
        ("script", Some("exists")) => {
            for sha in &argv[2..] {
                access.touch(Resource::Script(sha), Mode::Read);
            }
            return;
        }
        ("function", Some("load" | "delete" | "flush" | "restore")) => {
            access.touch(Resource::Functions, Mode::Write);
            return;
        }
        ("function", Some("list" | "dump")) => {
            access.touch(Resource::Functions, Mode::Read);
            return;
        }
        _ => {}
    }
    let mode = if target.has(flags::WRITE) {
        Mode::Write
    } else {
        Mode::Read
    };
    if matches!(target.name, "sort" | "sort_ro") && super::sort::reads_pattern_keys(argv) {
        // BY / GET patterns read keys named by the data: which ones is not known here.
        access.global = true;
    }
    // No key (a keyless command, or a keyed one given none): global.
    match keys_of(target, argv, db) {
        Some(keys) if !keys.is_empty() => {
            for (d, key) in keys {
                access.touch(Resource::Key(d, key), mode);
            }
        }
        _ => access.global = true,
    }
}

/// The keys `argv` names, each with its database, for a client in database `db`: the key
/// positions of the command table, and for MOVE and COPY … DB the key in the other
/// database. `None` when that database is not a number (then the command fails).
pub fn keys_of<'a>(
    target: &CommandSpec,
    argv: &'a [Vec<u8>],
    db: usize,
) -> Option<Vec<(usize, &'a [u8])>> {
    let mut keys: Vec<(usize, &[u8])> = target
        .key_positions(argv)
        .into_iter()
        .map(|p| (db, argv[p].as_slice()))
        .collect();
    let other_db = |arg: Option<&Vec<u8>>| {
        arg.and_then(|d| args::parse_i64(d))
            .and_then(|d| usize::try_from(d).ok())
    };
    match target.name {
        "move" => keys.push((other_db(argv.get(2))?, argv[1].as_slice())),
        "copy" => {
            if let Some(i) = argv.iter().skip(3).position(|a| args::is(a, "DB")) {
                keys.push((other_db(argv.get(3 + i + 1))?, argv[2].as_slice()));
            }
        }
        _ => {}
    }
    Some(keys)
}

/// Commands whose effect depends on the time even for keys without an expiry: an
/// absolute deadline in the past deletes the key, and OBJECT reports idle time.
fn reads_the_clock(name: &str, argv: &[Vec<u8>]) -> bool {
    match name {
        "expireat" | "pexpireat" | "idletime" | "freq" => true,
        // Stream consumers and pending entries keep delivery and seen times; XINFO
        // STREAM FULL and CONSUMERS, XPENDING and the claims read them.
        "xreadgroup" | "xclaim" | "xautoclaim" | "xpending" | "stream" | "consumers"
        | "createconsumer" => true,
        // The auto ID `*` comes from the clock; a field that happens to be `*` only
        // makes the command look clock-dependent, which is safe.
        "xadd" => argv[2..].iter().any(|a| a == b"*"),
        "set" | "getex" => argv[2..]
            .iter()
            .any(|a| args::is(a, "EXAT") || args::is(a, "PXAT")),
        _ => false,
    }
}
