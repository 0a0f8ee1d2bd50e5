//! Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): instead of every run
//! suffering every fault kind at fixed rates, each seed enables a random subset of the
//! kinds, each with a random rate — and a random subset of the scenario's client kinds,
//! each with a random number of clients and operations ([`clients`]). A run with few
//! kinds on lets each one go deep (a timeout that is not drowned by crashes), and no
//! hand-made fault list is needed.
//!
//! The subsets and rates are drawn from the seed alone (their own random streams), so
//! `redsim run SCENARIO --seed N --swarm` rebuilds the run that `redsim sweep --swarm`
//! made for seed N ([`scenario_for`]). The scenario's planned admin commands are kept
//! (they set a run up: a deploy's SCRIPT LOAD); every other fault knob is the swarm's.

pub mod clients;
pub mod guided;

use crate::fault::{ClockJump, Faults, Fsync, Persistence, RestartAt};
use crate::report::analysis::{Judge, Verdict};
use crate::report::summary::Tally;
use crate::scenario::Scenario;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// The fault kinds a swarm draws from, by the name reports print.
pub const KINDS: [&str; 9] = [
    "crash",
    "delay",
    "think",
    "script-flush",
    "timeout-retry",
    "disconnect",
    "restart",
    "slow",
    "clock-jump",
];

/// The faults of seed `seed`'s run: the scenario's `base` admin commands plus a random
/// subset of [`KINDS`] with random rates. `steps_hint` bounds the step of a restart (about
/// how many steps a run takes).
pub fn faults_for(base: &Faults, seed: u64, steps_hint: u64) -> Faults {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Apart from the scheduler's, the engine's and the clients' streams.
    rng.set_stream(7);
    let mut pick = |options: &[u64]| options[rng.random_range(0..options.len())];
    let mut faults = Faults {
        admin: base.admin.clone(),
        // The servers of the world are the scenario's, not a fault to draw.
        replication: base.replication.clone(),
        ..Faults::default()
    };
    // Each kind on with probability one half, then its parameters.
    let on: Vec<bool> = (0..KINDS.len()).map(|_| pick(&[0, 1]) == 1).collect();
    if on[0] {
        faults.crash_rate = pick(&[2, 5, 10, 20]) as f64 / 100.0;
    }
    if on[1] {
        faults.delay_max_us = pick(&[2, 5, 10, 50]);
    }
    if on[2] {
        faults.think_max_us = pick(&[5, 100, 300_000, 800_000]);
    }
    if on[3] {
        faults.script_flush_rate = pick(&[5, 20]) as f64 / 100.0;
    }
    if on[4] {
        faults.timeout_us = pick(&[2, 3, 5, 10]);
        faults.retries_max = pick(&[1, 2]) as u32;
    }
    if on[5] {
        faults.disconnect_rate = pick(&[2, 5, 15]) as f64 / 100.0;
    }
    if on[6] {
        let hint = steps_hint.max(2);
        let step = pick(&(1..hint).collect::<Vec<_>>());
        faults.restarts = vec![RestartAt {
            step,
            power_loss: pick(&[0, 1]) == 1,
        }];
        faults.persistence = match pick(&[0, 1, 2, 3]) {
            0 => Persistence::None,
            1 => Persistence::Rdb {
                save_steps: vec![pick(&(0..step).collect::<Vec<_>>())],
            },
            2 => Persistence::Aof(Fsync::Always),
            _ => Persistence::Aof(Fsync::EverySec),
        };
    }
    // The kinds added later are drawn after the first seven's parameters, so a seed
    // draws the same first seven as before they came.
    let later: Vec<bool> = (0..2).map(|_| pick(&[0, 1]) == 1).collect();
    if later[0] {
        faults.slow_rate = pick(&[5, 20, 50]) as f64 / 100.0;
        faults.slow_us = pick(&[500, 2_000, 10_000]);
    }
    if later[1] {
        let hint = steps_hint.max(2);
        faults.clock_jumps = vec![ClockJump {
            step: pick(&(1..hint).collect::<Vec<_>>()),
            // Back a minute, a second; forward a second, 30 s, an hour (as i64 through
            // the u64 pick: the negative ones wrap back).
            by_ms: pick(&[
                (-60_000i64) as u64,
                (-1_000i64) as u64,
                1_000,
                30_000,
                3_600_000,
            ]) as i64,
        }];
    }
    faults
}

/// The names of the kinds `faults` enables, joined by `+` (`none` for none): the
/// combination a report names.
pub fn combination(faults: &Faults) -> String {
    let on = [
        faults.crash_rate > 0.0 || !faults.crashes.is_empty(),
        faults.delay_max_us > 0,
        faults.think_max_us > 0,
        faults.script_flush_rate > 0.0,
        faults.timeout_us > 0,
        faults.disconnect_rate > 0.0,
        !faults.restarts.is_empty(),
        faults.slow_rate > 0.0,
        !faults.clock_jumps.is_empty(),
    ];
    let names: Vec<&str> = KINDS
        .iter()
        .zip(on)
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join("+")
    }
}

/// About how many steps a run of `scenario` takes with no fault: its operations times a
/// few commands each (a restart is drawn below it).
pub fn steps_hint(scenario: &Scenario) -> u64 {
    let ops: u64 = scenario
        .groups
        .iter()
        .map(|g| g.count as u64 * g.ops as u64)
        .sum();
    ops * 2
}

/// Runs and failures of one combination of fault kinds.
#[derive(Clone, Debug, Default)]
pub struct Combination {
    /// Seeds that drew it.
    pub runs: u64,
    /// Of those, the failing ones.
    pub failing: u64,
    /// The lowest failing seed.
    pub first_failing: Option<u64>,
}

/// A swarm sweep's counts: all runs, and per combination.
#[derive(Clone, Debug, Default)]
pub struct SwarmTally {
    /// Over all runs.
    pub tally: Tally,
    /// By combination of fault kinds ([`combination`]).
    pub by_combination: BTreeMap<String, Combination>,
}

impl SwarmTally {
    /// Adds another sweep's counts.
    pub fn merge(&mut self, other: &SwarmTally) {
        self.tally.merge(&other.tally);
        for (name, c) in &other.by_combination {
            let mine = self.by_combination.entry(name.clone()).or_default();
            mine.runs += c.runs;
            mine.failing += c.failing;
            mine.first_failing = match (mine.first_failing, c.first_failing) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// Per single kind (a fault kind, or a client group `gN:kind`): the runs that had it
    /// on and how many of them failed — which kinds a failure needs, summed over the
    /// combinations.
    pub fn by_kind(&self) -> BTreeMap<String, Combination> {
        let mut kinds: BTreeMap<String, Combination> = BTreeMap::new();
        for (name, c) in &self.by_combination {
            let (faults, clients) = name.split_once(" | ").unwrap_or((name, ""));
            let clients = clients.split('+').map(|g| g.split('×').next().unwrap_or(g));
            for kind in faults.split('+').chain(clients) {
                if kind.is_empty() || kind == "none" {
                    continue;
                }
                let mine = kinds.entry(kind.to_string()).or_default();
                mine.runs += c.runs;
                mine.failing += c.failing;
                mine.first_failing = match (mine.first_failing, c.first_failing) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        kinds
    }

    /// One line per combination that failed, most failures first; then one per kind,
    /// with the share of failing runs when it was on and when it was off.
    pub fn render(&self) -> String {
        let mut rows: Vec<(&String, &Combination)> = self
            .by_combination
            .iter()
            .filter(|(_, c)| c.failing > 0)
            .collect();
        rows.sort_by_key(|(name, c)| (std::cmp::Reverse(c.failing), name.as_str()));
        let mut out = format!(
            "swarm: {} combinations of fault and client kinds ran, {} found a failure\n",
            self.by_combination.len(),
            rows.len()
        );
        if !rows.is_empty() {
            out += &format!(
                "{:<90} {:>6} {:>8} {:>12}\n",
                "fault kinds | client kinds", "runs", "failing", "first seed"
            );
        }
        for (name, c) in rows {
            out += &format!(
                "{:<90} {:>6} {:>8} {:>12}\n",
                name,
                c.runs,
                c.failing,
                c.first_failing.map_or("-".into(), |s| s.to_string())
            );
        }
        let total: u64 = self.by_combination.values().map(|c| c.runs).sum();
        let failing: u64 = self.by_combination.values().map(|c| c.failing).sum();
        if failing > 0 {
            out += &format!(
                "{:<30} {:>8} {:>10} {:>10} {:>12}\n",
                "kind", "runs on", "failing on", "failing off", "first seed"
            );
            let share = |f: u64, r: u64| {
                if r == 0 {
                    "-".to_string()
                } else {
                    format!("{:.0}%", 100.0 * f as f64 / r as f64)
                }
            };
            for (kind, c) in self.by_kind() {
                out += &format!(
                    "{:<30} {:>8} {:>10} {:>10} {:>12}\n",
                    kind,
                    c.runs,
                    share(c.failing, c.runs),
                    share(failing - c.failing, total - c.runs),
                    c.first_failing.map_or("-".into(), |s| s.to_string())
                );
            }
        }
        out
    }
}

/// Seed `seed`'s run of `scenario` under swarm testing: its client groups drawn by
/// [`clients::clients_for`], its faults by [`faults_for`] (the restart and clock-jump
/// steps bounded by the scenario's own [`steps_hint`]).
pub fn scenario_for(scenario: &Scenario, seed: u64) -> Scenario {
    let mut drawn = scenario.clone();
    drawn.groups = clients::clients_for(&scenario.groups, seed);
    drawn.options.faults = faults_for(&scenario.options.faults, seed, steps_hint(scenario));
    drawn
}

/// The combination of fault kinds and client kinds of `drawn` (a [`scenario_for`] of
/// `scenario`), as reports name it: `timeout-retry+slow | g0:script-eval×2/2ops`.
pub fn full_combination(scenario: &Scenario, drawn: &Scenario) -> String {
    format!(
        "{} | {}",
        combination(&drawn.options.faults),
        clients::client_combination(&scenario.groups, &drawn.groups)
    )
}

/// Runs the swarm's draws of one scenario, reusing a world and a judge per combination
/// of client kinds (the seeds that draw the same clients share them).
pub(crate) struct Runner<'a> {
    base: &'a Scenario,
    worlds: BTreeMap<String, (crate::world::World, Judge)>,
}

impl<'a> Runner<'a> {
    /// A runner for draws of `base` (a scenario with tracing off).
    pub(crate) fn new(base: &'a Scenario) -> Runner<'a> {
        Runner {
            base,
            worlds: BTreeMap::new(),
        }
    }

    /// Runs `drawn` (a draw of the base scenario) with seed `seed`, counts it in `tally`
    /// under its combination; its verdict and the world it ran in.
    pub(crate) fn run(
        &mut self,
        drawn: &Scenario,
        seed: u64,
        tally: &mut SwarmTally,
    ) -> (Verdict, &crate::world::World) {
        let clients = clients::client_combination(&self.base.groups, &drawn.groups);
        let name = full_combination(self.base, drawn);
        let (world, judge) = self
            .worlds
            .entry(clients)
            .or_insert_with(|| (drawn.world(seed), Judge::for_swarm(drawn)));
        world.options.faults = drawn.options.faults.clone();
        let report = world.run_seed(seed);
        let verdict = judge.judge(world);
        tally.tally.add(seed, &verdict, report.hit_steps_max);
        let c = tally.by_combination.entry(name).or_default();
        c.runs += 1;
        if verdict.is_anomalous() {
            c.failing += 1;
            c.first_failing = Some(c.first_failing.map_or(seed, |s| s.min(seed)));
        }
        (verdict, world)
    }
}

/// Runs `seeds` of `scenario`, each with its swarm faults and clients; `each` is called
/// after each run with the seed, the run's verdict and its world.
pub fn run_seeds_with(
    scenario: &Scenario,
    mode: &str,
    seeds: impl IntoIterator<Item = u64>,
    mut each: impl FnMut(u64, &Verdict, &crate::world::World),
) -> SwarmTally {
    let quiet = scenario.clone().trace(false);
    let mut out = SwarmTally {
        tally: Tally::new(mode),
        ..SwarmTally::default()
    };
    let mut runner = Runner::new(&quiet);
    for seed in seeds {
        let drawn = scenario_for(&quiet, seed);
        let (verdict, world) = runner.run(&drawn, seed, &mut out);
        each(seed, &verdict, world);
    }
    out
}

/// Runs `seeds` of `scenario`, each with its swarm faults and clients.
pub fn run_seeds(
    scenario: &Scenario,
    mode: &str,
    seeds: impl IntoIterator<Item = u64>,
    mut each: impl FnMut(u64),
) -> SwarmTally {
    run_seeds_with(scenario, mode, seeds, |seed, _, _| each(seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_always_draws_the_same_faults_and_seeds_differ() {
        let base = Faults::default();
        assert_eq!(faults_for(&base, 7, 10), faults_for(&base, 7, 10));
        let combinations: std::collections::BTreeSet<String> = (0..200)
            .map(|s| combination(&faults_for(&base, s, 10)))
            .collect();
        // 2^7 subsets; 200 seeds reach most of them.
        assert!(combinations.len() > 60, "{}", combinations.len());
    }

    #[test]
    fn every_kind_is_drawn_on_and_off() {
        let drawn: Vec<String> = (0..100)
            .map(|s| combination(&faults_for(&Faults::default(), s, 10)))
            .collect();
        for kind in KINDS {
            assert!(drawn.iter().any(|c| c.split('+').any(|k| k == kind)));
            assert!(drawn.iter().any(|c| !c.split('+').any(|k| k == kind)));
        }
    }
}
