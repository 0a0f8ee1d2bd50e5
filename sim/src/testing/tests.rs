//! Unit tests of `SimTest`: races found (raw, exhaustive, Rust closures), EVAL passing,
//! invariants, shrinking and the replay command.

use super::*;
use crate::scenario::{Script, ScriptRun};
use redsim::Reply;

const PAIR: &str = "redis.call('INCR', KEYS[1]) redis.call('INCR', KEYS[2]) \
                    return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}";

fn racy() -> SimTest {
    crate::sim_test!()
        .clients(2, Script::source(PAIR).keys(["counter", "count"]).raw())
        .judge_invariant(Invariant::ResultFieldsEqual(0, 1))
}

#[test]
fn the_raw_counter_race_is_found_with_a_table_and_the_replay_command() {
    let failure = racy().seeds(200).try_run().expect_err("a failing seed");
    assert!(
        failure.report.contains("client 0") && failure.report.contains("client 1"),
        "{}",
        failure.report
    );
    // The package, the library target and the running test's path (not the helper's),
    // exactly.
    assert!(
        failure.report.contains(&format!(
            "REDSIM_SEED={} cargo test -p redsim-sim --lib -- testing::tests::the_raw_counter_race_is_found_with_a_table_and_the_replay_command --exact",
            failure.seed
        )),
        "{}",
        failure.report
    );
    assert!(failure.report.contains("REDSIM_SEEDS="));
}

#[test]
fn the_failing_seed_alone_fails_again() {
    let failure = racy().seeds(200).try_run().expect_err("a failing seed");
    let again = racy()
        .first_seed(failure.seed)
        .seeds(1)
        .try_run()
        .expect_err("the same seed fails");
    assert_eq!(again.seed, failure.seed);
    assert_eq!(again.schedule, failure.schedule);
    assert_eq!(again.reasons, failure.reasons);
}

#[test]
fn exhaustive_search_finds_the_race_in_one_seed() {
    let failure = racy().exhaustive().seeds(1).try_run();
    assert!(failure.is_err());
}

#[test]
fn eval_mode_passes_every_seed_and_a_keyspace_check_sees_the_final_counter() {
    let t = racy()
        .scenario(racy().scenario.run_as(ScriptRun::Eval))
        .seeds(30)
        .invariant("both increments land", |run| match run.int("counter") {
            Some(2) => Ok(()),
            other => Err(format!("counter = {other:?}")),
        });
    assert!(t.try_run().is_ok());
}

#[test]
fn a_failing_keyspace_check_is_reported_by_name() {
    let t = racy()
        .scenario(racy().scenario.run_as(ScriptRun::Eval))
        .seeds(3)
        .invariant("impossible", |run| match run.int("counter") {
            Some(3) => Ok(()),
            other => Err(format!("counter = {other:?}")),
        });
    let failure = t.try_run().expect_err("fails");
    // The check fails with any number of clients, so the reported run is shrunk to one.
    assert_eq!(failure.shrunk.as_ref().map(|s| s.after.clients), Some(1));
    assert!(
        failure
            .reasons
            .iter()
            .any(|r| r.contains("'impossible'") && r.contains("Some(1)")),
        "{:?}",
        failure.reasons
    );
}

#[test]
fn rust_closure_clients_run_and_results_can_be_checked() {
    let t = crate::sim_test!()
        .clients(
            2,
            Program::rust(|conn| {
                conn.call(&["INCR", "n"]);
                conn.call(&["INCR", "n"]);
            }),
        )
        .seeds(10)
        .invariant("every INCR replies a count of 1..=4", |run| {
            for op in &run.history().ops {
                match &op.result {
                    Some(Reply::Integer(n)) if (1..=4).contains(n) => {}
                    other => return Err(format!("{other:?}")),
                }
            }
            Ok(())
        })
        .invariant("four increments", |run| match run.int("n") {
            Some(4) => Ok(()),
            other => Err(format!("n = {other:?}")),
        });
    let f = t.try_run();
    assert!(f.is_ok(), "{:?}", f.map_err(|f| f.reasons));
}

#[test]
fn rust_closures_making_several_calls_are_judged_call_by_call() {
    // Two INCRs per client interleave ([1, 3] and [2, 4]): no serial order of whole
    // clients gives that, but every call is atomic, so nothing is wrong.
    let t = crate::sim_test!()
        .with_judge()
        .clients(
            2,
            Program::rust(|conn| {
                conn.call(&["INCR", "n"]);
                conn.call(&["INCR", "n"]);
            }),
        )
        .seeds(30);
    let f = t.try_run();
    assert!(f.is_ok(), "{:?}", f.map_err(|f| f.reasons));
}

#[test]
fn a_failure_is_reported_shrunk_with_the_sizes_before_and_after() {
    let t = crate::sim_test!()
        .scenario(racy().scenario.clone())
        .seeds(200);
    let mut t = t;
    t.scenario.groups[0].count = 4;
    let failure = t.try_run().expect_err("a failing seed");
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    assert_eq!(shrunk.before.clients, 4);
    assert_eq!(shrunk.after.clients, 2, "{}", failure.report);
    assert!(shrunk.after.commands_per_client_max <= 4);
    assert!(
        failure.report.contains("shrunk from 4 clients / 4 ops /")
            && failure.report.contains(" to 2 clients / 2 ops / "),
        "{}",
        failure.report
    );
    assert!(failure.report.contains("| client 1"), "{}", failure.report);
    assert!(
        !failure.report.contains("| client 2"),
        "the table is the shrunk run's"
    );
    assert!(failure.report.contains("schedule before shrinking: "));
}

#[test]
fn shrinking_keeps_the_failed_check() {
    // Three atomic increments end at 3: the check fails whatever the order, and with
    // one client fewer still (2 ≠ 1); with one client it would pass.
    let t = racy()
        .scenario(racy().scenario.run_as(ScriptRun::Eval))
        .clients(
            1,
            Script::source("return redis.call('INCR', KEYS[1])")
                .keys(["counter"])
                .eval(),
        )
        .seeds(1)
        .invariant("one increment", |run| match run.int("counter") {
            Some(1) => Ok(()),
            other => Err(format!("counter = {other:?}")),
        });
    let failure = t.try_run().expect_err("fails");
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    assert_eq!(shrunk.before.clients, 3);
    assert_eq!(shrunk.after.clients, 2, "{}", failure.report);
    assert!(
        failure
            .reasons
            .iter()
            .any(|r| r.contains("'one increment'") && r.contains("Some(2)")),
        "{:?}",
        failure.reasons
    );
}

#[test]
fn a_race_between_rust_closures_is_shrunk_to_two_clients() {
    // Each client counts itself in `started`, then increments `n` by GET and SET: a
    // lost update leaves n below started. One client alone cannot lose one.
    let failure = crate::sim_test!()
        .clients(
            3,
            Program::rust(|conn| {
                conn.call(&["INCR", "started"]);
                let v: i64 = match conn.call(&["GET", "n"]) {
                    Reply::Bulk(b) => String::from_utf8_lossy(&b).parse().unwrap_or(0),
                    _ => 0,
                };
                conn.call(&["SET", "n", &(v + 1).to_string()]);
            }),
        )
        .seeds(50)
        .invariant("every increment lands", |run| {
            match (run.int("n"), run.int("started")) {
                (n, started) if n == started => Ok(()),
                (n, started) => Err(format!("n = {n:?}, started = {started:?}")),
            }
        })
        .try_run()
        .expect_err("a lost update");
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    assert_eq!(shrunk.before.clients, 3);
    assert_eq!(shrunk.after.clients, 2, "{}", failure.report);
    assert_eq!(shrunk.after.commands, 6, "{}", failure.report);
    assert!(failure.reasons[0].contains("'every increment lands'"));
}

#[test]
fn without_shrinking_the_run_is_reported_as_found() {
    let failure = racy()
        .seeds(200)
        .without_shrinking()
        .try_run()
        .expect_err("a failing seed");
    assert!(failure.shrunk.is_none());
    assert!(!failure.report.contains("shrunk from"));
}

#[test]
#[should_panic(expected = "shrunk from 3 clients / 3 ops / 12 commands")]
fn run_panics_with_the_sizes_before_and_after_shrinking() {
    let mut t = racy().seeds(200);
    t.scenario.groups[0].count = 3;
    t.run();
}

#[test]
#[should_panic(expected = "REDSIM_SEED=")]
fn run_panics_with_the_replay_command() {
    racy().seeds(200).run();
}
