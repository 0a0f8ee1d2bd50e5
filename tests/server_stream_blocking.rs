//! XREAD and XREADGROUP with BLOCK in `redsim serve`: a blocked reader is served by the
//! next XADD with what arrived after it blocked (`$` means the last ID when it blocked),
//! a group reader gets the new entries and they become pending, a destroyed group or a
//! deleted key unblocks group readers with Redis's errors, and a timeout answers a null
//! array. Each scenario runs on redsim and, when it is installed, on a real redis-server,
//! and the replies must be the same bytes.

mod support;

use std::time::Duration;
use support::serve::{self, argv};
use support::{encode_request, escape, RawConn};

/// Sends PING and a blocking command in one write and waits for the PING's reply, then
/// gives the blocking command time to block.
fn block(conn: &mut RawConn, command: &[&str]) {
    conn.send_raw(
        &[
            encode_request(&argv(&["PING"])),
            encode_request(&argv(command)),
        ]
        .concat(),
    );
    assert_eq!(conn.read_reply().expect("PING"), b"+PONG\r\n");
    std::thread::sleep(Duration::from_millis(100));
}

fn fresh(port: u16) -> RawConn {
    let mut setup = RawConn::connect(port);
    assert_eq!(setup.call(&argv(&["FLUSHALL"])), b"+OK\r\n");
    setup
}

/// XREAD BLOCK on `$`: entries written before it blocked are not served, the next is.
fn xread_dollar_waits_for_new_entries(port: u16) -> Vec<Vec<u8>> {
    let mut writer = fresh(port);
    writer.call(&argv(&["XADD", "s", "1-0", "old", "1"]));
    let mut reader = RawConn::connect(port);
    block(
        &mut reader,
        &["XREAD", "BLOCK", "0", "STREAMS", "s", "other", "$", "$"],
    );
    vec![
        writer.call(&argv(&["XADD", "other", "7-0", "new", "2"])),
        reader.read_reply().expect("XREAD"),
        reader.call(&argv(&["XREAD", "BLOCK", "50", "STREAMS", "s", "$"])),
    ]
}

/// Two group readers blocked on `>`: each new entry goes to one of them, in the order
/// they blocked, and is pending for it.
fn group_readers_share_new_entries(port: u16) -> Vec<Vec<u8>> {
    let mut writer = fresh(port);
    writer.call(&argv(&["XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"]));
    let mut first = RawConn::connect(port);
    block(
        &mut first,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "BLOCK",
            "0",
            "STREAMS",
            "q",
            ">",
        ],
    );
    let mut second = RawConn::connect(port);
    block(
        &mut second,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "BLOCK",
            "0",
            "STREAMS",
            "q",
            ">",
        ],
    );
    vec![
        writer.call(&argv(&["XADD", "q", "1-0", "job", "a"])),
        first.read_reply().expect("first XREADGROUP"),
        writer.call(&argv(&["XADD", "q", "2-0", "job", "b"])),
        second.read_reply().expect("second XREADGROUP"),
        writer.call(&argv(&["XPENDING", "q", "g"])),
    ]
}

/// A destroyed group and a deleted key unblock group readers with errors.
fn group_readers_are_told_when_their_group_or_key_goes(port: u16) -> Vec<Vec<u8>> {
    let mut writer = fresh(port);
    writer.call(&argv(&["CONFIG", "RESETSTAT"]));
    writer.call(&argv(&["XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"]));
    writer.call(&argv(&["XGROUP", "CREATE", "r", "g", "$", "MKSTREAM"]));
    let mut on_q = RawConn::connect(port);
    block(
        &mut on_q,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "BLOCK",
            "0",
            "STREAMS",
            "q",
            ">",
        ],
    );
    let mut on_r = RawConn::connect(port);
    block(
        &mut on_r,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "BLOCK",
            "0",
            "STREAMS",
            "r",
            ">",
        ],
    );
    vec![
        writer.call(&argv(&["XGROUP", "DESTROY", "q", "g"])),
        on_q.read_reply().expect("XREADGROUP on q"),
        writer.call(&argv(&["DEL", "r"])),
        on_r.read_reply().expect("XREADGROUP on r"),
        // Served errors count as errors of the command (Redis's updateStatsOnUnblock).
        writer.call(&argv(&["INFO", "errorstats"])),
    ]
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
fn xread_block_on_dollar_is_served_by_the_next_xadd_only() {
    check(
        "xread $",
        xread_dollar_waits_for_new_entries,
        &[
            b"$3\r\n7-0\r\n",
            b"*1\r\n*2\r\n$5\r\nother\r\n*1\r\n*2\r\n$3\r\n7-0\r\n*2\r\n$3\r\nnew\r\n$1\r\n2\r\n",
            b"*-1\r\n",
        ],
    );
}

#[test]
fn blocked_group_readers_get_one_new_entry_each_in_blocking_order() {
    check(
        "group readers",
        group_readers_share_new_entries,
        &[
            b"$3\r\n1-0\r\n",
            b"*1\r\n*2\r\n$1\r\nq\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$3\r\njob\r\n$1\r\na\r\n",
            b"$3\r\n2-0\r\n",
            b"*1\r\n*2\r\n$1\r\nq\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$3\r\njob\r\n$1\r\nb\r\n",
            b"*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n*2\r\n$2\r\nc2\r\n$1\r\n1\r\n",
        ],
    );
}

#[test]
fn a_destroyed_group_or_deleted_key_unblocks_group_readers_with_an_error() {
    check(
        "group or key gone",
        group_readers_are_told_when_their_group_or_key_goes,
        &[
            b":1\r\n",
            b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n",
            b":1\r\n",
            b"-UNBLOCKED the stream key no longer exists\r\n",
            b"$70\r\n# Errorstats\r\nerrorstat_NOGROUP:count=1\r\nerrorstat_UNBLOCKED:count=1\r\n\r\n",
        ],
    );
}
