//! `Engine::expire_cycle`, Redis's active expiry: keys whose time has passed leave the
//! keyspace without a lookup, a few at a time and adaptively (20 keys a loop, going on
//! while more than a tenth had expired), and WATCH sees each removal.

mod support;

use redsim::{ManualHost, Reply};
use support::clock::{advance_ms, engine_with_clock};

#[test]
fn a_cycle_removes_the_expired_keys_and_keeps_the_others() {
    let (mut engine, clock) = engine_with_clock(ManualHost::new(0, 1));
    let c = engine.connect();
    for i in 0..500 {
        engine.call(c, &["SET", &format!("short:{i}"), "v", "PX", "100"]);
        engine.call(c, &["SET", &format!("long:{i}"), "v", "EX", "3600"]);
        engine.call(c, &["SET", &format!("plain:{i}"), "v"]);
    }
    assert_eq!(engine.expire_cycle(), 0, "nothing has expired yet");
    advance_ms(&clock, 200);
    // Half the keys with an expiry are dead: the cycle keeps looping while more than a
    // tenth of each sample of 20 is, which removes nearly all of them in one go.
    let first = engine.expire_cycle();
    assert!(first >= 400, "one cycle removed only {first} of 500");
    let mut total = first;
    for _ in 0..50 {
        total += engine.expire_cycle();
    }
    assert_eq!(total, 500);
    assert_eq!(engine.call(c, &["DBSIZE"]), Reply::Integer(1000));
    let info = match engine.call(c, &["INFO", "stats"]) {
        Reply::Verbatim { text, .. } => String::from_utf8(text).expect("utf-8"),
        other => panic!("INFO answered {other:?}"),
    };
    assert!(info.contains("expired_keys:500\r\n"), "{info}");
}

#[test]
fn a_key_removed_by_the_cycle_fails_the_transaction_that_watched_it() {
    let (mut engine, clock) = engine_with_clock(ManualHost::new(0, 1));
    let c = engine.connect();
    engine.call(c, &["SET", "k", "v", "PX", "10"]);
    engine.call(c, &["WATCH", "k"]);
    advance_ms(&clock, 50);
    assert_eq!(engine.expire_cycle(), 1);
    engine.call(c, &["MULTI"]);
    engine.call(c, &["SET", "other", "1"]);
    assert_eq!(engine.call(c, &["EXEC"]), Reply::NullArray);
}

#[test]
fn debug_set_active_expire_0_turns_the_cycle_off() {
    let (mut engine, clock) = engine_with_clock(ManualHost::new(0, 1));
    engine
        .store
        .config
        .set_startup("enable-debug-command", "yes");
    let c = engine.connect();
    engine.call(c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    engine.call(c, &["SET", "k", "v", "PX", "10"]);
    advance_ms(&clock, 50);
    assert_eq!(engine.expire_cycle(), 0);
    assert_eq!(engine.call(c, &["DBSIZE"]), Reply::Integer(1));
}
