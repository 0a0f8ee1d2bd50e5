//! Every seed starts from nothing: a world reused for seed A then seed B gives for B the
//! trace and history that B alone gives, and a sweep's per-seed results do not depend on
//! the order in which seeds run. What used to leak between seeds: globals a client-side
//! script assigned, math.random's generator, the script cache, and the scripts' own
//! session (whose stale id could alias a client's session in the next run's store).

use redsim_sim::client::commands::CommandsMode;
use redsim_sim::report::analysis::Judge;
use redsim_sim::report::summary::run_seeds_with;
use redsim_sim::scenario::{Program, Scenario, Script};

/// A client-side script that keeps a global between its operations (legal outside EVAL).
const REMEMBERS: &str = "seen = (seen or 0) + 1
redis.call('SET', KEYS[1], seen)
return seen";

fn scenario() -> Scenario {
    let sha = redsim::script::sha1_hex(b"return redis.call('INCR', 'loaded')");
    Scenario::new("leaks")
        .clients(1, 2, Script::source(REMEMBERS).keys(["remembered"]).raw())
        .clients(
            1,
            3,
            Program::commands(
                &[
                    &["SELECT", "1"],
                    &[
                        "EVAL",
                        "return redis.call('SET', 'r', math.random(1000000))",
                        "0",
                    ],
                    &["EVAL", "return redis.call('INCR', 'n')", "0"],
                ],
                CommandsMode::Each,
            ),
        )
        .clients(
            1,
            3,
            Program::commands(
                &[
                    &["EVAL", "return redis.call('INCR', 'n')", "0"],
                    &["SCRIPT", "LOAD", "return redis.call('INCR', 'loaded')"],
                    &["EVALSHA", &sha, "0"],
                ],
                CommandsMode::Each,
            ),
        )
}

/// What a run leaves: its trace and its history, rendered.
fn run(world: &mut redsim_sim::world::World, seed: u64) -> String {
    world.run_seed(seed);
    format!(
        "{}\n{}",
        world.trace.render(),
        redsim_sim::trace::render_history(&world.history)
    )
}

#[test]
fn a_reused_world_runs_each_seed_as_a_fresh_one() {
    let scenario = scenario();
    for (a, b) in [(1, 2), (5, 3), (8, 8), (0, 11)] {
        let mut reused = scenario.world(a);
        run(&mut reused, a);
        let after_a = run(&mut reused, b);
        let alone = run(&mut scenario.world(b), b);
        assert_eq!(after_a, alone, "seed {b} after seed {a}");
    }
}

#[test]
fn one_world_gives_the_same_per_seed_results_in_any_seed_order() {
    let scenario = scenario();
    let mut forward_world = scenario.world(0);
    let forward: Vec<String> = (0..20).map(|s| run(&mut forward_world, s)).collect();
    let mut backward_world = scenario.world(0);
    let mut backward: Vec<String> = (0..20).rev().map(|s| run(&mut backward_world, s)).collect();
    backward.reverse();
    for seed in 0..20 {
        assert_eq!(forward[seed], backward[seed], "seed {seed}");
    }
}

#[test]
fn a_sweep_gives_the_same_tally_in_any_order() {
    let scenario = scenario();
    let judge = Judge::new(&scenario);
    let forward = run_seeds_with(&scenario, &judge, "raw", 0..40, |_| {});
    let backward = run_seeds_with(&scenario, &judge, "raw", (0..40).rev(), |_| {});
    let mut split = run_seeds_with(&scenario, &judge, "raw", (0..40).step_by(2), |_| {});
    split.merge(&run_seeds_with(
        &scenario,
        &judge,
        "raw",
        (1..40).step_by(2),
        |_| {},
    ));
    for other in [&backward, &split] {
        let mut failing = other.failing.clone();
        failing.sort_unstable();
        assert_eq!(failing, forward.failing);
        assert_eq!(other.anomalous_runs, forward.anomalous_runs);
        assert_eq!(other.not_linearizable, forward.not_linearizable);
        assert_eq!(other.with_errors, forward.with_errors);
    }
}
