//! The TCP server against raw sockets: framing, pipelining, protocol errors, limits,
//! authentication, RESP3, blocking and shutdown. Each test starts its own in-process
//! server on an ephemeral loopback port. Real client programs are in
//! `server_external_clients.rs`, busy scripts in `server_busy.rs`.

mod support;

use redsim::server::ServeOptions;
use support::serve::{argv, raw, start, start_with};
use support::{escape, RawConn};

#[test]
fn ping_set_get_over_raw_multibulk() {
    let server = start();
    let mut c = raw(&server);
    assert_eq!(c.call(&argv(&["PING"])), b"+PONG\r\n");
    assert_eq!(c.call(&argv(&["SET", "k", "v"])), b"+OK\r\n");
    assert_eq!(c.call(&argv(&["GET", "k"])), b"$1\r\nv\r\n");
    assert_eq!(c.call(&argv(&["GET", "missing"])), b"$-1\r\n");
    assert_eq!(
        c.call(&argv(&["NOSUCH", "x"])),
        b"-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"
    );
}

#[test]
fn inline_requests_are_answered_like_multibulk_ones() {
    let server = start();
    let mut c = raw(&server);
    c.send_raw(b"SET k \"a b\"\r\nGET k\n\r\nECHO 'x'\r\n");
    assert_eq!(c.read_reply().expect("reply"), b"+OK\r\n");
    assert_eq!(c.read_reply().expect("reply"), b"$3\r\na b\r\n");
    assert_eq!(c.read_reply().expect("reply"), b"$1\r\nx\r\n");
}

#[test]
fn pipelined_replies_come_back_in_order() {
    let server = start();
    let mut c = raw(&server);
    let mut bytes = Vec::new();
    for _ in 0..500 {
        bytes.extend_from_slice(&support::encode_request(&argv(&["INCR", "n"])));
    }
    c.send_raw(&bytes);
    for expected in 1..=500 {
        assert_eq!(
            c.read_reply().expect("reply"),
            format!(":{expected}\r\n").into_bytes()
        );
    }
}

#[test]
fn quit_replies_then_closes() {
    let server = start();
    let mut c = raw(&server);
    c.send_raw(b"PING\r\nQUIT\r\nPING\r\n");
    assert_eq!(c.read_reply().expect("reply"), b"+PONG\r\n");
    assert_eq!(c.read_reply().expect("reply"), b"+OK\r\n");
    assert!(c.is_closed(), "the server closes after QUIT's reply");
}

#[test]
fn a_protocol_error_answers_earlier_requests_then_the_error_then_closes() {
    let server = start();
    let mut c = raw(&server);
    c.send_raw(b"*1\r\n$4\r\nPING\r\n*1\r\nx\r\n*1\r\n$4\r\nPING\r\n");
    assert_eq!(c.read_reply().expect("reply"), b"+PONG\r\n");
    assert_eq!(
        c.read_reply().expect("reply"),
        b"-ERR Protocol error: expected '$', got 'x'\r\n"
    );
    assert!(c.is_closed());
    let mut again = raw(&server);
    assert_eq!(
        again.call(&argv(&["PING"])),
        b"+PONG\r\n",
        "the server keeps serving"
    );
}

#[test]
fn a_malformed_client_is_disconnected_while_another_clients_pipeline_completes() {
    let server = start();
    let mut good = raw(&server);
    let mut bad = raw(&server);
    let mut pipeline = Vec::new();
    for _ in 0..2000 {
        pipeline.extend_from_slice(&support::encode_request(&argv(&["INCR", "counter"])));
    }
    // Half the pipeline, the bad client's garbage, then the rest.
    good.send_raw(&pipeline[..pipeline.len() / 2]);
    bad.send_raw(b"*1\r\n$-7\r\n");
    good.send_raw(&pipeline[pipeline.len() / 2..]);
    assert_eq!(
        bad.read_reply().expect("error reply"),
        b"-ERR Protocol error: invalid bulk length\r\n"
    );
    assert!(bad.is_closed(), "the malformed client is disconnected");
    for expected in 1..=2000 {
        let reply = good
            .read_reply()
            .expect("the good client keeps getting replies");
        assert_eq!(
            reply,
            format!(":{expected}\r\n").into_bytes(),
            "reply {expected}: {}",
            escape(&reply)
        );
    }
    assert_eq!(good.call(&argv(&["GET", "counter"])), b"$4\r\n2000\r\n");
}

#[test]
fn huge_and_negative_lengths_close_only_the_offender() {
    let server = start();
    let mut keeper = raw(&server);
    assert_eq!(keeper.call(&argv(&["SET", "k", "kept"])), b"+OK\r\n");
    let cases: [(&[u8], &[u8]); 5] = [
        (
            b"*2147483648\r\n",
            b"-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n$536870913\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n$-1\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"SET k \"unbalanced\r\n",
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (
            b"*-1\r\n*abc\r\n",
            b"-ERR Protocol error: invalid multibulk length\r\n",
        ),
    ];
    for (request, expected) in cases {
        let mut c = raw(&server);
        c.send_raw(request);
        assert_eq!(
            c.read_reply().expect("error reply"),
            expected,
            "{}",
            escape(request)
        );
        assert!(c.is_closed(), "{}", escape(request));
    }
    assert_eq!(keeper.call(&argv(&["GET", "k"])), b"$4\r\nkept\r\n");
}

#[test]
fn too_big_inline_request_is_refused() {
    let server = start();
    let mut c = raw(&server);
    c.send_raw(&vec![b'a'; 70 * 1024]);
    assert_eq!(
        c.read_reply().expect("error reply"),
        b"-ERR Protocol error: too big inline request\r\n"
    );
    assert!(c.is_closed());
}

#[test]
fn concurrent_clients_increment_atomically() {
    let server = start();
    let port = server.local_addr().port();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = RawConn::connect(port);
                for _ in 0..250 {
                    let reply = c.call(&argv(&["INCR", "shared"]));
                    assert_eq!(reply[0], b':');
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    assert_eq!(
        raw(&server).call(&argv(&["GET", "shared"])),
        b"$4\r\n1000\r\n"
    );
}

#[test]
fn each_connection_has_its_own_session() {
    let server = start();
    let mut a = raw(&server);
    let mut b = raw(&server);
    assert_eq!(a.call(&argv(&["SELECT", "3"])), b"+OK\r\n");
    assert_eq!(a.call(&argv(&["SET", "k", "in3"])), b"+OK\r\n");
    assert_eq!(b.call(&argv(&["GET", "k"])), b"$-1\r\n");
    assert_eq!(a.call(&argv(&["MULTI"])), b"+OK\r\n");
    assert_eq!(
        b.call(&argv(&["PING"])),
        b"+PONG\r\n",
        "b is not in a's transaction"
    );
    assert_eq!(a.call(&argv(&["GET", "k"])), b"+QUEUED\r\n");
    assert_eq!(a.call(&argv(&["EXEC"])), b"*1\r\n$3\r\nin3\r\n");
}

#[test]
fn shutdown_stops_the_server() {
    let server = start();
    let mut open = raw(&server);
    assert_eq!(open.call(&argv(&["PING"])), b"+PONG\r\n");
    server.shutdown();
    // (Whether the port refuses new connections is not checked: a test running in
    // parallel may already have been given the same port.)
    assert!(open.is_closed(), "shutdown closes open connections");
}

#[test]
fn a_client_that_never_reads_its_replies_does_not_block_others() {
    let server = start();
    let mut setup = raw(&server);
    let big = vec![b'x'; 100 * 1024];
    assert_eq!(
        setup.call(&[b"SET".to_vec(), b"big".to_vec(), big]),
        b"+OK\r\n"
    );
    let mut stuck = raw(&server);
    let mut pipeline = Vec::new();
    for _ in 0..300 {
        pipeline.extend_from_slice(&support::encode_request(&argv(&["GET", "big"])));
    }
    // 30 MB of replies that are never read: the server must keep serving everyone else.
    stuck.send_raw(&pipeline);
    let started = std::time::Instant::now();
    let mut other = raw(&server);
    for _ in 0..100 {
        assert_eq!(other.call(&argv(&["INCR", "n"]))[0], b':');
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "others were held up"
    );
}

#[test]
fn requirepass_keeps_commands_behind_auth() {
    let server = start_with(ServeOptions {
        port: 0,
        requirepass: Some(b"secret".to_vec()),
        ..ServeOptions::default()
    });
    let mut c = raw(&server);
    assert_eq!(
        c.call(&argv(&["GET", "k"])),
        b"-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(
        c.call(&argv(&["NOPE"])),
        b"-ERR unknown command 'NOPE', with args beginning with: \r\n"
    );
    assert_eq!(
        c.call(&argv(&["AUTH", "wrong"])),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(c.call(&argv(&["AUTH", "secret"])), b"+OK\r\n");
    assert_eq!(c.call(&argv(&["SET", "k", "v"])), b"+OK\r\n");
    let mut big = raw(&server);
    big.send_raw(b"*11\r\n");
    assert_eq!(
        big.read_reply().expect("reply"),
        b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    );
    assert!(big.is_closed());
    let client =
        redis::Client::open(format!("redis://:secret@{}/", server.local_addr())).expect("client");
    let mut con = client
        .get_connection()
        .expect("the redis crate authenticates");
    let got: String = redis::cmd("GET").arg("k").query(&mut con).expect("GET");
    assert_eq!(got, "v");
}

#[test]
fn maxclients_refuses_one_connection_too_many() {
    let server = start_with(ServeOptions {
        port: 0,
        maxclients: 2,
        ..ServeOptions::default()
    });
    let mut a = raw(&server);
    let mut b = raw(&server);
    assert_eq!(a.call(&argv(&["PING"])), b"+PONG\r\n");
    assert_eq!(b.call(&argv(&["PING"])), b"+PONG\r\n");
    let mut c = raw(&server);
    assert_eq!(
        c.read_reply().expect("refusal"),
        b"-ERR max number of clients reached\r\n"
    );
    assert!(c.is_closed());
    drop(a);
    // The slot frees once the server has seen the close.
    let mut accepted = false;
    for _ in 0..100 {
        let mut d = raw(&server);
        d.send(&argv(&["PING"]));
        if d.read_reply().as_deref() == Some(&b"+PONG\r\n"[..]) {
            accepted = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(accepted, "a closed connection gives its slot back");
}

/// A non-loopback address of this machine, if it has one (found without sending anything).
fn outside_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket
        .connect("192.0.2.200:9")
        .or_else(|_| socket.connect("10.255.255.1:9"))
        .ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn protected_mode_refuses_outside_clients_without_a_password() {
    let Some(ip) = outside_address() else {
        eprintln!("SKIPPED: this machine has no non-loopback address");
        return;
    };
    let server = start_with(ServeOptions {
        bind: "0.0.0.0".into(),
        port: 0,
        ..ServeOptions::default()
    });
    let port = server.local_addr().port();
    let mut outside = std::net::TcpStream::connect((ip, port)).expect("connect from outside");
    let mut reply = Vec::new();
    use std::io::Read;
    outside
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    outside
        .read_to_end(&mut reply)
        .expect("the server answers and closes");
    assert!(
        reply.starts_with(b"-DENIED Redis is running in protected mode"),
        "{}",
        escape(&reply)
    );
    assert_eq!(
        RawConn::connect(port).call(&argv(&["PING"])),
        b"+PONG\r\n",
        "loopback is served"
    );
}

#[test]
fn resp3_is_chosen_per_connection_with_hello() {
    if redsim::cmd::lookup(b"hello").is_none() {
        eprintln!("SKIPPED: the engine has no HELLO command yet");
        return;
    }
    let server = start();
    let mut three = raw(&server);
    let mut two = raw(&server);
    let hello = three.call(&argv(&["HELLO", "3"]));
    assert_eq!(
        hello[0],
        b'%',
        "HELLO 3 answers a RESP3 map: {}",
        escape(&hello)
    );
    assert_eq!(three.call(&argv(&["GET", "missing"])), b"_\r\n");
    assert_eq!(
        two.call(&argv(&["GET", "missing"])),
        b"$-1\r\n",
        "the other connection stays on RESP2"
    );
    let client = redis::Client::open(format!("redis://{}/?protocol=resp3", server.local_addr()))
        .expect("client");
    let mut con = client
        .get_connection()
        .expect("the redis crate says HELLO 3");
    let missing: redis::Value = redis::cmd("GET")
        .arg("missing")
        .query(&mut con)
        .expect("GET");
    assert_eq!(missing, redis::Value::Nil);
    let counts: Vec<i64> = redis::pipe()
        .cmd("INCR")
        .arg("r3")
        .cmd("INCR")
        .arg("r3")
        .query(&mut con)
        .expect("pipeline");
    assert_eq!(counts, vec![1, 2]);
}

#[test]
fn blocked_clients_are_served_by_a_later_write_or_time_out() {
    if redsim::cmd::lookup(b"blpop").is_none() {
        eprintln!("SKIPPED: the engine has no BLPOP yet");
        return;
    }
    let server = start();
    let mut waiter = raw(&server);
    let mut pusher = raw(&server);
    // Replies before the blocking command arrive at once; those after it wait for it.
    waiter.send_raw(
        &[
            support::encode_request(&argv(&["PING"])),
            support::encode_request(&argv(&["BLPOP", "queue", "0"])),
            support::encode_request(&argv(&["ECHO", "after"])),
        ]
        .concat(),
    );
    assert_eq!(waiter.read_reply().expect("PING"), b"+PONG\r\n");
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(
        pusher.call(&argv(&["PING"])),
        b"+PONG\r\n",
        "others are served while one blocks"
    );
    assert_eq!(pusher.call(&argv(&["RPUSH", "queue", "job"])), b":1\r\n");
    assert_eq!(
        waiter.read_reply().expect("BLPOP"),
        b"*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n"
    );
    assert_eq!(waiter.read_reply().expect("ECHO"), b"$5\r\nafter\r\n");
    assert_eq!(
        pusher.call(&argv(&["LLEN", "queue"])),
        b":0\r\n",
        "the element went to the waiter"
    );
    let started = std::time::Instant::now();
    assert_eq!(waiter.call(&argv(&["BLPOP", "empty", "0.2"])), b"*-1\r\n");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(150),
        "BLPOP waited for its timeout"
    );
    // A key of another type does not serve the waiter: it times out, as in Redis.
    // PING in the same write as the blocking command: its reply means the command ran.
    waiter.send_raw(
        &[
            support::encode_request(&argv(&["PING"])),
            support::encode_request(&argv(&["BLPOP", "typed", "0.3"])),
        ]
        .concat(),
    );
    assert_eq!(waiter.read_reply().expect("PING"), b"+PONG\r\n");
    assert_eq!(pusher.call(&argv(&["SET", "typed", "string"])), b"+OK\r\n");
    assert_eq!(waiter.read_reply().expect("BLPOP"), b"*-1\r\n");
    // Sorted sets block the same way.
    waiter.send_raw(
        &[
            support::encode_request(&argv(&["PING"])),
            support::encode_request(&argv(&["BZPOPMIN", "z", "0"])),
        ]
        .concat(),
    );
    assert_eq!(waiter.read_reply().expect("PING"), b"+PONG\r\n");
    assert_eq!(pusher.call(&argv(&["ZADD", "z", "1.5", "m"])), b":1\r\n");
    assert_eq!(
        waiter.read_reply().expect("BZPOPMIN"),
        b"*3\r\n$1\r\nz\r\n$1\r\nm\r\n$3\r\n1.5\r\n"
    );
}

#[test]
fn shutdown_from_a_client_stops_the_server() {
    let server = start();
    let mut other = raw(&server);
    let mut admin = raw(&server);
    assert_eq!(
        admin.call(&argv(&["SHUTDOWN", "ABORT"])),
        b"-ERR No shutdown in progress.\r\n"
    );
    assert_eq!(
        admin.call(&argv(&["SHUTDOWN", "NOSAVE", "SAVE"])),
        b"-ERR syntax error\r\n"
    );
    assert_eq!(admin.call(&argv(&["MULTI"])), b"+OK\r\n");
    assert_eq!(
        admin.call(&argv(&["SHUTDOWN"])),
        b"-ERR Command not allowed inside a transaction\r\n"
    );
    assert_eq!(admin.call(&argv(&["DISCARD"])), b"+OK\r\n");
    admin.send(&argv(&["SHUTDOWN", "NOSAVE"]));
    assert!(admin.is_closed(), "SHUTDOWN closes without a reply");
    assert!(other.is_closed(), "every connection closes");
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        server.wait();
        let _ = done_tx.send(());
    });
    assert!(
        done_rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .is_ok(),
        "Server::wait returns"
    );
}
