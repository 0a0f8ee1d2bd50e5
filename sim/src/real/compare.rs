//! The simulated side of a real run: the same scenario (same clients, operations and mode)
//! run in the simulator for a number of seeds, its histories judged by the same invariants,
//! so the anomaly rate seen on the real server can be set beside the simulated one.
//!
//! The two rates measure the same thing — completed operations whose results break an
//! invariant, per completed operation — but over different schedules: the simulator
//! interleaves at every command by its seeded strategy, a real server by the timing of
//! real threads. A race that shows in both is real; a rate far lower on the server says
//! the race window is narrow there, not that it is closed.

use super::verdict::invariant_violations;
use crate::history::Status;
use crate::scenario::Scenario;
use std::ops::Range;

/// Invariant violations over a range of simulated seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulatedRate {
    /// The simulated seeds.
    pub seeds: Range<u64>,
    /// Completed operations, over every seed.
    pub ok: usize,
    /// Of those, the ones whose results break an invariant.
    pub violating: usize,
    /// Seeds with at least one violating operation.
    pub(crate) anomalous_seeds: u64,
}

impl SimulatedRate {
    /// Violating operations per completed operation.
    pub fn rate(&self) -> f64 {
        if self.ok == 0 {
            0.0
        } else {
            self.violating as f64 / self.ok as f64
        }
    }
}

/// Runs `scenario` (already in the real run's mode and size) for every seed of `seeds`.
pub fn simulated_rate(scenario: &Scenario, seeds: Range<u64>) -> SimulatedRate {
    let quiet = scenario.clone().trace(false);
    let mut out = SimulatedRate {
        seeds: seeds.clone(),
        ok: 0,
        violating: 0,
        anomalous_seeds: 0,
    };
    let mut world = None;
    for seed in seeds {
        let w = world.get_or_insert_with(|| quiet.world(seed));
        w.run_seed(seed);
        let (violating, _) = invariant_violations(scenario, &w.history);
        out.ok += w
            .history
            .ops
            .iter()
            .filter(|op| op.status == Status::Ok)
            .count();
        out.violating += violating.len();
        out.anomalous_seeds += u64::from(!violating.is_empty());
    }
    out
}

/// One line setting the real rate beside the simulated one.
pub fn render(real_violating: usize, real_ok: usize, sim: &SimulatedRate) -> String {
    let pct = |v: usize, ok: usize| {
        if ok == 0 {
            0.0
        } else {
            100.0 * v as f64 / ok as f64
        }
    };
    format!(
        "anomaly rate: real {:.2}% ({real_violating} of {real_ok} ops), simulated {:.2}% \
         ({} of {} ops over seeds {}..{}; {} of {} seeds show it)\n",
        pct(real_violating, real_ok),
        100.0 * sim.rate(),
        sim.violating,
        sim.ok,
        sim.seeds.start,
        sim.seeds.end,
        sim.anomalous_seeds,
        sim.seeds.end - sim.seeds.start
    )
}
