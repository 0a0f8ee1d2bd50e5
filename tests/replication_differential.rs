//! Replication against a real primary + replica pair (redis-server 7.0.15, started on
//! loopback; SKIPPED when absent): the replies a replica and a primary give (READONLY
//! from commands and scripts, EVAL_RO and no-writes scripts, REPLICAOF, ROLE, WAIT,
//! min-replicas-to-write, INFO replication) are compared byte for byte, offsets, ids and
//! lags left out; and random write workloads run on a real primary and on the engine's
//! primary must leave each replica with its primary's keyspace (DEBUG DIGEST), and the
//! engine's with the real one's.

mod support;

use redsim::{Engine, ManualHost};
use std::time::{Duration, Instant};
use support::replica_pair::{self, EnginePair};
use support::{redis_server_available, RawConn, RedisServer};

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// A real primary and its replica, synchronised.
struct RealPair {
    primary: RedisServer,
    _replica: RedisServer,
    p: RawConn,
    r: RawConn,
}

fn real_pair() -> RealPair {
    let debug = [
        "--enable-debug-command",
        "yes",
        "--repl-diskless-sync-delay",
        "0",
    ];
    let primary = RedisServer::start_with(&debug);
    let replica = replica_pair::start(primary.port, &debug);
    let p = primary.connect();
    let r = replica.connect();
    RealPair {
        primary,
        _replica: replica,
        p,
        r,
    }
}

fn engine() -> Engine {
    let mut e = Engine::new(ManualHost::default());
    e.store.config.set_startup("enable-debug-command", "yes");
    e
}

/// The engine's primary and replica, linked by hand (the stream is carried over and
/// acknowledged by `pump`).
fn our_pair(primary_port: u16) -> EnginePair {
    EnginePair::new(engine(), engine(), &primary_port.to_string())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn replica_and_primary_replies_match_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED: redis-server not found");
        return;
    }
    let mut real = real_pair();
    let mut ours = our_pair(real.primary.port);
    let port = real.primary.port.to_string();
    let on_replica: Vec<Vec<&str>> = vec![
        vec!["SET", "a", "1"],
        vec!["EVAL", "return redis.call('set','a','1')", "0"],
        vec!["EVAL", "return redis.call('get','a')", "0"],
        vec![
            "EVAL",
            "#!lua flags=no-writes\nreturn redis.call('get','a')",
            "0",
        ],
        vec!["EVAL", "#!lua\nreturn redis.call('get','a')", "0"],
        vec!["EVAL", "#!lua\nreturn redis.call('set','a',1)", "0"],
        vec!["EVAL_RO", "return redis.call('set','a',1)", "0"],
        vec!["EVAL_RO", "return redis.call('get','a')", "0"],
        vec!["MULTI"],
        vec!["SET", "a", "1"],
        vec!["GET", "a"],
        vec!["EXEC"],
        vec!["INCR", "n"],
        vec!["GET", "x"],
        vec!["REPLICAOF", "127.0.0.1", &port],
        vec!["SLAVEOF", "127.0.0.1", &port],
        vec!["REPLICAOF", "127.0.0.1", "x"],
        vec!["REPLICAOF", "127.0.0.1", "70000"],
        vec!["REPLICAOF", "127.0.0.1"],
        vec!["WAIT", "0", "0"],
        vec!["CONFIG", "SET", "replica-read-only", "no"],
        vec!["SET", "local", "1"],
        vec!["GET", "local"],
        vec!["CONFIG", "SET", "replica-read-only", "yes"],
        vec!["SET", "local", "2"],
    ];
    let on_primary: Vec<Vec<&str>> = vec![
        vec!["SET", "x", "1"],
        vec!["WAIT", "1", "0"],
        vec!["WAIT", "x", "0"],
        vec!["WAIT", "1", "x"],
        vec!["WAIT", "1", "-1"],
        vec!["WAIT", "1"],
        vec!["CONFIG", "SET", "min-replicas-to-write", "2"],
        vec!["SET", "y", "1"],
        vec!["GET", "y"],
        vec!["EVAL", "return redis.call('set','y','1')", "0"],
        vec![
            "EVAL",
            "#!lua flags=no-writes\nreturn redis.call('get','y')",
            "0",
        ],
        vec!["EVAL", "#!lua\nreturn redis.call('set','y','1')", "0"],
        vec!["MULTI"],
        vec!["SET", "y", "1"],
        vec!["EXEC"],
        vec!["CONFIG", "SET", "min-replicas-to-write", "1"],
        vec!["SET", "y", "2"],
        vec!["CONFIG", "SET", "min-replicas-to-write", "0"],
        vec!["REPLICAOF", "NO", "ONE"],
    ];
    let mut mismatches = Vec::new();
    for (on, commands) in [("primary", &on_primary), ("replica", &on_replica)] {
        for words in commands {
            let a = argv(words);
            let (expected, got) = if on == "primary" {
                let e = real.p.call(&a);
                let g = ours.primary.execute_encoded(ours.p, &a);
                ours.pump();
                (e, g)
            } else {
                (real.r.call(&a), ours.replica.execute_encoded(ours.r, &a))
            };
            if expected != got {
                mismatches.push(format!(
                    "{on}: {words:?}\n  redis: {}\n  ours:  {}",
                    text(&expected),
                    text(&got)
                ));
            }
        }
        // Let the real replica catch up before the replica's turn.
        real.p.call(&argv(&["WAIT", "1", "2000"]));
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // HELLO names the role; the connection ids differ.
    let hello = argv(&["HELLO", "2"]);
    let without_id = |bytes: Vec<u8>| {
        let text = text(&bytes);
        let lines: Vec<&str> = text.split("\r\n").collect();
        let id = lines.iter().position(|l| *l == "id").unwrap();
        [&lines[..=id], &lines[id + 2..]].concat().join("|")
    };
    let expected = without_id(real.r.call(&hello));
    assert!(expected.contains("role|$7|replica"), "{expected}");
    assert_eq!(
        without_id(ours.replica.execute_encoded(ours.r, &hello)),
        expected
    );
}

/// The lines of INFO replication with the values that depend on time, ids and the
/// real stream's pings left out.
fn info_shape(info: &[u8]) -> Vec<String> {
    let varying = [
        "master_replid",
        "master_replid2",
        "master_repl_offset",
        "slave_repl_offset",
        "slave_read_repl_offset",
        "repl_backlog_first_byte_offset",
        "repl_backlog_histlen",
        "master_last_io_seconds_ago",
        "master_port",
    ];
    text(info)
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            if varying.contains(&name) {
                name.to_string()
            } else if name.starts_with("slave") && value.starts_with("ip=") {
                // slave0:ip=…,port=…,state=online,offset=…,lag=…: the state only.
                let state = value.split(',').find(|f| f.starts_with("state="));
                format!("{name}:{}", state.unwrap_or(""))
            } else {
                line.to_string()
            }
        })
        .collect()
}

#[test]
fn info_replication_and_role_have_redis_fields() {
    if !redis_server_available() {
        eprintln!("SKIPPED: redis-server not found");
        return;
    }
    let mut real = real_pair();
    let mut ours = our_pair(real.primary.port);
    real.p.call(&argv(&["SET", "k", "v"]));
    real.p.call(&argv(&["WAIT", "1", "2000"]));
    ours.primary.call(ours.p, &["SET", "k", "v"]);
    ours.pump();
    let info = argv(&["INFO", "replication"]);
    let real_primary = info_shape(&real.p.call(&info));
    let our_primary = info_shape(&ours.primary.execute_encoded(ours.p, &info));
    assert_eq!(our_primary, real_primary);
    let real_replica = info_shape(&real.r.call(&info));
    let our_replica = info_shape(&ours.replica.execute_encoded(ours.r, &info));
    assert_eq!(our_replica, real_replica);
    // ROLE: the same frames but for the offsets.
    let role = argv(&["ROLE"]);
    let strip = |bytes: Vec<u8>| -> String {
        text(&bytes)
            .split("\r\n")
            .filter(|l| !l.starts_with(':') || l.len() < 3)
            .map(|l| if l.starts_with('$') { "$" } else { l })
            .collect::<Vec<_>>()
            .join("|")
    };
    let real_role = strip(real.r.call(&role));
    let our_role = strip(ours.replica.execute_encoded(ours.r, &role));
    assert_eq!(
        our_role,
        real_role.replace(&real.primary.port.to_string(), "P")
    );
}

/// A random write workload over a few keys of two databases: every command is
/// deterministic on the primary, except SPOP's choice (which the stream must carry as
/// SREM, or the replica would pick its own) — left out unless `spop`, so that the
/// engine's primary can be compared with the real one too.
fn workload(seed: u64, n: usize, spop: bool) -> Vec<Vec<Vec<u8>>> {
    let mut rng = XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = Vec::new();
    for _ in 0..n {
        let k = format!("k{}", rng.random_range(0..4));
        let v = rng.random_range(0..100).to_string();
        let mut pick = rng.random_range(0..24);
        if !spop && matches!(pick, 9 | 10 | 20) {
            pick = 8;
        }
        let words: Vec<String> = match pick {
            0 => vec!["SET".into(), k, v],
            1 => vec!["SET".into(), k, v, "EX".into(), "100".into()],
            2 => vec!["INCR".into(), format!("n{}", rng.random_range(0..2))],
            3 => vec!["INCRBYFLOAT".into(), "f".into(), "0.1".into()],
            4 => vec!["APPEND".into(), k, v],
            5 => vec!["DEL".into(), k],
            6 => vec!["LPUSH".into(), "l".into(), v],
            7 => vec!["RPOP".into(), "l".into()],
            8 => vec!["SADD".into(), "s".into(), v],
            9 => vec!["SPOP".into(), "s".into()],
            10 => vec!["SPOP".into(), "s".into(), "2".into()],
            11 => vec!["HSET".into(), "h".into(), k, v],
            12 => vec!["HINCRBYFLOAT".into(), "h".into(), "hf".into(), "1.5".into()],
            13 => vec!["ZADD".into(), "z".into(), v.clone(), k],
            14 => vec!["ZINCRBY".into(), "z".into(), "2".into(), k],
            15 => vec!["EXPIRE".into(), k, "1000".into()],
            16 => vec!["PERSIST".into(), k],
            17 => vec!["GETDEL".into(), k],
            18 => vec!["GETSET".into(), k, v],
            19 => vec!["SET".into(), k, v, "GET".into()],
            20 => vec![
                "EVAL".into(),
                "redis.call('incr', KEYS[1]) redis.call('sadd', KEYS[2], ARGV[1]) return redis.call('spop', KEYS[2])".into(),
                "2".into(),
                "n0".into(),
                "s2".into(),
                v,
            ],
            21 => vec!["SELECT".into(), rng.random_range(0..2).to_string()],
            22 => vec!["EXPIRE".into(), k, "-1".into()],
            _ => vec!["SETEX".into(), k, "50".into(), v],
        };
        out.push(words.into_iter().map(String::into_bytes).collect());
        if rng.random_range(0..9) == 0 {
            out.push(argv(&["MULTI"]));
            out.push(argv(&["INCR", "m"]));
            out.push(argv(&["SADD", "ms", "a", "b", "c"]));
            out.push(argv(if spop {
                &["SPOP", "ms"]
            } else {
                &["SREM", "ms", "b"]
            }));
            out.push(argv(&["EXEC"]));
        }
    }
    out
}

/// A small seeded generator (xorshift64): the workloads only need to be reproducible.
struct XorShift(u64);

impl XorShift {
    fn random_range(&mut self, range: std::ops::Range<u64>) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        range.start + self.0 % (range.end - range.start)
    }
}

fn digest(conn_reply: Vec<u8>) -> String {
    text(&conn_reply)
}

#[test]
fn random_writes_leave_each_replica_with_its_primarys_keyspace() {
    if !redis_server_available() {
        eprintln!("SKIPPED: redis-server not found");
        return;
    }
    let mut real = real_pair();
    for seed in 0..6 {
        let mut ours = our_pair(real.primary.port);
        real.p.call(&argv(&["FLUSHALL"]));
        real.p.call(&argv(&["SELECT", "0"]));
        let spop = seed % 3 != 0;
        for command in workload(seed, 150, spop) {
            real.p.call(&command);
            ours.primary.execute(ours.p, &command);
            if seed % 2 == 0 {
                ours.pump();
            }
        }
        ours.pump();
        real.p.call(&argv(&["WAIT", "1", "5000"]));
        let d = argv(&["DEBUG", "DIGEST"]);
        let real_primary = digest(real.p.call(&d));
        let real_replica = digest(real.r.call(&d));
        let our_primary = digest(ours.primary.execute_encoded(ours.p, &d));
        let our_replica = digest(ours.replica.execute_encoded(ours.r, &d));
        assert_eq!(real_replica, real_primary, "seed {seed}: the real pair");
        assert_eq!(our_replica, our_primary, "seed {seed}: our replica");
        let mut empty = engine();
        let client = empty.connect();
        assert_ne!(
            our_primary,
            digest(empty.execute_encoded(client, &d)),
            "seed {seed}: no data"
        );
        if !spop {
            // Nothing random ran: the engine's primary holds what Redis's holds.
            assert_eq!(our_primary, real_primary, "seed {seed}: the primaries");
        }
        // Offsets agree with the bytes carried.
        assert_eq!(
            ours.replica.replication_offset(),
            ours.primary.replication_offset(),
            "seed {seed}"
        );
    }
}

/// Splits a replication stream into its commands (RESP multibulk requests); `None` when
/// it ends in the middle of one.
fn commands_of(mut bytes: &[u8]) -> Option<Vec<Vec<Vec<u8>>>> {
    let mut out = Vec::new();
    let line = |b: &[u8]| -> Option<(usize, usize)> {
        let end = b.windows(2).position(|w| w == b"\r\n")?;
        let n = std::str::from_utf8(&b[1..end]).ok()?.parse().ok()?;
        Some((n, end + 2))
    };
    while !bytes.is_empty() {
        if bytes[0] == b'\n' {
            // The primary's keepalive while it prepares the RDB.
            bytes = &bytes[1..];
            continue;
        }
        let (count, used) = line(bytes)?;
        bytes = &bytes[used..];
        let mut argv = Vec::new();
        for _ in 0..count {
            let (len, used) = line(bytes)?;
            argv.push(bytes.get(used..used + len)?.to_vec());
            bytes = &bytes[used + len + 2..];
        }
        out.push(argv);
    }
    Some(out)
}

/// The absolute times a stream carries (`PXAT t`, `PEXPIREAT k t`) as `T`: the real
/// server's clock is not the engine's.
fn without_times(mut commands: Vec<Vec<Vec<u8>>>) -> Vec<String> {
    for argv in &mut commands {
        let n = argv.len();
        let name = argv[0].to_ascii_uppercase();
        if name == b"PEXPIREAT" || (name == b"SET" && n >= 5 && argv[n - 2] == b"PXAT") {
            argv[n - 1] = b"T".to_vec();
        }
    }
    commands
        .iter()
        .map(|argv| support::display_argv(argv))
        .collect()
}

/// A replica's connection to a real primary, past the full synchronisation: what it
/// reads next is the replication stream.
fn real_stream(port: u16) -> RawConn {
    let mut conn = RawConn::connect(port);
    assert_eq!(
        conn.call(&argv(&["REPLCONF", "listening-port", "6380"])),
        b"+OK\r\n"
    );
    conn.send(&argv(&["PSYNC", "?", "-1"]));
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        got.extend(conn.arrived_within(Duration::from_millis(50)));
        let text = String::from_utf8_lossy(&got).into_owned();
        // +FULLRESYNC <id> <offset>\r\n, then $<len>\r\n and the RDB (no CRLF after).
        if let Some(at) = text.find("\r\n$") {
            let start = at + 3;
            if let Some(end) = text[start..].find("\r\n") {
                let len: usize = text[start..start + end].parse().unwrap();
                let body = start + end + 2;
                if got.len() >= body + len {
                    assert_eq!(got.len(), body + len, "stream bytes right after the RDB");
                    return conn;
                }
            }
        }
        assert!(Instant::now() < deadline, "no full resync: {text:?}");
    }
}

#[test]
fn the_replication_stream_is_the_one_redis_sends() {
    if !redis_server_available() {
        eprintln!("SKIPPED: redis-server not found");
        return;
    }
    // No pings on the stream during the test, a disk-based RDB (a client of PSYNC
    // without `capa eof`).
    let primary = RedisServer::start_with(&[
        "--repl-ping-replica-period",
        "100000",
        "--repl-diskless-sync",
        "no",
        "--enable-debug-command",
        "yes",
    ]);
    let mut stream = real_stream(primary.port);
    let mut p = primary.connect();
    let mut ours = our_pair(primary.port);
    let mut mismatches = Vec::new();
    let mut script_commands = workload(7, 120, false);
    // Scripts and transactions with several writes, one write, none; a lazy expiry.
    for extra in [
        &[
            "EVAL",
            "redis.call('set', KEYS[1], 'a') redis.call('incr', 'n0') return 1",
            "1",
            "k0",
        ][..],
        &["EVAL", "return redis.call('incr', 'n1')", "0"],
        &["EVAL", "return redis.call('get', 'n1')", "0"],
        &[
            "EVAL",
            "redis.call('select', 3) redis.call('set', 'x', 1) return 1",
            "0",
        ],
        &["MULTI"],
        &["INCR", "n1"],
        &["EXEC"],
        &["MULTI"],
        &["GET", "n1"],
        &["EXEC"],
        &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
        &["SET", "gone", "1", "PX", "1"],
        &["DEBUG", "SLEEP", "0.01"],
        &["GET", "gone"],
        &["FLUSHDB"],
    ] {
        script_commands.push(argv(extra));
    }
    ours.primary
        .store
        .config
        .set_startup("enable-debug-command", "yes");
    for command in script_commands {
        // The engine's DEBUG SLEEP moves its clock as far as the real server slept.
        p.call(&command);
        ours.primary.execute(ours.p, &command);
        let real =
            commands_of(&stream.arrived_within(Duration::from_millis(30))).expect("whole commands");
        let mine = ours.primary.take_replication_stream();
        let (real, mine) = (without_times(real), without_times(mine));
        if real != mine {
            mismatches.push(format!(
                "{}\n  redis: {real:?}\n  ours:  {mine:?}",
                support::display_argv(&command)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // With no pings and no WAIT, the offsets count the same bytes.
    let info = text(&p.call(&argv(&["INFO", "replication"])));
    let real_offset = info
        .split("\r\n")
        .find_map(|l| l.strip_prefix("master_repl_offset:"))
        .unwrap()
        .to_string();
    assert_eq!(real_offset, ours.primary.replication_offset().to_string());
}
