//! The script as EVAL and EVALSHA: the server runs it atomically, so the race is gone;
//! EVALSHA meets NOSCRIPT after a SCRIPT FLUSH and recovers as client libraries do; a
//! long script makes other clients wait with -BUSY, and SCRIPT KILL stops it.

use redsim::Reply;
use redsim_sim::check::{check, ModelChoice, Options as CheckOptions, Verdict};
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::{AdminAt, Faults};
use redsim_sim::history::Status;
use redsim_sim::options::Strategy;
use redsim_sim::scenario::{Invariant, Program, Scenario, Script, ScriptRun};
use redsim_sim::scheduler::{Exhaustive, Replay};

const COUNTER_AND_COUNT: &str = "redis.call('INCR', KEYS[1])
redis.call('INCR', KEYS[2])
local counter = redis.call('GET', KEYS[1])
local count = redis.call('GET', KEYS[2])
return {counter, count}
";

fn scenario(run: ScriptRun) -> Scenario {
    Scenario::new("counter_and_count")
        .clients(
            2,
            2,
            Script::source(COUNTER_AND_COUNT)
                .keys(["counter", "count"])
                .args(["{ts}"])
                .sent(run),
        )
        .invariant(Invariant::ResultFieldsEqual(0, 1))
}

fn quick() -> CheckOptions {
    CheckOptions {
        counterexample: false,
        ..CheckOptions::default()
    }
}

#[test]
fn eval_hides_the_counter_race_for_every_seed() {
    for run in [ScriptRun::Eval, ScriptRun::EvalSha] {
        let scenario = scenario(run);
        let mut world = scenario.world(0);
        for seed in 0..100 {
            world.run_seed(seed);
            assert!(scenario.check(&world).is_ok(), "{run:?} seed {seed}");
            let verdict = check(&world.history, ModelChoice::Engine, &quick())
                .unwrap()
                .verdict;
            assert_eq!(verdict, Verdict::Linearizable, "{run:?} seed {seed}");
        }
    }
}

#[test]
fn raw_mode_is_caught_by_the_checker_and_eval_mode_never_is() {
    let raw = scenario(ScriptRun::Raw);
    let mut world = raw.world(0);
    let not_linearizable = (0..100)
        .filter(|&seed| {
            world.run_seed(seed);
            check(&world.history, ModelChoice::Engine, &quick())
                .unwrap()
                .verdict
                == Verdict::NotLinearizable
        })
        .count();
    assert!(not_linearizable > 0);
}

#[test]
fn exhaustive_eval_runs_are_all_atomic() {
    let scenario = Scenario::new("eval")
        .clients(
            2,
            1,
            Script::source(COUNTER_AND_COUNT)
                .keys(["counter", "count"])
                .eval(),
        )
        .invariant(Invariant::ResultFieldsEqual(0, 1));
    let mut world = scenario.world(0);
    let mut scheduler = Exhaustive::new(false);
    let mut runs = 0;
    world.explore(&mut scheduler, |world, _| {
        runs += 1;
        assert!(scenario.check(world).is_ok());
    });
    assert_eq!(runs, 2, "two EVALs interleave in exactly two ways");
}

fn flush_at(step: u64) -> redsim_sim::world::World {
    let faults = Faults {
        admin: vec![AdminAt {
            step,
            argv: vec![b"SCRIPT".to_vec(), b"FLUSH".to_vec()],
        }],
        ..Faults::default()
    };
    let program = Script::source(COUNTER_AND_COUNT).keys(["c", "n"]).evalsha();
    let mut world = Scenario::new("flush")
        .clients(1, 4, program)
        .faults(faults)
        .world(0);
    world.run_seed(0);
    world
}

#[test]
fn evalsha_recovers_from_script_flush_with_load_and_retry() {
    // Steps: EVALSHA (NOSCRIPT), SCRIPT LOAD, EVALSHA, EVALSHA, flush, EVALSHA (NOSCRIPT)…
    let world = flush_at(4);
    let trace = world.trace.render();
    assert_eq!(
        trace
            .matches("NOSCRIPT No matching script. Please use EVAL.")
            .count(),
        2,
        "{trace}"
    );
    assert_eq!(trace.matches("SCRIPT LOAD").count(), 2, "{trace}");
    assert!(
        world.history.ops.iter().all(|op| op.status == Status::Ok),
        "{trace}"
    );
    let last = world.history.ops.last().unwrap().result.clone();
    assert_eq!(
        last,
        Some(Reply::Array(vec![Reply::bulk("4"), Reply::bulk("4")]))
    );
}

#[test]
fn a_flush_between_load_and_retry_fails_the_operation_without_effect() {
    let world = flush_at(2);
    let first = &world.history.ops[0];
    assert_eq!(first.status, Status::Fail);
    assert!(matches!(&first.result, Some(Reply::Error(e)) if e.starts_with(b"NOSCRIPT")));
    // The three later operations ran, and only they counted.
    let last = world.history.ops.last().unwrap().result.clone();
    assert_eq!(
        last,
        Some(Reply::Array(vec![Reply::bulk("3"), Reply::bulk("3")]))
    );
}

#[test]
fn a_busy_script_gets_other_clients_busy_and_script_kill_stops_it() {
    // 1 ms of virtual time per Lua instruction: the loop passes the 5 s threshold quickly.
    let looping = Script::source("local i = 0 while true do i = i + 1 end").eval();
    let killer = Program::commands(&[&["PING"], &["SCRIPT", "KILL"]], CommandsMode::Pipeline);
    let mut scenario = Scenario::new("busy")
        .clients(1, 1, looping)
        .clients(1, 1, killer);
    scenario.options.lua_ns_per_instruction = 1_000;
    let mut world = scenario.world(0);
    // Client 0's EVAL first, while client 1's pipeline is in flight.
    world.run(&mut Replay::new(vec![0]));
    let trace = world.trace.render();
    assert!(
        trace.contains("c1    PING -> (error) BUSY Redis is busy running a script."),
        "{trace}"
    );
    assert!(trace.contains("c1    SCRIPT KILL -> OK"), "{trace}");
    let eval = &world.history.ops[0];
    assert!(
        matches!(&eval.result, Some(Reply::Error(e)) if e.starts_with(b"ERR Script killed by user with SCRIPT KILL")),
        "{trace}"
    );
    assert!(
        eval.ret.unwrap() - eval.call >= 5_000_000,
        "the script ran 5 s of virtual time"
    );
}

#[test]
fn a_script_that_wrote_cannot_be_killed() {
    let looping = Script::source(
        "redis.call('SET', 'x', 1) local i = 0 while i < 20000 do i = i + 1 end return i",
    )
    .eval();
    let killer = Program::commands(&[&["SCRIPT", "KILL"]], CommandsMode::Each);
    let mut scenario = Scenario::new("unkillable")
        .clients(1, 1, looping)
        .clients(1, 1, killer);
    scenario.options.lua_ns_per_instruction = 1_000_000;
    scenario.options.strategy = Strategy::Replay(vec![0]);
    let mut world = scenario.world(0);
    world.run_seed(0);
    let trace = world.trace.render();
    assert!(
        trace.contains(
            "SCRIPT KILL -> (error) UNKILLABLE Sorry the script already executed write commands"
        ),
        "{trace}"
    );
    assert_eq!(world.history.ops[0].result, Some(Reply::Integer(20000)));
}

/// Scripts whose replies and return values exercise every conversion.
const CONVERSIONS: &[&str] = &[
    "return {redis.call('SET', KEYS[1], 'v'), redis.call('GET', KEYS[1]), redis.call('GET', 'missing')}",
    "local s = redis.call('SET', KEYS[1], 'v') return {s.ok, type(s), tostring(redis.call('GET', 'missing'))}",
    "return {redis.call('INCR', KEYS[1]), 3.99, -2.5, true, false, 'x'}",
    "local e = redis.pcall('INCR', 'str') return {e.err, type(e)}",
    "return redis.pcall('INCR', 'str')",
    "return redis.status_reply('FINE')",
    "return {1, 2, nil, 4}",
    "return {{1, {2, 'three'}}, {}}",
    "redis.call('SET', 'f', '1.5') return redis.call('INCRBYFLOAT', 'f', 1)",
    "return redis.call('INCRBY', KEYS[1], 2^40)",
    "return tostring(0.1 + 0.2)",
    // Integral numbers as redis.call arguments: `%.17g`, as EVAL formats them (1e+17).
    "redis.call('SET', KEYS[1], 1e17) return redis.call('GET', KEYS[1])",
    // math.random's bounds are C ints on both sides (2^31 wraps: the interval is empty).
    "return {(pcall(math.random, 2^31)), (pcall(math.random, 1, 2^32 + 3)), (pcall(math.random, -2^31 - 1, 0))}",
    "return {redis.call('ECHO', 1e15), redis.call('ECHO', 1e16), redis.call('ECHO', -2^53), redis.call('ECHO', 2^63), redis.call('ECHO', 123456789012345678)}",
];

#[test]
fn client_side_scripts_see_the_same_replies_as_eval() {
    for source in CONVERSIONS {
        let results: Vec<_> = [ScriptRun::Raw, ScriptRun::Eval]
            .into_iter()
            .map(|run| {
                let mut world = Scenario::new("conv")
                    .clients(1, 1, Script::source(*source).keys(["k"]).sent(run))
                    .world(0);
                world.admin_command(vec![b"SET".to_vec(), b"str".to_vec(), b"x".to_vec()]);
                world.run(&mut Replay::new(vec![]));
                world.history.ops[0].result.clone()
            })
            .collect();
        assert_eq!(results[0], results[1], "{source}");
    }
}

#[test]
fn a_reused_world_replays_a_seed_like_a_fresh_one() {
    // The world keeps the script engine between runs (EVAL) or rebuilds it (EVALSHA);
    // either way a seed's run matches a fresh world's, math.random included.
    let source = "redis.call('INCR', KEYS[1]) return tostring(math.random())";
    for run in [ScriptRun::Eval, ScriptRun::EvalSha, ScriptRun::Raw] {
        let scenario =
            Scenario::new("reuse").clients(2, 2, Script::source(source).keys(["n"]).sent(run));
        let mut reused = scenario.world(0);
        for seed in 0..4 {
            reused.run_seed(seed);
            let mut fresh = scenario.world(seed);
            fresh.run_seed(seed);
            assert_eq!(
                reused.trace.render(),
                fresh.trace.render(),
                "{run:?} seed {seed}"
            );
            assert_eq!(reused.history, fresh.history, "{run:?} seed {seed}");
        }
    }
}

#[test]
fn client_side_math_random_is_redis_generator() {
    // A fresh server's first math.random() is 0.39646477363839 (REDIS-FACTS); a client-side
    // run starts from the same state, and randomseed restarts it as redisSrand48 does.
    let source = "local a = math.random() math.randomseed(305441741) local b = math.random() return {tostring(a), tostring(b), math.random(10)}";
    for run in [ScriptRun::Raw, ScriptRun::Eval] {
        let mut world = Scenario::new("rand")
            .clients(1, 1, Script::source(source).sent(run))
            .world(0);
        world.run_seed(0);
        let Some(Reply::Array(items)) = world.history.ops[0].result.clone() else {
            panic!()
        };
        assert_eq!(items[0], Reply::bulk("0.39646477363839"), "{run:?}");
        assert_eq!(items[1], Reply::bulk("0.39646477363839"), "{run:?}");
    }
}
