//! The line a failing `SimTest` prints — `REDSIM_SEED=N cargo test NAME -- --exact` —
//! runs that test again, alone, and it fails the same way. The test below runs its own
//! binary as `cargo test` would with that line's arguments and compares the reports.

use redsim_sim::scenario::{Invariant, Program, ScriptRun};
use redsim_sim::testing::SimTest;
use std::process::Command;

/// Set in the child process: it prints its report instead of spawning another child.
const CHILD: &str = "REDSIM_REPLAY_LINE_CHILD";

fn racy() -> SimTest {
    // Named unlike the test function on purpose: the line must name the test that runs.
    SimTest::new("racy_pair")
        .clients(
            2,
            1,
            Program::script(
                "redis.call('INCR', KEYS[1]) redis.call('INCR', KEYS[2]) \
                 return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}",
                &["counter", "count"],
                &[],
                ScriptRun::Raw,
            ),
        )
        .invariant(Invariant::ResultFieldsEqual(0, 1))
        .seeds(200)
}

#[test]
fn the_printed_cargo_test_line_reruns_this_test_with_the_failing_seed() {
    let failure = racy().find_failure().expect("a failing seed");
    if std::env::var_os(CHILD).is_some() {
        println!("{}", failure.report);
        return;
    }
    let line = failure
        .report
        .lines()
        .find_map(|l| l.strip_prefix("Replay this seed:  "))
        .expect("a replay line");
    let (env, rest) = line.split_once(' ').unwrap();
    let (var, seed) = env.split_once('=').unwrap();
    let args: Vec<&str> = rest
        .strip_prefix("cargo test ")
        .expect("a cargo test line")
        .split_whitespace()
        .filter(|a| *a != "--")
        .collect();
    assert_eq!(
        args,
        [
            "the_printed_cargo_test_line_reruns_this_test_with_the_failing_seed",
            "--exact"
        ]
    );
    // What `cargo test` runs: this binary with the filter.
    let child = Command::new(std::env::current_exe().unwrap())
        .args(&args)
        .arg("--nocapture")
        .env(var, seed)
        .env(CHILD, "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&child.stdout);
    assert!(child.status.success(), "{out}");
    assert!(out.contains("running 1 test"), "only this test: {out}");
    assert_eq!(seed, failure.seed.to_string());
    // The same run, table and replay line; only the seed range in the heading and the
    // "run more seeds" count follow the range that ran.
    let run = |report: &str| -> String {
        report
            .lines()
            .skip_while(|l| !l.starts_with("redsim: test 'racy_pair' failed at seed "))
            .skip(1)
            .take_while(|l| !l.starts_with("Run more seeds:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(run(&failure.report).contains("| client 1"));
    assert_eq!(run(&out), run(&failure.report));
}
