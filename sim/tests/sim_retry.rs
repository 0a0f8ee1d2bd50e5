//! Client timeouts and retries: what they do to the history, the data and the verdict.

mod fault_support;

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::Faults;
use redsim_sim::history::{Operation, Status};
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::{Program, Scenario, Script};
use redsim_sim::trace::TraceEvent;
use redsim_sim::world::World;
use std::path::Path;

const INCR: &str = "return redis.call('INCR', KEYS[1])";

/// Requests take up to 6 µs to arrive; the client waits 3.
fn retrying(retries_max: u32) -> Faults {
    Faults {
        delay_max_us: 6,
        timeout_us: 3,
        retries_max,
        ..Faults::default()
    }
}

fn get(world: &mut World, key: &str) -> Reply {
    world.admin_command(vec![b"GET".to_vec(), key.as_bytes().to_vec()])
}

fn timeouts(world: &World, client: u32) -> (usize, usize) {
    let mut retried = 0;
    let mut waited = 0;
    for e in &world.trace.events {
        if let TraceEvent::Timeout {
            client: c, retry, ..
        } = e
        {
            if *c == client {
                if *retry {
                    retried += 1;
                } else {
                    waited += 1;
                }
            }
        }
    }
    (retried, waited)
}

#[test]
fn a_retried_eval_is_two_attempts_the_first_unknown_and_both_run() {
    let scenario = Scenario::new("retry")
        .clients(1, 1, Script::source(INCR).keys(["n"]).eval())
        .faults(retrying(1));
    let judge = Judge::new(&scenario);
    let (mut with_retry, mut without) = (0, 0);
    for seed in 0..40 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        let (retried, _) = timeouts(&world, 0);
        let ops = &world.history.ops;
        assert_eq!(
            ops.len(),
            1 + retried,
            "seed {seed}: one operation per attempt"
        );
        for first in &ops[..ops.len() - 1] {
            assert_eq!(
                (first.status, first.ret, &first.result),
                (Status::Unknown, None, &None)
            );
        }
        let last = ops.last().unwrap();
        assert_eq!(last.status, Status::Ok);
        assert!(
            ops.iter().all(|op| op.op == ops[0].op),
            "every attempt is the same script"
        );
        // The orphaned request still reached the server: every attempt ran.
        assert_eq!(fault_support::commands_run(&world, b"EVAL"), 1 + retried);
        let value = get(&mut world, "n");
        assert_eq!(value, Reply::bulk((1 + retried).to_string()));
        let verdict = judge.judge(&mut world);
        // An unknown attempt may have run: the history alone is linearizable...
        assert_eq!(verdict.not_linearizable, Some(false), "seed {seed}");
        // ...and the judge names the doubled effect from what each attempt wrote.
        assert_eq!(verdict.duplicate_effect, retried > 0, "seed {seed}");
        assert_eq!(verdict.is_anomalous(), retried > 0);
        if retried > 0 {
            with_retry += 1;
        } else {
            without += 1;
        }
    }
    assert!(
        with_retry > 0 && without > 0,
        "{with_retry} retried, {without} not"
    );
}

#[test]
fn retries_stop_at_retries_max_and_the_last_attempt_is_waited_for() {
    let scenario = Scenario::new("retries")
        .clients(1, 3, Script::source(INCR).keys(["n"]).eval())
        .faults(Faults {
            delay_max_us: 40,
            ..retrying(2)
        });
    let mut waited_somewhere = false;
    for seed in 0..40 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        // Per logical operation (3), at most 1 + 2 attempts.
        assert!(world.history.ops.len() <= 9);
        let (retried, waited) = timeouts(&world, 0);
        assert_eq!(world.history.ops.len(), 3 + retried);
        waited_somewhere |= waited > 0;
        let ok = fault_support::ops_with(&world, Status::Ok);
        assert_eq!(
            ok, 3,
            "seed {seed}: every operation completes in its last attempt"
        );
    }
    assert!(waited_somewhere, "some operation ran out of retries");
}

#[test]
fn a_read_retried_has_no_duplicate_effect() {
    let scenario = Scenario::new("read")
        .clients(
            1,
            2,
            Program::commands(&[&["GET", "n"]], CommandsMode::Each),
        )
        .faults(retrying(1));
    let judge = Judge::new(&scenario);
    let mut retried_any = false;
    for seed in 0..30 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        retried_any |= timeouts(&world, 0).0 > 0;
        // A one-command operation that timed out before its first delivery still names
        // its command in the history.
        assert!(world
            .history
            .ops
            .iter()
            .all(|op| op.op == Operation::Command(vec![b"GET".to_vec(), b"n".to_vec()])));
        assert!(!judge.judge(&mut world).is_anomalous(), "seed {seed}");
    }
    assert!(retried_any);
}

#[test]
fn a_multi_command_operation_is_never_retried() {
    let raw = Script::source("redis.call('INCR', KEYS[1]) return redis.call('INCR', KEYS[1])")
        .keys(["n"])
        .raw();
    let scenario = Scenario::new("raw").clients(2, 1, raw).faults(retrying(3));
    for seed in 0..30 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        assert_eq!(timeouts(&world, 0), (0, 0));
        assert_eq!(world.history.ops.len(), 2);
        assert!(world.history.ops.iter().all(|op| op.status == Status::Ok));
        assert_eq!(get(&mut world, "n"), Reply::bulk("4"));
    }
}

#[test]
fn the_same_seed_retries_the_same_way() {
    fault_support::assert_replays_alike("retry-double-increment", &[0, 5, 17]);
}

/// The two corpus scenarios: plain retries double the counter, the token script does not.
#[test]
fn retry_double_increment_is_flagged_and_the_idempotency_token_fixes_it() {
    let seeds = 0..100;
    let count = |name: &str| {
        let scenario = load(Path::new(&format!("../corpus/scenarios/{name}.toml"))).unwrap();
        let judge = Judge::new(&scenario.clone().trace(false));
        let mut world = scenario.clone().trace(false).world(0);
        let (mut duplicate, mut retried, mut anomalous) = (0, 0, 0);
        for seed in seeds.clone() {
            world.run_seed(seed);
            retried += (world
                .history
                .ops
                .iter()
                .filter(|o| o.status == Status::Unknown)
                .count()
                > 0) as u32;
            let v = judge.judge(&mut world);
            duplicate += v.duplicate_effect as u32;
            anomalous += v.is_anomalous() as u32;
        }
        (duplicate, retried, anomalous)
    };
    let (duplicate, retried, anomalous) = count("retry-double-increment");
    assert!(
        duplicate > 50 && anomalous >= duplicate,
        "{duplicate} {anomalous}"
    );
    assert!(retried >= duplicate);
    let (duplicate, retried, anomalous) = count("retry-idempotency-token");
    assert!(retried > 50, "the fixed version still retries: {retried}");
    assert_eq!((duplicate, anomalous), (0, 0));
}
