//! Many seeds of one scenario in one mode: how many runs showed each anomaly, and the
//! first seed that did.

use super::analysis::{Judge, Verdict};
use super::colour::Style;
use crate::scenario::Scenario;
use std::ops::Range;

/// Counts over the runs of one mode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// The mode counted.
    pub mode: String,
    /// Runs counted.
    pub runs: u64,
    /// Runs judged not linearizable (`undecided` counts those the judge could not decide).
    pub not_linearizable: u64,
    /// Runs the checker could not decide.
    pub undecided: u64,
    /// Runs with a lost update.
    pub lost_update: u64,
    /// Runs whose result fields disagreed.
    pub mismatch: u64,
    /// Runs that ended torn.
    pub torn_state: u64,
    /// Runs in which a retried operation changed the data twice.
    pub duplicate_effect: u64,
    /// Runs in which a restart lost an acknowledged write.
    pub lost_write: u64,
    /// Runs in which some operation replied with an error.
    pub with_errors: u64,
    pub(crate) hit_steps_max: u64,
    /// Runs with an anomaly (all of them, unlike `failing`).
    pub anomalous_runs: u64,
    /// Runs without an anomaly that the checker could not decide either: never passes.
    pub inconclusive_runs: u64,
    /// The lowest seed of an inconclusive run.
    pub first_inconclusive: Option<u64>,
    /// Failing seeds, in order (at most `FAILING_KEPT`).
    pub failing: Vec<u64>,
}

/// How many failing seeds a tally remembers.
pub const FAILING_KEPT: usize = 1000;

impl Tally {
    /// An empty tally of `mode`.
    pub fn new(mode: &str) -> Tally {
        Tally {
            mode: mode.into(),
            ..Tally::default()
        }
    }

    /// Counts the verdict `v` of `seed`'s run.
    pub fn add(&mut self, seed: u64, v: &Verdict, hit_steps_max: bool) {
        self.runs += 1;
        match v.not_linearizable {
            Some(true) => self.not_linearizable += 1,
            Some(false) => {}
            None => self.undecided += 1,
        }
        self.lost_update += v.lost_update as u64;
        self.mismatch += v.mismatch as u64;
        self.torn_state += v.torn_state as u64;
        self.duplicate_effect += v.duplicate_effect as u64;
        self.lost_write += v.lost_write as u64;
        self.with_errors += (v.errors > 0) as u64;
        self.hit_steps_max += hit_steps_max as u64;
        self.anomalous_runs += v.is_anomalous() as u64;
        if v.is_inconclusive() {
            self.inconclusive_runs += 1;
            self.first_inconclusive = Some(self.first_inconclusive.map_or(seed, |s| s.min(seed)));
        }
        if v.is_anomalous() && self.failing.len() < FAILING_KEPT {
            self.failing.push(seed);
        }
    }

    /// Adds another tally's counts (the failing seeds are merged in order).
    pub fn merge(&mut self, other: &Tally) {
        self.runs += other.runs;
        self.not_linearizable += other.not_linearizable;
        self.undecided += other.undecided;
        self.lost_update += other.lost_update;
        self.mismatch += other.mismatch;
        self.torn_state += other.torn_state;
        self.duplicate_effect += other.duplicate_effect;
        self.lost_write += other.lost_write;
        self.with_errors += other.with_errors;
        self.hit_steps_max += other.hit_steps_max;
        self.anomalous_runs += other.anomalous_runs;
        self.inconclusive_runs += other.inconclusive_runs;
        self.first_inconclusive = match (self.first_inconclusive, other.first_inconclusive) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.failing.extend(&other.failing);
        self.failing.sort_unstable();
        self.failing.truncate(FAILING_KEPT);
    }

    /// Runs with any anomaly.
    pub fn anomalous(&self) -> u64 {
        self.anomalous_runs
    }
}

/// Runs `scenario` (already in its mode) for every seed of `seeds`.
pub fn run_seeds(scenario: &Scenario, judge: &Judge, mode: &str, seeds: Range<u64>) -> Tally {
    run_seeds_with(scenario, judge, mode, seeds, |_| {})
}

/// As [`run_seeds`], calling `each` after every run (progress bars).
pub fn run_seeds_with(
    scenario: &Scenario,
    judge: &Judge,
    mode: &str,
    seeds: impl IntoIterator<Item = u64>,
    mut each: impl FnMut(u64),
) -> Tally {
    let quiet = scenario.clone().trace(false);
    let mut tally = Tally::new(mode);
    let mut world = None;
    for seed in seeds {
        let w = world.get_or_insert_with(|| quiet.world(seed));
        let report = w.run_seed(seed);
        let verdict = judge.judge(w);
        tally.add(seed, &verdict, report.hit_steps_max);
        each(seed);
    }
    tally
}

/// The summary table: one line per mode.
pub fn render(title: &str, seeds: &Range<u64>, tallies: &[Tally], style: Style) -> String {
    let mut out = String::new();
    out.push_str(&style.bold(title));
    out.push('\n');
    out.push_str(&format!(
        "seeds run: {} ({}..{}) per mode\n\n",
        seeds.end - seeds.start,
        seeds.start,
        seeds.end
    ));
    let header = format!(
        "{:<8} {:>6} {:>17} {:>12} {:>16} {:>11}",
        "mode", "runs", "not linearizable", "lost update", "counter ≠ zcard", "errors"
    );
    out.push_str(&style.bold(&header));
    out.push('\n');
    for t in tallies {
        let nl = if t.undecided == t.runs && t.runs > 0 {
            "n/a".to_string()
        } else if t.undecided > 0 {
            format!("≥{}", t.not_linearizable)
        } else {
            t.not_linearizable.to_string()
        };
        let line = format!(
            "{:<8} {:>6} {:>17} {:>12} {:>16} {:>11}",
            t.mode, t.runs, nl, t.lost_update, t.mismatch, t.with_errors
        );
        let bad = t.anomalous() > 0;
        out.push_str(&if bad {
            style.red(&line)
        } else if t.inconclusive_runs > 0 {
            style.yellow(&line)
        } else {
            style.green(&line)
        });
        out.push('\n');
    }
    for t in tallies.iter().filter(|t| t.duplicate_effect > 0) {
        out.push_str(&style.red(&format!(
            "{}: {} run(s) with a duplicate effect: a client timed out and retried an operation \
             that had run, and it changed the data twice\n",
            t.mode, t.duplicate_effect
        )));
    }
    for t in tallies.iter().filter(|t| t.lost_write > 0) {
        out.push_str(&style.red(&format!(
            "{}: {} run(s) lost an acknowledged write in a server restart or a failover\n",
            t.mode, t.lost_write
        )));
    }
    for t in tallies.iter().filter(|t| t.inconclusive_runs > 0) {
        out.push_str(&style.yellow(&format!(
            "{}: {} run(s) inconclusive (first: seed {}): the checker ran out of its budget \
             (check_states_max) or cannot judge them — not counted as passing\n",
            t.mode,
            t.inconclusive_runs,
            t.first_inconclusive.unwrap_or_default()
        )));
    }
    out
}
