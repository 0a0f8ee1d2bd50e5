//! replica-stale-read on real redis-server 7.0.15 (skipped when it is not installed): a
//! primary and its replica on loopback, the writer on the primary and the reader on the
//! replica (`redsim real --replica`); the checker finds the stale read the simulator
//! finds from seed 2, on real Redis too.

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
