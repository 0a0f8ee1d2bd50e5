//! Busy scripts and functions in `redsim serve`: past busy-reply-threshold other clients
//! get -BUSY, SCRIPT KILL / FUNCTION KILL stop a script that has not written, and the
//! replies are compared with a real redis-server when one is installed.

mod support;

use support::serve::{argv, raw, start};
use support::{escape, RawConn};

#[test]
fn a_busy_script_gets_others_busy_replies_and_can_be_killed() {
    if redsim::cmd::lookup(b"eval").is_none() || redsim::cmd::lookup(b"config").is_none() {
        eprintln!("SKIPPED: the engine has no EVAL or CONFIG yet");
        return;
    }
    let server = start();
    let port = server.local_addr().port();
    let mut other = raw(&server);
    assert_eq!(
        other.call(&argv(&["CONFIG", "SET", "busy-reply-threshold", "100"])),
        b"+OK\r\n"
    );
    let script = std::thread::spawn(move || {
        RawConn::connect(port).call(&argv(&["EVAL", "while true do end", "0"]))
    });
    let busy = b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
    let mut saw_busy = false;
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        if other.call(&argv(&["PING"])) == busy {
            saw_busy = true;
            break;
        }
    }
    assert!(
        saw_busy,
        "a script past the threshold makes other clients busy"
    );
    assert_eq!(
        other.call(&argv(&["GET"])),
        b"-ERR wrong number of arguments for 'get' command\r\n"
    );
    assert_eq!(other.call(&argv(&["SCRIPT", "KILL"])), b"+OK\r\n");
    let killed = script.join().expect("script client");
    assert!(
        killed.starts_with(b"-ERR Script killed by user with SCRIPT KILL"),
        "{}",
        escape(&killed)
    );
    assert_eq!(other.call(&argv(&["PING"])), b"+PONG\r\n");
    assert_eq!(
        other.call(&argv(&["SCRIPT", "KILL"])),
        b"-NOTBUSY No scripts in execution right now.\r\n"
    );

    // A script that wrote cannot be killed; this one ends by itself.
    let writer = std::thread::spawn(move || {
        let body = "redis.call('SET', 'w', '1') local n = 0 for i = 1, 50000000 do n = n + i end return 'done'";
        RawConn::connect(port).call(&argv(&["EVAL", body, "0"]))
    });
    let unkillable = b"-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n";
    let mut refused = false;
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let reply = other.call(&argv(&["SCRIPT", "KILL"]));
        if reply == unkillable {
            refused = true;
            break;
        }
        if reply == b"-NOTBUSY No scripts in execution right now.\r\n" {
            break; // the machine ran the loop faster than the threshold
        }
    }
    assert_eq!(writer.join().expect("writer client"), b"$4\r\ndone\r\n");
    if !refused {
        eprintln!(
            "note: the writing script finished before it became busy; UNKILLABLE not observed"
        );
    }
}

/// Starts `while true do end` (as EVAL, or as a function) on the server at `port` with a
/// busy threshold of 100 ms, and waits until a second client gets `-BUSY`. Returns that
/// client, the thread waiting for the script's reply and the BUSY reply.
fn spin(port: u16, function: bool) -> (RawConn, std::thread::JoinHandle<Vec<u8>>, Vec<u8>) {
    let mut other = RawConn::connect(port);
    assert_eq!(
        other.call(&argv(&["CONFIG", "SET", "busy-reply-threshold", "100"])),
        b"+OK\r\n"
    );
    let call = if function {
        let library =
            "#!lua name=spinlib\nredis.register_function('spin', function() while true do end end)";
        assert_eq!(
            other.call(&argv(&["FUNCTION", "LOAD", "REPLACE", library])),
            b"$7\r\nspinlib\r\n"
        );
        argv(&["FCALL", "spin", "0"])
    } else {
        argv(&["EVAL", "while true do end", "0"])
    };
    let runner = std::thread::spawn(move || RawConn::connect(port).call(&call));
    for _ in 0..200 {
        std::thread::sleep(std::time::Duration::from_millis(25));
        let reply = other.call(&argv(&["PING"]));
        if reply.starts_with(b"-BUSY") {
            return (other, runner, reply);
        }
    }
    panic!("the script never became busy on port {port}");
}

/// Runs a busy script or function on the server at `port` and returns what a second
/// client sees: the BUSY reply, SCRIPT KILL's and FUNCTION KILL's replies, the killed
/// call's reply and the first reply after it.
fn busy_scenario(port: u16, function: bool) -> Vec<Vec<u8>> {
    let (mut other, runner, busy) = spin(port, function);
    let mut seen = vec![busy];
    let (wrong, right) = if function {
        ("SCRIPT", "FUNCTION")
    } else {
        ("FUNCTION", "SCRIPT")
    };
    seen.push(other.call(&argv(&[wrong, "KILL"])));
    seen.push(other.call(&argv(&[right, "KILL"])));
    seen.push(runner.join().expect("runner"));
    seen.push(other.call(&argv(&["PING"])));
    seen
}

#[test]
fn busy_scripts_and_functions_are_answered_and_killed_as_redis_does() {
    let needed = [&b"eval"[..], b"fcall", b"function", b"config"];
    if needed.iter().any(|c| redsim::cmd::lookup(c).is_none()) || !support::redis_server_available()
    {
        eprintln!(
            "SKIPPED: needs EVAL, FCALL, FUNCTION and CONFIG in the engine, and redis-server"
        );
        return;
    }
    let real = support::RedisServer::start();
    let ours = start();
    for function in [false, true] {
        let expected = busy_scenario(real.port, function);
        assert!(
            expected[0].starts_with(b"-BUSY"),
            "redis-server never became busy"
        );
        let got = busy_scenario(ours.local_addr().port(), function);
        let show = |replies: &[Vec<u8>]| {
            replies
                .iter()
                .map(|r| escape(r))
                .collect::<Vec<_>>()
                .join("\n    ")
        };
        assert_eq!(
            got,
            expected,
            "function: {function}\n  redis:\n    {}\n  redsim:\n    {}",
            show(&expected),
            show(&got)
        );
    }
}

/// Replaces the number after each `marker` (a connection's id in HELLO, a duration in
/// FUNCTION STATS) with `N`: they differ from run to run.
fn mask_numbers(reply: &[u8]) -> Vec<u8> {
    let mut out = reply.to_vec();
    for marker in [&b"$2\r\nid\r\n:"[..], b"$11\r\nduration_ms\r\n:"] {
        let mut from = 0;
        while let Some(at) = out[from..].windows(marker.len()).position(|w| w == marker) {
            let start = from + at + marker.len();
            let end = start
                + out[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            out.splice(start..end, *b"N");
            from = start;
        }
    }
    out
}

/// The `allow-busy` commands during a busy script, and what a transaction meets: what a
/// second client gets for each command while `EVAL while true do end` (or the same as a
/// function) runs past the threshold, then the killed call's reply and a PING after it.
fn allow_busy_scenario(port: u16, function: bool) -> Vec<(String, Vec<u8>)> {
    let (mut other, runner, _) = spin(port, function);
    let eval_commands: &[&[&str]] = &[
        &["MULTI"],
        &["SET", "a", "1"],
        &["EXEC"],
        &["MULTI"],
        &["WATCH", "x"],
        &["FUNCTION", "STATS"],
        &["DISCARD"],
        &["EXEC"],
        &["WATCH", "x"],
        &["UNWATCH"],
        &["HELLO", "3"],
        &["FUNCTION", "STATS"],
        &["HELLO", "2"],
        &["RESET"],
        &["MULTI"],
        &["GET", "a"],
        &["HELLO"],
        &["SCRIPT", "KILL"],
        &["EXEC"],
        &["NOSUCH"],
        &["GET"],
        &["MULTI"],
        &["EXEC", "x"],
        &["MULTI"],
        &["MULTI"],
        &["DISCARD"],
        &["CLIENT", "ID"],
        &["FUNCTION", "KILL"],
        &["SCRIPT", "KILL"],
    ];
    let function_commands: &[&[&str]] = &[
        &["FUNCTION", "STATS"],
        &["HELLO", "3"],
        &["FUNCTION", "STATS"],
        &["HELLO", "2"],
        &["MULTI"],
        &["FUNCTION", "STATS"],
        &["EXEC"],
        &["SCRIPT", "KILL"],
        &["FUNCTION", "KILL"],
    ];
    let commands = if function {
        function_commands
    } else {
        eval_commands
    };
    let mut seen = Vec::new();
    for command in commands {
        let reply = mask_numbers(&other.call(&argv(command)));
        seen.push((command.join(" "), reply));
    }
    seen.push(("(the killed call)".into(), runner.join().expect("runner")));
    seen.push(("PING".into(), other.call(&argv(&["PING"]))));
    seen
}

#[test]
fn allow_busy_commands_run_during_a_busy_script_as_in_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: needs redis-server to compare with");
        return;
    }
    let real = support::RedisServer::start();
    let ours = start();
    for function in [false, true] {
        let expected = allow_busy_scenario(real.port, function);
        let got = allow_busy_scenario(ours.local_addr().port(), function);
        for ((command, want), (_, have)) in expected.iter().zip(&got) {
            assert_eq!(
                escape(have),
                escape(want),
                "function: {function}, {command}: redsim differs from redis-server"
            );
        }
    }
}

#[test]
fn a_connection_accepted_during_a_busy_script_keeps_the_session_the_script_opened() {
    let server = start();
    let port = server.local_addr().port();
    let (mut other, runner, _) = spin(port, false);
    // Its session does not exist yet: the busy script opens it to run MULTI.
    let mut late = RawConn::connect(port);
    assert_eq!(late.call(&argv(&["MULTI"])), b"+OK\r\n");
    assert_eq!(other.call(&argv(&["SCRIPT", "KILL"])), b"+OK\r\n");
    runner.join().expect("runner");
    assert_eq!(late.call(&argv(&["SET", "a", "1"])), b"+QUEUED\r\n");
    assert_eq!(late.call(&argv(&["EXEC"])), b"*1\r\n+OK\r\n");
    let info = late.call(&argv(&["CLIENT", "INFO"]));
    assert!(
        String::from_utf8_lossy(&info).contains(" addr=127.0.0.1:"),
        "{}",
        escape(&info)
    );
}

/// ACL during a busy script: a client logs in as a user without SCRIPT KILL (AUTH is
/// allow-busy), is refused SCRIPT KILL with NOPERM, logs back in as default and kills.
fn acl_busy_scenario(port: u16) -> Vec<(String, Vec<u8>)> {
    let mut admin = RawConn::connect(port);
    let rule = [
        "ACL",
        "SETUSER",
        "nokill",
        "on",
        "nopass",
        "+@all",
        "-script|kill",
        "~*",
    ];
    assert_eq!(admin.call(&argv(&rule)), b"+OK\r\n");
    let (mut other, runner, _) = spin(port, false);
    let commands: &[&[&str]] = &[
        &["AUTH", "nokill", "x"],
        &["SCRIPT", "KILL"],
        &["PING"],
        &["HELLO", "2", "AUTH", "nosuch", "x"],
        &["AUTH", "default", "x"],
        &["SCRIPT", "KILL"],
    ];
    let mut seen = Vec::new();
    for command in commands {
        seen.push((command.join(" "), other.call(&argv(command))));
    }
    seen.push(("(the killed call)".into(), runner.join().expect("runner")));
    let log = admin.call(&argv(&["ACL", "LOG"]));
    let fields = String::from_utf8_lossy(&log)
        .split("\r\n")
        .filter(|l| {
            [
                "command",
                "auth",
                "toplevel",
                "nokill",
                "nosuch",
                "script|kill",
                "HELLO",
            ]
            .contains(l)
        })
        .collect::<Vec<_>>()
        .join(" ");
    seen.push(("ACL LOG (its fixed fields)".into(), fields.into_bytes()));
    seen
}

#[test]
fn acl_applies_during_a_busy_script_as_in_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: needs redis-server to compare with");
        return;
    }
    let real = support::RedisServer::start();
    let ours = start();
    let expected = acl_busy_scenario(real.port);
    let got = acl_busy_scenario(ours.local_addr().port());
    for ((command, want), (_, have)) in expected.iter().zip(&got) {
        assert_eq!(
            escape(have),
            escape(want),
            "{command}: redsim differs from redis-server"
        );
    }
}

/// A script that writes, then works about two seconds (by TIME); or (`write_last`) works
/// first and writes at the end.
fn timed_script(write_last: bool) -> String {
    let work = "local s = tonumber(redis.call('TIME')[1]) \
                while tonumber(redis.call('TIME')[1]) < s + 2 do end";
    let write = "redis.call('INCR', KEYS[1])";
    if write_last {
        format!("{work} {write} return 1")
    } else {
        format!("{write} {work} return 1")
    }
}

/// What the simulator's slow-server faults rest on, on the server at `port`: a client
/// that gave up on a busy script and sent it again on a new connection meets -BUSY, and
/// SCRIPT KILL before the script's first write stops it with nothing written, after it
/// is refused UNKILLABLE and the script runs to its end.
fn kill_race_scenario(port: u16, write_last: bool) -> Vec<Vec<u8>> {
    let mut other = RawConn::connect(port);
    assert_eq!(
        other.call(&argv(&["CONFIG", "SET", "busy-reply-threshold", "100"])),
        b"+OK\r\n"
    );
    other.call(&argv(&["DEL", "k"]));
    let script = timed_script(write_last);
    let call = argv(&["EVAL", &script, "1", "k"]);
    let runner = std::thread::spawn({
        let call = call.clone();
        move || RawConn::connect(port).call(&call)
    });
    let mut seen = Vec::new();
    for _ in 0..200 {
        std::thread::sleep(std::time::Duration::from_millis(25));
        let reply = other.call(&argv(&["PING"]));
        if reply.starts_with(b"-BUSY") {
            seen.push(reply);
            break;
        }
    }
    assert_eq!(seen.len(), 1, "the script never became busy on port {port}");
    // The client library's retry, on a new connection.
    seen.push(RawConn::connect(port).call(&call));
    seen.push(other.call(&argv(&["SCRIPT", "KILL"])));
    seen.push(runner.join().expect("runner"));
    seen.push(other.call(&argv(&["GET", "k"])));
    seen
}

#[test]
fn a_retry_meets_busy_and_script_kill_races_the_first_write_as_in_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: needs redis-server to compare with");
        return;
    }
    let real = support::RedisServer::start();
    let ours = start();
    for write_last in [false, true] {
        let expected = kill_race_scenario(real.port, write_last);
        let got = kill_race_scenario(ours.local_addr().port(), write_last);
        let show = |replies: &[Vec<u8>]| {
            replies
                .iter()
                .map(|r| escape(r))
                .collect::<Vec<_>>()
                .join("\n    ")
        };
        assert_eq!(
            got,
            expected,
            "write_last: {write_last}\n  redis:\n    {}\n  redsim:\n    {}",
            show(&expected),
            show(&got)
        );
        // Killable only before the write: then nothing was written.
        let kill = &expected[2];
        if write_last {
            assert_eq!(kill, b"+OK\r\n");
            assert_eq!(expected[4], b"$-1\r\n");
        } else {
            assert!(kill.starts_with(b"-UNKILLABLE"));
            assert_eq!(expected[4], b"$1\r\n1\r\n");
        }
    }
}
