//! Blocked clients in `redsim serve` are served as Redis serves them: right after the
//! command that pushed (before even the next command of the pusher's own pipeline), and
//! first blocked, first served. Each scenario runs on redsim and, when it is installed,
//! on a real redis-server, and the replies must be the same bytes.

mod support;

use std::time::Duration;
use support::serve::{self, argv};
use support::{encode_request, escape, RawConn};

/// Sends PING and a blocking command in one write and waits for the PING's reply: then
/// the blocking command has run and blocks (its connection has nothing else to do).
fn block(conn: &mut RawConn, command: &[&str]) {
    conn.send_raw(
        &[
            encode_request(&argv(&["PING"])),
            encode_request(&argv(command)),
        ]
        .concat(),
    );
    assert_eq!(conn.read_reply().expect("PING"), b"+PONG\r\n");
    // The PING's reply comes before the blocking command runs: give it time to block.
    std::thread::sleep(Duration::from_millis(100));
}

/// A push and a pop in one pipeline while a client is blocked on the list.
fn push_then_pop_in_one_pipeline(port: u16) -> Vec<Vec<u8>> {
    let mut setup = RawConn::connect(port);
    assert_eq!(setup.call(&argv(&["FLUSHALL"])), b"+OK\r\n");
    let mut waiter = RawConn::connect(port);
    block(&mut waiter, &["BLPOP", "jobs", "0"]);
    let mut pusher = RawConn::connect(port);
    pusher.send_raw(
        &[
            encode_request(&argv(&["RPUSH", "jobs", "x"])),
            encode_request(&argv(&["LPOP", "jobs"])),
        ]
        .concat(),
    );
    vec![
        pusher.read_reply().expect("RPUSH"),
        pusher.read_reply().expect("LPOP"),
        waiter.read_reply().expect("BLPOP"),
    ]
}

/// Two clients blocked on one list; one push of two elements.
fn first_blocked_first_served(port: u16) -> Vec<Vec<u8>> {
    let mut setup = RawConn::connect(port);
    assert_eq!(setup.call(&argv(&["FLUSHALL"])), b"+OK\r\n");
    let mut first = RawConn::connect(port);
    block(&mut first, &["BLPOP", "jobs", "0"]);
    let mut second = RawConn::connect(port);
    block(&mut second, &["BRPOP", "jobs", "0"]);
    let mut pusher = RawConn::connect(port);
    vec![
        pusher.call(&argv(&["RPUSH", "jobs", "a", "b", "c"])),
        first.read_reply().expect("BLPOP"),
        second.read_reply().expect("BRPOP"),
        pusher.call(&argv(&["LRANGE", "jobs", "0", "-1"])),
    ]
}

/// A BLMOVE served by a push feeds a client blocked on its destination, within the
/// same write.
fn a_served_move_serves_the_next_waiter(port: u16) -> Vec<Vec<u8>> {
    let mut setup = RawConn::connect(port);
    assert_eq!(setup.call(&argv(&["FLUSHALL"])), b"+OK\r\n");
    let mut mover = RawConn::connect(port);
    block(&mut mover, &["BLMOVE", "in", "out", "LEFT", "RIGHT", "0"]);
    let mut taker = RawConn::connect(port);
    block(&mut taker, &["BLPOP", "out", "0"]);
    let mut pusher = RawConn::connect(port);
    pusher.send_raw(
        &[
            encode_request(&argv(&["LPUSH", "in", "job"])),
            encode_request(&argv(&["EXISTS", "in", "out"])),
        ]
        .concat(),
    );
    vec![
        pusher.read_reply().expect("LPUSH"),
        pusher.read_reply().expect("EXISTS"),
        mover.read_reply().expect("BLMOVE"),
        taker.read_reply().expect("BLPOP"),
    ]
}

/// INFO commandstats without the timings, sorted: `cmdstat_blpop:calls=1,…`.
fn command_counts(conn: &mut RawConn) -> Vec<u8> {
    let info = conn.call(&argv(&["INFO", "commandstats"]));
    let text = String::from_utf8_lossy(&info);
    // Redis lists them in its hash table's order: compared sorted.
    let mut lines: Vec<String> = text
        .lines()
        .filter(|line| line.starts_with("cmdstat_"))
        .map(|line| {
            line.split(',')
                .filter(|field| !field.starts_with("usec"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    lines.sort();
    lines.join("\n").into_bytes()
}

/// A blocked client that a key of another type does not serve, then a push does: the
/// blocking command counts once in INFO commandstats, as in Redis.
fn a_blocked_command_counts_once(port: u16) -> Vec<Vec<u8>> {
    let mut setup = RawConn::connect(port);
    assert_eq!(setup.call(&argv(&["FLUSHALL"])), b"+OK\r\n");
    assert_eq!(setup.call(&argv(&["CONFIG", "RESETSTAT"])), b"+OK\r\n");
    let mut waiter = RawConn::connect(port);
    block(&mut waiter, &["BLPOP", "q", "0"]);
    let mut pusher = RawConn::connect(port);
    let mut seen = vec![
        pusher.call(&argv(&["SET", "q", "not a list"])),
        pusher.call(&argv(&["DEL", "q"])),
        pusher.call(&argv(&["RPUSH", "q", "a"])),
        waiter.read_reply().expect("BLPOP"),
        waiter.call(&argv(&["BLPOP", "none", "0.05"])),
    ];
    seen.push(command_counts(&mut pusher));
    seen
}

type Scenario = fn(u16) -> Vec<Vec<u8>>;

fn check(name: &str, scenario: Scenario, expected: &[&[u8]]) {
    let server = serve::start();
    let show = |replies: &[Vec<u8>]| {
        replies
            .iter()
            .map(|r| escape(r))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let ours = scenario(server.local_addr().port());
    assert_eq!(ours, expected, "{name}: redsim answered {}", show(&ours));
    if support::redis_server_available() {
        let real = support::RedisServer::start();
        let theirs = scenario(real.port);
        assert_eq!(
            ours,
            theirs,
            "{name}: redis-server answered {}",
            show(&theirs)
        );
    } else {
        eprintln!("SKIPPED the comparison for {name}: redis-server is not installed");
    }
}

#[test]
fn a_pipelined_pop_right_after_the_push_does_not_steal_from_the_blocked_client() {
    check(
        "push then pop",
        push_then_pop_in_one_pipeline,
        &[b":1\r\n", b"$-1\r\n", b"*2\r\n$4\r\njobs\r\n$1\r\nx\r\n"],
    );
}

#[test]
fn clients_blocked_on_one_key_are_served_in_the_order_they_blocked() {
    check(
        "first blocked, first served",
        first_blocked_first_served,
        &[
            b":3\r\n",
            b"*2\r\n$4\r\njobs\r\n$1\r\na\r\n",
            b"*2\r\n$4\r\njobs\r\n$1\r\nc\r\n",
            b"*1\r\n$1\r\nb\r\n",
        ],
    );
}

#[test]
fn a_served_blmove_serves_the_client_blocked_on_its_destination_at_once() {
    check(
        "chained blmove",
        a_served_move_serves_the_next_waiter,
        &[
            b":1\r\n",
            b":0\r\n",
            b"$3\r\njob\r\n",
            b"*2\r\n$3\r\nout\r\n$3\r\njob\r\n",
        ],
    );
}

#[test]
fn a_blocked_command_counts_once_in_commandstats() {
    let counts = "cmdstat_blpop:calls=2,rejected_calls=0,failed_calls=0\n\
                  cmdstat_config|resetstat:calls=1,rejected_calls=0,failed_calls=0\n\
                  cmdstat_del:calls=1,rejected_calls=0,failed_calls=0\n\
                  cmdstat_ping:calls=1,rejected_calls=0,failed_calls=0\n\
                  cmdstat_rpush:calls=1,rejected_calls=0,failed_calls=0\n\
                  cmdstat_set:calls=1,rejected_calls=0,failed_calls=0";
    check(
        "blocked command stats",
        a_blocked_command_counts_once,
        &[
            b"+OK\r\n",
            b":1\r\n",
            b":1\r\n",
            b"*2\r\n$1\r\nq\r\n$1\r\na\r\n",
            b"*-1\r\n",
            counts.as_bytes(),
        ],
    );
}
