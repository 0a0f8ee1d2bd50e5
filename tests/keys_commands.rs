//! Keyspace and expiry commands through `Engine::call`, with the replies real Redis 7.0
//! gives. Byte-level coverage is in corpus/golden/keyspace.txt; these tests need a
//! moving clock, several clients, WATCH, or many keys.

mod support;

use redsim::{Engine, ManualHost, Reply};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use support::clock::advance_ms;

fn engine_with_clock() -> (Engine, Arc<AtomicU64>) {
    support::clock::engine_with_clock(ManualHost::new(0, 7))
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn strings(reply: &Reply) -> Vec<String> {
    match reply {
        Reply::Array(items) => items
            .iter()
            .map(|i| match i {
                Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("not a bulk: {other:?}"),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

/// Runs one SCAN call: (next cursor, keys).
fn scan(e: &mut Engine, c: redsim::ClientId, cursor: &str, count: &str) -> (String, Vec<String>) {
    match e.call(c, &["SCAN", cursor, "COUNT", count]) {
        Reply::Array(parts) => {
            let Reply::Bulk(next) = &parts[0] else {
                panic!("cursor")
            };
            (
                String::from_utf8_lossy(next).into_owned(),
                strings(&parts[1]),
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn scan_returns_every_key_present_for_the_whole_iteration_despite_deletions() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    for i in 0..100 {
        e.call(c, &["SET", &format!("k{i}"), "v"]);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let (next, keys) = scan(&mut e, c, &cursor, "7");
        seen.extend(keys);
        calls += 1;
        // Delete a few keys every call (never k0..k49, which must all be returned).
        let victim = format!("k{}", 99 - calls);
        e.call(c, &["DEL", &victim]);
        e.call(c, &["SET", &format!("new{calls}"), "v"]);
        if next == "0" {
            break;
        }
        cursor = next;
        assert!(calls < 100, "SCAN must terminate");
    }
    for i in 0..50 {
        assert!(seen.contains(&format!("k{i}")), "k{i} was never returned");
    }
}

#[test]
fn scan_type_and_match_filter_after_visiting() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["MSET", "a1", "x", "a2", "y", "b1", "z"]);
    let reply = e.call(c, &["SCAN", "0", "MATCH", "a*", "TYPE", "string"]);
    let Reply::Array(parts) = reply else { panic!() };
    assert_eq!(parts[0], bulk("0"));
    let mut keys = strings(&parts[1]);
    keys.sort();
    assert_eq!(keys, ["a1", "a2"]);
}

#[test]
fn expired_keys_are_invisible_to_keys_scan_exists_and_randomkey() {
    let (mut e, clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "live", "v"]);
    e.call(c, &["SET", "dying", "v", "PX", "10"]);
    advance_ms(&clock, 10);
    assert_eq!(strings(&e.call(c, &["KEYS", "*"])), ["live"]);
    assert_eq!(e.call(c, &["EXISTS", "dying"]), Reply::Integer(0));
    for _ in 0..20 {
        assert_eq!(e.call(c, &["RANDOMKEY"]), bulk("live"));
    }
}

#[test]
fn dbsize_counts_expired_keys_until_they_are_accessed() {
    let (mut e, clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "a", "v", "PX", "5"]);
    e.call(c, &["SET", "b", "v"]);
    advance_ms(&clock, 5);
    assert_eq!(
        e.call(c, &["DBSIZE"]),
        Reply::Integer(2),
        "as Redis right after the expiry"
    );
    assert_eq!(e.call(c, &["GET", "a"]), Reply::Null);
    assert_eq!(e.call(c, &["DBSIZE"]), Reply::Integer(1));
}

#[test]
fn randomkey_is_reproducible_from_the_host_seed() {
    let run = || {
        let (mut e, _clock) = engine_with_clock();
        let c = e.connect();
        for i in 0..20 {
            e.call(c, &["SET", &format!("k{i}"), "v"]);
        }
        (0..10)
            .map(|_| e.call(c, &["RANDOMKEY"]))
            .collect::<Vec<_>>()
    };
    let first = run();
    assert_eq!(first, run());
    assert!(
        first.iter().any(|r| *r != first[0]),
        "RANDOMKEY should pick different keys"
    );
}

#[test]
fn expire_counts_down_and_gt_lt_compare_with_the_current_ttl() {
    let (mut e, clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "k", "v"]);
    assert_eq!(
        e.call(c, &["EXPIRE", "k", "10", "GT"]),
        Reply::Integer(0),
        "no TTL counts as infinite"
    );
    assert_eq!(e.call(c, &["EXPIRE", "k", "10", "LT"]), Reply::Integer(1));
    advance_ms(&clock, 4000);
    assert_eq!(e.call(c, &["TTL", "k"]), Reply::Integer(6));
    assert_eq!(
        e.call(c, &["PEXPIRE", "k", "5000", "LT"]),
        Reply::Integer(1)
    );
    assert_eq!(
        e.call(c, &["PEXPIRE", "k", "5000", "LT"]),
        Reply::Integer(0),
        "equal is not less"
    );
    assert_eq!(
        e.call(c, &["PEXPIRETIME", "k"]),
        Reply::Integer(1_678_886_409_000)
    );
    advance_ms(&clock, 5000);
    assert_eq!(e.call(c, &["TTL", "k"]), Reply::Integer(-2));
}

#[test]
fn rename_carries_the_ttl_and_signals_both_keys() {
    let (mut e, _clock) = engine_with_clock();
    let (a, b) = (e.connect(), e.connect());
    e.call(a, &["SET", "src", "v", "EX", "50"]);
    e.call(a, &["WATCH", "dst"]);
    assert_eq!(e.call(b, &["RENAME", "src", "dst"]), Reply::ok());
    assert_eq!(e.call(b, &["TTL", "dst"]), Reply::Integer(50));
    e.call(a, &["MULTI"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::NullArray);
}

#[test]
fn move_signals_the_key_in_the_target_database() {
    let (mut e, _clock) = engine_with_clock();
    let (a, b) = (e.connect(), e.connect());
    e.call(a, &["SELECT", "1"]);
    e.call(a, &["WATCH", "k"]);
    e.call(b, &["SET", "k", "v"]);
    assert_eq!(e.call(b, &["MOVE", "k", "1"]), Reply::Integer(1));
    e.call(a, &["MULTI"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::NullArray);
    e.call(a, &["SELECT", "1"]);
    assert_eq!(e.call(a, &["GET", "k"]), bulk("v"));
}

#[test]
fn copy_to_another_database_signals_the_destination() {
    let (mut e, _clock) = engine_with_clock();
    let (a, b) = (e.connect(), e.connect());
    e.call(a, &["SELECT", "2"]);
    e.call(a, &["WATCH", "dst"]);
    e.call(b, &["SET", "src", "v"]);
    assert_eq!(
        e.call(b, &["COPY", "src", "dst", "DB", "2"]),
        Reply::Integer(1)
    );
    e.call(a, &["MULTI"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::NullArray);
}

#[test]
fn swapdb_signals_watched_keys_present_on_either_side() {
    let (mut e, _clock) = engine_with_clock();
    let (a, b) = (e.connect(), e.connect());
    e.call(b, &["SELECT", "1"]);
    e.call(b, &["SET", "k", "in-db-1"]);
    e.call(a, &["WATCH", "k"]);
    assert_eq!(e.call(b, &["SWAPDB", "0", "1"]), Reply::ok());
    assert_eq!(e.call(a, &["GET", "k"]), bulk("in-db-1"));
    e.call(a, &["MULTI"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::NullArray);
}

#[test]
fn flushdb_signals_only_watched_keys_that_existed() {
    let (mut e, _clock) = engine_with_clock();
    let (a, b) = (e.connect(), e.connect());
    e.call(a, &["WATCH", "missing"]);
    e.call(b, &["SET", "other", "v"]);
    e.call(b, &["FLUSHDB"]);
    e.call(a, &["MULTI"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::Array(vec![]));
    e.call(b, &["SET", "k", "v"]);
    e.call(a, &["WATCH", "k"]);
    e.call(b, &["FLUSHALL"]);
    e.call(a, &["MULTI"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::NullArray);
}

#[test]
fn object_idletime_grows_until_the_key_is_read() {
    let (mut e, clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "k", "v"]);
    advance_ms(&clock, 12_000);
    assert_eq!(
        e.call(c, &["TYPE", "k"]),
        Reply::simple("string"),
        "TYPE does not touch the key"
    );
    assert_eq!(e.call(c, &["OBJECT", "IDLETIME", "k"]), Reply::Integer(12));
    e.call(c, &["GET", "k"]);
    assert_eq!(e.call(c, &["OBJECT", "IDLETIME", "k"]), Reply::Integer(0));
    advance_ms(&clock, 3_000);
    e.call(c, &["TOUCH", "k"]);
    assert_eq!(e.call(c, &["OBJECT", "IDLETIME", "k"]), Reply::Integer(0));
}

#[test]
fn del_of_many_keys_counts_only_existing_ones() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["MSET", "a", "1", "b", "2"]);
    assert_eq!(e.call(c, &["DEL", "a", "a", "b", "zz"]), Reply::Integer(2));
    assert_eq!(e.call(c, &["DBSIZE"]), Reply::Integer(0));
}

#[test]
fn a_watched_key_that_expires_and_is_read_by_another_client_fails_exec() {
    let (mut e, clock) = engine_with_clock();
    let (a, b) = (e.connect(), e.connect());
    e.call(a, &["SET", "wk", "v", "PX", "100"]);
    e.call(a, &["WATCH", "wk"]);
    advance_ms(&clock, 200);
    assert_eq!(e.call(b, &["GET", "wk"]), Reply::Null);
    e.call(a, &["MULTI"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::NullArray);
}

#[test]
fn scan_family_match_uses_the_guarded_glob_of_keys() {
    // HSCAN MATCH had its own matcher without Redis's guard against exponential
    // backtracking (CVE-2022-36021): this pattern on a long field took for ever.
    let mut engine = redsim::Engine::new(redsim::ManualHost::default());
    let c = engine.connect();
    let long = "a".repeat(4000);
    engine.call(
        c,
        &["HSET", "h", long.as_str(), "1", "hallo", "2", "hello", "3"],
    );
    let stars = format!("{}b", "a*".repeat(20));
    let reply = engine.call(
        c,
        &["HSCAN", "h", "0", "MATCH", stars.as_str(), "COUNT", "100"],
    );
    assert_eq!(
        reply,
        redsim::Reply::Array(vec![redsim::Reply::bulk("0"), redsim::Reply::Array(vec![])])
    );
    let reply = engine.call(c, &["HSCAN", "h", "0", "MATCH", "h[^e]llo", "COUNT", "100"]);
    assert_eq!(
        reply,
        redsim::Reply::Array(vec![
            redsim::Reply::bulk("0"),
            redsim::Reply::Array(vec![redsim::Reply::bulk("hallo"), redsim::Reply::bulk("2")])
        ])
    );
}
