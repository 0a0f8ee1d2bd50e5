//! Writes a server refuses for its replication state:
//! - `min-replicas-to-write`: a primary refuses writes while fewer good replicas than
//!   that are attached (`checkGoodReplicasStatus`: a replica is good when it
//!   acknowledged within `min-replicas-max-lag` seconds; the check is off when the lag
//!   is 0 or the server is itself a replica) — `NOREPLICAS`;
//! - `replica-read-only`: a replica refuses writes from anyone but its primary —
//!   `READONLY`.
//!
//! Both stop a client's write command (or EXEC of a queued write, or EVAL/FCALL of a
//! script that may write — its declared flags decide) in `processCommand`, and a
//! script's first write through `redis.call` (`scriptVerifyWriteCommandAllow`; once the
//! script has written it is no longer stopped).

use crate::config::Config;
use crate::resp::Reply;
use crate::session::{ClientId, MultiState};
use crate::store::Store;

pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";
pub const READONLY: &str = "READONLY You can't write against a read only replica.";

/// Whether writes are refused for lack of good replicas.
pub fn writes_refused(store: &Store, now_ms: u64) -> bool {
    let config = &store.config;
    // Both parameters are stored only when changed: a default configuration costs one check.
    if config.stored.is_empty() || store.repl.is_replica() {
        return false;
    }
    let min = number(config, "min-replicas-to-write", 0);
    let max_lag = number(config, "min-replicas-max-lag", 10);
    min > 0 && max_lag > 0 && (good_replicas(store, now_ms, max_lag) as i64) < min
}

fn number(config: &Config, name: &str, default: i64) -> i64 {
    config
        .stored
        .get(name)
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(default)
}

/// Replicas that acknowledged within `max_lag` seconds (`repl_good_slaves_count`).
pub(crate) fn good_replicas(store: &Store, now_ms: u64, max_lag: i64) -> usize {
    let now_s = (now_ms / 1000) as i64;
    store
        .repl
        .replicas
        .iter()
        .filter(|r| now_s - (r.ack_ms / 1000) as i64 <= max_lag)
        .count()
}

/// `min_slaves_good_slaves` for INFO, when the check is on.
pub(crate) fn good_replicas_shown(store: &Store, now_ms: u64) -> Option<usize> {
    let min = number(&store.config, "min-replicas-to-write", 0);
    let max_lag = number(&store.config, "min-replicas-max-lag", 10);
    (min > 0 && max_lag > 0).then(|| good_replicas(store, now_ms, max_lag))
}

/// Whether `client`'s writes are refused because this server is a read-only replica.
pub fn read_only_replica(store: &Store, client: ClientId) -> bool {
    store.repl.is_replica()
        && store.repl.master_client != Some(client)
        && store
            .config
            .stored
            .get("replica-read-only")
            .map(String::as_str)
            != Some("no")
}

/// The refusal of a client's command whose flags are `flags` (EXEC: with its queue's):
/// NOREPLICAS first, then READONLY, as `processCommand` checks them.
pub fn admit(
    store: &Store,
    client: ClientId,
    now_ms: u64,
    is_exec: bool,
    multi: Option<&MultiState>,
    flags: u32,
) -> Option<Reply> {
    let queued = match multi {
        Some(m) if is_exec => m.flags,
        _ => 0,
    };
    let writes = (flags | queued) & super::flags::WRITE != 0;
    if !writes {
        return None;
    }
    if writes_refused(store, now_ms) {
        return Some(Reply::error(NOREPLICAS));
    }
    read_only_replica(store, client).then(|| Reply::error(READONLY))
}
