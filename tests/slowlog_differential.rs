//! SLOWLOG against a real redis-server 7.0.15: which commands are logged (clients and
//! EXEC yes, a script's calls no, `skip_slowlog` commands no), the 32-argument and
//! 128-byte cuts, the ids, the client name, `slowlog-max-len` and the subcommands' replies.
//! Durations and times differ between the two servers, so entries are compared through
//! a script that keeps their id, arguments and client name.

mod support;

use support::pair::Pair;
use support::redis_server_available;

const ENTRIES: &str = "EVAL \"local r = {} for _, e in ipairs(redis.call('SLOWLOG', 'GET', -1)) do table.insert(r, {e[1], e[4], e[6]}) end return r\" 0";

const LINES: &[&str] = &[
    "CONFIG SET slowlog-log-slower-than 0",
    "SLOWLOG RESET",
    "SET a 1",
    "GET a",
    "CLIENT SETNAME tester",
    "SET k aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "RPUSH l 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35",
    "MULTI",
    "INCR a",
    "EXEC",
    "EVAL \"redis.call('SET', 'fromscript', 1) return 1\" 0",
    "AUTH nopass",
    "SLOWLOG LEN",
    ENTRIES,
    "SLOWLOG GET -2",
    "SLOWLOG GET x",
    "SLOWLOG GET 0",
    "SLOWLOG GET 1 2",
    "SLOWLOG HELP",
    "SLOWLOG FOO",
    "SLOWLOG",
    "CONFIG SET slowlog-max-len 2",
    "SET b 2",
    "SLOWLOG LEN",
    ENTRIES,
    "CONFIG SET slowlog-log-slower-than -1",
    "SLOWLOG RESET",
    "SET c 3",
    "SLOWLOG LEN",
    "CONFIG GET slowlog-max-len",
    "CONFIG GET slowlog-log-slower-than",
];

#[test]
fn slowlog_matches_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED slowlog_matches_redis: redis-server not found");
        return;
    }
    let mut pair = Pair::start(false);
    let failures: Vec<String> = LINES
        .iter()
        .filter_map(|line| pair.differs("", line))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
