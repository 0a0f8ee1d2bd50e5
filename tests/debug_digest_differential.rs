//! DEBUG DIGEST and DEBUG DIGEST-VALUE against a real redis-server 7.0.15 (started with
//! `enable-debug-command yes`): the same data gives the same digests, for every type and
//! encoding, with and without expiry, in several databases.

mod support;

use support::pair::Pair;
use support::redis_server_available;

const LINES: &[&str] = &[
    "DEBUG DIGEST",
    "SET s hello",
    "SET n 12345",
    "SET e v EX 1000",
    "RPUSH l a b c 1 2",
    "RPUSH l2 c b a",
    "SADD si 3 1 2",
    "SADD sh a b c 10",
    "HSET h f1 v1 f2 v2",
    "ZADD z 1 a 2.5 b -3 c 1e100 d",
    "ZADD zi 1 10 2 20",
    "DEBUG DIGEST-VALUE s n e l l2 si sh h z zi missing",
    "DEBUG DIGEST-VALUE",
    "DEBUG DIGEST",
    "SELECT 3",
    "SET other 1",
    "DEBUG DIGEST",
    "COPY s s2",
    "SELECT 0",
    "COPY l lcopy",
    "DEBUG DIGEST-VALUE l lcopy",
    "DEBUG DIGEST",
];

#[test]
fn digests_match_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED digests_match_redis: redis-server not found");
        return;
    }
    let mut pair = Pair::start(true);
    let failures: Vec<String> = LINES
        .iter()
        .filter_map(|line| pair.differs("", line))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// DEBUG ERROR: the text as an error reply (no `ERR` added, newlines made spaces), which
/// Redis does not count among error replies.
#[test]
fn debug_error_matches_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED debug_error_matches_redis: redis-server not found");
        return;
    }
    let mut pair = Pair::start(true);
    let lines = [
        "DEBUG ERROR \"OOM blah blah\"",
        "DEBUG ERROR -XY",
        "DEBUG ERROR \"a\\r\\nb\"",
        "DEBUG ERROR a b",
        "INFO errorstats",
    ];
    let failures: Vec<String> = lines
        .iter()
        .filter_map(|line| pair.differs("", line))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
