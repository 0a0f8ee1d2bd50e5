//! MIGRATE over TCP in `redsim serve`, against redis-server 7.0.15: the same commands go
//! to a real source that migrates to a real target, and to a redsim source that migrates
//! to a redsim target; the sources' replies (OK, NOKEY, the target's errors, IOERR) and
//! what the targets then hold are compared byte for byte. A redsim source migrating to a
//! real target, and back, shows that the payloads cross both ways.

mod support;

use support::serve::{argv, raw, start};
use support::{escape, normalize, Compare, RawConn, RedisServer};

/// `$T` is the target's port, `$CLOSED` a port nobody listens on.
const SOURCE: &[&str] = &[
    "SET k v",
    "HSET h f 1 g 2",
    "SET t x PX 100000",
    "RPUSH l a b c",
    "MIGRATE 127.0.0.1 $T k 0 1000",
    "MIGRATE 127.0.0.1 $T k 0 1000",
    "SET k v2",
    "MIGRATE 127.0.0.1 $T k 0 1000 COPY",
    "MIGRATE 127.0.0.1 $T k 0 1000 COPY REPLACE",
    "GET k",
    "MIGRATE 127.0.0.1 $T _ 1 1000 KEYS h t l nokey",
    "EXISTS h t l",
    "SET k v3",
    "MIGRATE 127.0.0.1 $T k 0 1000 REPLACE AUTH pw",
    "MIGRATE 127.0.0.1 $T k 0 1000 REPLACE AUTH2 someone pw",
    "MIGRATE 127.0.0.1 $T k 0 1000 REPLACE KEYS a",
    "MIGRATE 127.0.0.1 $CLOSED k 0 200",
    "MIGRATE 127.0.0.1 $T nokey 0 1000",
    "GET k",
];

/// Read on the target after the source's commands (`@shape` marks a TTL).
const TARGET: &[&str] = &[
    "GET k",
    "SELECT 1",
    "HGETALL h",
    "@shape PTTL t",
    "GET t",
    "LRANGE l 0 -1",
    "DBSIZE",
];

fn words(line: &str, target: u16, closed: u16) -> Vec<Vec<u8>> {
    line.split(' ')
        .map(|w| match w {
            "$T" => target.to_string().into_bytes(),
            "$CLOSED" => closed.to_string().into_bytes(),
            "_" => Vec::new(),
            w => w.as_bytes().to_vec(),
        })
        .collect()
}

/// Runs the script on `source` (migrating to port `target_port`), then reads `target`.
fn run(source: &mut RawConn, target: &mut RawConn, target_port: u16, closed: u16) -> Vec<String> {
    let mut replies = Vec::new();
    for line in SOURCE {
        let reply = source.call(&words(line, target_port, closed));
        replies.push(format!("{line} -> {}", escape(&reply)));
    }
    for line in TARGET {
        let (mode, line) = match line.strip_prefix("@shape ") {
            Some(rest) => (Compare::Shape, rest),
            None => (Compare::Exact, *line),
        };
        let reply = target.call(&words(line, target_port, closed));
        replies.push(format!(
            "target {line} -> {}",
            escape(&normalize(&reply, mode))
        ));
    }
    replies
}

#[test]
fn migrate_in_serve_matches_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let closed = support::free_port();
    let (real_source, real_target) = (RedisServer::start(), RedisServer::start());
    let expected = run(
        &mut real_source.connect(),
        &mut real_target.connect(),
        real_target.port,
        closed,
    );
    let (sim_source, sim_target) = (start(), start());
    let got = run(
        &mut raw(&sim_source),
        &mut raw(&sim_target),
        sim_target.local_addr().port(),
        closed,
    );
    for (e, g) in expected.iter().zip(&got) {
        assert_eq!(g, e);
    }
    assert_eq!(got.len(), expected.len());
}

#[test]
fn payloads_cross_between_redsim_and_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let redis = RedisServer::start();
    let sim = start();
    let sim_port = sim.local_addr().port().to_string();
    let redis_port = redis.port.to_string();
    let (mut to_sim, mut to_redis) = (raw(&sim), redis.connect());
    to_sim.call(&argv(&["ZADD", "z", "1", "a", "2.5", "b"]));
    let reply = to_sim.call(&argv(&[
        "MIGRATE",
        "127.0.0.1",
        &redis_port,
        "z",
        "0",
        "1000",
    ]));
    assert_eq!(reply, b"+OK\r\n");
    let zrange = to_redis.call(&argv(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]));
    assert_eq!(
        zrange,
        b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n"
    );
    let back = to_redis.call(&argv(&[
        "MIGRATE",
        "127.0.0.1",
        &sim_port,
        "z",
        "0",
        "1000",
    ]));
    assert_eq!(back, b"+OK\r\n");
    let zrange_sim = to_sim.call(&argv(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]));
    assert_eq!(zrange_sim, zrange);
    assert_eq!(to_redis.call(&argv(&["EXISTS", "z"])), b":0\r\n");
}
