//! Redis 7.0 freezes the expiry clock for the length of a script (`scriptTimeSnapshot`,
//! db.c `keyIsExpired`): a key whose time passes while the script runs is still there
//! for the script, while TIME and PTTL read the live clock. The simulator's clock jumps
//! rest on this (a jump never shows half-way through a script); compared with a real
//! redis-server when one is installed.

mod support;

use support::serve::{argv, start};
use support::RawConn;

/// SET k PX 50, then a script that waits 200 ms of wall time (by TIME) and reads k:
/// GET, PTTL, and whether TIME moved past the key's expiry.
fn frozen(port: u16) -> Vec<Vec<u8>> {
    let mut c = RawConn::connect(port);
    let mut seen = vec![c.call(&argv(&["SET", "k", "v", "PX", "50"]))];
    let script = "local function ms() local t = redis.call('TIME') \
                  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end \
                  local start = ms() \
                  while ms() < start + 200 do end \
                  return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]), \
                          redis.call('EXISTS', KEYS[1])}";
    seen.push(c.call(&argv(&["EVAL", script, "1", "k"])));
    // After the script, the key has expired for everyone.
    seen.push(c.call(&argv(&["GET", "k"])));
    seen
}

#[test]
fn a_key_cannot_expire_in_the_middle_of_a_script_as_in_redis() {
    let ours = start();
    let got = frozen(ours.local_addr().port());
    assert_eq!(
        got,
        vec![
            b"+OK\r\n".to_vec(),
            b"*3\r\n$1\r\nv\r\n:0\r\n:1\r\n".to_vec(),
            b"$-1\r\n".to_vec()
        ]
    );
    if !support::redis_server_available() {
        eprintln!("SKIPPED: no redis-server to compare with");
        return;
    }
    let real = support::RedisServer::start();
    assert_eq!(frozen(real.port), got);
}
