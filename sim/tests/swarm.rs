//! Swarm testing finds each fault scenario's failure without the scenario's hand-made
//! fault list: the scenarios' clients, with the faults `redsim_sim::swarm` draws per seed.
//! Prints, per scenario, the seeds to the first failure with the scenario's own faults
//! and with the swarm's (the closing note's figures).
//!
//! `REDSIM_SWARM_SEEDS` sets how many seeds each search may use (default 400; the long
//! variant: 10000).

use redsim_sim::report::analysis::{Judge, Verdict};
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
use redsim_sim::swarm;
use std::path::Path;

fn seeds_max() -> u64 {
    std::env::var("REDSIM_SWARM_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

fn scenario(name: &str) -> Scenario {
    load(Path::new(&format!("../corpus/scenarios/{name}.toml")))
        .unwrap()
        .trace(false)
}

/// The first seed below `seeds_max()` whose run shows `found`, with the scenario's own
/// faults or (`swarm`) the swarm's.
fn first_failure(scenario: &Scenario, swarm: bool, found: fn(&Verdict) -> bool) -> Option<u64> {
    let judge = if swarm {
        Judge::for_swarm(scenario)
    } else {
        Judge::new(scenario)
    };
    let hint = swarm::steps_hint(scenario);
    let mut world = scenario.world(0);
    (0..seeds_max()).find(|&seed| {
        if swarm {
            world.options.faults = swarm::faults_for(&scenario.options.faults, seed, hint);
        }
        world.run_seed(seed);
        found(&judge.judge(&mut world))
    })
}

fn compare(name: &str, found: fn(&Verdict) -> bool) -> (Option<u64>, Option<u64>) {
    let s = scenario(name);
    let fixed = first_failure(&s, false, found);
    let drawn = first_failure(&s, true, found);
    println!("{name}: first failure at seed {fixed:?} with its fault list, {drawn:?} with swarm");
    (fixed, drawn)
}

#[test]
fn swarm_finds_the_double_increment_of_a_retried_eval() {
    let (fixed, drawn) = compare("retry-double-increment", |v| v.duplicate_effect);
    assert!(fixed.is_some());
    let seed = drawn.expect("swarm finds a duplicate effect");
    // The replay rebuilds the faults from the seed: the same failure again.
    let s = scenario("retry-double-increment");
    let mut world = s.world(seed);
    world.options.faults = swarm::faults_for(&s.options.faults, seed, swarm::steps_hint(&s));
    assert!(swarm::combination(&world.options.faults).contains("timeout-retry"));
    world.run_seed(seed);
    assert!(Judge::for_swarm(&s).judge(&mut world).duplicate_effect);
}

#[test]
fn swarm_finds_the_acknowledged_write_a_restart_loses() {
    let (fixed, drawn) = compare("lost-write-on-restart", |v| v.lost_write);
    assert!(fixed.is_some());
    assert!(drawn.is_some(), "swarm finds a lost acknowledged write");
}

#[test]
fn swarm_finds_the_partial_effects_of_a_crash_in_a_raw_script() {
    let (fixed, drawn) = compare("crash-partial-effects", |v| v.partial_effects);
    assert!(fixed.is_some());
    assert!(drawn.is_some(), "swarm finds partial effects");
}

#[test]
fn swarm_finds_nothing_wrong_with_the_idempotency_token_but_a_restart() {
    // With retries and lost connections, the token script never doubles an effect; what
    // swarm finds against it is the lost write of a restart, which no script prevents.
    let s = scenario("retry-idempotency-token");
    assert_eq!(first_failure(&s, true, |v| v.duplicate_effect), None);
    assert!(first_failure(&s, true, |v| v.lost_write).is_some());
}
