//! Eviction: what Redis 7.0's `performEvictions` does before a command when used memory
//! is over `maxmemory` — delete keys chosen by `maxmemory-policy` until it is under, or
//! give up (the command is then refused if it is deny-oom, see `maxmemory.rs`).
//!
//! - `noeviction`: nothing is deleted.
//! - `allkeys-random`, `volatile-random`: a random key (with an expiry, for volatile-*)
//!   of the next database in turn, as `dictGetRandomKey` does.
//! - `allkeys-lru`, `volatile-lru`, `allkeys-lfu`, `volatile-lfu`, `volatile-ttl`: Redis
//!   samples `maxmemory-samples` keys of every database and evicts the best of its pool;
//!   redsim samples the same number per database each round and evicts the best sampled:
//!   the longest idle for LRU, the soonest to expire for TTL. redsim keeps no access
//!   frequency, so the LFU policies choose as LRU does.
//!
//! Every choice draws on the host's random stream, so a simulated run replays exactly.

use crate::access::{Mode, Resource};
use crate::host::Host;
use crate::script::Scripting;
use crate::store::Store;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Choice {
    Random,
    Idle,
    Ttl,
}

/// Evicts keys until used memory is at most `limit`; returns whether it got there.
pub fn free_memory(
    store: &mut Store,
    scripts: &Scripting,
    host: &mut dyn Host,
    limit: u64,
) -> bool {
    if super::memory::used_memory(store, Some(scripts)) <= limit {
        return true;
    }
    let policy = store.config.get("maxmemory-policy").unwrap_or_default();
    let Some((volatile, choice)) = parse_policy(&policy) else {
        return false;
    };
    let samples = store
        .config
        .get("maxmemory-samples")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(5);
    loop {
        let Some((db, key)) = victim(store, host, volatile, choice, samples) else {
            return false;
        };
        store.dbs[db].remove(&key);
        store.touch(db, &key);
        store.stats.evicted_keys += 1;
        store.notify(crate::store::notify::EVICTED, "evicted", &key, db);
        if let Some(access) = store.access.as_mut() {
            // The choice depends on the whole keyspace.
            access.global = true;
            access.touch(Resource::Random, Mode::Write);
        }
        if super::memory::used_memory(store, Some(scripts)) <= limit {
            return true;
        }
    }
}

/// (volatile keys only, how to choose) for a policy that evicts.
fn parse_policy(policy: &str) -> Option<(bool, Choice)> {
    let (scope, kind) = policy.split_once('-')?;
    let volatile = scope == "volatile";
    let choice = match kind {
        "random" => Choice::Random,
        "lru" | "lfu" => Choice::Idle,
        "ttl" => Choice::Ttl,
        _ => return None,
    };
    Some((volatile, choice))
}

/// The key to evict, with its database.
fn victim(
    store: &mut Store,
    host: &mut dyn Host,
    volatile: bool,
    choice: Choice,
    samples: usize,
) -> Option<(usize, Vec<u8>)> {
    let dbs = store.dbs.len();
    if choice == Choice::Random {
        for _ in 0..dbs {
            store.evict_next_db = (store.evict_next_db + 1) % dbs;
            let db = &store.dbs[store.evict_next_db];
            let n = candidates(db, volatile);
            if n > 0 {
                let at = host.random_below(n as u64) as usize;
                return candidate(db, volatile, at).map(|k| (store.evict_next_db, k.clone()));
            }
        }
        return None;
    }
    // (score: higher is evicted first, db, key)
    let mut best: Option<(u64, usize, Vec<u8>)> = None;
    for (index, db) in store.dbs.iter().enumerate() {
        let n = candidates(db, volatile);
        for _ in 0..samples.min(n) {
            let at = host.random_below(n as u64) as usize;
            let Some(key) = candidate(db, volatile, at) else {
                continue;
            };
            let score = match choice {
                Choice::Ttl => u64::MAX - db.expire_at(key).unwrap_or(u64::MAX),
                _ => u64::MAX - db.access_s(key).unwrap_or(0),
            };
            if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                best = Some((score, index, key.clone()));
            }
        }
    }
    best.map(|(_, db, key)| (db, key))
}

fn candidates(db: &crate::db::Db, volatile: bool) -> usize {
    if volatile {
        db.expires_len()
    } else {
        db.len()
    }
}

fn candidate(db: &crate::db::Db, volatile: bool, at: usize) -> Option<&Vec<u8>> {
    if volatile {
        db.expiring_key_at(at)
    } else {
        db.key_at(at)
    }
}
