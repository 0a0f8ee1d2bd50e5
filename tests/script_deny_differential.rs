//! DEBUG SET-DISABLE-DENY-SCRIPTS against a real redis-server 7.0.15 (started with
//! `enable-debug-command yes`): with it set, a script may call `noscript` commands
//! (Redis's `script_disable_deny_script`, read in `scriptCall`), which Redis's own test
//! suite uses to reach DEBUG PROTOCOL from Lua; the flag is read with `atoi`.

mod support;

use support::pair::Pair;
use support::redis_server_available;

const LINES: &[&str] = &[
    "EVAL \"return redis.call('debug', 'protocol', 'string')\" 0",
    "DEBUG SET-DISABLE-DENY-SCRIPTS 1",
    "EVAL \"return redis.call('debug', 'protocol', 'string')\" 0",
    "EVAL \"return redis.call('debug', 'protocol', 'bignum')\" 0",
    "EVAL \"redis.setresp(3) return redis.call('debug', 'protocol', 'map')\" 0",
    "EVAL \"redis.setresp(3) return redis.call('debug', 'protocol', 'double')\" 0",
    "EVAL \"redis.setresp(3) return redis.call('debug', 'protocol', 'true')\" 0",
    "EVAL \"return redis.call('debug', 'protocol', 'verbatim')\" 0",
    "EVAL \"redis.setresp(3) return redis.call('debug', 'protocol', 'attrib')\" 0",
    "EVAL \"return redis.pcall('multi')\" 0",
    "DEBUG set-disable-deny-scripts 0",
    "EVAL \"return redis.pcall('debug', 'protocol', 'string')\" 0",
    "DEBUG SET-DISABLE-DENY-SCRIPTS 7x",
    "EVAL \"return redis.pcall('debug', 'protocol', 'integer')\" 0",
    "DEBUG SET-DISABLE-DENY-SCRIPTS yes",
    "EVAL \"return redis.pcall('debug', 'protocol', 'integer')\" 0",
    "DEBUG SET-DISABLE-DENY-SCRIPTS",
    "DEBUG SET-DISABLE-DENY-SCRIPTS 1 2",
];

#[test]
fn disabling_the_script_deny_list_matches_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED disabling_the_script_deny_list_matches_redis: no redis-server");
        return;
    }
    let mut pair = Pair::start(true);
    let mut failures = Vec::new();
    for protocol in ["2", "3"] {
        pair.call(&[b"HELLO".to_vec(), protocol.as_bytes().to_vec()]);
        let label = format!("RESP{protocol} ");
        failures.extend(LINES.iter().filter_map(|line| pair.differs(&label, line)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
