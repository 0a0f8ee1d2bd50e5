//! Active expiry in `redsim serve`: a key whose time has passed leaves DBSIZE within about
//! 100 ms although no command looks it up, as Redis's `activeExpireCycle` removes it —
//! compared with a real redis-server when one is installed.

mod support;

use std::time::Duration;
use support::serve::{self, argv};
use support::RawConn;

/// DBSIZE, polled every 20 ms for at most 2 s until it reads `want`; returns the last
/// reply.
fn dbsize_until(conn: &mut RawConn, want: &[u8]) -> Vec<u8> {
    let mut reply = Vec::new();
    for _ in 0..100 {
        reply = conn.call(&argv(&["DBSIZE"]));
        if reply == want {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    reply
}

/// What a server answers while keys expire with nobody reading them.
fn scenario(port: u16) -> Vec<Vec<u8>> {
    let mut conn = RawConn::connect(port);
    let mut seen = vec![
        conn.call(&argv(&["FLUSHALL"])),
        conn.call(&argv(&["SET", "gone", "1", "PX", "50"])),
        conn.call(&argv(&["SET", "stays", "1"])),
        conn.call(&argv(&["HSET", "gone-too", "f", "v"])),
        conn.call(&argv(&["PEXPIRE", "gone-too", "80"])),
    ];
    seen.push(dbsize_until(&mut conn, b":1\r\n"));
    seen.push(conn.call(&argv(&["KEYS", "*"])));
    seen
}

#[test]
fn expired_keys_leave_dbsize_without_being_looked_up_as_in_redis() {
    let server = serve::start();
    let ours = scenario(server.local_addr().port());
    assert_eq!(ours[5], b":1\r\n", "DBSIZE after the keys' time passed");
    assert_eq!(ours[6], b"*1\r\n$5\r\nstays\r\n");
    if support::redis_server_available() {
        let real = support::RedisServer::start();
        assert_eq!(ours, scenario(real.port), "redsim vs redis-server");
    } else {
        eprintln!("SKIPPED the comparison: redis-server is not installed");
    }
}

#[test]
fn debug_set_active_expire_0_leaves_expired_keys_until_they_are_looked_up() {
    let server = serve::start_with(redsim::server::ServeOptions {
        port: 0,
        enable_debug_command: "local".into(),
        ..Default::default()
    });
    let mut conn = RawConn::connect(server.local_addr().port());
    assert_eq!(
        conn.call(&argv(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"])),
        b"+OK\r\n"
    );
    assert_eq!(conn.call(&argv(&["SET", "k", "1", "PX", "10"])), b"+OK\r\n");
    // Three cycles' worth of time: an active cycle would have removed the key.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(conn.call(&argv(&["DBSIZE"])), b":1\r\n");
    // A lookup removes it (lazy expiry), as in Redis.
    assert_eq!(conn.call(&argv(&["EXISTS", "k"])), b":0\r\n");
    assert_eq!(conn.call(&argv(&["DBSIZE"])), b":0\r\n");
    // Back on, the cycle removes keys again.
    assert_eq!(
        conn.call(&argv(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"])),
        b"+OK\r\n"
    );
    assert_eq!(conn.call(&argv(&["SET", "k", "1", "PX", "10"])), b"+OK\r\n");
    assert_eq!(dbsize_until(&mut conn, b":0\r\n"), b":0\r\n");
}

#[test]
fn debug_is_refused_unless_enable_debug_command_allows_it() {
    let refused = b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n";
    let server = serve::start();
    let mut conn = RawConn::connect(server.local_addr().port());
    assert_eq!(conn.call(&argv(&["DEBUG", "SLEEP", "0"])), refused.to_vec());
    assert_eq!(
        conn.call(&argv(&["CONFIG", "GET", "enable-debug-command"])),
        b"*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n"
    );
}
