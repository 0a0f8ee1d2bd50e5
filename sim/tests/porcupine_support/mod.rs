//! Porcupine's test data converted to redsim-history/1 (bench/porcupine: convert.py, the
//! fixtures in data/ and expected.tsv with where each expected verdict comes from). Shared
//! by the test that checks the verdicts and the `porcupine` benchmark.

use redsim_sim::check::Verdict;
use redsim_sim::history::{json, History};
use std::path::PathBuf;

/// One converted history with the verdict Porcupine's own tests expect.
pub struct Fixture {
    pub name: String,
    pub history: History,
    pub expected: Verdict,
}

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bench/porcupine/data")
}

/// The fixtures whose name `keep` accepts, in expected.tsv's order (those without an
/// expected verdict left out).
pub fn fixtures(keep: impl Fn(&str) -> bool) -> Vec<Fixture> {
    let dir = data_dir();
    let table = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter(|(name, _)| keep(name))
        .filter_map(|(name, verdict)| {
            let expected = match verdict {
                "linearizable" => Verdict::Linearizable,
                "not linearizable" => Verdict::NotLinearizable,
                _ => return None,
            };
            let text = std::fs::read_to_string(dir.join(name)).expect("fixture");
            let history = json::from_str(&text).expect("a valid history");
            Some(Fixture {
                name: name.to_string(),
                history,
                expected,
            })
        })
        .collect()
}
