//! A primary and its replica, both real (redis-server) or both engines linked by hand,
//! for the golden `#replica` files and the replication differential tests.

use super::{RawConn, RedisServer};
use redsim::{ClientId, Engine, Reply};
use std::time::{Duration, Instant};

/// Starts a real replica of the redis-server on `primary_port` (with `extra`
/// configuration arguments) and waits until it has synchronised.
pub fn start(primary_port: u16, extra: &[&str]) -> RedisServer {
    let port = primary_port.to_string();
    let mut args = extra.to_vec();
    args.extend(["--replicaof", "127.0.0.1", &port]);
    let replica = RedisServer::start_with(&args);
    let mut conn = replica.connect();
    let deadline = Instant::now() + Duration::from_secs(20);
    let info = [b"INFO".to_vec(), b"replication".to_vec()];
    while !String::from_utf8_lossy(&conn.call(&info)).contains("master_link_status:up") {
        assert!(
            Instant::now() < deadline,
            "the real replica never synchronised"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    replica
}

/// The number after `field:` in an INFO reply.
fn info_number(conn: &mut RawConn, field: &str) -> u64 {
    let info = conn.call(&[b"INFO".to_vec(), b"replication".to_vec()]);
    String::from_utf8_lossy(&info)
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .strip_prefix(':')?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("INFO replication has no {field}"))
}

/// Waits until the real replica on `replica` applied everything the primary on
/// `primary` has put on the stream.
pub fn catch_up(primary: &mut RawConn, replica: &mut RawConn) {
    let target = info_number(primary, "master_repl_offset");
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_number(replica, "slave_repl_offset") < target {
        assert!(Instant::now() < deadline, "the real replica fell behind");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Makes `replica` a replica of `primary` (which REPLICAOF names as listening on
/// `primary_port`), synchronised now; returns the replica's index on the primary.
pub fn link(primary: &mut Engine, replica: &mut Engine, primary_port: &str) -> usize {
    let admin = replica.connect();
    let reply = replica.call(admin, &["REPLICAOF", "127.0.0.1", primary_port]);
    assert_eq!(reply, Reply::ok());
    replica.disconnect(admin);
    // The full synchronisation: the replica loads the primary's dataset.
    let image = primary.rdb_image();
    replica
        .load_rdb(&image)
        .expect("the replica loads the primary's RDB");
    let (id, offset) = (primary.replication_id(), primary.replication_offset());
    replica.replica_synchronised(&id, offset);
    primary.attach_replica("127.0.0.1", 6380)
}

/// Carries the primary's stream to the replica, which acknowledges it.
pub fn pump(primary: &mut Engine, replica: &mut Engine, index: usize) {
    for command in primary.take_replication_stream() {
        let reply = replica.apply_replicated(&command);
        assert!(
            !matches!(reply, Reply::Error(_)),
            "the replica refused {command:?}: {reply:?}"
        );
    }
    primary.replica_ack(index, replica.replication_offset());
}

/// Two engines linked by hand, a client on each.
pub struct EnginePair {
    pub primary: Engine,
    pub replica: Engine,
    pub p: ClientId,
    pub r: ClientId,
    index: usize,
}

impl EnginePair {
    /// `primary` and `replica`, linked as replica of port `primary_port`.
    pub fn new(mut primary: Engine, mut replica: Engine, primary_port: &str) -> EnginePair {
        let p = primary.connect();
        let r = replica.connect();
        let index = link(&mut primary, &mut replica, primary_port);
        EnginePair {
            primary,
            replica,
            p,
            r,
            index,
        }
    }

    /// See [`pump`].
    pub fn pump(&mut self) {
        pump(&mut self.primary, &mut self.replica, self.index);
    }
}
