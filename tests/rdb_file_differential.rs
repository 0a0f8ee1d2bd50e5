//! RDB files both ways with a real redis-server 7.0.15: a file `redsim serve` writes with
//! SAVE loads into Redis, and a file Redis writes loads into `redsim serve` at start —
//! the same keys, values, TTLs, databases and function libraries (compared with DEBUG
//! DIGEST, which covers all of them but the libraries, and FUNCTION LIST).

mod support;

use redsim::resp::parse::split_args;
use redsim::server::ServeOptions;
use support::{escape, redis_server_available, RawConn, RedisServer};

const DATA: &[&str] = &[
    "SET s hello",
    "SET n 12345",
    "SET long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "SET e v EX 100000",
    "RPUSH l a b c 1 2",
    "SADD si 3 1 2",
    "SADD sh a b c 10",
    "HSET h f1 v1 f2 v2",
    "ZADD z 1 a 2.5 b -3 c 1e100 d",
    "EVAL \"for i = 1, 300 do redis.call('ZADD', KEYS[1], i, 'm' .. i) end\" 1 bigz",
    "EVAL \"for i = 1, 600 do redis.call('SADD', KEYS[1], 'x' .. i) end\" 1 bigs",
    "XADD st 1-1 a 1 b 2",
    "XADD st 2-1 a 3 b 4",
    "XGROUP CREATE st g 0",
    "XREADGROUP GROUP g alice COUNT 1 STREAMS st >",
    "SELECT 3",
    "SET other 1",
    "HSET h3 a 1",
    "SELECT 0",
    "FUNCTION LOAD \"#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return args[1] end)\"",
];

fn argv(line: &str) -> Vec<Vec<u8>> {
    split_args(line.as_bytes()).expect("balanced quotes")
}

fn fill(conn: &mut RawConn) {
    for line in DATA {
        let reply = conn.call(&argv(line));
        assert!(!reply.starts_with(b"-"), "{line}: {}", escape(&reply));
    }
}

/// What must survive the file: the dataset digest, the libraries, a TTL that is set.
fn observe(conn: &mut RawConn) -> Vec<String> {
    [
        "DEBUG DIGEST",
        "FUNCTION LIST",
        "DBSIZE",
        "EXISTS e",
        "FCALL myfunc 0 hi",
    ]
    .iter()
    .map(|line| format!("{line}: {}", escape(&conn.call(&argv(line)))))
    .collect()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("redsim-rdb-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A redis-server whose RDB file is `dir`/dump.rdb (loaded at start if there).
fn redis_with(dir: &std::path::Path) -> RedisServer {
    RedisServer::start_with(&[
        "--dir",
        &dir.to_string_lossy(),
        "--dbfilename",
        "dump.rdb",
        "--enable-debug-command",
        "yes",
    ])
}

fn redsim_with(dir: &std::path::Path) -> redsim::server::Server {
    support::serve::start_with(ServeOptions {
        port: 0,
        enable_debug_command: "yes".into(),
        dir: Some(dir.to_string_lossy().into_owned()),
        dbfilename: "dump.rdb".into(),
        ..ServeOptions::default()
    })
}

#[test]
fn a_file_redsim_saves_loads_into_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED a_file_redsim_saves_loads_into_redis: redis-server not found");
        return;
    }
    let dir = temp_dir("to-redis");
    let server = redsim_with(&dir);
    let mut ours = support::serve::raw(&server);
    fill(&mut ours);
    assert_eq!(ours.call(&argv("SAVE")), b"+OK\r\n");
    let expected = observe(&mut ours);
    let real = redis_with(&dir);
    let got = observe(&mut real.connect());
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(got, expected);
}

#[test]
fn a_file_redis_saves_loads_into_redsim() {
    if !redis_server_available() {
        eprintln!("SKIPPED a_file_redis_saves_loads_into_redsim: redis-server not found");
        return;
    }
    let dir = temp_dir("from-redis");
    let real = redis_with(&dir);
    let mut theirs = real.connect();
    fill(&mut theirs);
    assert_eq!(theirs.call(&argv("SAVE")), b"+OK\r\n");
    let expected = observe(&mut theirs);
    let server = redsim_with(&dir);
    let got = observe(&mut support::serve::raw(&server));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(got, expected);
}

#[test]
fn debug_reload_keeps_the_dataset() {
    let dir = temp_dir("reload");
    let server = redsim_with(&dir);
    let mut ours = support::serve::raw(&server);
    fill(&mut ours);
    let before = observe(&mut ours);
    assert_eq!(ours.call(&argv("DEBUG RELOAD")), b"+OK\r\n");
    assert_eq!(observe(&mut ours), before);
    assert!(
        dir.join("dump.rdb").exists(),
        "DEBUG RELOAD writes the file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shutdown_save_writes_the_file_the_next_start_loads() {
    let dir = temp_dir("shutdown");
    let first = redsim_with(&dir);
    let mut conn = support::serve::raw(&first);
    assert_eq!(conn.call(&argv("SET kept 1")), b"+OK\r\n");
    // SHUTDOWN NOSAVE writes nothing; SHUTDOWN SAVE writes the file, then closes.
    assert!(!dir.join("dump.rdb").exists());
    conn.send(&argv("SHUTDOWN SAVE"));
    assert_eq!(conn.read_reply(), None, "no reply: the server closes");
    first.shutdown();
    let second = redsim_with(&dir);
    let got = support::serve::raw(&second).call(&argv("GET kept"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(got, b"$1\r\n1\r\n");
}
