//! Cluster mode against a live `redis-server --cluster-enabled yes` serving every slot:
//! generated multi-key commands, transactions and scripts over keys with and without hash
//! tags run on both, and every reply is compared byte for byte — CROSSSLOT, the scripts'
//! slot errors and the replies of the commands that are served.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use redsim::{Engine, ManualHost};
use std::time::{Duration, Instant};
use support::{escape, RedisServer};

/// Keys in a few slots: `{t}…` share one, `a` and `{a}x` another.
const KEYS: &[&str] = &["a", "b", "{t}a", "{t}b", "x{t}y", "{a}x", "c"];

const SCRIPTS: &[&str] = &[
    "return redis.call('get', KEYS[1])",
    "return redis.call('mget', KEYS[1], ARGV[1])",
    "redis.call('set', KEYS[1], 'v') return redis.call('get', ARGV[1])",
    "#!lua\nreturn redis.call('get', ARGV[1])",
    "#!lua\nredis.call('set', KEYS[1], 'v') return redis.call('incr', ARGV[1])",
    "#!lua\nreturn redis.pcall('mget', ARGV[1], KEYS[1])",
    "#!lua flags=allow-cross-slot-keys\nreturn redis.call('exists', KEYS[1], ARGV[1])",
];

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(KEYS).prop_map(str::to_string)
}

fn command() -> impl Strategy<Value = Vec<String>> {
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    prop_oneof![
        (key(), key()).prop_map(move |(a, b)| words(&["MSET", &a, "1", &b, "2"])),
        (key(), key()).prop_map(move |(a, b)| words(&["MGET", &a, &b])),
        (key(), key()).prop_map(move |(a, b)| words(&["DEL", &a, &b])),
        (key(), key()).prop_map(move |(a, b)| words(&["RENAME", &a, &b])),
        (key(), key(), key()).prop_map(move |(a, b, c)| words(&["SUNIONSTORE", &a, &b, &c])),
        key().prop_map(move |a| words(&["INCR", &a])),
        key().prop_map(move |a| words(&["SADD", &a, "m"])),
        (prop::sample::select(SCRIPTS), key(), key())
            .prop_map(move |(s, a, b)| words(&["EVAL", s, "1", &a, &b])),
        (key(), key()).prop_map(move |(a, b)| words(&["EVAL", "return 1", "2", &a, &b])),
        Just(words(&["MULTI"])),
        Just(words(&["EXEC"])),
        Just(words(&["DISCARD"])),
    ]
}

/// A fresh engine in cluster mode serving every slot, with the state `ok` (2 s on).
fn cluster_engine() -> (Engine, redsim::ClientId) {
    let mut engine = Engine::new(ManualHost::default());
    engine.store.config.set_startup("cluster-enabled", "yes");
    let client = engine.connect();
    engine.call(client, &["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
    engine.host.sleep_us(2_100_000);
    (engine, client)
}

#[test]
fn cluster_routing_matches_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let redis = RedisServer::start_with(&["--cluster-enabled", "yes"]);
    let mut admin = redis.connect();
    admin.call(&[
        b"CLUSTER".to_vec(),
        b"ADDSLOTSRANGE".to_vec(),
        b"0".to_vec(),
        b"16383".to_vec(),
    ]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let info = admin.call(&[b"CLUSTER".to_vec(), b"INFO".to_vec()]);
        if String::from_utf8_lossy(&info).contains("cluster_state:ok") {
            break;
        }
        assert!(Instant::now() < deadline, "the real node never turned ok");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(admin);
    let cases = std::env::var("REDSIM_CLUSTER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = prop::collection::vec(command(), 1..12);
    let outcome = runner.run(&strategy, |commands| {
        let mut conn = redis.connect();
        conn.call(&[b"FLUSHALL".to_vec()]);
        let (mut engine, client) = cluster_engine();
        for command in &commands {
            let argv: Vec<Vec<u8>> = command.iter().map(|w| w.as_bytes().to_vec()).collect();
            let expected = conn.call(&argv);
            let got = engine.execute_encoded(client, &argv);
            prop_assert_eq!(
                escape(&got),
                escape(&expected),
                "{:?} (in {:?})",
                command,
                commands
            );
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
