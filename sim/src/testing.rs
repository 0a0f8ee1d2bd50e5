//! redsim from your own `#[test]`s: describe the clients and what must hold, run many
//! seeds, and on a failure get the interleaving table and the command that replays it.
//!
//! ```
//! use redsim_sim::scenario::{Program, ScriptRun};
//! use redsim_sim::testing::SimTest;
//!
//! // Two clients INCR a counter and read it back, as one EVAL each: atomic, so every
//! // run fits an order of whole scripts and the final counter is 2.
//! SimTest::new("counter_by_eval")
//!     .clients(2, 1, Program::script(
//!         "redis.call('INCR', KEYS[1]) return redis.call('GET', KEYS[1])",
//!         &["counter"], &[], ScriptRun::Eval))
//!     .seeds(20)
//!     .check_keyspace("the counter counts every script", |ks| {
//!         match ks.int("counter") {
//!             Some(2) => Ok(()),
//!             other => Err(format!("counter = {other:?}")),
//!         }
//!     })
//!     .run();
//!
//! // The same script sent command by command races: `find_failure` returns the failing
//! // seed (with its table) instead of panicking.
//! let failure = SimTest::new("counter_raw")
//!     .clients(2, 1, Program::script(
//!         "redis.call('INCR', KEYS[1]) redis.call('INCR', KEYS[2]) \
//!          return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}",
//!         &["counter", "count"], &[], ScriptRun::Raw))
//!     .invariant(redsim_sim::scenario::Invariant::ResultFieldsEqual(0, 1))
//!     .seeds(200)
//!     .find_failure()
//!     .expect("some seed interleaves the two clients");
//! assert!(failure.report.contains("REDSIM_SEED="));
//! ```
//!
//! Before it is reported, a failing run is shrunk ([`crate::shrink`]): clients,
//! operations and preemptions are removed while the same checks still fail, and the panic
//! shows the shrunk run's table, `shrunk from X clients / Y ops / … to …`, and the
//! command that replays the seed (which finds and shrinks the same run again).
//!
//! A run fails when the simulator's judge finds an anomaly (an operation whose result
//! fields disagree under an [`Invariant`], a lost update, partial effects left by a crash
//! when the test asks for [`Invariant::AllOrNothing`], or — where the judge decides it —
//! a history no order of whole operations explains), or when one of the test's own checks
//! on the results or on the final keyspace returns an error. A run the judge cannot decide
//! (the checker's budget of states ran out: see [`SimTest::check_states_max`]) fails too,
//! because "unknown" is not "passed", unless the test says [`SimTest::allow_inconclusive`].
//!
//! Environment: `REDSIM_SEED=N` runs only seed `N` (to replay a failure);
//! `REDSIM_SEEDS=N` runs `N` seeds instead of the test's number. Both are printed on
//! failure.

mod failure;
pub mod strategies;

pub use failure::{Failure, ShrunkRun};

use crate::history::History;
use crate::options::Strategy;
use crate::report::analysis::{Judge, Verdict};
use crate::scenario::{Invariant, Program, Scenario, ScriptRun};
use crate::scheduler::Exhaustive;
use crate::shrink::{FailureKind, Shrinker};
use crate::world::World;
use redsim::Reply;
use std::path::Path;
use std::sync::Arc;

pub const SEED_VAR: &str = "REDSIM_SEED";
pub const SEEDS_VAR: &str = "REDSIM_SEEDS";

type ResultCheck = Arc<dyn Fn(&History) -> Result<(), String> + Send + Sync>;
type KeyspaceCheck = Arc<dyn Fn(&mut Keyspace<'_>) -> Result<(), String> + Send + Sync>;

/// The final keyspace of a run, read through the admin connection after every client
/// finished (the reads are not part of the history).
pub struct Keyspace<'a> {
    world: &'a mut World,
}

impl Keyspace<'_> {
    /// Runs one command and returns its reply.
    pub fn call<S: AsRef<[u8]>>(&mut self, argv: &[S]) -> Reply {
        self.world
            .admin_command(argv.iter().map(|a| a.as_ref().to_vec()).collect())
    }

    /// `GET key` as an integer; `None` if the key is missing or not an integer.
    pub fn int(&mut self, key: &str) -> Option<i64> {
        crate::scenario::as_int(&self.call(&["GET", key]))
    }
}

/// A simulation test: a scenario, the checks, the seeds.
pub struct SimTest {
    name: String,
    scenario: Scenario,
    seeds: u64,
    first_seed: u64,
    judge: bool,
    allow_inconclusive: bool,
    shrinker: Option<Shrinker>,
    result_checks: Vec<(String, ResultCheck)>,
    keyspace_checks: Vec<(String, KeyspaceCheck)>,
}

impl SimTest {
    /// A test named `name` (in its report; the replay command names the running
    /// `#[test]` itself, or `name` outside one); 100 seeds, the random scheduler.
    pub fn new(name: &str) -> SimTest {
        SimTest {
            name: name.into(),
            scenario: Scenario::new(name),
            seeds: 100,
            first_seed: 0,
            judge: true,
            allow_inconclusive: false,
            shrinker: Some(Shrinker::default()),
            result_checks: Vec::new(),
            keyspace_checks: Vec::new(),
        }
    }

    /// `count` clients each running `ops` operations of `program` (a script, raw or
    /// EVAL; commands; MULTI; WATCH; or a Rust closure with [`Program::rust`]).
    pub fn clients(mut self, count: u32, ops: u32, program: Program) -> SimTest {
        self.scenario = self.scenario.clients(count, ops, program);
        self
    }

    /// `count` clients running the Lua file at `path` (`run`: client-side or EVAL).
    /// Panics if the file cannot be read.
    pub fn lua_file(
        self,
        count: u32,
        ops: u32,
        path: impl AsRef<Path>,
        keys: &[&str],
        args: &[&str],
        run: ScriptRun,
    ) -> SimTest {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("redsim: cannot read {}: {e}", path.display()));
        self.clients(count, ops, Program::script(&source, keys, args, run))
    }

    /// A scenario built elsewhere (a TOML file, the scenario builder) as the workload.
    pub fn scenario(mut self, scenario: Scenario) -> SimTest {
        self.scenario = scenario;
        self
    }

    pub fn invariant(mut self, invariant: Invariant) -> SimTest {
        self.scenario = self.scenario.invariant(invariant);
        self
    }

    /// The scheduler. With `Strategy::Exhaustive` each seed explores every interleaving.
    pub fn strategy(mut self, strategy: Strategy) -> SimTest {
        self.scenario = self.scenario.strategy(strategy);
        self
    }

    /// How many seeds run (`REDSIM_SEEDS` overrides it).
    pub fn seeds(mut self, n: u64) -> SimTest {
        self.seeds = n;
        self
    }

    /// The first seed (seeds `first..first + n` run).
    pub fn first_seed(mut self, seed: u64) -> SimTest {
        self.first_seed = seed;
        self
    }

    /// Whether the simulator's judge (linearizability, lost updates, invariants) counts;
    /// on by default. Off, only the test's own checks decide. (Each call of a Rust-closure
    /// client is one operation: when no serial order of whole clients gives the results,
    /// the linearizability checker, which judges call by call, has the last word.)
    pub fn judge(mut self, on: bool) -> SimTest {
        self.judge = on;
        self
    }

    /// The checker's budget per run, in states (default
    /// [`CHECK_STATES_MAX`](crate::scenario::CHECK_STATES_MAX)). A count, not a time: a
    /// seed gets the same verdict on a slow CI machine as on a laptop.
    pub fn check_states_max(mut self, states: u64) -> SimTest {
        self.scenario.check_states_max = states;
        self
    }

    /// Lets runs the judge cannot decide pass (by default they fail: the checker's budget
    /// ran out, so nothing was shown to hold). For workloads known to be too big to check
    /// whose own checks are what the test is about.
    pub fn allow_inconclusive(mut self) -> SimTest {
        self.allow_inconclusive = true;
        self
    }

    /// Whether a failing run is shrunk before it is reported (on by default).
    pub fn shrink(mut self, on: bool) -> SimTest {
        self.shrinker = on.then(Shrinker::default);
        self
    }

    /// At most `runs` re-runs while shrinking (default 400).
    pub fn shrink_budget(mut self, runs: u32) -> SimTest {
        self.shrinker = Some(Shrinker {
            runs_max: runs,
            ..Shrinker::default()
        });
        self
    }

    /// A check on the whole history of each run (every operation and its result).
    pub fn check_results(
        mut self,
        name: &str,
        check: impl Fn(&History) -> Result<(), String> + Send + Sync + 'static,
    ) -> SimTest {
        self.result_checks.push((name.into(), Arc::new(check)));
        self
    }

    /// A check on the final keyspace of each run.
    pub fn check_keyspace(
        mut self,
        name: &str,
        check: impl Fn(&mut Keyspace<'_>) -> Result<(), String> + Send + Sync + 'static,
    ) -> SimTest {
        self.keyspace_checks.push((name.into(), Arc::new(check)));
        self
    }

    /// The seeds to run: `REDSIM_SEED` alone, else `REDSIM_SEEDS` or the test's count.
    fn seed_range(&self) -> std::ops::Range<u64> {
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

    /// Runs every seed and panics with the first failure's report.
    pub fn run(self) {
        if let Some(failure) = self.find_failure() {
            panic!("{}", failure.report);
        }
    }

    /// Runs the seeds; the first failing run, or `None` if all passed.
    pub fn find_failure(&self) -> Option<Failure> {
        let seeds = self.seed_range();
        let judge = Judge::new(&self.scenario);
        let mut world = self.scenario.clone().trace(false).world(seeds.start);
        for seed in seeds.clone() {
            let schedules: Vec<Vec<u32>> = match self.scenario.options.strategy {
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
                if matches!(self.scenario.options.strategy, Strategy::Exhaustive { .. }) {
                    world.reset(seed);
                    world.run(&mut crate::scheduler::Replay::new(schedule.clone()));
                }
                let (reasons, _) = self.reasons(&judge, &mut world);
                if !reasons.is_empty() {
                    return Some(self.failure(seed, schedule, &seeds));
                }
            }
        }
        None
    }

    /// What failed in the run `world` just finished: one line each, and the kind of
    /// failure shrinking keeps (the judge's anomalies and the names of the failed checks).
    fn reasons(&self, judge: &Judge, world: &mut World) -> (Vec<String>, FailureKind) {
        let mut reasons = Vec::new();
        let mut kind = FailureKind::default();
        for (name, check) in &self.result_checks {
            if let Err(e) = check(&world.history) {
                reasons.push(format!("check '{name}' failed: {e}"));
                kind.add(&format!("check '{name}'"));
            }
        }
        if self.judge {
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
        for (name, check) in &self.keyspace_checks {
            if let Err(e) = check(&mut Keyspace { world }) {
                reasons.push(format!("keyspace check '{name}' failed: {e}"));
                kind.add(&format!("keyspace check '{name}'"));
            }
        }
        (reasons, kind)
    }
}

#[cfg(test)]
mod tests;
