//! The checker's memory budget on histories whose states are large (a sorted set that
//! grows with every op): it counts the states the search keeps, ends a hot key's search in
//! an honest `unknown` instead of exhausting the machine, and gives back what a decided
//! part held, so that a history of many small parts is judged within a budget that all of
//! them together would pass.

use redsim_sim::check::{check_with, gen, models::EngineModel, Options, Verdict};

fn options(max_memo_bytes: u64) -> Options {
    Options {
        max_memo_bytes,
        counterexample: false,
        ..Options::default()
    }
}

#[test]
fn a_hot_key_whose_states_outgrow_the_memory_budget_ends_in_unknown() {
    // One counter and one log, 20 clients, 400 ops of the seed's workload.
    let history = gen::execute_on_engine(&gen::seed_script_plan(3, 400, 20, 1, 0.0));
    let decided = check_with(&history, &mut EngineModel::new(), &options(1 << 30)).unwrap();
    assert_eq!(decided.verdict, Verdict::Linearizable);

    let outcome = check_with(&history, &mut EngineModel::new(), &options(256 << 10)).unwrap();
    assert_eq!(outcome.verdict, Verdict::Unknown);
    let reason = outcome.reason.unwrap_or_default();
    assert!(reason.contains("memory budget"), "{reason}");
}

#[test]
fn a_decided_part_gives_its_memory_back_to_the_budget() {
    // 100 (counter, log) pairs, ~20 ops each: every part alone fits in the budget, all of
    // them together would not.
    let history = gen::execute_on_engine(&gen::seed_script_plan(5, 2_000, 20, 100, 0.0));
    let outcome = check_with(&history, &mut EngineModel::new(), &options(256 << 10)).unwrap();
    assert_eq!(outcome.parts, 100);
    assert_eq!(
        outcome.verdict,
        Verdict::Linearizable,
        "{:?}",
        outcome.reason
    );
}
