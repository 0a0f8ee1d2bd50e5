//! Budgets are counted, not timed, and "unknown" is never "pass": a run the checker cannot
//! decide within its budget of states is inconclusive — it fails a `SimTest` unless the
//! test opts in, is shown as such, and gives `redsim run`/`sweep`/`explore` their own exit
//! status (3).

use redsim_sim::check::{self, gen, ModelChoice, Options, Verdict};
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::history::History;
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::{Program, Scenario};
use redsim_sim::sim_test;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Two clients, two INCRs each: with more than one op per client the judge asks the
/// linearizability checker, which needs more than one state for any interleaving.
fn incrs() -> Scenario {
    Scenario::new("two_incrs_each").clients(
        2,
        2,
        Program::commands(&[&["INCR", "n"]], CommandsMode::Each),
    )
}

#[test]
fn a_run_the_checker_cannot_decide_fails_a_sim_test() {
    let failure = sim_test!()
        .scenario(incrs())
        .check_states_max(1)
        .seeds(3)
        .without_shrinking()
        .try_run()
        .expect_err("an undecided run is not a pass");
    assert_eq!(failure.seed, 0);
    assert!(
        failure
            .reasons
            .iter()
            .any(|r| r.starts_with("inconclusive:") && r.contains("state budget of 1 exhausted")),
        "{:?}",
        failure.reasons
    );
    assert!(
        failure.report.contains("inconclusive: "),
        "{}",
        failure.report
    );
}

#[test]
fn allow_inconclusive_lets_an_undecided_run_pass_and_a_real_failure_still_fails() {
    let undecided = sim_test!()
        .scenario(incrs())
        .check_states_max(1)
        .allow_inconclusive()
        .seeds(3);
    assert!(undecided.try_run().is_ok());
    let failing = sim_test!()
        .scenario(incrs())
        .check_states_max(1)
        .allow_inconclusive()
        .seeds(1)
        .invariant("five increments", |run| match run.int("n") {
            Some(5) => Ok(()),
            other => Err(format!("n = {other:?}")),
        });
    assert!(failing.try_run().is_err());
}

#[test]
fn with_the_default_budget_the_same_runs_are_decided() {
    let scenario = incrs().trace(false);
    let judge = Judge::new(&scenario);
    let mut world = scenario.world(0);
    for seed in 0..20 {
        world.run_seed(seed);
        let v = judge.judge(&mut world);
        assert_eq!(v.not_linearizable, Some(false), "seed {seed}");
        assert!(
            !v.is_inconclusive() && v.inconclusive.is_none(),
            "seed {seed}"
        );
    }
}

#[test]
fn the_checker_budget_counts_states_and_steps_so_a_verdict_repeats_exactly() {
    // A history hard enough to run out of either budget; the outcome, down to the states
    // and steps taken, is the same every time, whatever the machine is doing.
    let history = History {
        ops: gen::hard_key_ops("h", 12, 0, 0),
    };
    for options in [
        Options {
            max_states: 5_000,
            ..Options::default()
        },
        Options {
            max_steps: 7_777,
            ..Options::default()
        },
    ] {
        let a = check::check(&history, ModelChoice::Kv, &options).unwrap();
        let b = check::check(&history, ModelChoice::Kv, &options).unwrap();
        assert_eq!(a.verdict, Verdict::Unknown);
        assert_eq!(
            (a.states, a.steps, &a.reason),
            (b.states, b.steps, &b.reason)
        );
        assert!(
            a.states <= options.max_states + 1 && a.steps <= options.max_steps,
            "the budget binds exactly: {} states, {} steps",
            a.states,
            a.steps
        );
    }
    let stepped = check::check(
        &history,
        ModelChoice::Kv,
        &Options {
            max_steps: 7_777,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(stepped.steps, 7_777);
    assert!(stepped.reason.unwrap().contains("step budget of 7777"));
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn redsim(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("redsim runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn run_sweep_and_explore_exit_3_when_a_check_is_inconclusive() {
    let dir = std::env::temp_dir().join(format!("redsim-inconclusive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = |budget: u64| {
        format!(
            "name = \"undecided\"\ncheck_states_max = {budget}\n\n[[clients]]\ncount = 2\nops = 2\n\
             program = \"commands\"\ncommands = [[\"INCR\", \"n\"]]\n"
        )
    };
    std::fs::write(dir.join("tiny.toml"), scenario(1)).unwrap();
    std::fs::write(dir.join("enough.toml"), scenario(100_000)).unwrap();
    let (code, out) = redsim(&dir, &["run", "tiny.toml", "--seed", "0"]);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("inconclusive: "), "{out}");
    assert!(!out.contains("nothing went wrong"), "{out}");
    let (code, out) = redsim(&dir, &["run", "tiny.toml", "--seeds", "0..5"]);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("5 run(s) inconclusive"), "{out}");
    let (code, out) = redsim(
        &dir,
        &["sweep", "tiny.toml", "--seeds", "0..5", "--jobs", "2"],
    );
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("first inconclusive seed: redsim run tiny.toml --seed 0 --strategy random"),
        "{out}"
    );
    let (code, out) = redsim(&dir, &["explore", "tiny.toml"]);
    assert_eq!(code, Some(3), "{out}");
    for args in [
        &["run", "enough.toml", "--seed", "0"][..],
        &["sweep", "enough.toml", "--seeds", "0..5", "--jobs", "1"],
        &["explore", "enough.toml"],
    ] {
        let (code, out) = redsim(&dir, args);
        assert_eq!(code, Some(0), "{args:?}: {out}");
    }
    for sub in ["run", "sweep", "explore", "check"] {
        let (_, help) = redsim(&root(), &[sub, "--help"]);
        assert!(help.contains("3 inconclusive"), "{sub} --help: {help}");
    }
}
