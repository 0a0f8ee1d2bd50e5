//! Every input under `fuzz/regressions/<target>/` and `fuzz/corpus/<target>/` for the
//! simulator's readers, replayed through the function the libFuzzer target calls
//! (`fuzz/harness/sim.rs`), so a fixed crash stays fixed in a plain `cargo test`.

#[path = "../../fuzz/harness/sim.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(kind)
        .join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn replay(kind: &str, target: &str, body: fn(&[u8])) -> usize {
    let files = inputs(kind, target);
    for file in &files {
        let data = std::fs::read(file).expect("readable fuzz input");
        if let Err(panic) = std::panic::catch_unwind(|| body(&data)) {
            eprintln!("fuzz input {} failed", file.display());
            std::panic::resume_unwind(panic);
        }
    }
    files.len()
}

#[test]
fn history_json_regressions_read_without_panic() {
    replay("regressions", "history_json", harness::history_json);
}

#[test]
fn history_json_corpus_reads_without_panic_and_round_trips() {
    assert!(replay("corpus", "history_json", harness::history_json) > 0);
}

#[test]
fn scenario_toml_regressions_read_without_panic() {
    replay("regressions", "scenario_toml", harness::scenario_toml);
}

#[test]
fn scenario_toml_corpus_reads_without_panic() {
    assert!(replay("corpus", "scenario_toml", harness::scenario_toml) > 0);
}
