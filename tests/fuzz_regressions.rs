//! Every input under `fuzz/regressions/<target>/` (crashes the fuzzers found, kept after
//! their fix) and every input of the committed corpora `fuzz/corpus/<target>/`, replayed
//! through the same function the libFuzzer target calls (`fuzz/harness/engine.rs`), so a
//! fixed crash stays fixed in a plain `cargo test`. The simulator's targets are replayed
//! by `sim/tests/fuzz_regressions.rs`.

#[path = "../fuzz/harness/engine.rs"]
mod harness;

#[path = "../fuzz/harness/replay.rs"]
mod replay_inputs;

/// Replays `fuzz/<kind>/<target>/` through `body`; the number of inputs replayed.
fn replay(kind: &str, target: &str, body: fn(&[u8])) -> usize {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    replay_inputs::replay_from(&fuzz, kind, target, body)
}

#[test]
fn resp_parser_regressions_parse_without_panic() {
    replay("regressions", "resp_parser", harness::resp_parser);
}

#[test]
fn resp_parser_corpus_parses_without_panic() {
    assert!(replay("corpus", "resp_parser", harness::resp_parser) > 0);
}

#[test]
fn dispatch_regressions_run_without_panic_and_the_engine_still_serves() {
    replay("regressions", "dispatch", harness::dispatch);
}

#[test]
fn dispatch_corpus_runs_without_panic_and_the_engine_still_serves() {
    assert!(replay("corpus", "dispatch", harness::dispatch) > 0);
}

#[test]
fn lua_regressions_run_without_panic_and_the_engine_still_serves() {
    replay("regressions", "lua_scripts", harness::lua_scripts);
}

#[test]
fn lua_corpus_runs_without_panic_and_the_engine_still_serves() {
    assert!(replay("corpus", "lua_scripts", harness::lua_scripts) > 0);
}

/// The grammar builds valid Lua often enough to reach the reply conversion: a script
/// that fails to compile never gets there.
#[test]
fn lua_grammar_mostly_builds_scripts_that_compile() {
    let (mut compiled, mut total) = (0, 0);
    for seed in 0u32..200 {
        let data: Vec<u8> = (0..400u32)
            .map(|i| {
                (i.wrapping_mul(2_654_435_761)
                    .wrapping_add(seed.wrapping_mul(40_503))
                    >> 13) as u8
            })
            .collect();
        let (mut engine, _clock) = harness::fuzz_engine();
        let client = engine.connect();
        for source in harness::lua_sources(&data) {
            total += 1;
            let reply = engine.call(client, &["SCRIPT", "LOAD", &source]);
            if matches!(reply, redsim::Reply::Bulk(_)) {
                compiled += 1;
            }
        }
    }
    assert!(
        total > 200 && compiled * 10 >= total * 9,
        "{compiled} of {total} scripts compiled"
    );
}

/// Found by the lua_scripts target (`return {err=''}`, now
/// `fuzz/regressions/lua_scripts/empty_error_table_reply`): an `{err=…}` table's trailing
/// CR/LF are dropped and the others become spaces, as redis-server 7.0.15 answers
/// (its `addReplyErrorFormat("-%s")` trims the end only).
#[test]
fn error_tables_lose_trailing_newlines_like_redis() {
    let (mut engine, _clock) = harness::fuzz_engine();
    let client = engine.connect();
    let cases: [(&str, &[u8]); 5] = [
        ("return {err=''}", b"-\r\n"),
        ("return {err='\\n'}", b"-\r\n"),
        ("return {err='\\r\\nx\\r\\n'}", b"-  x\r\n"),
        ("return {err='ERR \\n'}", b"-ERR \r\n"),
        ("return {1, {err='a\\n'}}", b"*2\r\n:1\r\n-a\r\n"),
    ];
    for (source, expected) in cases {
        let argv = vec![b"EVAL".to_vec(), source.as_bytes().to_vec(), b"0".to_vec()];
        let got = engine.execute_encoded(client, &argv);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected),
            "{source}"
        );
    }
}
