//! Blocking pops: with no data a client outside MULTI records what it waits for (for the
//! server to park it) and gets the reply Redis sends on timeout; inside MULTI it gets
//! that reply at once and records nothing.

use redsim::cmd::BlockRequest;
use redsim::{Engine, ManualHost, Reply};

fn engine() -> Engine {
    Engine::new(ManualHost::default())
}

#[test]
fn blpop_without_data_records_a_block_request() {
    let mut e = engine();
    let c = e.connect();
    e.call(c, &["SELECT", "3"]);
    assert_eq!(e.call(c, &["BLPOP", "a", "b", "1.5"]), Reply::NullArray);
    let expected = BlockRequest {
        db: 3,
        keys: vec![b"a".to_vec(), b"b".to_vec()],
        timeout_ms: 1500,
        retry: None,
    };
    assert_eq!(e.store.session(c).block, Some(expected));
}

#[test]
fn blmove_blocks_on_its_source_only_and_times_out_with_a_null_array() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(
        e.call(c, &["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"]),
        Reply::NullArray
    );
    let request = e.store.session(c).block.clone().expect("blocked");
    assert_eq!(request.keys, vec![b"src".to_vec()]);
    assert_eq!(request.timeout_ms, 0);
}

#[test]
fn blocking_pops_inside_multi_do_not_block() {
    let mut e = engine();
    let c = e.connect();
    e.call(c, &["MULTI"]);
    e.call(c, &["BLPOP", "a", "0"]);
    e.call(c, &["BRPOPLPUSH", "a", "b", "0"]);
    e.call(c, &["BZMPOP", "0", "1", "z", "MIN"]);
    assert_eq!(
        e.call(c, &["EXEC"]),
        Reply::Array(vec![Reply::NullArray, Reply::Null, Reply::NullArray])
    );
    assert_eq!(e.store.session(c).block, None);
}

#[test]
fn a_rerun_after_a_push_serves_the_blocked_client() {
    let mut e = engine();
    let (waiter, pusher) = (e.connect(), e.connect());
    assert_eq!(e.call(waiter, &["BZPOPMAX", "z", "0"]), Reply::NullArray);
    assert!(e.store.session(waiter).block.is_some());
    e.call(pusher, &["ZADD", "z", "1", "a", "2", "b"]);
    e.store.session_mut(waiter).block = None;
    assert_eq!(
        e.call(waiter, &["BZPOPMAX", "z", "0"]),
        Reply::Array(vec![Reply::bulk("z"), Reply::bulk("b"), Reply::Double(2.0)])
    );
    assert_eq!(e.store.session(waiter).block, None);
}

#[test]
fn bad_timeouts_are_refused_before_anything_blocks() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(
        e.call(c, &["BLPOP", "a", "-1"]),
        Reply::error("ERR timeout is negative")
    );
    assert_eq!(
        e.call(c, &["BLPOP", "a", "soon"]),
        Reply::error("ERR timeout is not a float or out of range")
    );
    assert_eq!(e.store.session(c).block, None);
}
