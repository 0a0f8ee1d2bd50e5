//! DUMP and RESTORE against a real redis-server 7.0.15: the payload of every type and
//! encoding is Redis's byte for byte where Redis's own bytes are deterministic, payloads
//! restore across the two servers in both directions to the same value (same DEBUG
//! DIGEST-VALUE, same OBJECT ENCODING), and RESTORE's errors are Redis's.

mod support;

use proptest::prelude::*;
use redsim::resp::parse::split_args;
use support::pair::Pair;
use support::{escape, redis_server_available};

/// Setups whose DUMP is deterministic in Redis (no hashtable iteration order).
const EXACT: &[&str] = &[
    "SET k hello",
    "SET k 12",
    "SET k -129",
    "SET k 70000",
    "SET k -2147483649",
    "SET k 12345678901",
    "SET k aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "SET k abcdefghijklmnopqrstuvwxyz0123456789",
    "SET k \"\"",
    "APPEND k 123",
    "SETRANGE k 30 abcabcabcabcabcabcabcabc",
    "RPUSH k a b 1 2 300 -5 70000 -70000 9223372036854775807",
    "LPUSH k z y x",
    "HSET k a 1 b hello c -4096 d 4095",
    "SADD k 1 2 3 -7",
    "SADD k 1 100000",
    "SADD k 1 5000000000",
    "SADD k -32768 32767",
    "ZADD k 1 a 2.5 b -3 c 1e100 d 0 e",
    "ZADD k inf i -inf n 0.1 p",
    "ZADD k 4611686018427387904 big 4611686018427387903 fits",
    "XADD k 1-1 a 1 b 2",
    "EVAL \"redis.call('XADD', KEYS[1], '1-1', 'a', 1) redis.call('XADD', KEYS[1], '1-2', 'a', 2) redis.call('XADD', KEYS[1], '5-0', 'x', 'y', 'z', 'w') redis.call('XADD', KEYS[1], '6-0', 'a', 'long value that is long enough') return redis.call('XDEL', KEYS[1], '1-2')\" 1 k",
    "EVAL \"for i = 1, 250 do redis.call('XADD', KEYS[1], i .. '-' .. i, 'field', i, 'other', 'v' .. i) end return redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', 120)\" 1 k",
    "EVAL \"redis.call('XADD', KEYS[1], '3-3', 'a', 1) redis.call('XDEL', KEYS[1], '3-3') return redis.call('XSETID', KEYS[1], '9-9', 'ENTRIESADDED', 5, 'MAXDELETEDID', '4-0')\" 1 k",
    "XGROUP CREATE k g $ MKSTREAM ENTRIESREAD 0",
];

#[test]
fn payloads_match_redis_byte_for_byte() {
    if !redis_server_available() {
        eprintln!("SKIPPED payloads_match_redis_byte_for_byte: redis-server not found");
        return;
    }
    let mut pair = Pair::start(true);
    let mut failures = Vec::new();
    for setup in EXACT {
        pair.call(&argv("FLUSHALL"));
        pair.call(&argv(setup));
        failures.extend(pair.differs(&format!("after {setup}: "), "DUMP k"));
    }
    // Larger values: listpacks compressed with LZF, several quicklist nodes, skiplists.
    for (label, setup) in large_setups() {
        pair.call(&argv("FLUSHALL"));
        pair.call(&setup);
        failures.extend(pair.differs(&format!("after {label}: "), "DUMP k"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn large_setups() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let numbered = |prefix: &str, n: usize, f: &dyn Fn(usize) -> String| -> Vec<Vec<u8>> {
        let mut v = vec![prefix.as_bytes().to_vec()];
        v.extend((0..n).map(|i| f(i).into_bytes()));
        v
    };
    vec![
        (
            "RPUSH of 300",
            numbered("RPUSH k", 300, &|i| format!("e{i}")),
        ),
        (
            "RPUSH of 200 long elements",
            numbered("RPUSH k", 200, &|i| format!("{}{i}", "v".repeat(100))),
        ),
        (
            "HSET of 200 pairs",
            numbered("HSET k", 400, &|i| format!("f{}", i / 2)),
        ),
        (
            "ZADD of 200 members",
            numbered("ZADD k", 400, &|i| {
                if i % 2 == 0 {
                    format!("{}", i as f64 * 0.75)
                } else {
                    format!("m{i}")
                }
            }),
        ),
        (
            "SADD of 500 integers",
            numbered("SADD k", 500, &|i| format!("{}", i * 3)),
        ),
    ]
    .into_iter()
    .map(|(label, v)| {
        let mut words = split_args(&v[0]).expect("command words");
        words.extend(v.into_iter().skip(1));
        (label, words)
    })
    .collect()
}

/// Setups with a hashtable, whose payload order differs even between two Redis processes.
const HASHTABLES: &[&str] = &[
    "SADD k a b c 1 2 3",
    "EVAL \"for i = 1, 600 do redis.call('SADD', KEYS[1], i) end\" 1 k",
    "HSET k f1 v1 f2 012345678901234567890123456789012345678901234567890123456789012345",
    "ZADD k 1 012345678901234567890123456789012345678901234567890123456789012345",
    "EVAL \"redis.call('XADD', KEYS[1], '1-1', 'a', 1) redis.call('XADD', KEYS[1], '2-1', 'a', 2) redis.call('XGROUP', 'CREATE', KEYS[1], 'g', '0') redis.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 1, 'STREAMS', KEYS[1], '>') redis.call('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', KEYS[1], '>') redis.call('XGROUP', 'CREATECONSUMER', KEYS[1], 'g', 'carol') return redis.call('XGROUP', 'CREATE', KEYS[1], 'g2', '$')\" 1 k",
];

#[test]
fn payloads_restore_across_servers() {
    if !redis_server_available() {
        eprintln!("SKIPPED payloads_restore_across_servers: redis-server not found");
        return;
    }
    let mut pair = Pair::start(true);
    let mut failures = Vec::new();
    let setups: Vec<Vec<Vec<u8>>> = EXACT
        .iter()
        .chain(HASHTABLES)
        .map(|s| argv(s))
        .chain(large_setups().into_iter().map(|(_, s)| s))
        .collect();
    for setup in setups {
        let label = escape(&setup.join(&b' ')[..setup.join(&b' ').len().min(60)]);
        pair.call(&argv("FLUSHALL"));
        pair.call(&setup);
        let (from_redis, from_redsim) = pair.call(&argv("DUMP k"));
        let (from_redis, from_redsim) = (bulk(&from_redis), bulk(&from_redsim));
        // Each side restores the other's payload under k2.
        let restore = |payload: &[u8]| {
            vec![
                b"RESTORE".to_vec(),
                b"k2".to_vec(),
                b"0".to_vec(),
                payload.to_vec(),
            ]
        };
        let into_redis = pair.real.call(&restore(&from_redsim));
        let into_redsim = pair
            .engine
            .execute_encoded(pair.client, &restore(&from_redis));
        for (side, reply) in [("redis", &into_redis), ("redsim", &into_redsim)] {
            if reply != b"+OK\r\n" {
                failures.push(format!("{label}: RESTORE on {side}: {}", escape(reply)));
            }
        }
        for line in ["DEBUG DIGEST-VALUE k k2", "OBJECT ENCODING k2", "TYPE k2"] {
            failures.extend(pair.differs(&format!("{label}: "), line));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// RESTORE's argument checks, in Redis's order, and what it does with TTLs.
const RESTORE_LINES: &[&str] = &[
    "SET k hello",
    "RESTORE k 0 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\"",
    "RESTORE k 0 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\" REPLACE",
    "GET k",
    "RESTORE k2 0 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\" REPLACE ABSTTL",
    "RESTORE k3 -1 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\"",
    "RESTORE k3 x \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\"",
    "RESTORE k3 0 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\x0b\"",
    "RESTORE k3 0 \"\\x00\\x05hello\\x0b\\x00cr\\xdfve4 \\n\"",
    "RESTORE k3 0 short",
    "RESTORE k3 0 \"\\x07\\x05hello\\n\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\"",
    "RESTORE k3 0 x IDLETIME -1",
    "RESTORE k3 0 x IDLETIME abc",
    "RESTORE k3 0 x FREQ 256",
    "RESTORE k3 0 x FREQ 1 IDLETIME 1",
    "RESTORE k3 0 x IDLETIME 1 FREQ 1",
    "RESTORE k3 0 x IDLETIME",
    "RESTORE k3 0 x BOGUS",
    "RESTORE k 0 x",
    "RESTORE k 0 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\" REPLACE IDLETIME 100",
    "OBJECT IDLETIME k",
    "RESTORE k 1 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\" REPLACE ABSTTL",
    "EXISTS k",
    "RESTORE k4 100000 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\"",
    "TTL k4",
    "RESTORE k5 99999999999999 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\" ABSTTL",
    "PEXPIRETIME k5",
    "DUMP nosuchkey",
    "EVAL \"return redis.call('DUMP', KEYS[1])\" 1 k4",
    "EVAL \"return redis.call('RESTORE', KEYS[1], 0, redis.call('DUMP', KEYS[2]))\" 2 k6 k4",
    "GET k6",
    "RESTORE-ASKING k7 0 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\"",
    "GET k7",
    "FUNCTION LOAD \"#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return args[1] end)\"",
    "FUNCTION DUMP",
];

#[test]
fn restore_errors_match_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED restore_errors_match_redis: redis-server not found");
        return;
    }
    let mut pair = Pair::start(true);
    let failures: Vec<String> = RESTORE_LINES
        .iter()
        .filter_map(|line| pair.differs("", line))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("REDSIM_DUMP_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    /// Random lists, small hashes and sorted sets, intsets and strings: Redis's bytes.
    #[test]
    fn random_values_dump_as_redis_does(
        kind in 0..5usize,
        elements in prop::collection::vec(element(), 1..40),
    ) {
        if !redis_server_available() {
            return Ok(());
        }
        let mut pair = PAIR.with(|p| p.borrow_mut().take()).unwrap_or_else(|| Pair::start(true));
        pair.call(&argv("FLUSHALL"));
        let mut setup: Vec<Vec<u8>> = match kind {
            0 => vec![b"RPUSH".to_vec(), b"k".to_vec()],
            1 => vec![b"HSET".to_vec(), b"k".to_vec()],
            2 => vec![b"ZADD".to_vec(), b"k".to_vec()],
            3 => vec![b"SADD".to_vec(), b"k".to_vec()],
            _ => vec![b"SET".to_vec(), b"k".to_vec()],
        };
        for (i, e) in elements.iter().enumerate() {
            match kind {
                1 => { setup.push(format!("f{i}").into_bytes()); setup.push(e.clone()); }
                2 => { setup.push(format!("{}", (i as f64) * 1.25 - 7.0).into_bytes()); setup.push(e.clone()); }
                3 => setup.push((i as i64 * 37 - 500).to_string().into_bytes()),
                4 => { setup.push(elements.concat()); break; }
                _ => setup.push(e.clone()),
            }
        }
        pair.call(&setup);
        let label = format!("{}: ", escape(&setup.join(&b' ')));
        // A hashtable's order is Redis's hash order: compare what it restores to instead.
        let hashtable = pair.real.call(&argv("OBJECT ENCODING k")) == b"$9\r\nhashtable\r\n";
        let diff = if hashtable {
            let payload = bulk(&pair.engine.execute_encoded(pair.client, &argv("DUMP k")));
            let restore = vec![b"RESTORE".to_vec(), b"k2".to_vec(), b"0".to_vec(), payload];
            pair.real.call(&restore);
            let digests = pair.real.call(&argv("DEBUG DIGEST-VALUE k k2"));
            let parts: Vec<&[u8]> = digests.split(|&b| b == b'\n').collect();
            (parts.len() < 3 || parts[1] != parts[2]).then(|| format!("{label}{}", escape(&digests)))
        } else {
            pair.differs(&label, "DUMP k")
        };
        PAIR.with(|p| *p.borrow_mut() = Some(pair));
        prop_assert!(diff.is_none(), "{}", diff.unwrap_or_default());
    }
}

thread_local! {
    static PAIR: std::cell::RefCell<Option<Pair>> = const { std::cell::RefCell::new(None) };
}

fn element() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        (-5000i64..5000).prop_map(|n| n.to_string().into_bytes()),
        prop::collection::vec(prop::sample::select(b"ab01 \x00\xff".to_vec()), 0..80),
        "[a-c]{0,30}".prop_map(String::into_bytes),
    ]
}

fn argv(line: &str) -> Vec<Vec<u8>> {
    split_args(line.as_bytes()).expect("balanced quotes")
}

/// The body of a RESP bulk reply.
fn bulk(reply: &[u8]) -> Vec<u8> {
    let header_end = reply
        .iter()
        .position(|&b| b == b'\n')
        .expect("a header line");
    reply[header_end + 1..reply.len() - 2].to_vec()
}
