//! Differential proptests against a live redis-server: generated command sequences run on
//! a fresh engine and on the server (after FLUSHALL and the case's setup), and every reply
//! is compared byte for byte.

use super::{escape, RedisServer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use redsim::{Engine, ManualHost};

/// Runs `cases` cases of `strategy` (the env var `var` raises it, `default` otherwise)
/// through `case` against one redis-server; says SKIPPED when there is none.
pub fn run<S: Strategy>(
    var: &str,
    default: u32,
    strategy: S,
    case: impl Fn(&RedisServer, S::Value) -> Result<(), TestCaseError>,
) {
    if !super::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let cases = std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    let redis = RedisServer::start();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = runner.run(&strategy, |value| case(&redis, value)) {
        panic!("{e}");
    }
}

/// FLUSHALL and `setup` on both sides (not compared), HELLO 3 when `resp3`, then
/// `commands` with every reply compared.
pub fn replay(
    redis: &RedisServer,
    resp3: bool,
    setup: &[Vec<String>],
    commands: &[Vec<String>],
) -> Result<(), TestCaseError> {
    let mut conn = redis.connect();
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    let bytes = |words: &[String]| -> Vec<Vec<u8>> {
        words.iter().map(|a| a.as_bytes().to_vec()).collect()
    };
    conn.call(&[b"FLUSHALL".to_vec()]);
    for words in setup {
        conn.call(&bytes(words));
        engine.execute(client, &bytes(words));
    }
    if resp3 {
        // HELLO's reply carries the connection id, so it is not compared.
        conn.call(&[b"HELLO".to_vec(), b"3".to_vec()]);
        engine.call(client, &["HELLO", "3"]);
    }
    for command in commands {
        let argv = bytes(command);
        let expected = conn.call(&argv);
        let got = engine.execute_encoded(client, &argv);
        prop_assert_eq!(
            escape(&got),
            escape(&expected),
            "{} (after {:?})",
            command.join(" "),
            commands.iter().map(|c| c.join(" ")).collect::<Vec<_>>()
        );
    }
    Ok(())
}
