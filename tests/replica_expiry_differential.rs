//! Expired keys on a replica against a real primary + replica pair (redis-server 7.0.15,
//! SKIPPED when absent). A Redis 7.0 replica does not expire keys itself: a key whose
//! TTL passed reads as missing (GET, EXISTS, TTL, KEYS, SCAN, TYPE...) but stays stored
//! (DBSIZE and INFO keyspace count it) until the primary's DEL arrives (`expireIfNeeded`'s
//! `masterhost` branch, db.c). The primary's active expiry is paused (DEBUG
//! SET-ACTIVE-EXPIRE 0) so that only its lazy expiry sends that DEL.

mod support;

use redsim::{Engine, ManualHost};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use support::clock::{advance_ms, engine_with_clock};
use support::replica_pair::{self, EnginePair};
use support::{normalize, parse_frame, redis_server_available, Compare, Frame, RawConn};

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn engine() -> (Engine, Arc<AtomicU64>) {
    let (mut e, clock) = engine_with_clock(ManualHost::default());
    e.store.config.set_startup("enable-debug-command", "yes");
    (e, clock)
}

/// The keys of a SCAN reply, sorted (the order is the hash table's).
fn scan_keys(reply: &[u8]) -> Vec<Vec<u8>> {
    let Ok(Some((Frame::Aggregate { children, .. }, _))) = parse_frame(reply) else {
        panic!("not a SCAN reply: {}", support::escape(reply));
    };
    let Frame::Aggregate { children: keys, .. } = &children[1] else {
        panic!("SCAN's second element is not an array");
    };
    let mut keys: Vec<Vec<u8>> = keys.iter().map(Frame::bytes).collect();
    keys.sort();
    keys
}

/// The `db0:`/`db1:` lines of INFO keyspace.
fn keyspace_lines(reply: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(reply)
        .lines()
        .filter(|l| l.starts_with("db"))
        .map(str::to_string)
        .collect()
}

struct Both {
    real_p: RawConn,
    real_r: RawConn,
    ours: EnginePair,
}

impl Both {
    fn on_primary(&mut self, words: &[&str]) {
        let command = argv(words);
        let real = self.real_p.call(&command);
        let ours = self.ours.primary.execute_encoded(self.ours.p, &command);
        assert_eq!(
            support::escape(&ours),
            support::escape(&real),
            "primary: {words:?}"
        );
    }

    fn sync(&mut self) {
        replica_pair::catch_up(&mut self.real_p, &mut self.real_r);
        self.ours.pump();
    }

    /// Runs `words` on both replicas; returns (ours, real).
    fn on_replica(&mut self, words: &[&str]) -> (Vec<u8>, Vec<u8>) {
        let command = argv(words);
        let real = self.real_r.call(&command);
        let ours = self.ours.replica.execute_encoded(self.ours.r, &command);
        (ours, real)
    }

    /// Runs `words` on both replicas and asserts the replies are equal in `mode`.
    fn same(&mut self, words: &[&str], mode: Compare) {
        let (ours, real) = self.on_replica(words);
        assert_eq!(
            support::escape(&normalize(&ours, mode)),
            support::escape(&normalize(&real, mode)),
            "replica: {words:?}"
        );
    }

    /// The reads that must all see `live` keys alive and `expired` ones missing.
    fn compare_reads(&mut self, label: &str) {
        eprintln!("-- {label}");
        for words in [
            &["DBSIZE"][..],
            &["EXISTS", "v1", "v2", "p", "h"],
            &["GET", "v1"],
            &["GET", "p"],
            &["TTL", "v1"],
            &["TYPE", "v1"],
            &["STRLEN", "v1"],
            &["HGET", "h", "f"],
            &["HLEN", "h"],
            &["OBJECT", "ENCODING", "v1"],
            &["TOUCH", "v1", "p"],
            &["MGET", "v1", "v2", "p"],
        ] {
            self.same(words, Compare::Exact);
        }
        self.same(&["KEYS", "*"], Compare::Unordered);
        let (ours, real) = self.on_replica(&["SCAN", "0", "COUNT", "1000"]);
        assert_eq!(scan_keys(&ours), scan_keys(&real), "{label}: SCAN");
        let (ours, real) = self.on_replica(&["INFO", "keyspace"]);
        assert_eq!(
            keyspace_lines(&ours),
            keyspace_lines(&real),
            "{label}: INFO"
        );
    }
}

#[test]
fn a_replica_hides_expired_keys_until_its_primary_deletes_them() {
    if !redis_server_available() {
        eprintln!("SKIPPED: redis-server not found");
        return;
    }
    let debug = [
        "--enable-debug-command",
        "yes",
        "--repl-diskless-sync-delay",
        "0",
    ];
    let primary = support::RedisServer::start_with(&debug);
    let replica = replica_pair::start(primary.port, &debug);
    let (primary_engine, primary_clock) = engine();
    let (replica_engine, replica_clock) = engine();
    let ours = EnginePair::new(primary_engine, replica_engine, &primary.port.to_string());
    let mut both = Both {
        real_p: primary.connect(),
        real_r: replica.connect(),
        ours,
    };
    both.on_primary(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    both.on_primary(&["SET", "v1", "a", "PX", "150"]);
    both.on_primary(&["SET", "v2", "b", "PX", "150"]);
    both.on_primary(&["SET", "p", "c"]);
    both.on_primary(&["HSET", "h", "f", "x"]);
    both.on_primary(&["PEXPIRE", "h", "150"]);
    // Database 1 holds only keys with a TTL: RANDOMKEY on the replica gives up
    // looking for a live one after 100 tries and returns an expired key.
    both.on_primary(&["SELECT", "1"]);
    both.on_primary(&["SET", "only", "x", "PX", "150"]);
    both.on_primary(&["SELECT", "0"]);
    both.sync();
    both.compare_reads("before the TTLs pass");

    std::thread::sleep(std::time::Duration::from_millis(300));
    advance_ms(&primary_clock, 300);
    advance_ms(&replica_clock, 300);
    both.compare_reads("expired on the replica, not deleted by the primary");
    both.same(&["PTTL", "v2"], Compare::Exact);
    // Still stored: DBSIZE counts them (4) while EXISTS finds 1.
    let (ours, _) = both.on_replica(&["DBSIZE"]);
    assert_eq!(ours, b":4\r\n");
    both.same(&["SELECT", "1"], Compare::Exact);
    both.same(&["RANDOMKEY"], Compare::Exact);
    both.same(&["DBSIZE"], Compare::Exact);
    both.same(&["SELECT", "0"], Compare::Exact);

    // The primary's lazy expiry deletes v1 and h and sends the DELs.
    both.on_primary(&["GET", "v1"]);
    both.on_primary(&["EXISTS", "h"]);
    both.sync();
    both.compare_reads("v1 and h deleted by the primary");
    let (ours, _) = both.on_replica(&["DBSIZE"]);
    assert_eq!(ours, b":2\r\n");

    // Writes from the primary see an expired key as alive until its DEL: APPEND on the
    // primary expires v2 first (DEL, then a new v2), the replica ends with the new one.
    both.on_primary(&["APPEND", "v2", "z"]);
    both.sync();
    both.compare_reads("v2 written again by the primary");
}
