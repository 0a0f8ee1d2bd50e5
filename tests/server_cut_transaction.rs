//! A connection that closes in the middle of a MULTI block, or of a pipeline: the server
//! discards the queued block and runs the commands that reached it, as redis-server
//! 7.0.15 does (what the simulator's lost-connection fault rests on).

mod support;

use support::serve::{argv, start};
use support::{encode_request, RawConn};

/// One connection sends MULTI, INCR n, a pipeline's INCR a, and closes; another reads.
fn cut(port: u16) -> Vec<Vec<u8>> {
    let mut reader = RawConn::connect(port);
    reader.call(&argv(&["DEL", "n", "a", "b"]));
    {
        let mut c = RawConn::connect(port);
        assert_eq!(c.call(&argv(&["MULTI"])), b"+OK\r\n");
        assert_eq!(c.call(&argv(&["INCR", "n"])), b"+QUEUED\r\n");
        // Closed before EXEC: the block never runs.
    }
    {
        let mut c = RawConn::connect(port);
        // A pipeline whose last command never arrives whole (cut mid-request).
        let mut bytes = encode_request(&argv(&["INCR", "a"]));
        let tail = encode_request(&argv(&["INCR", "b"]));
        bytes.extend_from_slice(&tail[..tail.len() - 3]);
        c.send_raw(&bytes);
        assert_eq!(c.read_reply().unwrap(), b":1\r\n");
    }
    let mut seen = Vec::new();
    for key in ["n", "a", "b"] {
        // The server notices the close when it reads it: poll briefly.
        let mut reply = reader.call(&argv(&["GET", key]));
        for _ in 0..20 {
            if key != "n" || reply == b"$-1\r\n" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            reply = reader.call(&argv(&["GET", key]));
        }
        seen.push(reply);
    }
    seen
}

#[test]
fn a_multi_block_or_pipeline_cut_by_a_closed_connection_runs_what_arrived_as_in_redis() {
    let ours = start();
    let got = cut(ours.local_addr().port());
    assert_eq!(
        got,
        vec![
            b"$-1\r\n".to_vec(),
            b"$1\r\n1\r\n".to_vec(),
            b"$-1\r\n".to_vec()
        ]
    );
    if !support::redis_server_available() {
        eprintln!("SKIPPED: no redis-server to compare with");
        return;
    }
    let real = support::RedisServer::start();
    assert_eq!(cut(real.port), got);
}
