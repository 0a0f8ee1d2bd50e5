//! Every input under `fuzz/regressions/<target>/` and `fuzz/corpus/<target>/` for the
//! simulator's readers, replayed through the function the libFuzzer target calls
//! (`fuzz/harness/sim.rs`), so a fixed crash stays fixed in a plain `cargo test`.

#[path = "../../fuzz/harness/sim.rs"]
mod harness;

#[path = "../../fuzz/harness/replay.rs"]
mod replay_inputs;

/// Replays `fuzz/<kind>/<target>/` through `body`; the number of inputs replayed.
fn replay(kind: &str, target: &str, body: fn(&[u8])) -> usize {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    replay_inputs::replay_from(&fuzz, kind, target, body)
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
