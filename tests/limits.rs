//! Limits reachable in-process that no other test file covers: the nesting depth of a
//! script's reply, the Lua stack (unpack's result count), and the Lua memory limit for
//! functions and its recovery. Each ends with Redis's error and an engine that goes on.
//!
//! Covered elsewhere (not repeated here): request parser limits (multibulk length, bulk
//! length, inline length, count-line length, unauthenticated limits) in
//! `src/resp/parse_tests.rs`; EVAL memory limit and busy scripts killed through the host in
//! `tests/script_runtime.rs`.

use redsim::script::convert::MAX_REPLY_DEPTH;
use redsim::{Engine, ManualHost, Reply};

fn error_text(reply: &Reply) -> String {
    String::from_utf8_lossy(
        reply
            .error_text()
            .unwrap_or_else(|| panic!("an error reply, got {reply:?}")),
    )
    .into_owned()
}

/// The depth of nested single-element arrays and what is at the bottom.
fn innermost(reply: &Reply) -> (&Reply, usize) {
    let mut depth = 0;
    let mut at = reply;
    while let Reply::Array(items) = at {
        match items.first() {
            Some(first) => {
                at = first;
                depth += 1;
            }
            None => break,
        }
    }
    (at, depth)
}

fn nested_script(depth: usize) -> String {
    format!("local t = {{}} local c = t for i = 1, {depth} do c[1] = {{}} c = c[1] end return t")
}

#[test]
fn a_self_containing_reply_stops_at_the_depth_limit_with_an_error_element() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let reply = e.call(c, &["EVAL", "local t = {} t[1] = t return t", "0"]);
    let (inner, depth) = innermost(&reply);
    assert_eq!(error_text(inner), "ERR reached lua stack limit");
    assert_eq!(depth, MAX_REPLY_DEPTH);
    assert_eq!(e.call(c, &["PING"]), Reply::simple("PONG"));
}

#[test]
fn a_self_containing_resp3_map_stops_at_the_depth_limit_too() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    assert!(e.call(c, &["HELLO", "3"]).error_text().is_none());
    let reply = e.call(
        c,
        &[
            "EVAL",
            "redis.setresp(3) local t = {} t.map = {k = t} return t",
            "0",
        ],
    );
    let mut at = &reply;
    let mut depth = 0;
    while let Reply::Map(pairs) = at {
        assert_eq!(pairs.len(), 1);
        at = &pairs[0].1;
        depth += 1;
        assert!(depth <= MAX_REPLY_DEPTH, "no limit");
    }
    assert_eq!(error_text(at), "ERR reached lua stack limit");
    assert_eq!(e.call(c, &["PING"]), Reply::simple("PONG"));
}

#[test]
fn a_reply_nested_within_the_limit_is_returned_whole() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let reply = e.call(c, &["EVAL", nested_script(500).as_str(), "0"]);
    let (inner, depth) = innermost(&reply);
    assert_eq!(inner, &Reply::Array(vec![]));
    assert_eq!(depth, 500);
}

#[test]
fn a_reply_nested_2000_deep_is_returned_whole_as_redis_does() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let reply = e.call(c, &["EVAL", nested_script(2000).as_str(), "0"]);
    let (inner, depth) = innermost(&reply);
    assert_eq!((inner, depth), (&Reply::Array(vec![]), 2000));
}

#[test]
fn unpack_stops_at_the_lua_stack_limit_as_redis_does() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let fill = |n: usize| {
        format!("local t = {{}} for i = 1, {n} do t[i] = i end return select('#', unpack(t))")
    };
    assert_eq!(
        e.call(c, &["EVAL", fill(7999).as_str(), "0"]),
        Reply::Integer(7999)
    );
    let text = error_text(&e.call(c, &["EVAL", fill(8000).as_str(), "0"]));
    assert!(
        text.starts_with("ERR user_script:1: too many results to unpack script: "),
        "{text}"
    );
    let text = error_text(&e.call(c, &["EVAL", "local t = {} for i = 1, 100000 do t[i] = i end return redis.call('RPUSH', 'l', unpack(t))", "0"]));
    assert!(text.contains("too many results to unpack"), "{text}");
    assert_eq!(e.call(c, &["EXISTS", "l"]), Reply::Integer(0));
}

#[test]
fn a_function_is_held_to_the_lua_memory_limit() {
    let mut e = Engine::new(ManualHost::default());
    e.scripts.memory_limit = 16 << 20;
    let c = e.connect();
    let lib = "#!lua name=bomb\nredis.register_function('bomb', function() return #string.rep('x', 2^30) end)";
    assert_eq!(e.call(c, &["FUNCTION", "LOAD", lib]), Reply::bulk("bomb"));
    let text = error_text(&e.call(c, &["FCALL", "bomb", "0"]));
    assert!(text.contains("not enough memory"), "{text}");
    assert!(
        e.call(c, &["FCALL", "bomb", "0"]).error_text().is_some(),
        "still refused"
    );
    assert_eq!(e.call(c, &["PING"]), Reply::simple("PONG"));
}

#[test]
fn memory_is_given_back_after_the_limit_is_hit() {
    // After an out-of-memory error the VM must have freed the runaway's garbage: a script
    // that needs half the limit runs, many times over.
    let mut e = Engine::new(ManualHost::default());
    e.scripts.memory_limit = 16 << 20;
    let c = e.connect();
    for _ in 0..3 {
        let text = error_text(&e.call(
            c,
            &["EVAL", "local t = {} for i = 1, 1e8 do t[i] = {i} end", "0"],
        ));
        assert!(text.contains("not enough memory"), "{text}");
        assert_eq!(
            e.call(
                c,
                &["EVAL", "return #string.rep('x', 2 * 1024 * 1024)", "0"]
            ),
            Reply::Integer(2 << 20)
        );
    }
}

/// Self-containing tables through every kind of nesting, byte for byte as redis-server
/// 7.0.15 answers them: each level holds Redis's Lua stack slots (1 per array element, 3
/// per map value or set member, 4 per map key) until the 8000-slot stack runs out.
#[test]
fn self_containing_results_stop_where_redis_runs_out_of_lua_stack() {
    use redsim::resp::{encode, Protocol};
    const E: &str = "-ERR reached lua stack limit\r\n";
    let cases: [(&str, Protocol, String); 6] = [
        (
            "local t = {} t[1] = t return t",
            Protocol::Resp2,
            "*1\r\n".repeat(7995) + E,
        ),
        (
            "local t = {} t.set = {[t] = true} return t",
            Protocol::Resp2,
            "*1\r\n".repeat(2665) + E,
        ),
        (
            "local t = {} t.map = {k = t} return t",
            Protocol::Resp2,
            "*2\r\n$1\r\nk\r\n".repeat(2664) + "*2\r\n" + E + E,
        ),
        (
            "redis.setresp(3) local t = {} t.map = {k = t} return t",
            Protocol::Resp3,
            "%1\r\n$1\r\nk\r\n".repeat(2664) + "%1\r\n" + E + E,
        ),
        (
            "local t = {} t.map = {[t] = 1} return t",
            Protocol::Resp3,
            ["%1\r\n".repeat(1999), E.repeat(2), ":1\r\n".repeat(1998)].concat(),
        ),
        (
            "local t = {} t.set = {[t] = true} return t",
            Protocol::Resp3,
            "~1\r\n".repeat(2665) + E,
        ),
    ];
    for (script, protocol, expected) in cases {
        let mut e = Engine::new(ManualHost::default());
        let c = e.connect();
        if protocol == Protocol::Resp3 {
            assert!(e.call(c, &["HELLO", "3"]).error_text().is_none());
        }
        let reply = e.call(c, &["EVAL", script, "0"]);
        let bytes = encode(&reply, protocol);
        assert!(bytes == expected.as_bytes(), "{script} ({protocol:?})");
        assert_eq!(e.call(c, &["PING"]), Reply::simple("PONG"));
    }
}

#[test]
fn a_function_result_has_the_same_depth_limit() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let lib = "#!lua name=deep\nredis.register_function('deep', function(keys, args) \
               local t = {} local c = t for i = 1, tonumber(args[1]) do c[1] = {} c = c[1] end return t end)";
    assert_eq!(e.call(c, &["FUNCTION", "LOAD", lib]), Reply::bulk("deep"));
    let whole = e.call(c, &["FCALL", "deep", "0", "7994"]);
    let (inner, depth) = innermost(&whole);
    assert_eq!((inner, depth), (&Reply::Array(vec![]), 7994));
    let reply = e.call(c, &["FCALL", "deep", "0", "7995"]);
    let (inner, depth) = innermost(&reply);
    assert_eq!(
        (error_text(inner).as_str(), depth),
        ("ERR reached lua stack limit", 7995)
    );
}

/// Redis keeps every script it was sent; 9,000 distinct scripts (past the ~8,000
/// references mlua can hold at once) are all cached and all still run by SHA1.
#[test]
fn nine_thousand_cached_scripts_all_still_run() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let mut first_sha = Vec::new();
    for i in 0..9000 {
        let body = format!("return {i}");
        assert_eq!(
            e.call(c, &["EVAL", body.as_str(), "0"]),
            Reply::Integer(i),
            "script {i}"
        );
        if i == 0 {
            first_sha = redsim::script::sha1_hex(body.as_bytes()).into_bytes();
        }
    }
    let sha = String::from_utf8(first_sha).unwrap();
    assert_eq!(
        e.call(c, &["EVALSHA", sha.as_str(), "0"]),
        Reply::Integer(0)
    );
    assert_eq!(e.call(c, &["SCRIPT", "FLUSH"]), Reply::simple("OK"));
    assert_eq!(
        e.call(c, &["EVAL", "return 'again'", "0"]),
        Reply::bulk("again")
    );
}
