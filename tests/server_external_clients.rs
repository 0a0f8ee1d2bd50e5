//! The TCP server against real client programs: the `redis` crate, redis-cli (also
//! `--eval` of the seed script, compared with a real redis-server) and redis-benchmark.
//! Each test starts its own in-process server on an ephemeral loopback port.

mod support;

use std::process::Command;
use support::serve::start;

fn redis_cli_available() -> bool {
    Command::new("redis-cli")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn the_redis_crate_works_with_pipelines() {
    let server = start();
    let client = redis::Client::open(format!("redis://{}/", server.local_addr())).expect("client");
    let mut con = client.get_connection().expect("connection");
    let () = redis::cmd("SET")
        .arg("greeting")
        .arg("hello")
        .query(&mut con)
        .expect("SET");
    let got: String = redis::cmd("GET")
        .arg("greeting")
        .query(&mut con)
        .expect("GET");
    assert_eq!(got, "hello");
    let counts: Vec<i64> = redis::pipe()
        .cmd("INCR")
        .arg("c")
        .cmd("INCR")
        .arg("c")
        .cmd("INCR")
        .arg("c")
        .query(&mut con)
        .expect("pipeline");
    assert_eq!(counts, vec![1, 2, 3]);
    let atomic: (i64, String) = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg("c")
        .cmd("GET")
        .arg("greeting")
        .query(&mut con)
        .expect("MULTI/EXEC pipeline");
    assert_eq!(atomic, (4, "hello".to_string()));
    let err = redis::cmd("INCR")
        .arg("greeting")
        .query::<i64>(&mut con)
        .expect_err("not an integer");
    assert!(err.to_string().contains("value is not an integer"), "{err}");
}

#[test]
fn redis_cli_talks_to_the_server() {
    if !redis_cli_available() {
        eprintln!("SKIPPED: redis-cli is not on PATH");
        return;
    }
    let server = start();
    let port = server.local_addr().port().to_string();
    let cli = |args: &[&str]| -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &port])
            .args(args)
            .output()
            .expect("run redis-cli");
        assert!(out.status.success(), "redis-cli {args:?} failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(cli(&["PING"]), "PONG\n");
    assert_eq!(cli(&["SET", "k", "from cli"]), "OK\n");
    assert_eq!(cli(&["GET", "k"]), "from cli\n");
    // redis-cli prints an error reply followed by an empty line when not on a terminal.
    assert_eq!(
        cli(&["INCR", "k"]),
        "ERR value is not an integer or out of range\n\n"
    );
    // Several commands on one connection, read from stdin.
    let mut child = Command::new("redis-cli")
        .args(["-p", &port])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn redis-cli");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"INCR n\nINCR n\nGET n\n")
        .expect("write");
    let out = child.wait_with_output().expect("redis-cli output");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n2\n2\n");
}

#[test]
fn redis_cli_eval_of_the_seed_script_prints_what_redis_prints() {
    let seed_commands = [&b"eval"[..], b"zadd", b"zcard"];
    if seed_commands
        .iter()
        .any(|c| redsim::cmd::lookup(c).is_none())
        || !redis_cli_available()
        || !support::redis_server_available()
    {
        eprintln!("SKIPPED: needs EVAL in the engine, redis-cli and redis-server");
        return;
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/lua/counter_and_log.lua"
    );
    let run = |port: u16, keys: &[&str]| -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &port.to_string(), "--eval", script])
            .args(keys)
            .args([",", "1678886400"])
            .output()
            .expect("run redis-cli");
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    let real = support::RedisServer::start();
    let ours = start();
    for keys in [
        &["counter_key", "timestamp_set_key"][..],
        &["counter_key,timestamp_set_key"][..],
    ] {
        let expected = run(real.port, keys);
        let got = run(ours.local_addr().port(), keys);
        assert_eq!(got, expected, "redis-cli --eval with keys {keys:?}");
    }
}

#[test]
fn redis_benchmark_runs_against_the_server() {
    let available = Command::new("redis-benchmark")
        .arg("--version")
        .output()
        .map(|o| o.status.success());
    if !available.unwrap_or(false) {
        eprintln!("SKIPPED: redis-benchmark is not on PATH");
        return;
    }
    let server = start();
    let port = server.local_addr().port().to_string();
    let out = Command::new("redis-benchmark")
        .args([
            "-p",
            &port,
            "-t",
            "set,get,incr",
            "-n",
            "2000",
            "-c",
            "8",
            "-P",
            "4",
            "-q",
        ])
        .output()
        .expect("run redis-benchmark");
    assert!(
        out.status.success(),
        "redis-benchmark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "\n");
    for test in ["SET", "GET", "INCR"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{test}: ")) && l.contains("requests per second")),
            "no {test} result in: {text}"
        );
    }
    // (redis-benchmark also asks CONFIG GET save / appendonly, which the engine does not
    // know: it then prints "WARNING: Could not fetch server CONFIG" and runs anyway.)
}
