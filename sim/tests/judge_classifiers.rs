//! Every anomaly name the judge shows, against runs that must carry it and runs that must
//! not: not linearizable, lost update, counter ≠ cardinality, torn state, partial effects.

use redsim_sim::report::analysis::{Judge, Probe, Verdict};
use redsim_sim::scenario::{Invariant, Program, Scenario, Script, ScriptRun};
use redsim_sim::sim_test;

fn scenario_file(name: &str) -> Scenario {
    let path = format!(
        "{}/../corpus/scenarios/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    redsim_sim::scenario::toml::load(std::path::Path::new(&path)).expect("scenario loads")
}

/// The verdicts of seeds `0..seeds`.
fn verdicts(scenario: &Scenario, seeds: u64) -> Vec<Verdict> {
    let judge = Judge::new(scenario);
    let mut world = scenario.world(0);
    (0..seeds)
        .map(|seed| {
            world.run_seed(seed);
            judge.judge(&mut world)
        })
        .collect()
}

fn count(verdicts: &[Verdict], anomaly: impl Fn(&Verdict) -> bool) -> usize {
    verdicts.iter().filter(|v| anomaly(v)).count()
}

#[test]
fn a_raw_read_then_write_loses_updates_and_is_named_so() {
    let raw = verdicts(&scenario_file("lost-update"), 200);
    assert!(count(&raw, |v| v.lost_update) > 20);
    for v in raw.iter().filter(|v| v.lost_update) {
        assert!(v.findings.iter().any(|f| f.contains("an update was lost")));
    }
    let eval = verdicts(&scenario_file("lost-update").run_as(ScriptRun::Eval), 200);
    assert_eq!(count(&eval, |v| v.lost_update), 0);
}

#[test]
fn an_overwrite_without_a_read_is_no_lost_update() {
    // Last writer wins: whoever writes last, nothing was lost.
    for run in [ScriptRun::Raw, ScriptRun::Eval] {
        let scenario = Scenario::new("set_only").clients(
            2,
            1,
            Script::source("redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])")
                .keys(["counter"])
                .args(["{client}0"])
                .sent(run),
        );
        let all = verdicts(&scenario, 1000);
        let misnamed = count(&all, |v| v.lost_update);
        eprintln!("SET-only scripts ({run:?}): {misnamed}/1000 called a lost update");
        assert_eq!(misnamed, 0);
    }
}

#[test]
fn atomic_increments_lose_nothing_even_when_raw() {
    let scenario = Scenario::new("incr_only").clients(
        3,
        2,
        Script::source("return redis.call('INCR', KEYS[1])")
            .keys(["counter"])
            .raw(),
    );
    let all = verdicts(&scenario, 200);
    assert_eq!(count(&all, |v| v.lost_update || v.is_anomalous()), 0);
}

#[test]
fn counter_and_cardinality_disagree_only_when_raw() {
    let raw = verdicts(&scenario_file("counter-race"), 200);
    assert!(count(&raw, |v| v.mismatch) > 10);
    assert!(count(&raw, |v| v.mismatch && v.not_linearizable != Some(true)) == 0);
    let eval = verdicts(&scenario_file("counter-race").run_as(ScriptRun::Eval), 200);
    assert_eq!(
        count(&eval, |v| v.mismatch || v.not_linearizable == Some(true)),
        0
    );
}

#[test]
fn a_crash_mid_sequence_is_named_partial_effects_and_torn_state() {
    let raw = verdicts(&scenario_file("crash-partial-effects"), 50);
    assert_eq!(
        count(&raw, |v| v.partial_effects),
        50,
        "the planned crash always cuts INCR from ZADD"
    );
    assert_eq!(count(&raw, |v| v.torn_state), 50);
    for v in &raw {
        assert!(
            v.findings.iter().any(|f| f.starts_with("partial effects")),
            "{:?}",
            v.findings
        );
    }
    let eval = verdicts(
        &scenario_file("crash-partial-effects").run_as(ScriptRun::Eval),
        50,
    );
    assert_eq!(count(&eval, |v| v.partial_effects || v.torn_state), 0);
}

#[test]
fn a_crash_before_any_write_leaves_no_partial_effects() {
    let mut scenario = scenario_file("crash-partial-effects");
    scenario.options.faults.crashes[0].after_commands = 0;
    let all = verdicts(&scenario, 50);
    assert_eq!(count(&all, |v| v.partial_effects || v.torn_state), 0);
}

#[test]
fn the_explanation_of_a_half_applied_run_does_not_say_nothing_went_wrong() {
    // In some seeds client 1 reads the half-applied state (an anomaly of its own); in the
    // others nobody observed it, and the text must still name it.
    let scenario = scenario_file("crash-partial-effects");
    let judge = Judge::new(&scenario);
    let mut unobserved = 0;
    for seed in 0..20 {
        let capture = redsim_sim::report::capture::capture(&scenario, &judge, seed, "raw");
        let text = redsim_sim::report::explain::explain(&capture);
        assert!(!text.contains("nothing went wrong"), "seed {seed}: {text}");
        if !capture.verdict.is_anomalous() {
            unobserved += 1;
            assert!(text.contains("partial effects"), "seed {seed}: {text}");
            let shown = redsim_sim::report::present::run_text(
                &capture,
                redsim_sim::report::colour::Style::PLAIN,
            );
            assert!(!shown.contains("no anomaly"), "seed {seed}: {shown}");
        }
    }
    assert!(unobserved > 0);
}

#[test]
fn all_or_nothing_fails_a_run_a_crash_left_half_applied() {
    let raw = scenario_file("crash-partial-effects").invariant(Invariant::AllOrNothing);
    let failure = sim_test!()
        .scenario(raw.clone())
        .seeds(5)
        .without_shrinking()
        .try_run()
        .expect_err("the crash leaves INCR without ZADD");
    assert!(
        failure
            .reasons
            .iter()
            .any(|r| r.contains("partial effects")),
        "{:?}",
        failure.reasons
    );
    let eval = raw.run_as(ScriptRun::Eval);
    let passed = sim_test!().scenario(eval).seeds(5).try_run();
    assert!(passed.is_ok(), "{:?}", passed.map_err(|f| f.reasons));
}

#[test]
fn all_or_nothing_reads_from_a_scenario_file() {
    let text = std::fs::read_to_string(format!(
        "{}/../corpus/scenarios/crash-partial-effects.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("read");
    let text = format!("{text}\n[[invariants]]\nkind = \"all_or_nothing\"\n");
    let base = std::path::PathBuf::from(format!(
        "{}/../corpus/scenarios",
        env!("CARGO_MANIFEST_DIR")
    ));
    let scenario = redsim_sim::scenario::toml::parse(&text, &base).expect("parses");
    assert!(scenario.invariants.contains(&Invariant::AllOrNothing));
    assert!(verdicts(&scenario, 1)[0].is_anomalous());
}

#[test]
fn script_load_and_evalsha_add_no_key_columns() {
    let scenario = Scenario::new("columns").clients(
        1,
        1,
        Program::commands(
            &[
                &["SCRIPT", "LOAD", "return 1"],
                &[
                    "EVALSHA",
                    "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
                    "1",
                    "k",
                ],
                &["SET", "a", "1"],
            ],
            redsim_sim::client::commands::CommandsMode::Each,
        ),
    );
    assert_eq!(
        Probe::of(&scenario).keys,
        vec![b"k".to_vec(), b"a".to_vec()]
    );
}

#[test]
fn the_state_after_a_command_is_shown_before_the_admin_command_that_follows_it() {
    let scenario = Scenario::new("flush_table")
        .clients(
            1,
            3,
            Program::commands(
                &[&["SET", "a", "1"]],
                redsim_sim::client::commands::CommandsMode::Each,
            ),
        )
        .faults(redsim_sim::fault::Faults {
            admin: vec![redsim_sim::fault::AdminAt {
                step: 1,
                argv: vec![b"FLUSHALL".to_vec()],
            }],
            ..Default::default()
        });
    let judge = Judge::new(&scenario);
    let capture = redsim_sim::report::capture::capture(&scenario, &judge, 0, "as written");
    let states: Vec<(String, String)> = capture
        .rows
        .iter()
        .map(|r| (r.command.clone(), r.state.clone()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("SET a 1".to_string(), "a=1".to_string()),
            ("FLUSHALL".to_string(), "a=-".to_string()),
            ("SET a 1".to_string(), "a=1".to_string()),
            ("SET a 1".to_string(), "a=1".to_string()),
        ]
    );
    let admin_op = capture.rows[1]
        .op
        .expect("the admin row names its operation");
    assert_eq!(
        capture.history.ops[admin_op].op,
        redsim_sim::history::Operation::Command(vec![b"FLUSHALL".to_vec()])
    );
}

#[test]
fn an_admin_flush_between_increments_is_no_lost_update() {
    // FLUSHALL resets the counter: it ends below the increments made, and nothing was
    // lost by the clients.
    let scenario = Scenario::new("flush_counter")
        .clients(
            2,
            2,
            Script::source("return redis.call('INCR', KEYS[1])")
                .keys(["counter"])
                .raw(),
        )
        .faults(redsim_sim::fault::Faults {
            admin: vec![redsim_sim::fault::AdminAt {
                step: 2,
                argv: vec![b"FLUSHALL".to_vec()],
            }],
            ..Default::default()
        });
    let all = verdicts(&scenario, 100);
    assert_eq!(count(&all, |v| v.lost_update), 0);
    assert_eq!(count(&all, |v| v.is_anomalous()), 0);
}
