//! Scripts at run time: busy scripts and SCRIPT KILL through the host, memory limits,
//! runaway input, no rollback, effects and log lines, the scripts' own session.

use redsim::host::{BusyScript, Host, ScriptTick};
use redsim::{Engine, ManualHost, Reply};
use std::sync::{Arc, Mutex};

/// A host whose clock advances 1 ms per tick and that answers Kill once a script has been
/// busy for `kill_after_ms`; it remembers every tick it saw.
#[derive(Clone)]
struct KillingHost {
    now_us: Arc<Mutex<u64>>,
    kill_after_ms: u64,
    ticks: Arc<Mutex<Vec<BusyScript>>>,
}

impl KillingHost {
    fn new(kill_after_ms: u64) -> Self {
        KillingHost {
            now_us: Arc::new(Mutex::new(1_000_000)),
            kill_after_ms,
            ticks: Arc::default(),
        }
    }
}

impl Host for KillingHost {
    fn now_us(&mut self) -> u64 {
        *self.now_us.lock().unwrap()
    }

    fn random_u64(&mut self) -> u64 {
        4
    }

    fn script_tick(&mut self, busy: &BusyScript) -> ScriptTick {
        *self.now_us.lock().unwrap() += 1000;
        self.ticks.lock().unwrap().push(busy.clone());
        if busy.elapsed_ms >= self.kill_after_ms {
            ScriptTick::Kill
        } else {
            ScriptTick::Continue
        }
    }
}

fn error_text(reply: &Reply) -> String {
    String::from_utf8_lossy(reply.error_text().expect("an error reply")).into_owned()
}

#[test]
fn infinite_loop_is_killed_through_the_host_and_the_engine_goes_on() {
    let host = KillingHost::new(50);
    let mut e = Engine::new(host.clone());
    let c = e.connect();
    e.call(c, &["SET", "k", "v"]);
    let reply = e.call(c, &["EVAL", "while true do end", "0"]);
    let text = error_text(&reply);
    assert!(
        text.starts_with("ERR Script killed by user with SCRIPT KILL..."),
        "{text}"
    );
    assert!(text.contains("on @user_script:1."), "{text}");
    let ticks = host.ticks.lock().unwrap();
    assert!(
        ticks.len() >= 50 && ticks.len() < 60,
        "{} ticks",
        ticks.len()
    );
    assert!(
        ticks.windows(2).all(|w| w[1].elapsed_ms > w[0].elapsed_ms),
        "the virtual clock moves"
    );
    assert!(!ticks[0].has_written && !ticks[0].is_function);
    drop(ticks);
    assert!(e.scripts.last_run.killed);
    assert_eq!(
        e.call(c, &["EVAL", "return redis.call('GET', 'k')", "0"]),
        Reply::bulk("v")
    );
}

#[test]
fn pcall_cannot_swallow_a_kill() {
    let mut e = Engine::new(KillingHost::new(10));
    let c = e.connect();
    let reply = e.call(
        c,
        &[
            "EVAL",
            "while true do pcall(function() while true do end end) end",
            "0",
        ],
    );
    assert!(error_text(&reply).starts_with("ERR Script killed by user with SCRIPT KILL..."));
}

#[test]
fn a_script_that_wrote_cannot_be_killed() {
    let host = KillingHost::new(0);
    let mut e = Engine::new(host.clone());
    let c = e.connect();
    let script =
        "redis.call('SET', 'w', '1') local i = 0 while i < 300000 do i = i + 1 end return i";
    assert_eq!(e.call(c, &["EVAL", script, "0"]), Reply::Integer(300000));
    assert!(host.ticks.lock().unwrap().iter().all(|t| t.has_written));
}

#[test]
fn a_killed_function_reports_itself_as_a_function() {
    let host = KillingHost::new(5);
    let mut e = Engine::new(host.clone());
    let c = e.connect();
    let lib = "#!lua name=spin\nredis.register_function('spin', function() while true do end end)";
    assert_eq!(e.call(c, &["FUNCTION", "LOAD", lib]), Reply::bulk("spin"));
    let text = error_text(&e.call(c, &["FCALL", "spin", "0"]));
    assert!(
        text.starts_with("ERR Script killed by user with SCRIPT KILL... script: spin"),
        "{text}"
    );
    assert!(host.ticks.lock().unwrap().iter().all(|t| t.is_function));
}

#[test]
fn function_load_with_an_endless_loop_times_out() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let text = error_text(&e.call(c, &["FUNCTION", "LOAD", "#!lua name=x\nwhile true do end"]));
    assert!(text.contains("FUNCTION LOAD timeout"), "{text}");
    assert_eq!(
        e.call(
            c,
            &[
                "FUNCTION",
                "LOAD",
                "#!lua name=x\nredis.register_function('f', function() return 1 end)"
            ]
        ),
        Reply::bulk("x")
    );
    assert_eq!(e.call(c, &["FCALL", "f", "0"]), Reply::Integer(1));
}

#[test]
fn runaway_memory_is_a_script_error_and_the_engine_stays_intact() {
    let mut e = Engine::new(ManualHost::default());
    e.scripts.memory_limit = 16 << 20;
    let c = e.connect();
    e.call(c, &["SET", "k", "v"]);
    for script in [
        "return string.rep('x', 1e9)",
        "local t = {} for i = 1, 1e8 do t[i] = i end return #t",
        "local s = 'x' while true do s = s .. s end",
    ] {
        let text = error_text(&e.call(c, &["EVAL", script, "0"]));
        assert!(text.contains("not enough memory"), "{script}: {text}");
    }
    assert_eq!(
        e.call(c, &["EVAL", "return redis.call('GET', 'k')", "0"]),
        Reply::bulk("v")
    );
}

#[test]
fn bad_input_ends_with_a_clear_error() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let cases = [
        (
            "local function f() return f() + 1 end return f()",
            "stack overflow",
        ),
        (
            "return unpack({1, 2, 3}, 1, 1e8)",
            "too many results to unpack",
        ),
        (
            "return loadstring(string.dump(function() return 1 end))()",
            "attempt to call a nil value",
        ),
        (
            "return package.loaded",
            "nonexistent global variable 'package'",
        ),
        (
            "return io.open('/etc/passwd')",
            "nonexistent global variable 'io'",
        ),
        (
            "return os.execute('true')",
            "nonexistent global variable 'os'",
        ),
        (
            "return debug.getinfo(1)",
            "nonexistent global variable 'debug'",
        ),
        (
            "getmetatable('').__index = {}",
            "Attempt to modify a readonly table",
        ),
        ("setmetatable(_G, {})", "Attempt to modify a readonly table"),
        ("error({})", "ERR Error running script"),
        (
            "error(setmetatable({}, {__index = function() error('no') end}))",
            "ERR",
        ),
    ];
    for (script, expected) in cases {
        let text = error_text(&e.call(c, &["EVAL", script, "0"]));
        assert!(text.contains(expected), "{script}: {text}");
    }
    assert_eq!(e.call(c, &["PING"]), Reply::simple("PONG"));
}

#[test]
fn writes_before_an_error_are_not_rolled_back() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let script =
        "redis.call('SET', 'a', '1') redis.call('INCR', 'a') return redis.call('INCR', KEYS[1])";
    e.call(c, &["SET", "text", "abc"]);
    let text = error_text(&e.call(c, &["EVAL", script, "1", "text"]));
    assert!(
        text.starts_with("ERR value is not an integer or out of range script: "),
        "{text}"
    );
    assert_eq!(e.call(c, &["GET", "a"]), Reply::bulk("2"));
}

#[test]
fn effects_list_the_writes_that_changed_the_dataset() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let script = "redis.call('SET', 'a', '1') redis.call('GET', 'a') redis.call('DEL', 'missing') \
                  redis.set_repl(redis.REPL_NONE) redis.call('SET', 'hidden', '1') \
                  redis.set_repl(redis.REPL_ALL) redis.call('INCR', 'a') return 1";
    assert_eq!(e.call(c, &["EVAL", script, "0"]), Reply::Integer(1));
    let effects: Vec<Vec<String>> = e
        .scripts
        .last_run
        .effects
        .iter()
        .map(|eff| {
            eff.argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .collect();
    assert_eq!(effects, vec![vec!["SET", "a", "1"], vec!["INCR", "a"]]);
    assert!(e.scripts.last_run.wrote);
}

#[test]
fn log_lines_are_kept_for_traces() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    e.call(
        c,
        &[
            "EVAL",
            "redis.log(redis.LOG_WARNING, 'counter', 42) redis.log(redis.LOG_DEBUG, 'x')",
            "0",
        ],
    );
    let log = e.scripts.take_log();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].level, log[0].text.as_slice()),
        (3, &b"counter 42"[..])
    );
    assert_eq!((log[1].level, log[1].text.as_slice()), (0, &b"x"[..]));
    assert!(e.scripts.take_log().is_empty());
}

#[test]
fn select_inside_a_script_leaves_the_callers_database_alone() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    e.call(c, &["SELECT", "2"]);
    let script = "redis.call('SET', 'k', 'two') redis.call('SELECT', 3) redis.call('SET', 'k', 'three') return 1";
    e.call(c, &["EVAL", script, "0"]);
    assert_eq!(e.call(c, &["GET", "k"]), Reply::bulk("two"));
    e.call(c, &["SELECT", "3"]);
    assert_eq!(e.call(c, &["GET", "k"]), Reply::bulk("three"));
    // The next script starts again in its caller's database.
    assert_eq!(
        e.call(c, &["EVAL", "return redis.call('GET', 'k')", "0"]),
        Reply::bulk("three")
    );
}

#[test]
fn cached_scripts_survive_until_script_flush() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let sha = match e.call(c, &["SCRIPT", "LOAD", "return ARGV[1]"]) {
        Reply::Bulk(s) => String::from_utf8(s).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(e.call(c, &["EVALSHA", &sha, "0", "x"]), Reply::bulk("x"));
    assert_eq!(e.scripts.cached_scripts(), 1);
    assert_eq!(e.call(c, &["SCRIPT", "FLUSH"]), Reply::ok());
    assert_eq!(
        e.call(c, &["EVALSHA", &sha, "0", "x"]),
        Reply::error("NOSCRIPT No matching script. Please use EVAL.")
    );
}

#[test]
fn many_keys_and_arguments_reach_keys_and_argv() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    for (nkeys, nargs) in [
        (0, 0),
        (1, 0),
        (0, 1),
        (3, 2),
        (40, 5),
        (5, 100),
        (2000, 3000),
    ] {
        let mut argv = vec![
            "EVAL".to_string(),
            "return {#KEYS, #ARGV, KEYS[#KEYS], ARGV[#ARGV]}".into(),
            nkeys.to_string(),
        ];
        argv.extend((1..=nkeys).map(|i| format!("k{i}")));
        argv.extend((1..=nargs).map(|i| format!("a{i}")));
        let mut expected = vec![Reply::Integer(nkeys as i64), Reply::Integer(nargs as i64)];
        if nkeys > 0 {
            expected.push(Reply::bulk(format!("k{nkeys}")));
            if nargs > 0 {
                expected.push(Reply::bulk(format!("a{nargs}")));
            }
        }
        assert_eq!(
            e.call(c, &argv),
            Reply::Array(expected),
            "{nkeys} keys, {nargs} args"
        );
    }
    let lib = "#!lua name=n\nredis.register_function('n', function(k, a) return {#k, #a, k[1], a[1]} end)";
    e.call(c, &["FUNCTION", "LOAD", lib]);
    assert_eq!(
        e.call(c, &["FCALL", "n", "1", "k", "a", "b"]),
        Reply::Array(vec![
            Reply::Integer(1),
            Reply::Integer(2),
            Reply::bulk("k"),
            Reply::bulk("a")
        ])
    );
}
