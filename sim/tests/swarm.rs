//! Swarm testing finds each fault scenario's failure without the scenario's hand-made
//! fault list: the scenarios' clients, with the faults `redsim_sim::swarm` draws per seed
//! (and, for the full swarm, the client kinds and counts it draws too). Prints, per
//! scenario, the seeds to the first failure with the scenario's own faults, with swarm
//! faults, and with swarm faults and clients (the closing note's figures).
//!
//! `REDSIM_SWARM_SEEDS` sets how many seeds each search may use (default 400; the long
//! variant: 10000).

use redsim_sim::report::analysis::{Judge, Verdict};
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
use redsim_sim::swarm;
use redsim_sim::world::World;
use std::collections::BTreeMap;
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

/// How a search draws each seed's run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Search {
    /// The scenario as written.
    Fixed,
    /// The scenario's clients, swarm faults.
    Faults,
    /// Swarm faults and swarm clients (`redsim sweep --swarm`).
    Full,
}

/// Seed `seed`'s run of `s` under `search`.
fn drawn(s: &Scenario, search: Search, seed: u64) -> Scenario {
    match search {
        Search::Fixed => s.clone(),
        Search::Faults => {
            let mut d = s.clone();
            d.options.faults = swarm::faults_for(&s.options.faults, seed, swarm::steps_hint(s));
            d
        }
        Search::Full => swarm::scenario_for(s, seed),
    }
}

/// The first seed below `seeds_max()` whose run shows `found` (given the run drawn),
/// under `search`.
fn first_failure(
    s: &Scenario,
    search: Search,
    found: impl Fn(&Verdict, &Scenario) -> bool,
) -> Option<u64> {
    let mut worlds: BTreeMap<String, (World, Judge)> = BTreeMap::new();
    (0..seeds_max()).find(|&seed| {
        let d = drawn(s, search, seed);
        let clients = swarm::clients::client_combination(&s.groups, &d.groups);
        let (world, judge) = worlds.entry(clients).or_insert_with(|| {
            let judge = if search == Search::Fixed {
                Judge::new(&d)
            } else {
                Judge::for_swarm(&d)
            };
            (d.world(seed), judge)
        });
        world.options.faults = d.options.faults.clone();
        world.run_seed(seed);
        found(&judge.judge(world), &d)
    })
}

/// Seeds to the first failure per search, printed; (fixed, swarm faults, full swarm).
fn compare(
    name: &str,
    found: impl Fn(&Verdict, &Scenario) -> bool + Copy,
) -> (Option<u64>, Option<u64>, Option<u64>) {
    let s = scenario(name);
    let fixed = first_failure(&s, Search::Fixed, found);
    let faults = first_failure(&s, Search::Faults, found);
    let full = first_failure(&s, Search::Full, found);
    println!(
        "{name}: first failure at seed {fixed:?} with its fault list, {faults:?} with swarm \
         faults, {full:?} with swarm faults and clients"
    );
    (fixed, faults, full)
}

/// The replay rebuilds seed `seed`'s run from the seed alone: the same failure again.
fn replays(name: &str, seed: u64, found: impl Fn(&Verdict, &Scenario) -> bool) {
    let s = scenario(name);
    let d = swarm::scenario_for(&s, seed);
    assert_eq!(
        swarm::full_combination(&s, &d),
        swarm::full_combination(&s, &swarm::scenario_for(&s, seed))
    );
    let mut world = d.world(seed);
    world.run_seed(seed);
    assert!(found(&Judge::for_swarm(&d).judge(&mut world), &d));
}

#[test]
fn swarm_finds_the_double_increment_of_a_retried_eval() {
    let found = |v: &Verdict, _: &Scenario| v.duplicate_effect;
    let (fixed, faults, full) = compare("retry-double-increment", found);
    assert!(fixed.is_some());
    let seed = faults.expect("swarm faults find a duplicate effect");
    let s = scenario("retry-double-increment");
    let mut world = s.world(seed);
    world.options.faults = swarm::faults_for(&s.options.faults, seed, swarm::steps_hint(&s));
    assert!(swarm::combination(&world.options.faults).contains("timeout-retry"));
    world.run_seed(seed);
    assert!(Judge::for_swarm(&s).judge(&mut world).duplicate_effect);
    replays(
        "retry-double-increment",
        full.expect("full swarm too"),
        found,
    );
}

#[test]
fn swarm_finds_the_acknowledged_write_a_restart_loses() {
    let found = |v: &Verdict, _: &Scenario| v.lost_write;
    let (fixed, faults, full) = compare("lost-write-on-restart", found);
    assert!(fixed.is_some());
    assert!(faults.is_some(), "swarm finds a lost acknowledged write");
    replays(
        "lost-write-on-restart",
        full.expect("full swarm too"),
        found,
    );
}

#[test]
fn swarm_finds_the_partial_effects_of_a_crash_in_a_raw_script() {
    let found = |v: &Verdict, _: &Scenario| v.partial_effects;
    let (fixed, faults, full) = compare("crash-partial-effects", found);
    assert!(fixed.is_some());
    assert!(faults.is_some(), "swarm finds partial effects");
    replays(
        "crash-partial-effects",
        full.expect("full swarm too"),
        found,
    );
}

#[test]
fn swarm_finds_the_slow_script_run_twice_by_its_retry() {
    // The swarm's timeouts (a few µs) are all shorter than the 2 ms script.
    let found = |v: &Verdict, d: &Scenario| {
        v.duplicate_effect
            && d.options.faults.delay_max_us == 0
            && d.options.faults.slow_rate == 0.0
    };
    let (fixed, faults, full) = compare("slow-script-retry", found);
    assert_eq!(fixed, Some(0));
    assert!(faults.is_some(), "swarm faults find it");
    replays("slow-script-retry", full.expect("full swarm too"), found);
}

#[test]
fn swarm_finds_the_lock_a_clock_jump_breaks() {
    // Only the clock can break the lock here: no crash, restart or lost connection.
    let found = |v: &Verdict, d: &Scenario| {
        let f = &d.options.faults;
        v.not_linearizable == Some(true)
            && !f.clock_jumps.is_empty()
            && f.restarts.is_empty()
            && f.crash_rate == 0.0
            && f.disconnect_rate == 0.0
    };
    let (fixed, faults, full) = compare("lock-clock-jump", found);
    assert!(fixed.is_some());
    assert!(faults.is_some(), "swarm faults find it");
    replays("lock-clock-jump", full.expect("full swarm too"), found);
}

#[test]
fn swarm_finds_nothing_wrong_with_the_idempotency_token_but_a_restart() {
    // With retries and lost connections, the token script never doubles an effect; what
    // swarm finds against it is the lost write of a restart, which no script prevents.
    let s = scenario("retry-idempotency-token");
    for search in [Search::Faults, Search::Full] {
        assert_eq!(
            first_failure(&s, search, |v, _| v.duplicate_effect),
            None,
            "{search:?}"
        );
        assert!(first_failure(&s, search, |v, _| v.lost_write).is_some());
    }
}

#[test]
fn a_swarm_sweep_names_the_kinds_behind_its_failures() {
    let s = scenario("lock-clock-jump");
    let tally = swarm::run_seeds(&s, "raw", 0..120, |_| {});
    assert_eq!(tally.tally.runs, 120);
    let text = tally.render();
    assert!(text.contains("fault kinds | client kinds"), "{text}");
    let kinds = tally.by_kind();
    // Every run had the one client group; some failures had a clock jump.
    assert_eq!(kinds["g0:script-raw"].runs, 120);
    assert!(kinds["clock-jump"].failing > 0, "{text}");
    // The same seeds, the same tally.
    let again = swarm::run_seeds(&s, "raw", 0..120, |_| {});
    assert_eq!(again.render(), text);
}

#[test]
fn swarm_finds_the_pipeline_of_evalsha_that_a_restart_leaves_failing() {
    // NOSCRIPT needs the script cache gone: a restart or a SCRIPT FLUSH.
    let found = |v: &Verdict, d: &Scenario| {
        let f = &d.options.faults;
        v.errors > 0 && (!f.restarts.is_empty() || f.script_flush_rate > 0.0)
    };
    let (fixed, faults, full) = compare("noscript-after-restart-pipeline", found);
    assert!(fixed.is_some());
    assert!(faults.is_some(), "swarm faults find it");
    replays(
        "noscript-after-restart-pipeline",
        full.expect("full swarm too"),
        found,
    );
}

#[test]
fn swarm_finds_the_writes_a_restart_without_persistence_loses() {
    let found = |v: &Verdict, _: &Scenario| v.lost_write;
    let (fixed, faults, full) = compare("lost-write-on-restart-none", found);
    assert!(fixed.is_some());
    assert!(faults.is_some(), "swarm faults find it");
    replays(
        "lost-write-on-restart-none",
        full.expect("full swarm too"),
        found,
    );
}
