//! The demo's claim, in-process: raw runs of the seed's script show anomalies, EVAL runs
//! none — with the sorted set of the seed, and with a second counter in its place.

use redsim_sim::report::analysis::Judge;
use redsim_sim::report::mode::{self, Mode};
use redsim_sim::report::summary::{run_seeds, Tally};
use redsim_sim::scenario::toml::load;
use std::path::PathBuf;

fn tally(file: &str, m: Mode) -> Tally {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios")
        .join(file);
    let scenario = mode::apply(&load(&path).unwrap(), m).unwrap();
    let judge = Judge::new(&scenario);
    assert!(
        judge.decides_linearizability(),
        "one op per client, no faults: decided exactly"
    );
    run_seeds(&scenario, &judge, m.name(), 0..300)
}

#[test]
fn the_seed_script_races_raw_and_not_as_eval() {
    let raw = tally("counter-race.toml", Mode::Raw);
    assert!(raw.not_linearizable >= 1 && raw.mismatch >= 1, "{raw:?}");
    let eval = tally("counter-race.toml", Mode::Eval);
    assert_eq!(
        (
            eval.not_linearizable,
            eval.mismatch,
            eval.lost_update,
            eval.with_errors
        ),
        (0, 0, 0, 0),
        "{eval:?}"
    );
}

#[test]
fn the_same_race_with_a_second_counter_shows_raw() {
    let raw = tally("counter_and_count_raw.toml", Mode::Raw);
    assert!(raw.not_linearizable >= 1 && raw.mismatch >= 1, "{raw:?}");
    assert!(
        raw.not_linearizable < raw.runs,
        "some runs are serial by chance"
    );
    assert!(
        raw.mismatch <= raw.not_linearizable,
        "a mismatch is never linearizable"
    );
    let eval = tally("counter_and_count_raw.toml", Mode::Eval);
    assert_eq!(
        (eval.not_linearizable, eval.mismatch, eval.with_errors),
        (0, 0, 0),
        "{eval:?}"
    );
}
