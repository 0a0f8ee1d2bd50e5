//! Exhaustive exploration of the counter race: every interleaving of 2 clients × 4
//! commands, then with partial-order reduction.

use redsim::Reply;
use redsim_sim::scenario::{as_int, Invariant, Scenario, Script};
use redsim_sim::scheduler::{Exhaustive, ExploreStats};
use std::collections::BTreeSet;

const COUNTER_AND_COUNT: &str = "redis.call('INCR', KEYS[1])
redis.call('INCR', KEYS[2])
local counter = redis.call('GET', KEYS[1])
local count = redis.call('GET', KEYS[2])
return {counter, count}
";

fn scenario(clients: u32) -> Scenario {
    Scenario::new("counter_and_count")
        .clients(
            clients,
            1,
            Script::source(COUNTER_AND_COUNT)
                .keys(["counter", "count"])
                .args(["{ts}"])
                .raw(),
        )
        .invariant(Invariant::ResultFieldsEqual(0, 1))
        .trace(false)
}

type Outcome = Vec<(i64, i64)>;

/// Explores and returns the stats, the distinct outcomes and how many runs broke the
/// invariant.
fn explore(scenario: &Scenario, reduce: bool) -> (ExploreStats, BTreeSet<Outcome>, u64) {
    let mut world = scenario.world(0);
    let mut scheduler = Exhaustive::new(reduce);
    let mut outcomes = BTreeSet::new();
    let mut broken = 0;
    world.explore(&mut scheduler, |world, report| {
        if report.abandoned {
            return;
        }
        let outcome: Outcome = world
            .history
            .ops
            .iter()
            .map(|op| match &op.result {
                Some(Reply::Array(items)) => {
                    (as_int(&items[0]).unwrap(), as_int(&items[1]).unwrap())
                }
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        outcomes.insert(outcome);
        if scenario.check(world).is_err() {
            broken += 1;
        }
    });
    (scheduler.stats, outcomes, broken)
}

#[test]
fn two_clients_of_four_commands_have_seventy_interleavings() {
    let (stats, outcomes, broken) = explore(&scenario(2), false);
    assert_eq!(stats.runs, 70); // C(8, 4)
    assert_eq!(stats.pruned, 0);
    // Atomic orders give {(1,1),(2,2)} in either order; the race gives more.
    assert!(outcomes.len() > 2, "{outcomes:?}");
    assert!(outcomes.contains(&vec![(1, 1), (2, 2)]) && outcomes.contains(&vec![(2, 2), (1, 1)]));
    assert!(broken > 0);
}

#[test]
fn reduction_explores_fewer_runs_and_misses_no_outcome() {
    let (naive, naive_outcomes, _) = explore(&scenario(2), false);
    let (reduced, reduced_outcomes, broken) = explore(&scenario(2), true);
    assert!(reduced.runs < naive.runs, "{reduced:?}");
    assert_eq!(reduced_outcomes, naive_outcomes);
    assert!(broken > 0);
}

#[test]
fn three_clients_of_four_commands_have_34650_interleavings_and_reduce() {
    if std::env::var("REDSIM_HEAVY").is_err() {
        // 34,650 runs take a few seconds in a debug build: run the reduced exploration
        // always and compare it with the naive one only on request.
        let (reduced, _, broken) = explore(&scenario(3), true);
        assert!(reduced.runs < 34_650 && broken > 0, "{reduced:?}");
        return;
    }
    let (naive, naive_outcomes, _) = explore(&scenario(3), false);
    assert_eq!(naive.runs, 34_650); // 12! / (4!)^3
    let (reduced, reduced_outcomes, _) = explore(&scenario(3), true);
    assert_eq!(reduced_outcomes, naive_outcomes);
    eprintln!("3x4: naive {naive:?}, reduced {reduced:?}");
}
