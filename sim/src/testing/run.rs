//! Running a [`SimTest`]: its seeds (and, exhaustively, every interleaving of each), and
//! what failed in a finished run.

use super::{Failure, FinishedRun, SimTest, SEEDS_VAR, SEED_VAR};
use crate::options::Strategy;
use crate::report::analysis::{Judge, Verdict};
use crate::scenario::Scenario;
use crate::scheduler::{Exhaustive, Replay};
use crate::shrink::FailureKind;
use crate::world::World;

impl SimTest {
    /// Runs every seed and panics with the first failure's report.
    pub fn run(self) {
        if let Err(failure) = self.try_run() {
            panic!("{}", failure.report);
        }
    }

    /// Runs the seeds; the first failing run, shrunk, as the error (boxed: it carries
    /// the whole report). In a `proptest!` body, `test.try_run()?` fails the case with
    /// the report.
    pub fn try_run(&self) -> Result<(), Box<Failure>> {
        self.assert_something_is_checked();
        let scenario = self.workload();
        let seeds = self.seed_range();
        let judge = Judge::new(&scenario);
        let mut world = scenario.clone().trace(false).world(seeds.start);
        let exhaustive = matches!(scenario.options.strategy, Strategy::Exhaustive { .. });
        for seed in seeds.clone() {
            let schedules: Vec<Vec<u32>> = match scenario.options.strategy {
                Strategy::Exhaustive { reduce } => {
                    let mut all = Vec::new();
                    world.reset(seed);
                    world.explore(&mut Exhaustive::new(reduce), |w, _| {
                        all.push(w.schedule.clone())
                    });
                    all
                }
                _ => {
                    world.run_seed(seed);
                    vec![world.schedule.clone()]
                }
            };
            for schedule in schedules {
                if exhaustive {
                    world.reset(seed);
                    world.run(&mut Replay::new(schedule.clone()));
                }
                let (reasons, _) = self.reasons(&judge, &mut world);
                if !reasons.is_empty() {
                    return Err(Box::new(self.failure(&scenario, seed, schedule, &seeds)));
                }
            }
        }
        Ok(())
    }

    /// The scenario the test runs: its clients with [`SimTest::ops_per_client`] applied.
    pub(super) fn workload(&self) -> Scenario {
        let mut scenario = self.scenario.clone();
        if let Some(ops) = self.ops_per_client {
            for group in &mut scenario.groups {
                group.ops = ops;
            }
        }
        scenario
    }

    /// A test that can never fail is a mistake: say so instead of passing.
    fn assert_something_is_checked(&self) {
        assert!(
            self.judged() || !self.checks.is_empty() || !self.scenario.invariants.is_empty(),
            "redsim: test '{}' checks nothing: its clients are Rust closures, which the judge \
             does not judge as whole operations (see `SimTest::with_judge`), and it has no \
             `.invariant(…)`",
            self.path.test_name()
        );
    }

    /// The seeds to run: `REDSIM_SEED` alone, else `REDSIM_SEEDS` or the test's count.
    pub(super) fn seed_range(&self) -> std::ops::Range<u64> {
        let var = |name: &str| -> Option<u64> {
            let text = std::env::var(name).ok()?;
            Some(
                text.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("redsim: {name}={text} is not a number")),
            )
        };
        if let Some(seed) = var(SEED_VAR) {
            return seed..seed + 1;
        }
        let n = var(SEEDS_VAR).unwrap_or(self.seeds);
        self.first_seed..self.first_seed.saturating_add(n)
    }

    /// What failed in the run `world` just finished: one line each, and the kind of
    /// failure shrinking keeps (the judge's anomalies and the names of the failed
    /// invariants).
    pub(super) fn reasons(&self, judge: &Judge, world: &mut World) -> (Vec<String>, FailureKind) {
        let mut reasons = Vec::new();
        let mut kind = FailureKind::default();
        if self.judged() {
            let verdict: Verdict = judge.judge(world);
            if verdict.is_anomalous() {
                reasons.extend(verdict.findings.iter().map(|f| format!("anomaly: {f}")));
                if verdict.findings.is_empty() {
                    reasons.push("anomaly: the results fit no order of atomic operations".into());
                }
                for label in FailureKind::of(&verdict).labels() {
                    kind.add(label);
                }
            }
            if let Some(why) = verdict.inconclusive.as_ref() {
                if verdict.is_inconclusive() && !self.allow_inconclusive {
                    reasons.push(format!(
                        "inconclusive: {why}; not a pass (`.allow_inconclusive()` accepts it, \
                         `.check_states_max(N)` raises the budget)"
                    ));
                    kind.add("inconclusive");
                }
            }
        }
        for (name, check) in &self.checks {
            if let Err(e) = check(&mut FinishedRun::new(world)) {
                reasons.push(format!("invariant '{name}' failed: {e}"));
                kind.add(&format!("invariant '{name}'"));
            }
        }
        (reasons, kind)
    }
}
