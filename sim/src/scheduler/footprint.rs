//! What a request will touch, read from the command table and the client's session, for
//! partial-order reduction.
//!
//! - Commands queued inside MULTI (they answer QUEUED), MULTI, DISCARD, UNWATCH, and a
//!   few connection commands only touch the client's own session.
//! - EXEC touches what its queued commands touch, and reads the WATCHed keys.
//! - WATCH reads its keys (a write before or after it decides EXEC's fate).
//! - Keyed commands touch their keys (`CommandSpec::key_positions`), writing them when the
//!   command has the `write` flag. Scripts (EVAL, EVALSHA, FCALL) count as writing their
//!   declared keys.
//! - Any other keyless command is global (FLUSHALL, SCRIPT FLUSH, TIME, INFO…).
//!
//! Expiry is not modelled: a read that expires a key counts as a read.

use super::Footprint;
use redsim::cmd::{self, flags, transaction};
use redsim::{ClientId, Engine};
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// The footprint of `argv` sent by `client` in the engine's current state.
pub fn footprint(engine: &Engine, client: ClientId, argv: &[Vec<u8>]) -> Footprint {
    let mut fp = Footprint::default();
    if !engine.store.is_connected(client) {
        return fp;
    }
    let session = engine.store.session(client);
    let Some(spec) = argv.first().and_then(|name| cmd::lookup(name)) else {
        return fp; // refused before running: only its own reply
    };
    if let Some(multi) = &session.multi {
        if spec.name == "exec" {
            for queued in &multi.queued {
                let inner = footprint_of(session.db, queued);
                fp.global |= inner.global;
                fp.keys.extend(inner.keys);
            }
            fp.keys.extend(
                session
                    .watched
                    .iter()
                    .map(|(db, key)| (key_hash(*db, key), false)),
            );
            return fp;
        }
        if !transaction::controls_transaction(spec.name) {
            return fp; // QUEUED
        }
    }
    footprint_of(session.db, argv)
}

fn footprint_of(db: usize, argv: &[Vec<u8>]) -> Footprint {
    let mut fp = Footprint::default();
    let Some(spec) = argv.first().and_then(|name| cmd::lookup(name)) else {
        return fp;
    };
    match spec.name {
        "multi" | "discard" | "unwatch" | "ping" | "echo" | "hello" | "quit" | "reset" => {
            return fp
        }
        "select" => {
            fp.global = true; // changes how the client's later keys resolve; rare enough
            return fp;
        }
        _ => {}
    }
    let positions = spec.key_positions(argv);
    if positions.is_empty() {
        fp.global = true;
        return fp;
    }
    let scripting = matches!(
        spec.name,
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro"
    );
    let write = spec.has(flags::WRITE) || scripting;
    fp.keys.extend(
        positions
            .into_iter()
            .filter_map(|p| argv.get(p))
            .map(|k| (key_hash(db, k), write)),
    );
    fp
}

fn key_hash(db: usize, key: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(db);
    h.write(key);
    h.finish()
}
