//! Live differential test for HyperLogLog: proptest-generated sequences of PFADD (a few
//! elements or hundreds at once, enough to leave the sparse encoding), PFCOUNT of one or
//! several keys, PFMERGE, PFDEBUG, changes of `hll-sparse-max-bytes`, and damage done to
//! the strings (SETRANGE of a random byte, a few bytes cut off the end, APPEND), OBJECT
//! ENCODING and MEMORY USAGE (HLL strings are measured as Redis allocates them), sent to a
//! real redis-server and to the engine. After every command each key's bytes (GET) are
//! compared too, so the sparse opcodes, the promotion to dense and the cached cardinality
//! must be Redis's byte for byte, and damaged values must fail, or not, as in Redis.
//! That includes a trailing XZERO cut in half, where Redis reads (and may write) the byte
//! past the end of the string.
//!
//! Runs when `redis-server` is on PATH (otherwise it says it skipped and passes).
//! `REDSIM_HLL_DIFF_CASES=500 cargo test --test hll_differential` runs more.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use redsim::{Engine, ManualHost};
use support::{display_argv, escape, RedisServer};

const KEYS: &[&str] = &["h1", "h2", "h3"];
/// What APPEND adds to an HLL: a ZERO, half an XZERO, two VALs, text.
const TAILS: &[&[u8]] = &[b"\x00", b"\x7f", b"\x83\x83", b"junk"];

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(KEYS).prop_map(|k| k.as_bytes().to_vec())
}

fn keys(max: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(
        prop::sample::select(&["h1", "h2", "h3", "missing"][..])
            .prop_map(|k| k.as_bytes().to_vec()),
        1..=max,
    )
}

fn argv(words: &[&[u8]]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.to_vec()).collect()
}

fn command() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop_oneof![
        // A few elements from a small pool, so repeats happen.
        4 => (key(), prop::collection::vec(0u32..3000, 0..6)).prop_map(|(k, els)| {
            let mut a = vec![b"PFADD".to_vec(), k];
            a.extend(els.into_iter().map(|e| format!("e{e}").into_bytes()));
            a
        }),
        // Many at once: from tens of registers to past the sparse limit.
        2 => (key(), 0u32..100_000, prop::sample::select(&[30usize, 200, 800, 2500][..])).prop_map(
            |(k, start, n)| {
                let mut a = vec![b"PFADD".to_vec(), k];
                a.extend((0..n as u32).map(|i| format!("b{}", start + i).into_bytes()));
                a
            }
        ),
        3 => keys(1).prop_map(|ks| {
            let mut a = vec![b"PFCOUNT".to_vec()];
            a.extend(ks);
            a
        }),
        2 => keys(3).prop_map(|ks| {
            let mut a = vec![b"PFCOUNT".to_vec()];
            a.extend(ks);
            a
        }),
        2 => (key(), keys(3)).prop_map(|(d, ks)| {
            let mut a = vec![b"PFMERGE".to_vec(), d];
            a.extend(ks);
            a
        }),
        1 => key().prop_map(|k| vec![b"PFMERGE".to_vec(), k]),
        2 => (prop::sample::select(&["ENCODING", "DECODE", "TODENSE", "GETREG"][..]), key())
            .prop_map(|(sub, k)| vec![b"PFDEBUG".to_vec(), sub.as_bytes().to_vec(), k]),
        1 => prop::sample::select(&["0", "40", "200", "1000", "3000"][..]).prop_map(|n| argv(&[
            b"CONFIG",
            b"SET",
            b"hll-sparse-max-bytes",
            n.as_bytes()
        ])),
        1 => key().prop_map(|k| vec![b"DEL".to_vec(), k]),
        1 => key().prop_map(|k| vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), k]),
        1 => key().prop_map(|k| vec![b"MEMORY".to_vec(), b"USAGE".to_vec(), k]),
        // Damage: one byte anywhere in the header or the first registers.
        1 => (key(), 0u32..40, any::<u8>()).prop_map(|(k, pos, byte)| vec![
            b"SETRANGE".to_vec(),
            k,
            pos.to_string().into_bytes(),
            vec![byte]
        ]),
        // Damage: the last bytes cut off (the value stored again by SET, as an embstr
        // when short).
        1 => (key(), 1u32..4).prop_map(|(k, n)| vec![
            b"EVAL".to_vec(),
            b"local v = redis.call('GET', KEYS[1]) if v and #v > 16 then redis.call('SET', KEYS[1], string.sub(v, 1, #v - ARGV[1])) end".to_vec(),
            b"1".to_vec(),
            k,
            n.to_string().into_bytes()
        ]),
        1 => (key(), prop::sample::select(TAILS))
            .prop_map(|(k, tail)| vec![b"APPEND".to_vec(), k, tail.to_vec()]),
        1 => key().prop_map(|k| vec![b"SET".to_vec(), k, b"not an hll".to_vec()]),
    ]
}

fn run_case(
    redis: &RedisServer,
    resp3: bool,
    commands: &[Vec<Vec<u8>>],
) -> Result<(), TestCaseError> {
    let mut conn = redis.connect();
    conn.call(&argv(&[b"FLUSHALL"]));
    conn.call(&argv(&[
        b"CONFIG",
        b"SET",
        b"hll-sparse-max-bytes",
        b"3000",
    ]));
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    if resp3 {
        // HELLO's reply carries the connection id, so it is not compared.
        conn.call(&argv(&[b"HELLO", b"3"]));
        engine.call(client, &["HELLO", "3"]);
    }
    let history = || {
        commands
            .iter()
            .map(|c| display_argv(c).chars().take(120).collect::<String>())
            .collect::<Vec<_>>()
    };
    for command in commands {
        let expected = conn.call(command);
        let got = engine.execute_encoded(client, command);
        prop_assert_eq!(
            escape(&got),
            escape(&expected),
            "{} (after {:?})",
            display_argv(command),
            history()
        );
        for key in KEYS {
            let get = argv(&[b"GET", key.as_bytes()]);
            let expected = conn.call(&get);
            let got = engine.execute_encoded(client, &get);
            prop_assert_eq!(
                escape(&got),
                escape(&expected),
                "GET {} after {} (after {:?})",
                key,
                display_argv(command),
                history()
            );
        }
    }
    Ok(())
}

#[test]
fn hyperloglog_commands_match_a_real_redis_server_byte_for_byte() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let cases = std::env::var("REDSIM_HLL_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let redis = RedisServer::start();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (any::<bool>(), prop::collection::vec(command(), 1..30));
    let result = runner.run(&strategy, |(resp3, commands)| {
        run_case(&redis, resp3, &commands)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
