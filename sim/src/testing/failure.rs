//! What a failing [`SimTest`](super::SimTest) reports: the run shrunk, its table, what
//! failed, and how to replay it.

use super::{SimTest, SEEDS_VAR, SEED_VAR};
use crate::report::analysis::Judge;
use crate::report::capture::{capture, with_schedule};
use crate::report::colour::Style;
use crate::report::mode::mode_of;
use crate::report::present::run_text;
use crate::scenario::Scenario;
use crate::shrink::{Cut, Size};
use crate::world::World;

/// A failing run. Its `Display` is the [`report`](Failure::report).
#[derive(Clone, Debug)]
pub struct Failure {
    /// The seed of the failing run.
    pub seed: u64,
    /// The schedule the failing run followed as found (client indices, one per step).
    pub schedule: Vec<u32>,
    /// What failed in the reported run (the shrunk one, if shrinking is on), one line each.
    pub reasons: Vec<String>,
    /// The whole text: the size before and after shrinking, the table, the reasons and
    /// how to replay.
    pub report: String,
    /// The shrunk run, if shrinking is on.
    pub shrunk: Option<ShrunkRun>,
}

/// How the reported run was shrunk from the one found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShrunkRun {
    /// What was removed from the test's scenario.
    pub cut: Cut,
    /// The schedule the shrunk run follows.
    pub schedule: Vec<u32>,
    /// The size of the run as found.
    pub before: Size,
    /// The size of the shrunk run.
    pub after: Size,
    /// Re-runs shrinking made.
    pub runs: u32,
    /// `shrunk from … to …`.
    pub summary: String,
}

impl SimTest {
    /// The failure of the run of `seed` that followed `schedule`, shrunk.
    pub(super) fn failure(
        &self,
        scenario: &Scenario,
        seed: u64,
        schedule: Vec<u32>,
        seeds: &std::ops::Range<u64>,
    ) -> Failure {
        let shrunk = self.shrinker.and_then(|shrinker| {
            let mut oracle = |judge: &Judge, world: &mut World| self.reasons(judge, world).1;
            shrinker.shrink(scenario, seed, &schedule, &mut oracle).ok()
        });
        let shown_scenario = match &shrunk {
            Some(s) => s.scenario.clone(),
            None => with_schedule(scenario, schedule.clone()),
        };
        let judge = Judge::new(&shown_scenario);
        let mut world = shown_scenario.clone().trace(false).world(seed);
        world.run_seed(seed);
        let shown_schedule = world.schedule.clone();
        let (reasons, _) = self.reasons(&judge, &mut world);
        let shown = capture(&shown_scenario, &judge, seed, mode_of(&shown_scenario));

        let mut report = format!(
            "redsim: test '{}' failed at seed {seed} (seeds {}..{})\n",
            self.path.test_name(),
            seeds.start,
            seeds.end
        );
        if let Some(s) = &shrunk {
            report.push_str(&s.summary());
            report.push('\n');
        }
        report.push('\n');
        report.push_str(&run_text(&shown, Style::PLAIN));
        report.push('\n');
        for r in &reasons {
            report.push_str(r);
            report.push('\n');
        }
        let steps = |s: &[u32]| -> String {
            let s: Vec<String> = s.iter().map(u32::to_string).collect();
            s.join(",")
        };
        report.push_str(&format!("schedule: {}\n", steps(&shown_schedule)));
        if shrunk.is_some() {
            report.push_str(&format!(
                "schedule before shrinking: {}\n",
                steps(&schedule)
            ));
        }
        let cargo_test = self.path.cargo_test_line();
        report.push_str(&format!(
            "\nReplay this seed:  {SEED_VAR}={seed} {cargo_test}\n"
        ));
        report.push_str(&format!(
            "Run more seeds:    {SEEDS_VAR}={} {cargo_test}\n",
            (seeds.end - seeds.start).max(1) * 10,
        ));
        Failure {
            seed,
            schedule,
            reasons,
            report,
            shrunk: shrunk.map(|s| ShrunkRun {
                summary: s.summary(),
                cut: s.cut,
                schedule: s.schedule,
                before: s.before,
                after: s.after,
                runs: s.runs,
            }),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.report)
    }
}

/// So that `test.try_run()?` works in functions returning `Result<_, Box<dyn Error>>`
/// and in `proptest!` bodies.
impl std::error::Error for Failure {}
