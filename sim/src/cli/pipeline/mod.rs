//! `redsim run`, `race` and `demo` as one pipeline, VOPR-style: **seed → options → run →
//! check → shrink → report**. Each step below is a function that a command enters once;
//! a command only turns its flags into the steps' inputs (its [`Variant`]s, which seeds,
//! what the report says) and its outcome into an exit status.
//!
//! - [`options`]: the scenario of each variant (raw, EVAL, …) for a seed, with the faults
//!   swarm testing draws for it, and the judge of each;
//! - [`seed`]: the seed to show — given, or the first failing one of a range, found by
//!   running and checking every seed of it (the same run and check, counted);
//! - [`run_and_check`]: the shown seed run once per variant, captured with its verdict;
//! - [`shrink`]: the first variant's run, if it fails, made as small as it can be;
//! - [`report::report`]: everything shown — text, replay file, HTML, JSON — from that data.

pub mod report;

use redsim_sim::report::analysis::Judge;
use redsim_sim::report::capture::{capture, Capture};
use redsim_sim::report::summary::{self, Tally};
use redsim_sim::scenario::Scenario;
use redsim_sim::shrink::Shrunk;
use std::ops::Range;
use std::time::Duration;

/// One way of sending the scenario (raw, EVAL, as written): a label, the scenario in that
/// mode and its judge.
pub struct Variant {
    /// `raw`, `eval`, or the mode the scenario file is written in.
    pub label: String,
    /// The scenario in this mode.
    pub scenario: Scenario,
    /// Its judge (serial orders and invariants).
    pub judge: Judge,
}

/// How the variants' judges are built.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Judging {
    /// The scenario's own judge.
    Scenario,
    /// The judge of a swarm run (faults drawn per seed; `redsim sweep --swarm`).
    Swarm,
}

/// Step **options**: `scenarios` (label, scenario) as variants, each with its judge (a swarm
/// run's scenario comes already drawn: `swarm::scenario_for`).
pub fn options(scenarios: Vec<(String, Scenario)>, judging: Judging) -> Vec<Variant> {
    scenarios
        .into_iter()
        .map(|(label, scenario)| {
            let judge = match judging {
                Judging::Scenario => Judge::new(&scenario),
                Judging::Swarm => Judge::for_swarm(&scenario),
            };
            Variant {
                label,
                scenario,
                judge,
            }
        })
        .collect()
}

/// Which seeds a command looks at.
pub enum Seeds {
    /// This one.
    One(u64),
    /// Every seed of the range is run and checked in every variant and counted; the one
    /// shown is the first variant's first failing seed, else (`or_inconclusive`) its first
    /// undecided one, else the range's start.
    Range {
        /// The seeds.
        seeds: Range<u64>,
        /// Show the first inconclusive run when none failed.
        or_inconclusive: bool,
    },
}

/// What step **seed** found.
pub struct Chosen {
    /// The seed shown.
    pub seed: u64,
    /// The range counted (none for one seed).
    pub range: Option<Range<u64>>,
    /// One tally per variant over `range`.
    pub tallies: Vec<Tally>,
}

impl Chosen {
    /// The first variant's first failing seed of the range.
    pub fn failing(&self) -> Option<u64> {
        self.tallies
            .first()
            .and_then(|t| t.failing.first().copied())
    }
}

/// Step **seed**: the seed to show (see [`Seeds`]).
pub fn seed(variants: &[Variant], seeds: Seeds) -> Chosen {
    match seeds {
        Seeds::One(seed) => Chosen {
            seed,
            range: None,
            tallies: Vec::new(),
        },
        Seeds::Range {
            seeds,
            or_inconclusive,
        } => {
            let tallies: Vec<Tally> = variants
                .iter()
                .map(|v| summary::run_seeds(&v.scenario, &v.judge, &v.label, seeds.clone()))
                .collect();
            let first = tallies.first();
            let seed = first
                .and_then(|t| t.failing.first().copied())
                .or(first
                    .and_then(|t| t.first_inconclusive)
                    .filter(|_| or_inconclusive))
                .unwrap_or(seeds.start);
            Chosen {
                seed,
                range: Some(seeds),
                tallies,
            }
        }
    }
}

/// Steps **run** and **check**: `seed` run once in every variant, each run captured
/// command by command with the judge's verdict.
pub fn run_and_check(variants: &[Variant], seed: u64) -> Vec<Capture> {
    variants
        .iter()
        .map(|v| capture(&v.scenario, &v.judge, seed, &v.label))
        .collect()
}

/// A failing run made smaller.
pub struct Shrink {
    /// What was cut, the sizes, the shrunk scenario and schedule.
    pub shrunk: Shrunk,
    /// The shrunk run captured for the report.
    pub capture: Capture,
    /// How long shrinking took.
    pub took: Duration,
}

impl Shrink {
    /// The shrunk run is smaller than the run as found (else it is not worth showing).
    pub fn is_smaller(&self) -> bool {
        self.shrunk.after.smaller_than(&self.shrunk.before)
    }
}

/// Step **shrink**: the first variant's run `shown` shrunk when it is anomalous and
/// `allowed` (`None`: nothing to shrink; `Some(Err)`: the shrinker's reason it could not).
pub fn shrink(
    variants: &[Variant],
    shown: &[Capture],
    allowed: bool,
) -> Option<Result<Shrink, String>> {
    let (variant, run) = (variants.first()?, shown.first()?);
    if !allowed || !run.verdict.is_anomalous() {
        return None;
    }
    let started = std::time::Instant::now();
    Some(
        redsim_sim::shrink::shrink_run(&variant.scenario, run.seed, &run.schedule).map(|shrunk| {
            let capture = shrunk.capture(&run.mode);
            Shrink {
                shrunk,
                capture,
                took: started.elapsed(),
            }
        }),
    )
}

/// What the steps found for one command: the input of step **report**.
pub struct Outcome {
    /// The seed step's result.
    pub chosen: Chosen,
    /// The shown seed's run in every variant.
    pub shown: Vec<Capture>,
    /// The first variant's run shrunk, if it failed.
    pub shrunk: Option<Result<Shrink, String>>,
}

impl Outcome {
    /// Steps seed, run, check and shrink in order.
    pub fn find(variants: &[Variant], seeds: Seeds, shrink_allowed: bool) -> Outcome {
        let chosen = seed(variants, seeds);
        let shown = run_and_check(variants, chosen.seed);
        let shrunk = shrink(variants, &shown, shrink_allowed);
        Outcome {
            chosen,
            shown,
            shrunk,
        }
    }

    /// `race` and `demo`: every seed of `seeds` in every variant, counted; the first
    /// variant's first failing run shown and shrunk.
    pub fn first_failing(variants: &[Variant], seeds: Range<u64>) -> Outcome {
        let seeds = Seeds::Range {
            seeds,
            or_inconclusive: false,
        };
        Outcome::find(variants, seeds, true)
    }

    /// The shrunk run, when shrinking succeeded.
    pub fn shrunk(&self) -> Option<&Shrink> {
        self.shrunk.as_ref().and_then(|r| r.as_ref().ok())
    }

    /// Some run (counted or shown) had an anomaly.
    pub fn anomalous(&self) -> bool {
        self.chosen
            .tallies
            .first()
            .is_some_and(|t| t.anomalous() > 0)
            || self.shown.first().is_some_and(|c| c.verdict.is_anomalous())
    }

    /// Some run (counted or shown) was inconclusive.
    pub fn inconclusive(&self) -> bool {
        self.chosen
            .tallies
            .first()
            .is_some_and(|t| t.inconclusive_runs > 0)
            || self
                .shown
                .first()
                .is_some_and(|c| c.verdict.is_inconclusive())
    }
}
