//! Protocol differential: request-like byte streams (valid, truncated and malformed
//! multibulk and inline requests), sent in random chunks to a real redis-server and to
//! `redsim serve`; the reply bytes and the closing of the connection must be the same.
//!
//! Runs when `redis-server` is on PATH; `REDSIM_PROTO_CASES` sets the case count
//! (default 48).

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use redsim::server::{ServeOptions, Server};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;
use support::{escape, RedisServer};

/// Pieces of requests. Words use letters no Redis command is made of, so that nothing
/// generated runs a real command (SAVE, HELLO…) whose reply could not match.
fn requestish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => Just(b"*".to_vec()),
        4 => Just(b"$".to_vec()),
        6 => Just(b"\r\n".to_vec()),
        2 => Just(b"\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        2 => Just(b"\"".to_vec()),
        1 => Just(b"'".to_vec()),
        1 => Just(b"\\x41".to_vec()),
        3 => Just(b" ".to_vec()),
        1 => Just(b"\0".to_vec()),
        2 => Just(b"*1\r\n$4\r\nPING\r\n".to_vec()),
        2 => Just(b"ECHO ".to_vec()),
        1 => Just(b"PING\r\n".to_vec()),
        4 => (-2i64..6).prop_map(|n| n.to_string().into_bytes()),
        1 => Just(b"2147483648".to_vec()),
        1 => Just(b"536870913".to_vec()),
        3 => "[xyzq]{1,4}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 1..3),
    ];
    prop::collection::vec(piece, 1..30).prop_map(|pieces| pieces.concat())
}

/// Sends `bytes` in the given chunks, half-closes, and reads until the server closes.
/// `None` if the server did not close within the timeout (waiting for more bytes).
fn exchange(port: u16, bytes: &[u8], cuts: &[usize]) -> (Vec<u8>, bool) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut start = 0;
    for &cut in cuts.iter().chain([&bytes.len()]) {
        if stream.write_all(&bytes[start..cut]).is_err() {
            break;
        }
        start = cut;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let mut reply = Vec::new();
    let closed = match stream.read_to_end(&mut reply) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    };
    (reply, closed)
}

#[test]
fn malformed_and_split_requests_get_the_same_bytes_as_from_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the protocol differential did not run");
        return;
    }
    let cases = std::env::var("REDSIM_PROTO_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let redis = RedisServer::start();
    let ours = Server::start(ServeOptions {
        port: 0,
        ..ServeOptions::default()
    })
    .expect("server");
    let port = ours.local_addr().port();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        requestish(),
        prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    );
    let result = runner.run(&strategy, |(bytes, cuts)| {
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let expected = exchange(redis.port, &bytes, &cuts);
        let got = exchange(port, &bytes, &cuts);
        if expected != got {
            return Err(TestCaseError::fail(format!(
                "sent {}\n  redis:  {} (closed: {})\n  redsim: {} (closed: {})",
                escape(&bytes),
                escape(&expected.0),
                expected.1,
                escape(&got.0),
                got.1
            )));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
