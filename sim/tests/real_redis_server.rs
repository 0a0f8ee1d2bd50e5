//! The counter-race scenario on a real redis-server (skipped when it is not installed):
//! raw mode races, EVAL and EVALSHA do not.

mod real_support;

use real_support::*;
use redsim_sim::scenario::ScriptRun;

#[test]
fn raw_mode_on_redis_server_shows_counter_differing_from_cardinality() {
    if !redis_available("raw_mode_on_redis_server_shows_counter_differing_from_cardinality") {
        return;
    }
    let server = RedisServer::start();
    let rates = raw_mode_shows_the_race(server.addr, "redis-server");
    println!("redis-server raw anomaly rates per attempt: {rates:?}");
}

#[test]
fn eval_mode_on_redis_server_shows_no_anomaly_over_the_same_ops() {
    if !redis_available("eval_mode_on_redis_server_shows_no_anomaly_over_the_same_ops") {
        return;
    }
    let server = RedisServer::start();
    eval_mode_shows_none(server.addr, "redis-server", ScriptRun::Eval);
}

#[test]
fn evalsha_mode_on_redis_server_shows_no_anomaly() {
    if !redis_available("evalsha_mode_on_redis_server_shows_no_anomaly") {
        return;
    }
    let server = RedisServer::start();
    eval_mode_shows_none(server.addr, "redis-server", ScriptRun::EvalSha);
}
