//! The line a failing `SimTest` prints —
//! `REDSIM_SEED=N cargo test -p redsim-sim --test sim_test_replay_line -- PATH --exact` —
//! run as printed, through cargo, runs that test again, alone, and it fails the same way.
//! The test below finds a failure, runs the printed line with cargo, and compares the
//! report the child printed with its own.

use redsim_sim::prelude::*;
use std::process::Command;

/// Set in the child process: it prints its report instead of spawning another child.
const CHILD: &str = "REDSIM_REPLAY_LINE_CHILD";

/// Built in a helper on purpose: the line must name the test that runs, not the helper.
fn racy() -> SimTest {
    sim_test!()
        .clients(
            2,
            Script::source(
                "redis.call('INCR', KEYS[1]) redis.call('INCR', KEYS[2]) \
                 return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}",
            )
            .keys(["counter", "count"])
            .raw(),
        )
        .judge_invariant(Invariant::ResultFieldsEqual(0, 1))
        .seeds(200)
}

mod nested {
    /// A test in a module: its libtest path has the module in it.
    #[test]
    fn the_printed_cargo_test_line_reruns_this_test_with_the_failing_seed() {
        super::the_printed_line_reruns_the_test(
            "nested::the_printed_cargo_test_line_reruns_this_test_with_the_failing_seed",
        );
    }
}

fn the_printed_line_reruns_the_test(test: &str) {
    let failure = racy().try_run().expect_err("a failing seed");
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
    assert_eq!(var, "REDSIM_SEED");
    assert_eq!(seed, failure.seed.to_string());
    let args: Vec<&str> = rest
        .strip_prefix("cargo test ")
        .expect("a cargo test line")
        .split_whitespace()
        .collect();
    assert_eq!(
        args,
        [
            "-p",
            "redsim-sim",
            "--test",
            "sim_test_replay_line",
            "--",
            test,
            "--exact"
        ]
    );
    // The line as printed, through cargo (which finds this binary up to date), from the
    // package's folder as `cargo test` runs tests; `--nocapture` to read the report.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let child = Command::new(cargo)
        .arg("test")
        .args(&args)
        .arg("--nocapture")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env(var, seed)
        .env(CHILD, "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&child.stdout);
    let err = String::from_utf8_lossy(&child.stderr);
    assert!(child.status.success(), "{out}\n{err}");
    assert!(out.contains("running 1 test"), "only this test: {out}");
    // The same run, table and replay line; only the seed range in the heading and the
    // "run more seeds" count follow the range that ran.
    let run = |report: &str| -> String {
        report
            .lines()
            .skip_while(|l| !l.starts_with("redsim: test '"))
            .skip(1)
            .take_while(|l| !l.starts_with("Run more seeds:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(run(&failure.report).contains("| client 1"));
    assert_eq!(run(&out), run(&failure.report));
}
