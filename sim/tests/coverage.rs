//! Coverage guidance: a run's coverage is a function of its seed (and swarm choice), a
//! guided sweep is the same sweep every time, keeps the runs that reached something new
//! as parents and mutates their choices, and its failures replay from their lines.

use redsim_sim::coverage::Reached;
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
use redsim_sim::swarm::{self, guided};
use std::path::Path;

fn scenario(name: &str) -> Scenario {
    load(Path::new(&format!("../corpus/scenarios/{name}.toml"))).unwrap()
}

fn unguided(s: &Scenario, seeds: std::ops::Range<u64>) -> Reached {
    let mut reached = Reached::default();
    swarm::run_seeds_with(s, "as written", seeds, |_, _, world| {
        reached.add(world.coverage.features());
    });
    reached
}

#[test]
fn the_same_seeds_reach_the_same_coverage() {
    let s = scenario("noscript-after-restart");
    let a = unguided(&s, 0..60);
    let b = unguided(&s, 0..60);
    assert_eq!(a.growth, b.growth);
    // A seed run alone reaches what it reached inside the sweep (the world is reused
    // across seeds, and must forget the last run's coverage).
    let mut world = swarm::scenario_for(&s, 41).world(41);
    world.run_seed(41);
    let alone: Vec<u64> = world.coverage.features().collect();
    let mut in_sweep = Vec::new();
    swarm::run_seeds_with(&s, "as written", 40..42, |seed, _, world| {
        if seed == 41 {
            in_sweep = world.coverage.features().collect();
        }
    });
    assert_eq!(alone, in_sweep);
    assert!(!alone.is_empty());
}

#[test]
fn faults_reach_features_a_fault_free_run_does_not() {
    let s = scenario("retry-double-increment");
    let mut world = s.world(0);
    world.run_seed(0);
    let with_retries = world.coverage.len();
    let mut calm = s.clone();
    calm.options.faults = Default::default();
    let mut world = calm.world(0);
    world.run_seed(0);
    assert!(world.coverage.len() < with_retries);
}

#[test]
fn a_guided_sweep_is_deterministic_mutates_its_parents_and_replays_its_failures() {
    let s = scenario("lock-clock-jump");
    let a = guided::run_guided(&s, "raw", 0..200, |_| {});
    let b = guided::run_guided(&s, "raw", 0..200, |_| {});
    assert_eq!(a.reached.growth, b.reached.growth);
    assert_eq!(a.failing, b.failing);
    assert!(a.parents > 0 && a.parents < 200, "{} parents", a.parents);
    assert_eq!(a.tally.tally.runs, 200);
    assert!(
        a.failing.iter().any(|(_, c)| !c.crosses.is_empty()),
        "some failure came from a mutated choice"
    );
    // Each failing run comes back from its seed and choice alone.
    for (seed, choice) in a.failing.iter().take(5) {
        let d = guided::scenario_for_choice(&s, choice);
        let mut world = d.world(*seed);
        world.run_seed(*seed);
        assert!(
            Judge::for_swarm(&d).judge(&mut world).is_anomalous(),
            "seed {seed} choice {choice}"
        );
    }
}

#[test]
fn redsim_sweep_guided_writes_the_growth_plot_and_replay_lines_with_choices() {
    let dir = std::env::temp_dir().join(format!("redsim-guided-{}", std::process::id()));
    let html = dir.join("sweep.html");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args([
            "sweep",
            "../corpus/scenarios/lock-clock-jump.toml",
            "--seeds",
            "0..80",
        ])
        .args(["--swarm", "--guided", "--out"])
        .arg(&dir)
        .arg("--html")
        .arg(&html)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("features after 80 runs (guided)"), "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<polyline") && page.contains("guided swarm"));
    let saved = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .unwrap_or_default();
    assert!(
        saved.lines().all(|l| l.contains("--swarm --swarm-choice ")),
        "{saved}"
    );
    assert!(!saved.is_empty(), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
