//! String commands through `Engine::call`, with the replies real Redis 7.0 gives
//! (checked against redis-server 7.0.15). Byte-level coverage is in
//! corpus/golden/strings.txt; these tests pin behaviour that needs a moving clock,
//! several clients or a look inside the engine.

mod support;

use redsim::{Engine, ManualHost, Reply};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use support::clock::advance_ms;

fn engine_with_clock() -> (Engine, Arc<AtomicU64>) {
    support::clock::engine_with_clock(ManualHost::default())
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

#[test]
fn set_ex_expires_when_the_host_clock_passes_it() {
    let (mut e, clock) = engine_with_clock();
    let c = e.connect();
    assert_eq!(e.call(c, &["SET", "k", "v", "PX", "1500"]), Reply::ok());
    assert_eq!(e.call(c, &["PTTL", "k"]), Reply::Integer(1500));
    assert_eq!(
        e.call(c, &["TTL", "k"]),
        Reply::Integer(2),
        "TTL rounds to the nearest second"
    );
    advance_ms(&clock, 1499);
    assert_eq!(e.call(c, &["GET", "k"]), bulk("v"));
    advance_ms(&clock, 1);
    assert_eq!(e.call(c, &["GET", "k"]), Reply::Null);
    assert_eq!(e.call(c, &["EXISTS", "k"]), Reply::Integer(0));
}

#[test]
fn keepttl_keeps_and_plain_set_clears_the_ttl() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "k", "v", "EX", "100"]);
    e.call(c, &["SET", "k", "w", "KEEPTTL"]);
    assert_eq!(e.call(c, &["TTL", "k"]), Reply::Integer(100));
    e.call(c, &["SET", "k", "x"]);
    assert_eq!(e.call(c, &["TTL", "k"]), Reply::Integer(-1));
}

#[test]
fn set_exat_in_the_past_leaves_no_key() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    assert_eq!(e.call(c, &["SET", "k", "v", "EXAT", "1"]), Reply::ok());
    assert_eq!(e.call(c, &["GET", "k"]), Reply::Null);
}

#[test]
fn getex_exat_in_the_past_answers_then_deletes() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "k", "v"]);
    assert_eq!(e.call(c, &["GETEX", "k", "PXAT", "1"]), bulk("v"));
    assert_eq!(e.call(c, &["EXISTS", "k"]), Reply::Integer(0));
}

#[test]
fn set_nx_with_get_answers_the_old_value_and_does_not_write() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "k", "old"]);
    assert_eq!(e.call(c, &["SET", "k", "new", "NX", "GET"]), bulk("old"));
    assert_eq!(e.call(c, &["GET", "k"]), bulk("old"));
}

#[test]
fn set_get_on_a_list_is_wrongtype_and_leaves_it() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["RPUSH", "l", "x"]);
    assert_eq!(
        e.call(c, &["SET", "l", "v", "GET"]),
        Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(e.call(c, &["TYPE", "l"]), Reply::simple("list"));
    assert_eq!(
        e.call(c, &["SET", "l", "v"]),
        Reply::ok(),
        "a plain SET overwrites any type"
    );
    assert_eq!(e.call(c, &["TYPE", "l"]), Reply::simple("string"));
}

#[test]
fn incr_keeps_the_ttl_and_the_int_encoding() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "n", "41", "EX", "100"]);
    assert_eq!(e.call(c, &["INCR", "n"]), Reply::Integer(42));
    assert_eq!(e.call(c, &["TTL", "n"]), Reply::Integer(100));
    assert_eq!(e.call(c, &["OBJECT", "ENCODING", "n"]), bulk("int"));
    assert_eq!(e.call(c, &["APPEND", "n", "0"]), Reply::Integer(3));
    assert_eq!(
        e.call(c, &["OBJECT", "ENCODING", "n"]),
        bulk("raw"),
        "APPEND leaves a raw string"
    );
    assert_eq!(e.call(c, &["INCR", "n"]), Reply::Integer(421));
    assert_eq!(e.call(c, &["OBJECT", "ENCODING", "n"]), bulk("int"));
}

#[test]
fn incr_overflow_is_refused_and_leaves_the_value() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["SET", "n", "9223372036854775807"]);
    assert_eq!(
        e.call(c, &["INCR", "n"]),
        Reply::error("ERR increment or decrement would overflow")
    );
    assert_eq!(e.call(c, &["GET", "n"]), bulk("9223372036854775807"));
    assert_eq!(
        e.call(c, &["DECRBY", "n", "-9223372036854775808"]),
        Reply::error("ERR decrement would overflow")
    );
}

#[test]
fn incrbyfloat_adds_in_long_double_like_redis() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    assert_eq!(e.call(c, &["INCRBYFLOAT", "f", "0.1"]), bulk("0.1"));
    assert_eq!(
        e.call(c, &["INCRBYFLOAT", "f", "0.2"]),
        bulk("0.3"),
        "f64 would say 0.30000000000000004"
    );
    assert_eq!(
        e.call(c, &["INCRBYFLOAT", "g", "1000.1"]),
        bulk("1000.09999999999999998")
    );
    assert_eq!(
        e.call(c, &["INCRBYFLOAT", "g", "inf"]),
        Reply::error("ERR increment would produce NaN or Infinity")
    );
    assert_eq!(e.call(c, &["GET", "g"]), bulk("1000.09999999999999998"));
}

#[test]
fn mset_counts_each_pair_as_a_change_for_watch() {
    let (mut e, _clock) = engine_with_clock();
    let (a, b) = (e.connect(), e.connect());
    e.call(a, &["WATCH", "k2"]);
    e.call(b, &["MSET", "k1", "x", "k2", "y"]);
    e.call(a, &["MULTI"]);
    e.call(a, &["GET", "k2"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::NullArray);
}

#[test]
fn failed_setnx_does_not_touch_watchers() {
    let (mut e, _clock) = engine_with_clock();
    let (a, b) = (e.connect(), e.connect());
    e.call(a, &["SET", "k", "v"]);
    e.call(a, &["WATCH", "k"]);
    assert_eq!(e.call(b, &["SETNX", "k", "w"]), Reply::Integer(0));
    e.call(a, &["MULTI"]);
    e.call(a, &["GET", "k"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::Array(vec![bulk("v")]));
}

#[test]
fn setrange_pads_with_zero_bytes() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    assert_eq!(e.call(c, &["SETRANGE", "k", "3", "ab"]), Reply::Integer(5));
    assert_eq!(e.call(c, &["GET", "k"]), Reply::Bulk(b"\0\0\0ab".to_vec()));
    assert_eq!(e.call(c, &["OBJECT", "ENCODING", "k"]), bulk("raw"));
}

#[test]
fn lcs_idx_in_resp3_is_a_map() {
    let (mut e, _clock) = engine_with_clock();
    let c = e.connect();
    e.call(c, &["HELLO", "3"]);
    e.call(c, &["MSET", "a", "ohmytext", "b", "mynewtext"]);
    let argv: Vec<Vec<u8>> = ["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    assert_eq!(
        e.execute_encoded(c, &argv),
        b"%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n".to_vec()
    );
}
