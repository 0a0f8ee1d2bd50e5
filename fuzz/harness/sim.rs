//! The bodies of the simulator's fuzz targets (the history JSON reader and the scenario
//! TOML reader), shared by the libFuzzer binaries in `fuzz/fuzz_targets/` and the
//! regression test `sim/tests/fuzz_regressions.rs` (both include this file with `#[path]`).

#![allow(dead_code)]

use redsim_sim::history::json;
use redsim_sim::scenario::toml;
use std::path::Path;

/// Reads `data` as a `redsim-history/1` document.
///
/// Claims: no panic, whatever the text; a history that reads back writes out as text that
/// reads back to the same text (the writer and the reader agree, so `redsim check` can read
/// every history the simulator writes).
pub fn history_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(history) = json::from_str(text) else {
        return;
    };
    let written = json::to_string(&history);
    let again = match json::from_str(&written) {
        Ok(h) => h,
        Err(e) => panic!("the writer's output does not read back: {e:?}\n{written}"),
    };
    assert_eq!(json::to_string(&again), written, "writing is not stable");
}

/// Reads `data` as a scenario file whose script paths resolve under a directory that does
/// not exist (so no input reads the machine's files).
///
/// Claims: no panic, whatever the text.
pub fn scenario_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = toml::parse(text, Path::new("/nonexistent/redsim-fuzz"));
}
