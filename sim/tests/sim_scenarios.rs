//! Scenario files: every file in corpus/scenarios parses, and a TOML scenario runs like
//! the same scenario built in Rust.

use redsim_sim::options::Strategy;
use redsim_sim::scenario::toml::{load, parse};
use redsim_sim::scenario::{Program, Scenario, Script};
use std::path::Path;

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/scenarios")
}

#[test]
fn every_corpus_scenario_loads() {
    let mut count = 0;
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let scenario = load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(scenario.client_count() > 0, "{}", path.display());
            count += 1;
        }
    }
    assert!(count >= 3);
}

#[test]
fn toml_and_builder_scenarios_run_identically() {
    let from_file = load(&corpus().join("counter_and_count_raw.toml")).unwrap();
    let source = match &from_file.groups[0].program {
        Program::Script { spec, .. } => spec.source.clone(),
        _ => panic!("not a script"),
    };
    let built = Scenario::new("built").clients(
        2,
        1,
        Script::source(&source)
            .keys(["counter", "count"])
            .args(["{ts}"])
            .raw(),
    );
    let (mut a, mut b) = (from_file.world(0), built.world(0));
    for seed in 0..20 {
        a.run_seed(seed);
        b.run_seed(seed);
        assert_eq!(a.trace.render(), b.trace.render());
    }
}

#[test]
fn bad_scenarios_are_refused_with_a_reason() {
    let base = Path::new(".");
    let err = parse(
        "name = \"x\"\nstrategy = \"bogus\"\n[[clients]]\nprogram = \"commands\"\n",
        base,
    )
    .err()
    .unwrap();
    assert!(err.contains("bogus"), "{err}");
    let err = parse("name = \"x\"\n[[clients]]\nprogram = \"script\"\n", base)
        .err()
        .unwrap();
    assert!(err.contains("script"), "{err}");
    let ok = parse("name = \"x\"\nstrategy = \"pct\"\npct_depth = 3\n[[clients]]\nprogram = \"commands\"\ncommands = [[\"PING\"]]\n", base).unwrap();
    assert_eq!(
        ok.options.strategy,
        Strategy::Pct {
            depth: 3,
            steps_hint: 100
        }
    );
}
