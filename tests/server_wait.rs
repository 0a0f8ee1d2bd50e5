//! WAIT in `redsim serve`, which links no replicas, against a real redis-server with
//! none: `WAIT 0 t` answers at once; `WAIT n t` (n > 0) blocks the connection for its
//! timeout and then answers the count of acknowledgements, 0; timeout 0 blocks until
//! CLIENT UNBLOCK (TIMEOUT: the count, ERROR: -UNBLOCKED); inside MULTI it answers at
//! once. Each scenario runs on redsim and, when installed, on redis-server 7.0.15, with
//! the same replies and the same timing.

mod support;

use std::time::{Duration, Instant};
use support::serve::{self, argv};
use support::{escape, RawConn};

/// The client id of `conn`.
fn client_id(conn: &mut RawConn) -> String {
    let reply = conn.call(&argv(&["CLIENT", "ID"]));
    String::from_utf8_lossy(&reply[1..reply.len() - 2]).into_owned()
}

/// Runs the scenario on the server at `port`: the replies, in order. Timing is asserted
/// along the way (it must hold on both servers).
fn scenario(port: u16) -> Vec<Vec<u8>> {
    let mut replies = Vec::new();
    let mut conn = RawConn::connect(port);
    replies.push(conn.call(&argv(&["SET", "k", "v"])));

    let started = Instant::now();
    replies.push(conn.call(&argv(&["WAIT", "0", "0"])));
    assert!(
        started.elapsed() < Duration::from_millis(150),
        "WAIT 0 0 waited"
    );

    let started = Instant::now();
    replies.push(conn.call(&argv(&["WAIT", "1", "300"])));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(290) && waited < Duration::from_millis(1500),
        "WAIT 1 300 took {waited:?}"
    );

    // Timeout 0: no reply until CLIENT UNBLOCK; a request sent behind it waits too.
    for how in ["TIMEOUT", "ERROR"] {
        let mut waiter = RawConn::connect(port);
        let id = client_id(&mut waiter);
        waiter.send(&argv(&["WAIT", "1", "0"]));
        waiter.send(&argv(&["PING"]));
        let early = waiter.arrived_within(Duration::from_millis(300));
        assert!(early.is_empty(), "WAIT 1 0 answered {}", escape(&early));
        replies.push(conn.call(&argv(&["CLIENT", "UNBLOCK", &id, how])));
        replies.push(waiter.read_reply().expect("WAIT's reply"));
        replies.push(waiter.read_reply().expect("PING's reply"));
    }

    let started = Instant::now();
    replies.push(conn.call(&argv(&["MULTI"])));
    replies.push(conn.call(&argv(&["WAIT", "1", "0"])));
    replies.push(conn.call(&argv(&["EXEC"])));
    assert!(
        started.elapsed() < Duration::from_millis(150),
        "WAIT in MULTI waited"
    );
    replies.push(conn.call(&argv(&["WAIT", "1", "-1"])));
    replies
}

#[test]
fn wait_blocks_for_its_timeout_without_replicas() {
    let server = serve::start();
    let ours = scenario(server.local_addr().port());
    let expected: Vec<&[u8]> = vec![
        b"+OK\r\n",
        b":0\r\n",
        b":0\r\n",
        b":1\r\n",
        b":0\r\n",
        b"+PONG\r\n",
        b":1\r\n",
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
        b"+PONG\r\n",
        b"+OK\r\n",
        b"+QUEUED\r\n",
        b"*1\r\n:0\r\n",
        b"-ERR timeout is negative\r\n",
    ];
    let show = |r: &[Vec<u8>]| r.iter().map(|r| escape(r)).collect::<Vec<_>>().join(" | ");
    assert_eq!(ours, expected, "redsim answered {}", show(&ours));
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server not found (redsim checked against the recorded replies)");
        return;
    }
    let real = support::RedisServer::start();
    let theirs = scenario(real.port);
    assert_eq!(ours, theirs, "redis-server answered {}", show(&theirs));
}
