//! Coverage-guided swarm testing: a sweep that prefers the swarm choices whose runs
//! reached new coverage ([`crate::coverage`]).
//!
//! Every seed of the range is run once, as its own scheduler seed. Half of the runs
//! (drawn from a stream seeded by the range's start) draw a fresh swarm choice from the
//! seed, as `redsim sweep --swarm` does; the other half take the choice of a run that
//! reached something new (a parent) and mutate it: one fault kind, or the client kinds,
//! re-drawn from the current seed. A run that reaches new features becomes a parent
//! itself. The choice is written down as [`Choice`] (`7/4:12` — seed 7's draw with kind
//! 4 from seed 12's), so `redsim run --seed N --swarm --swarm-choice 7/4:12` replays it.

use super::{clients, faults_for, steps_hint, SwarmTally, KINDS};
use crate::coverage::Reached;
use crate::fault::Faults;
use crate::report::summary::Tally;
use crate::scenario::Scenario;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt;

/// The index that names the client kinds in a [`Choice`]'s mutations (the fault kinds
/// are `0..KINDS.len()`).
pub const CLIENTS: usize = KINDS.len();

/// Mutations a choice keeps at most (the oldest goes first).
const CROSSES_MAX: usize = 4;

/// A swarm choice: seed `draw`'s faults and clients, with each of `crosses` — (kind,
/// seed) — re-drawing that kind (a fault kind's index in [`KINDS`], or [`CLIENTS`]) as
/// that seed draws it, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The seed whose draw the choice starts from.
    pub draw: u64,
    /// The mutations.
    pub crosses: Vec<(usize, u64)>,
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.draw)?;
        for (kind, seed) in &self.crosses {
            write!(f, "/{kind}:{seed}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Choice {
    type Err = String;

    /// `D`, or `D/K:S/K:S…` as [`Display`](fmt::Display) writes it.
    fn from_str(text: &str) -> Result<Choice, String> {
        let bad = || format!("bad swarm choice '{text}' (expected D or D/K:S/…)");
        let mut parts = text.split('/');
        let draw = parts.next().unwrap_or("").parse().map_err(|_| bad())?;
        let mut crosses = Vec::new();
        for part in parts {
            let (kind, seed) = part.split_once(':').ok_or_else(bad)?;
            let kind: usize = kind.parse().map_err(|_| bad())?;
            if kind > CLIENTS {
                return Err(bad());
            }
            crosses.push((kind, seed.parse().map_err(|_| bad())?));
        }
        Ok(Choice { draw, crosses })
    }
}

/// Copies fault kind `kind`'s knobs (see [`KINDS`]) from `from` into `into`.
fn take_kind(into: &mut Faults, from: &Faults, kind: usize) {
    match KINDS[kind] {
        "crash" => into.crash_rate = from.crash_rate,
        "delay" => into.delay_max_us = from.delay_max_us,
        "think" => into.think_max_us = from.think_max_us,
        "script-flush" => into.script_flush_rate = from.script_flush_rate,
        "timeout-retry" => {
            into.timeout_us = from.timeout_us;
            into.retries_max = from.retries_max;
        }
        "disconnect" => into.disconnect_rate = from.disconnect_rate,
        "restart" => {
            into.restarts.clone_from(&from.restarts);
            into.persistence = from.persistence.clone();
        }
        "slow" => {
            into.slow_rate = from.slow_rate;
            into.slow_us = from.slow_us;
        }
        _ => into.clock_jumps.clone_from(&from.clock_jumps),
    }
}

/// The run `choice` makes of `scenario`.
pub fn scenario_for_choice(scenario: &Scenario, choice: &Choice) -> Scenario {
    let mut drawn = super::scenario_for(scenario, choice.draw);
    let hint = steps_hint(scenario);
    for &(kind, seed) in &choice.crosses {
        if kind == CLIENTS {
            drawn.groups = clients::clients_for(&scenario.groups, seed);
        } else {
            let other = faults_for(&scenario.options.faults, seed, hint);
            take_kind(&mut drawn.options.faults, &other, kind);
        }
    }
    drawn
}

/// What a guided sweep did.
#[derive(Clone, Debug, Default)]
pub struct Guided {
    /// Runs and failures, by combination.
    pub tally: SwarmTally,
    /// The features reached, and their growth run by run.
    pub reached: Reached,
    /// Each failing run: its seed and its choice.
    pub failing: Vec<(u64, Choice)>,
    /// Runs that reached something new (the parents).
    pub parents: usize,
}

/// Runs `seeds` of `scenario` guided by coverage (see the module documentation).
pub fn run_guided(
    scenario: &Scenario,
    mode: &str,
    seeds: std::ops::Range<u64>,
    mut each: impl FnMut(u64),
) -> Guided {
    let quiet = scenario.clone().trace(false);
    let mut rng = ChaCha8Rng::seed_from_u64(seeds.start);
    rng.set_stream(9);
    let mut out = Guided {
        tally: SwarmTally {
            tally: Tally::new(mode),
            ..SwarmTally::default()
        },
        ..Guided::default()
    };
    let mut parents: Vec<Choice> = Vec::new();
    let mut runner = super::Runner::new(&quiet);
    for seed in seeds {
        let choice = if parents.is_empty() || rng.random_bool(0.5) {
            Choice {
                draw: seed,
                crosses: Vec::new(),
            }
        } else {
            let mut child = parents[rng.random_range(0..parents.len())].clone();
            if child.crosses.len() == CROSSES_MAX {
                child.crosses.remove(0);
            }
            child.crosses.push((rng.random_range(0..=CLIENTS), seed));
            child
        };
        let drawn = scenario_for_choice(&quiet, &choice);
        let (verdict, world) = runner.run(&drawn, seed, &mut out.tally);
        if verdict.is_anomalous() {
            out.failing.push((seed, choice.clone()));
        }
        if out.reached.add(world.coverage.features()) > 0 {
            parents.push(choice);
        }
        each(seed);
    }
    out.parents = parents.len();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_reads_back_as_it_is_written() {
        let c = Choice {
            draw: 7,
            crosses: vec![(4, 12), (CLIENTS, 30)],
        };
        assert_eq!(c.to_string(), format!("7/4:12/{CLIENTS}:30"));
        assert_eq!(c.to_string().parse::<Choice>(), Ok(c));
        assert_eq!("7".parse::<Choice>().unwrap().crosses, vec![]);
        assert!("7/99:1".parse::<Choice>().is_err());
        assert!("x".parse::<Choice>().is_err());
    }

    #[test]
    fn a_cross_takes_one_kind_from_the_other_seed_and_keeps_the_rest() {
        let base = Faults::default();
        let (a, b) = (faults_for(&base, 1, 10), faults_for(&base, 2, 10));
        for (kind, name) in KINDS.iter().enumerate() {
            let mut mixed = a.clone();
            take_kind(&mut mixed, &b, kind);
            let mut back = mixed.clone();
            take_kind(&mut back, &a, kind);
            assert_eq!(back, a, "kind {kind} copies only its own knobs");
            let names: Vec<String> = [&mixed, &b]
                .iter()
                .map(|f| super::super::combination(f))
                .collect();
            let on = |drawn: &str| drawn.split('+').any(|k| k == *name);
            assert_eq!(on(&names[0]), on(&names[1]), "kind {name}");
        }
    }
}
