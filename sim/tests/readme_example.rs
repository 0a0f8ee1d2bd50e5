use redsim::Reply;
use redsim_sim::options::Strategy;
use redsim_sim::scenario::{Invariant, Program, ScriptRun};
use redsim_sim::testing::SimTest;

// The seed's script: INCR a counter, ZADD a timestamp, return {GET counter, ZCARD set}.
// (Paths are relative to the crate's folder, where `cargo test` runs.)
const SCRIPT: &str = "../corpus/lua/counter_and_log.lua";

/// Sent as EVAL the script is atomic: in every interleaving of three clients each one
/// reads counter == ZCARD, and the counter ends at 3.
#[test]
fn counter_and_log_is_atomic_as_eval() {
    SimTest::new("counter_and_log_is_atomic_as_eval")
        .lua_file(
            3,
            1,
            SCRIPT,
            &["counter", "ts_set"],
            &["{ts}"],
            ScriptRun::Eval,
        )
        .invariant(Invariant::ResultFieldsEqual(0, 1))
        .strategy(Strategy::Exhaustive { reduce: true })
        .seeds(1)
        .check_keyspace("every script counted once", |ks| match ks.int("counter") {
            Some(3) => Ok(()),
            other => Err(format!("counter = {other:?}")),
        })
        .run(); // panics with the failing run's table if any interleaving breaks a check
}

/// Sent command by command (as a client library would) it races. `run()` would panic
/// with the report below; `find_failure()` returns it instead.
#[test]
fn counter_and_log_races_when_sent_command_by_command() {
    let failure = SimTest::new("counter_and_log_races")
        .lua_file(
            3,
            1,
            SCRIPT,
            &["counter", "ts_set"],
            &["{ts}"],
            ScriptRun::Raw,
        )
        .invariant(Invariant::ResultFieldsEqual(0, 1))
        .seeds(100)
        .find_failure()
        .expect("some seed interleaves the clients");
    let shrunk = failure.shrunk.as_ref().expect("the failing run is shrunk");
    assert_eq!(shrunk.after.clients, 2);
    assert!(shrunk.after.commands_per_client_max <= 4);
    assert!(failure.report.contains("shrunk from 3 clients"));
    assert!(failure.report.contains("REDSIM_SEED="));
}

/// Clients can be Rust closures, and checks can look at every result.
#[test]
fn increments_from_rust_closures_all_land() {
    SimTest::new("increments_from_rust_closures_all_land")
        .clients(
            2,
            1,
            Program::rust(|conn| {
                conn.call(&["INCR", "hits"]);
                conn.call(&["INCR", "hits"]);
            }),
        )
        .judge(false) // closures make several calls: only the checks below decide
        .seeds(20)
        .check_results("INCR replies 1..=4", |history| {
            for op in &history.ops {
                match &op.result {
                    Some(Reply::Integer(n)) if (1..=4).contains(n) => {}
                    other => return Err(format!("{other:?}")),
                }
            }
            Ok(())
        })
        .check_keyspace("four increments", |ks| match ks.int("hits") {
            Some(4) => Ok(()),
            other => Err(format!("hits = {other:?}")),
        })
        .run();
}

// ---- not in the README ----

/// The README's example is this file's text above the marker, verbatim, so that the
/// README shows code that compiles and passes.
#[test]
fn the_readme_shows_this_example_verbatim() {
    let source = include_str!("readme_example.rs");
    let example = source
        .split("// ---- not in the README ----")
        .next()
        .expect("the marker")
        .trim_end();
    let readme = include_str!("../../README.md");
    let block = format!("```rust\n{example}\n```");
    assert!(
        readme.contains(&block),
        "README.md's \"Use redsim in your tests\" block differs from sim/tests/readme_example.rs"
    );
}
