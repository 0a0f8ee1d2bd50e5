//! The regression corpus: every replay file in `corpus/seeds/` is run again and must give
//! the verdict it recorded. A changed verdict fails with the recorded and the replayed
//! tables printed. Also: a saved run replays to a byte-identical table, and editing a
//! file's verdict makes the check fail.

use redsim_sim::replay::{check_file, for_scenario_file, ReplayFile, ScenarioSource};
use redsim_sim::report::analysis::Judge;
use redsim_sim::report::capture::capture;
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, Mode};
use redsim_sim::report::present::run_text;
use redsim_sim::scenario::toml::load;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `corpus/seeds/*.toml`, sorted.
fn seed_files() -> Vec<PathBuf> {
    let dir = repo().join("corpus/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// A fresh temporary folder for this test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redsim-seeds-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn every_saved_run_replays_to_its_recorded_verdict() {
    let files = seed_files();
    assert!(!files.is_empty(), "corpus/seeds/ holds no replay files");
    let failures: Vec<String> = files.iter().filter_map(|f| check_file(f).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} replay files changed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_corpus_holds_failing_counter_races() {
    let anomalous = seed_files()
        .iter()
        .filter_map(|f| ReplayFile::load(f).ok())
        .filter(|f| f.name == "counter-race" && f.verdict.anomalous)
        .count();
    assert!(
        anomalous >= 2,
        "expected saved failing counter-race runs, found {anomalous}"
    );
}

#[test]
fn editing_a_files_verdict_makes_the_check_fail() {
    let original = seed_files().into_iter().next().expect("a replay file");
    let mut file = ReplayFile::load(&original).expect("readable");
    // The temporary copy names the scenario by its absolute path, so it replays from anywhere.
    if let ScenarioSource::Path(p) = &file.scenario {
        file.scenario = ScenarioSource::Path(original.parent().expect("folder").join(p));
    }
    let dir = temp_dir("edited");
    let copy = file.save(&dir).expect("the copy");
    check_file(&copy).expect("the unedited copy replays to its verdict");
    let text = std::fs::read_to_string(&copy).expect("readable");
    let flipped = if text.contains("anomalous = true") {
        text.replacen("anomalous = true", "anomalous = false", 1)
    } else {
        text.replacen("anomalous = false", "anomalous = true", 1)
    };
    assert_ne!(flipped, text);
    std::fs::write(&copy, &flipped).expect("write the copy");
    let result = check_file(&copy);
    let _ = std::fs::remove_dir_all(&dir);
    let err = result.expect_err("an edited verdict must fail the check");
    assert!(err.contains("the verdict changed"), "{err}");
    assert!(
        err.contains("--- recorded run ---") && err.contains("--- replayed run ---"),
        "{err}"
    );
}

#[test]
fn a_saved_failing_run_replays_to_a_byte_identical_table() {
    let scenario_path = repo().join("corpus/scenarios/counter-race.toml");
    let scenario =
        mode::apply(&load(&scenario_path).expect("scenario"), Mode::Raw).expect("raw mode");
    let judge = Judge::new(&scenario);
    let failing = (0..200u64)
        .map(|seed| capture(&scenario, &judge, seed, "raw"))
        .find(|c| c.verdict.is_anomalous())
        .expect("a failing seed among the first 200");
    let dir = temp_dir("identical");
    let path = for_scenario_file(&failing, &scenario_path, &dir)
        .save(&dir)
        .expect("saved");
    let replayed = check_file(&path).expect("replays to the same verdict");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        run_text(&replayed, Style::PLAIN),
        run_text(&failing, Style::PLAIN)
    );
    assert_eq!(replayed.schedule, failing.schedule);
}
