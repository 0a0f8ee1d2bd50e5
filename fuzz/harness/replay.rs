//! Replays committed fuzz inputs in a plain `cargo test` (both crates' fuzz_regressions
//! tests include this file): every file of `fuzz/<kind>/<target>/`, sorted, through the
//! function the libFuzzer target calls; a panic names the file that caused it.

use std::path::{Path, PathBuf};

/// The files of `<fuzz>/<kind>/<target>/`, sorted (none if the folder does not exist).
fn inputs(fuzz: &Path, kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz.join(kind).join(target);
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

/// Replays each input of `<fuzz>/<kind>/<target>/` through `body`; the number replayed.
pub fn replay_from(fuzz: &Path, kind: &str, target: &str, body: fn(&[u8])) -> usize {
    let files = inputs(fuzz, kind, target);
    for file in &files {
        let data = std::fs::read(file).expect("readable fuzz input");
        if let Err(panic) = std::panic::catch_unwind(|| body(&data)) {
            eprintln!("fuzz input {} failed", file.display());
            std::panic::resume_unwind(panic);
        }
    }
    files.len()
}
