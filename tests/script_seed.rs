//! The seed's script (corpus/lua/counter_and_log.lua), run as Redis 7.0 runs it.

use redsim::{Engine, ManualHost, Reply};

const SEED: &str = include_str!("../corpus/lua/counter_and_log.lua");
const SEED_SHA: &str = "d0499c614dafdfa9076d7925a09b52b41e8845db";

#[test]
fn seed_script_has_the_sha_redis_gives_it() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    assert_eq!(e.call(c, &["SCRIPT", "LOAD", SEED]), Reply::bulk(SEED_SHA));
}

#[test]
fn one_key_mistake_fails_at_zadd_and_leaves_incr_applied() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let reply = e.call(
        c,
        &[
            "EVAL",
            SEED,
            "1",
            "counter_key,timestamp_set_key",
            "1678886400",
        ],
    );
    assert_eq!(
        reply,
        Reply::error(format!(
            "ERR Lua redis lib command arguments must be strings or integers script: {SEED_SHA}, on @user_script:6."
        ))
    );
    assert_eq!(
        e.call(c, &["GET", "counter_key,timestamp_set_key"]),
        Reply::bulk("1")
    );
    assert_eq!(
        e.scripts.last_run.effects.len(),
        1,
        "the INCR is the script's only effect"
    );
}

#[test]
fn seed_script_replies_counter_as_bulk_and_count_as_integer() {
    if redsim::cmd::lookup(b"zadd").is_none() {
        eprintln!("SKIPPED: ZADD/ZCARD have not landed in the engine yet");
        return;
    }
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let reply = e.call(
        c,
        &[
            "EVAL",
            SEED,
            "2",
            "counter_key",
            "timestamp_set_key",
            "1678886400",
        ],
    );
    assert_eq!(
        reply,
        Reply::Array(vec![Reply::bulk("1"), Reply::Integer(1)])
    );
    let reply = e.call(
        c,
        &[
            "EVALSHA",
            SEED_SHA,
            "2",
            "counter_key",
            "timestamp_set_key",
            "1678886400",
        ],
    );
    assert_eq!(
        reply,
        Reply::Array(vec![Reply::bulk("2"), Reply::Integer(1)])
    );
}
