//! The judge's "lost update" rests on one claim: each operation that completes increments
//! the probed counter once. It must only be applied when that holds — a script that leaves
//! the counter alone (`INCRBY counter 0`) or adds more than one is not losing updates.

use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::{Scenario, Script, ScriptRun};

fn scenario(body: &str, run: ScriptRun) -> Scenario {
    Scenario::new("judge_counter").clients(
        3,
        2,
        Script::source(body)
            .keys(["counter", "log"])
            .args(["{ts}"])
            .sent(run),
    )
}

fn anomalies(scenario: &Scenario, seeds: u64) -> Vec<(u64, Vec<String>)> {
    let judge = Judge::new(scenario);
    let mut world = scenario.world(0);
    (0..seeds)
        .filter_map(|seed| {
            world.run_seed(seed);
            let v = judge.judge(&mut world);
            (v.is_anomalous() || !v.findings.is_empty()).then_some((seed, v.findings))
        })
        .collect()
}

#[test]
fn a_script_that_adds_zero_to_the_counter_is_not_a_lost_update() {
    let body =
        "redis.call('INCRBY', KEYS[1], 0) redis.call('ZADD', KEYS[2], ARGV[1], ARGV[1]) return 1";
    for run in [ScriptRun::Eval, ScriptRun::EvalSha] {
        assert_eq!(anomalies(&scenario(body, run), 50), vec![], "{run:?}");
    }
}

#[test]
fn a_script_that_adds_two_is_judged_atomic_under_eval() {
    let body = "return redis.call('INCRBY', KEYS[1], 2)";
    assert_eq!(anomalies(&scenario(body, ScriptRun::Eval), 50), vec![]);
}

#[test]
fn a_raw_read_then_write_of_the_counter_still_loses_updates() {
    // GET then SET of GET+1, sent one command at a time: the classic lost update.
    let body = "local n = tonumber(redis.call('GET', KEYS[1]) or '0') \
                redis.call('SET', KEYS[1], n + 1) return n + 1";
    let found = anomalies(&scenario(body, ScriptRun::Raw), 200);
    assert!(
        found
            .iter()
            .any(|(_, f)| f.iter().any(|line| line.contains("an update was lost"))),
        "{found:?}"
    );
    assert!(anomalies(&scenario(body, ScriptRun::Eval), 200).is_empty());
}
