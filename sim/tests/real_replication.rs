//! The replication scenarios on real redis-server 7.0.15 (skipped when it is not
//! installed), a primary and its replica on loopback: replica-stale-read through
//! `redsim real --replica` (the writer on the primary, the reader on the replica), and
//! failover-lost-increment by hand (INCRs acknowledged by the primary, the replica promoted
//! with REPLICAOF NO ONE), and again through `redsim real`'s failover (the scenario's
//! `failover_step`); the checker finds on real Redis the anomalies the simulator finds.

mod real_support;

use real_support::*;
use redsim_sim::real::{self, RealOptions};
use redsim_sim::scenario::toml::load;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Waits until the replica at `addr` reports its link to the primary up.
fn wait_for_link(addr: std::net::SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut conn = TcpStream::connect(addr).expect("the replica listens");
        conn.set_read_timeout(Some(Duration::from_secs(2))).ok();
        conn.write_all(b"INFO replication\r\n").unwrap();
        let mut buf = [0u8; 4096];
        let n = conn.read(&mut buf).unwrap_or(0);
        if String::from_utf8_lossy(&buf[..n]).contains("master_link_status:up") {
            return;
        }
        assert!(Instant::now() < deadline, "the replica never synchronised");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_reader_on_a_real_replica_sees_stale_values() {
    if !redis_available("a_reader_on_a_real_replica_sees_stale_values") {
        return;
    }
    let primary = RedisServer::start();
    let port = primary.addr.port().to_string();
    let replica = RedisServer::start_with(&["--replicaof", "127.0.0.1", &port]);
    wait_for_link(replica.addr);
    let mut scenario = load(&scenario_path("replica-stale-read.toml")).unwrap();
    for group in &mut scenario.groups {
        group.ops = 300;
    }
    // Without the replica's address the readers have nowhere to go.
    let err = real::run(&scenario, &options(primary.addr)).unwrap_err();
    assert!(err.contains("--replica"), "{err}");
    let options = RealOptions {
        replica: Some(replica.addr),
        ..options(primary.addr)
    };
    let mut seen = Vec::new();
    for attempt in 1..=10 {
        let recorded = real::run(&scenario, &options).expect("the run completes");
        assert!(
            recorded.client_errors.is_empty(),
            "{:?}",
            recorded.client_errors
        );
        let verdict = real::judge(&scenario, &recorded.history, CHECK_STATES);
        println!("attempt {attempt}: anomalous {}", verdict.is_anomalous());
        seen.push(verdict.is_anomalous());
        if verdict.is_anomalous() {
            return;
        }
    }
    panic!("no stale read in 10 runs of 600 operations: {seen:?}");
}

/// One attempt of failover-lost-increment by hand on real Redis: `n` INCRs pipelined to
/// the primary, the replica promoted (REPLICAOF NO ONE) at once, every INCR's reply read
/// (each one an acknowledgement), and one INCR sent to the promoted replica. Returns the
/// history and the counter the new primary answered: at most `n` means an INCR the old
/// primary acknowledged is not in it (two INCRs returned the same number).
fn failover_once(n: u64) -> (redsim_sim::history::History, i64) {
    use redsim::Reply;
    use redsim_sim::history::{History, Op, Operation, Status};
    use redsim_sim::real::codec::{read_reply, Connection};
    let primary = RedisServer::start();
    let port = primary.addr.port().to_string();
    let replica = RedisServer::start_with(&["--replicaof", "127.0.0.1", &port]);
    wait_for_link(replica.addr);
    let mut promote = Connection::connect(replica.addr, Duration::from_secs(5)).unwrap();
    let incr = b"*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n";
    let start = Instant::now();
    let mut conn = TcpStream::connect(primary.addr).unwrap();
    conn.set_nodelay(true).ok();
    conn.write_all(&incr.repeat(n as usize)).unwrap();
    // Sentinel's move, while the primary still works through the pipeline: the
    // replica keeps what it has applied by then.
    assert_eq!(
        promote.call(&["REPLICAOF", "NO", "ONE"]).unwrap(),
        Reply::ok()
    );
    let call = start.elapsed().as_micros() as u64;
    let mut reader = std::io::BufReader::new(conn.try_clone().unwrap());
    let incr_op = || Operation::Command(vec![b"INCR".to_vec(), b"counter".to_vec()]);
    let mut ops = Vec::new();
    for _ in 0..n {
        let reply = read_reply(&mut reader).unwrap();
        let ret = start.elapsed().as_micros() as u64;
        ops.push(Op {
            client: 0,
            call: 0,
            ret: Some(ret),
            status: Status::Ok,
            op: incr_op(),
            result: Some(reply),
            node: 0,
        });
    }
    let after = promote.call(&["INCR", "counter"]).unwrap();
    ops.push(Op {
        client: 1,
        call,
        ret: Some(start.elapsed().as_micros() as u64 + 1),
        status: Status::Ok,
        op: incr_op(),
        result: Some(after.clone()),
        node: 1,
    });
    let Reply::Integer(value) = after else {
        panic!("INCR on the promoted replica: {after:?}");
    };
    (History { ops }, value)
}

/// The checker flags exactly the runs where the promoted replica lacks an acknowledged
/// INCR (`lost > 0`: a later INCR handed out a number again).
fn assert_flagged_iff_lost(verdict: &real::RealVerdict, lost: i64) {
    assert_eq!(
        verdict.is_anomalous(),
        lost > 0,
        "{}",
        real::render(verdict)
    );
}

#[test]
fn a_failover_on_real_redis_loses_increments_the_primary_acknowledged() {
    if !redis_available("a_failover_on_real_redis_loses_increments_the_primary_acknowledged") {
        return;
    }
    let scenario = load(&scenario_path("failover-lost-increment.toml")).unwrap();
    let n = 5000;
    let mut seen = Vec::new();
    for attempt in 1..=20 {
        let (history, value) = failover_once(n);
        let verdict = real::judge(&scenario, &history, CHECK_STATES);
        let lost = n as i64 + 1 - value;
        println!(
            "attempt {attempt}: {n} INCRs acknowledged, the promoted replica's INCR answered {value} ({lost} lost), anomalous {}",
            verdict.is_anomalous()
        );
        assert_flagged_iff_lost(&verdict, lost);
        seen.push(lost);
        if lost > 0 {
            return;
        }
    }
    panic!("the replica had every acknowledged INCR in 20 failovers: {seen:?}");
}

#[test]
fn on_real_redis_wait_answers_zero_during_a_partition_and_the_increment_is_lost_anyway() {
    use redsim::Reply;
    use redsim_sim::history::{History, Op, Operation, Status};
    use redsim_sim::real::codec::Connection;
    if !redis_available("on_real_redis_wait_answers_zero_during_a_partition") {
        return;
    }
    let primary = RedisServer::start();
    let port = primary.addr.port().to_string();
    let replica = RedisServer::start_with(&["--replicaof", "127.0.0.1", &port]);
    wait_for_link(replica.addr);
    let timeout = Duration::from_secs(5);
    let mut p = Connection::connect(primary.addr, timeout).unwrap();
    let mut r = Connection::connect(replica.addr, timeout).unwrap();
    let start = Instant::now();
    let now = || start.elapsed().as_micros() as u64;
    let mut ops = Vec::new();
    let mut run = |conn: &mut Connection, client: u64, node: u32, argv: &[&str]| {
        let call = now();
        let reply = conn.call(argv).unwrap();
        ops.push(Op {
            client,
            call,
            ret: Some(now()),
            status: Status::Ok,
            op: Operation::Command(argv.iter().map(|a| a.as_bytes().to_vec()).collect()),
            // WAIT counts replicas, not data (the simulator records it unobserved too).
            result: (argv[0] != "WAIT").then(|| reply.clone()),
            node,
        });
        reply
    };
    run(&mut p, 0, 0, &["INCR", "counter"]);
    assert_eq!(run(&mut p, 0, 0, &["WAIT", "1", "1000"]), Reply::Integer(1));
    // The partition: the replica loses its primary (a primary nobody listens for).
    assert_eq!(
        r.call(&["REPLICAOF", "127.0.0.1", "1"]).unwrap(),
        Reply::ok()
    );
    assert_eq!(run(&mut p, 0, 0, &["INCR", "counter"]), Reply::Integer(2));
    assert_eq!(run(&mut p, 0, 0, &["WAIT", "1", "100"]), Reply::Integer(0));
    // The failover: the replica is promoted, the client moves to it.
    assert_eq!(r.call(&["REPLICAOF", "NO", "ONE"]).unwrap(), Reply::ok());
    assert_eq!(run(&mut r, 0, 1, &["INCR", "counter"]), Reply::Integer(2));
    let scenario = load(&scenario_path("wait-is-not-consensus.toml")).unwrap();
    let verdict = real::judge(&scenario, &History { ops }, CHECK_STATES);
    assert!(verdict.is_anomalous(), "{}", real::render(&verdict));
}

/// One run of `scenario` through `redsim real`'s failover path on a fresh primary and
/// replica: returns the verdict and how many acknowledged INCRs the promoted replica lacks
/// (acknowledged INCRs minus its final counter).
fn failover_run(scenario: &redsim_sim::scenario::Scenario) -> (real::RealVerdict, i64) {
    use redsim::Reply;
    use redsim_sim::history::Status;
    use redsim_sim::real::codec::Connection;
    let primary = RedisServer::start();
    let port = primary.addr.port().to_string();
    let replica = RedisServer::start_with(&["--replicaof", "127.0.0.1", &port]);
    wait_for_link(replica.addr);
    let options = RealOptions {
        replica: Some(replica.addr),
        ..options(primary.addr)
    };
    let recorded = real::run(scenario, &options).expect("the run completes");
    assert!(
        recorded.client_errors.is_empty(),
        "{:?}",
        recorded.client_errors
    );
    let mut conn = Connection::connect(replica.addr, Duration::from_secs(5)).unwrap();
    let info = match conn.call(&["INFO", "replication"]).unwrap() {
        Reply::Bulk(b) | Reply::Verbatim { text: b, .. } => {
            String::from_utf8_lossy(&b).into_owned()
        }
        other => panic!("INFO replication: {other:?}"),
    };
    assert!(
        info.contains("role:master"),
        "the replica was not promoted: {info}"
    );
    let counter = match conn.call(&["GET", "counter"]).unwrap() {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).parse::<i64>().unwrap(),
        other => panic!("GET counter on the promoted replica: {other:?}"),
    };
    let acknowledged = recorded
        .history
        .ops
        .iter()
        .filter(|op| op.status == Status::Ok && matches!(op.result, Some(Reply::Integer(_))))
        .count() as i64;
    assert_eq!(acknowledged, recorded.history.ops.len() as i64);
    let verdict = real::judge(scenario, &recorded.history, CHECK_STATES);
    (verdict, acknowledged - counter)
}

#[test]
fn redsim_real_fails_over_to_a_real_replica_and_the_checker_flags_the_lost_increments() {
    if !redis_available("redsim_real_fails_over_to_a_real_replica") {
        return;
    }
    let mut scenario = load(&scenario_path("failover-lost-increment.toml")).unwrap();
    // More clients than the scenario's two, so that more INCRs are in flight when the
    // replica is promoted: on loopback the replica is rarely behind otherwise. Measured
    // when this was written: 2 clients lost an INCR in 4 runs of 60, 16 clients in 98 of
    // 210 (7 to 20 of each 30, fewer on a loaded machine); 60 runs (about 4 s) all
    // without a loss are then vanishingly unlikely.
    scenario.groups[0].count = 16;
    // Without a replica there is nothing to promote.
    let primary = RedisServer::start();
    let err = real::run(&scenario, &options(primary.addr)).unwrap_err();
    assert!(err.contains("--replica"), "{err}");
    // A server that is no replica is refused rather than "promoted".
    let lone = RedisServer::start();
    let not_linked = RealOptions {
        replica: Some(lone.addr),
        ..options(primary.addr)
    };
    let err = real::run(&scenario, &not_linked).unwrap_err();
    assert!(err.contains("not a replica"), "{err}");
    let tries = 60;
    let mut lost_per_run = Vec::new();
    for attempt in 1..=tries {
        let (verdict, lost) = failover_run(&scenario);
        println!(
            "attempt {attempt}: {lost} acknowledged INCR(s) lost, anomalous {}",
            verdict.is_anomalous()
        );
        assert_flagged_iff_lost(&verdict, lost);
        lost_per_run.push(lost);
    }
    let flagged = lost_per_run.iter().filter(|&&l| l > 0).count();
    println!("flagged {flagged} of {tries} runs: {lost_per_run:?}");
    assert!(flagged > 0, "no failover lost an INCR in {tries} runs");
}
