//! INFO and CONFIG of `redsim serve` beside a real redis-server 7.0: the same sections and
//! fields of INFO in the same order, the same CONFIG GET * parameters with the same
//! defaults, CONFIG SET's refusals word for word, and `blocked_clients` counting the
//! clients parked in a blocking command. Starts its own redis-server on a free loopback
//! port when one is installed (CI has one); otherwise says SKIPPED and passes.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use support::serve::{self, argv};
use support::{parse_frame, redis_server_available, Frame, RawConn, RedisServer};

fn skip() -> bool {
    if redis_server_available() {
        return false;
    }
    eprintln!("SKIPPED: redis-server is not on PATH; the INFO/CONFIG comparison did not run");
    true
}

fn bulk_text(frame: &Frame) -> String {
    let Frame::Scalar(bytes) = frame else {
        panic!(
            "not a scalar: {:?}",
            String::from_utf8_lossy(&frame.bytes())
        );
    };
    let start = bytes.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    String::from_utf8_lossy(&bytes[start..bytes.len() - 2]).into_owned()
}

fn call(conn: &mut RawConn, words: &[&str]) -> Frame {
    let reply = conn.call(&argv(words));
    parse_frame(&reply).unwrap().unwrap().0
}

/// INFO's text as (section, field names) in order.
fn info_layout(conn: &mut RawConn, words: &[&str]) -> Vec<(String, Vec<String>)> {
    let text = bulk_text(&call(conn, words));
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        if let Some(name) = line.strip_prefix("# ") {
            sections.push((name.to_string(), Vec::new()));
        } else {
            let name = line.split(':').next().unwrap().to_string();
            sections
                .last_mut()
                .expect("a field after a header")
                .1
                .push(name);
        }
    }
    sections
}

/// Sections whose fields depend on what ran before (one line per command, error code,
/// database): only their presence is compared.
const HISTORY: &[&str] = &["Commandstats", "Errorstats", "Latencystats", "Keyspace"];

#[test]
fn info_has_every_section_and_field_of_redis_in_its_order() {
    if skip() {
        return;
    }
    let redis = RedisServer::start();
    let server = serve::start();
    for section in [
        "",
        "default",
        "all",
        "everything",
        "memory",
        "clients",
        "cluster",
    ] {
        let words: &[&str] = if section.is_empty() {
            &["INFO"]
        } else {
            &["INFO", section]
        };
        let layout = |conn: &mut RawConn| {
            let mut layout = info_layout(conn, words);
            for (name, fields) in layout.iter_mut() {
                if HISTORY.contains(&name.as_str()) {
                    fields.clear();
                }
            }
            layout
        };
        let expected = layout(&mut redis.connect());
        let got = layout(&mut serve::raw(&server));
        assert_eq!(got, expected, "INFO {section}");
    }
}

fn config_map(conn: &mut RawConn) -> BTreeMap<String, String> {
    let Frame::Aggregate { children, .. } = call(conn, &["CONFIG", "GET", "*"]) else {
        panic!("CONFIG GET * is not an array");
    };
    children
        .chunks(2)
        .map(|pair| (bulk_text(&pair[0]), bulk_text(&pair[1])))
        .collect()
}

/// Parameters whose value says how the process was started (port, directory, the test
/// helper's options) or that redsim fixes on purpose (`save`: it never writes to disk).
const PER_PROCESS: &[&str] = &[
    "port",
    "bind",
    "dir",
    "loglevel",
    "save",
    "pidfile",
    "daemonize",
    "logfile",
];

#[test]
fn config_get_star_lists_every_redis_parameter_with_its_default() {
    if skip() {
        return;
    }
    let redis = RedisServer::start();
    let server = serve::start();
    let expected = config_map(&mut redis.connect());
    let got = config_map(&mut serve::raw(&server));
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<BTreeSet<_>>();
    let missing: Vec<_> = names(&expected).difference(&names(&got)).cloned().collect();
    let extra: Vec<_> = names(&got).difference(&names(&expected)).cloned().collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    let differ: Vec<_> = expected
        .iter()
        .filter(|(name, value)| !PER_PROCESS.contains(&name.as_str()) && got[*name] != **value)
        .map(|(name, value)| format!("{name}: redis {value:?}, redsim {:?}", got[name]))
        .collect();
    assert!(differ.is_empty(), "defaults differ:\n{}", differ.join("\n"));
}

/// CONFIG SET commands and the CONFIG GET after them: refusals of every kind, accepted
/// values and how they read back.
const CONFIG_CASES: &[&[&str]] = &[
    &["CONFIG", "SET", "timeout", "abc"],
    &["CONFIG", "SET", "timeout", "-1"],
    &["CONFIG", "SET", "timeout", "30"],
    &["CONFIG", "GET", "timeout"],
    &["CONFIG", "SET", "slowlog-log-slower-than", "-2"],
    &["CONFIG", "SET", "slowlog-log-slower-than", "-1"],
    &["CONFIG", "GET", "slowlog-log-slower-than"],
    &["CONFIG", "SET", "min-replicas-to-write", "1"],
    &["CONFIG", "GET", "min-slaves-to-write"],
    &["CONFIG", "SET", "maxclients", "0"],
    &["CONFIG", "SET", "maxclients", "-5"],
    &["CONFIG", "SET", "maxmemory", "1mb"],
    &["CONFIG", "GET", "maxmemory"],
    &["CONFIG", "SET", "maxmemory", "-1"],
    &["CONFIG", "SET", "maxmemory", "10xb"],
    &["CONFIG", "SET", "maxmemory", "0"],
    &["CONFIG", "SET", "maxmemory-clients", "-1"],
    &["CONFIG", "SET", "maxmemory-clients", "200%"],
    &["CONFIG", "SET", "maxmemory-clients", "10%"],
    &["CONFIG", "GET", "maxmemory-clients"],
    &["CONFIG", "SET", "maxmemory-clients", "0"],
    &["CONFIG", "SET", "maxmemory-policy", "lru"],
    &["CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"],
    &["CONFIG", "GET", "maxmemory-policy"],
    &["CONFIG", "SET", "maxmemory-policy", "noeviction"],
    &["CONFIG", "SET", "activerehashing", "maybe"],
    &["CONFIG", "SET", "activerehashing", "NO"],
    &["CONFIG", "GET", "activerehashing"],
    &["CONFIG", "SET", "activerehashing", "yes"],
    &["CONFIG", "SET", "daemonize", "yes"],
    &["CONFIG", "SET", "daemonize", "yes", "nosuch", "1"],
    &["CONFIG", "SET", "nosuch", "1", "daemonize", "yes"],
    &["CONFIG", "SET", "dir", "/tmp"],
    &["CONFIG", "SET", "timeout", "1", "Timeout", "2"],
    &["CONFIG", "SET", "timeout", "1", "hz"],
    &["CONFIG", "SET", "lua-time-limit", "x"],
    &["CONFIG", "SET", "LUA-time-limit", "x"],
    &[
        "CONFIG",
        "SET",
        "lua-time-limit",
        "100",
        "busy-reply-threshold",
        "200",
    ],
    &["CONFIG", "GET", "lua-time-limit"],
    &["CONFIG", "SET", "lua-time-limit", "5000"],
    &["CONFIG", "SET", "save", "100"],
    &["CONFIG", "SET", "save", "0 1"],
    &["CONFIG", "SET", "notify-keyspace-events", "Q"],
    &["CONFIG", "SET", "shutdown-on-sigterm", "save nosave"],
    &["CONFIG", "SET", "shutdown-on-sigterm", "bogus"],
    &["CONFIG", "SET", "requirepass", "secret", "timeout", "zz"],
    &["CONFIG", "GET", "requirepass"],
    &["CONFIG", "SET", "timeout", "0"],
    &["CONFIG", "GET", "rdb-key-save-delay"],
    &["CONFIG", "GET", "rdb-key-*"],
    &["CONFIG", "REWRITE"],
];

#[test]
fn config_set_accepts_and_refuses_as_redis_word_for_word() {
    if skip() {
        return;
    }
    let redis = RedisServer::start();
    let server = serve::start();
    let (mut r, mut s) = (redis.connect(), serve::raw(&server));
    let mut differ = Vec::new();
    for case in CONFIG_CASES {
        let expected = r.call(&argv(case));
        let got = s.call(&argv(case));
        if got != expected {
            differ.push(format!(
                "{case:?}\n  redis:  {:?}\n  redsim: {:?}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

fn field(conn: &mut RawConn, section: &str, name: &str) -> String {
    let text = bulk_text(&call(conn, &["INFO", section]));
    text.split("\r\n")
        .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
        .unwrap_or_else(|| panic!("no {name} in INFO {section}"))
}

/// Polls until `name` reads `want` (a blocked client is counted once the server got its
/// command, which the test cannot observe otherwise).
fn wait_for(conn: &mut RawConn, name: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let got = field(conn, "clients", name);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} stays {got}, never {want}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Redis's test suites wait for `blocked_clients` before they push (unit/type/list, zset).
fn blocked_clients_follow_parked_clients(port_conn: &mut dyn FnMut() -> RawConn) {
    let mut watcher = port_conn();
    let mut forever = port_conn();
    let mut with_timeout = port_conn();
    wait_for(&mut watcher, "blocked_clients", "0");
    forever.send(&argv(&["BLPOP", "info-list", "0"]));
    wait_for(&mut watcher, "blocked_clients", "1");
    assert_eq!(
        field(&mut watcher, "clients", "clients_in_timeout_table"),
        "0"
    );
    with_timeout.send(&argv(&["BLPOP", "info-other", "100"]));
    wait_for(&mut watcher, "blocked_clients", "2");
    assert_eq!(
        field(&mut watcher, "clients", "clients_in_timeout_table"),
        "1"
    );
    watcher.call(&argv(&["RPUSH", "info-list", "x"]));
    forever.read_reply().expect("BLPOP is served");
    wait_for(&mut watcher, "blocked_clients", "1");
    watcher.call(&argv(&["RPUSH", "info-other", "y"]));
    with_timeout.read_reply().expect("BLPOP is served");
    wait_for(&mut watcher, "blocked_clients", "0");
    assert_eq!(
        field(&mut watcher, "clients", "clients_in_timeout_table"),
        "0"
    );
}

#[test]
fn blocked_clients_counts_clients_parked_in_a_blocking_command() {
    let server = serve::start();
    blocked_clients_follow_parked_clients(&mut || serve::raw(&server));
    if skip() {
        return;
    }
    // The same steps give the same counts on Redis.
    let redis = RedisServer::start();
    blocked_clients_follow_parked_clients(&mut || redis.connect());
}

#[test]
fn info_memory_counts_cached_scripts_and_functions() {
    let server = serve::start();
    let mut c = serve::raw(&server);
    assert_eq!(field(&mut c, "memory", "number_of_cached_scripts"), "0");
    c.call(&argv(&["SCRIPT", "LOAD", "return 1"]));
    c.call(&argv(&["EVAL", "return 2", "0"]));
    assert_eq!(field(&mut c, "memory", "number_of_cached_scripts"), "2");
    c.call(&argv(&[
        "FUNCTION",
        "LOAD",
        "#!lua name=lib\nredis.register_function('f', function() return 1 end)",
    ]));
    assert_eq!(field(&mut c, "memory", "number_of_functions"), "1");
    assert_eq!(field(&mut c, "memory", "number_of_libraries"), "1");
    let before: u64 = field(&mut c, "memory", "used_memory").parse().unwrap();
    c.call(&argv(&["SET", "big", &"x".repeat(10_000)]));
    let after: u64 = field(&mut c, "memory", "used_memory").parse().unwrap();
    assert!(after >= before + 10_000, "used_memory {before} → {after}");
}
