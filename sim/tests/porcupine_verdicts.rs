//! Porcupine's published histories (bench/porcupine), converted by our converter: the
//! checker must reach the verdict Porcupine's own tests state for each with the engine
//! model (CAS as EVAL of a script). The register model on the same logs and the two kv
//! histories of 50 clients are left to the benchmark (`--bench porcupine`, which asserts
//! every verdict too): seconds in a debug build.

mod porcupine_support;

use porcupine_support::fixtures;
use redsim_sim::check::{self, check_with, models, ModelChoice, Options, Verdict};

fn verdict_only() -> Options {
    Options {
        counterexample: false,
        ..Options::default()
    }
}

#[test]
fn the_etcd_logs_get_porcupines_verdicts_with_the_engine_model() {
    let all = fixtures(|name| name.starts_with("etcd_"));
    assert_eq!(all.len(), 102);
    let mut engine = models::EngineModel::new();
    for f in &all {
        let outcome = check_with(&f.history, &mut engine, &verdict_only()).expect("checkable");
        assert_eq!(outcome.verdict, f.expected, "{}", f.name);
    }
}

#[test]
fn the_small_kv_logs_get_porcupines_verdicts() {
    let all = fixtures(|name| name.starts_with("c01-") || name.starts_with("c10-"));
    assert_eq!(all.len(), 4);
    for f in &all {
        let outcome =
            check::check(&f.history, ModelChoice::Engine, &verdict_only()).expect("checkable");
        assert_eq!(outcome.verdict, f.expected, "{}", f.name);
    }
}

/// A counterexample is a sub-history that is still not linearizable on its own.
#[test]
fn counterexamples_of_failing_etcd_logs_are_violations_themselves() {
    for f in fixtures(|name| ["etcd_000.json", "etcd_044.json", "c10-bad.json"].contains(&name)) {
        assert_eq!(f.expected, Verdict::NotLinearizable);
        let outcome =
            check::check(&f.history, ModelChoice::Engine, &Options::default()).expect("checkable");
        let cx = outcome.counterexample.expect("a counterexample");
        let mut sub = f.history.clone();
        sub.ops = cx.ops.iter().map(|&i| f.history.ops[i].clone()).collect();
        let again = check::check(&sub, ModelChoice::Engine, &verdict_only()).expect("checkable");
        assert_eq!(again.verdict, Verdict::NotLinearizable, "{}", f.name);
    }
}
