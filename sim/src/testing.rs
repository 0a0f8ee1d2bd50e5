//! redsim from your own `#[test]`s: describe the clients and what must hold, run many
//! seeds, and on a failure get the shrunk interleaving's table and the `cargo test`
//! line that replays it.
//!
//! ```
//! use redsim_sim::prelude::*;
//!
//! // Two clients INCR a counter and read it back, as one EVAL each: atomic, so every
//! // run fits an order of whole scripts and the final counter is 2.
//! let script = "redis.call('INCR', KEYS[1]) return redis.call('GET', KEYS[1])";
//! sim_test!()
//!     .clients(2, Script::source(script).keys(["counter"]).eval())
//!     .seeds(20)
//!     .invariant("the counter counts every script", |run| match run.int("counter") {
//!         Some(2) => Ok(()),
//!         other => Err(format!("counter = {other:?}, want 2")),
//!     })
//!     .run();
//!
//! // The same script sent command by command races: `try_run` returns the failing
//! // seed (with its table) instead of panicking.
//! let pair = "redis.call('INCR', KEYS[1]) redis.call('INCR', KEYS[2]) \
//!             return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}";
//! let failure = sim_test!()
//!     .clients(2, Script::source(pair).keys(["counter", "count"]).raw())
//!     .judge_invariant(Invariant::ResultFieldsEqual(0, 1))
//!     .seeds(200)
//!     .try_run()
//!     .expect_err("some seed interleaves the two clients");
//! assert!(failure.report.contains("REDSIM_SEED="));
//! ```
//!
//! Before it is reported, a failing run is shrunk ([`crate::shrink`]): clients,
//! operations and preemptions are removed while the same checks still fail, and the panic
//! shows the shrunk run's table, `shrunk from X clients / Y ops / … to …`, and the
//! command that replays the seed (which finds and shrinks the same run again).
//!
//! A run fails when the simulator's judge finds an anomaly (a lost update, results no
//! order of whole operations gives, a broken [`Invariant`]), or when one of the test's
//! own [invariants](SimTest::invariant) returns an error. A run the judge cannot decide
//! (the checker's budget of states ran out: see [`SimTest::check_states_max`]) fails too,
//! because "unknown" is not "passed", unless the test says [`SimTest::allow_inconclusive`].
//!
//! Environment: `REDSIM_SEED=N` runs only seed `N` (to replay a failure);
//! `REDSIM_SEEDS=N` runs `N` seeds instead of the test's number. Both are printed on
//! failure.

mod end;
mod failure;
mod path;
mod run;
pub mod strategies;

pub use end::FinishedRun;
pub use failure::{Failure, ShrunkRun};
pub use path::TestPath;

use crate::fault::{AdminAt, Faults};
use crate::options::Strategy;
use crate::scenario::{Invariant, Program, Scenario};
use crate::shrink::Shrinker;
use std::sync::Arc;

/// The environment variable that runs one seed only (a failure's replay line sets it).
pub const SEED_VAR: &str = "REDSIM_SEED";
/// The environment variable that overrides how many seeds a test runs.
pub const SEEDS_VAR: &str = "REDSIM_SEEDS";

type Check = Arc<dyn Fn(&mut FinishedRun<'_>) -> Result<(), String> + Send + Sync>;

/// Whether the simulator's judge has a say (see [`SimTest::with_judge`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Judging {
    /// On, unless a client is a Rust closure.
    Auto,
    On,
    Off,
}

/// A simulation test: the clients, what must hold, the seeds. Made by
/// [`sim_test!`](crate::sim_test) inside the `#[test]` it runs in; it does nothing until
/// [`run`](SimTest::run) or [`try_run`](SimTest::try_run).
#[must_use = "a SimTest does nothing until .run() or .try_run()"]
pub struct SimTest {
    path: TestPath,
    scenario: Scenario,
    /// Set: every group runs this many operations.
    ops_per_client: Option<u32>,
    seeds: u64,
    first_seed: u64,
    judging: Judging,
    allow_inconclusive: bool,
    shrinker: Option<Shrinker>,
    checks: Vec<(String, Check)>,
}

impl SimTest {
    /// The test at `path`; use [`sim_test!`](crate::sim_test), which takes the path of
    /// the `#[test]` it is written in. 100 seeds, the random scheduler, one operation
    /// per client.
    pub fn new(path: TestPath) -> SimTest {
        let name = path
            .test_name()
            .rsplit("::")
            .next()
            .unwrap_or("")
            .to_string();
        SimTest {
            path,
            scenario: Scenario::new(&name),
            ops_per_client: None,
            seeds: 100,
            first_seed: 0,
            judging: Judging::Auto,
            allow_inconclusive: false,
            shrinker: Some(Shrinker::default()),
            checks: Vec::new(),
        }
    }

    /// Where the test runs (its `cargo test` line).
    pub fn path(&self) -> &TestPath {
        &self.path
    }

    /// Adds `count` clients running `program`: a [`Script`](crate::scenario::Script)
    /// sent raw, as EVAL or EVALSHA, a [`Watch`](crate::scenario::Watch) client, command
    /// lists and MULTI blocks ([`Program::commands`], [`Program::multi`]), or a Rust
    /// closure ([`Program::rust`]).
    pub fn clients(mut self, count: u32, program: Program) -> SimTest {
        self.scenario = self.scenario.clients(count, 1, program);
        self
    }

    /// How many operations each client runs (1 by default): a script's runs, a command
    /// list's passes, a WATCH block's transactions. A Rust closure runs once whatever
    /// this says.
    pub fn ops_per_client(mut self, ops: u32) -> SimTest {
        self.ops_per_client = Some(ops);
        self
    }

    /// A scenario built elsewhere (a TOML file, [`strategies::scenarios`]) as the
    /// workload, replacing the clients, faults and scheduler set so far.
    pub fn scenario(mut self, scenario: Scenario) -> SimTest {
        self.scenario = scenario;
        self
    }

    /// The faults every run suffers — crashes, delays, think time, admin commands,
    /// SCRIPT FLUSH — as in a scenario file (see [`Faults`]).
    pub fn faults(mut self, faults: Faults) -> SimTest {
        let setup: Vec<AdminAt> = self.setup_commands();
        self.scenario.options.faults = faults;
        self.scenario.options.faults.admin.splice(0..0, setup);
        self
    }

    /// Commands run, in order, on an empty server before any client starts: the initial
    /// keyspace (`&[&["SET", "stock", "10"]]`). They run from the admin connection and
    /// are part of the history, so the judge knows the state the clients start from.
    pub fn setup(mut self, commands: &[&[&str]]) -> SimTest {
        let admin = &mut self.scenario.options.faults.admin;
        let at = admin.iter().take_while(|a| a.step == 0).count();
        let setup = commands.iter().map(|command| AdminAt {
            step: 0,
            argv: command.iter().map(|a| a.as_bytes().to_vec()).collect(),
        });
        admin.splice(at..at, setup);
        self
    }

    /// The setup commands added so far (the step-0 admin commands).
    fn setup_commands(&self) -> Vec<AdminAt> {
        let admin = &self.scenario.options.faults.admin;
        admin.iter().take_while(|a| a.step == 0).cloned().collect()
    }

    /// An invariant the judge knows, checked on every operation's result (and named in
    /// the report, the summary and what shrinking keeps).
    pub fn judge_invariant(mut self, invariant: Invariant) -> SimTest {
        self.scenario = self.scenario.invariant(invariant);
        self
    }

    /// What must hold after every run: `check` sees the history (every operation and its
    /// result) and the final keyspace, and returns `Err` with what it found, which the
    /// report prints after `name`.
    pub fn invariant(
        mut self,
        name: &str,
        check: impl Fn(&mut FinishedRun<'_>) -> Result<(), String> + Send + Sync + 'static,
    ) -> SimTest {
        self.checks.push((name.into(), Arc::new(check)));
        self
    }

    /// Each seed explores every interleaving, one per class of equivalent ones
    /// (partial-order reduction); one seed is then usually enough.
    pub fn exhaustive(mut self) -> SimTest {
        self.scenario = self
            .scenario
            .strategy(Strategy::Exhaustive { reduce: true });
        self
    }

    /// Probabilistic concurrency testing: finds a bug that needs `depth` preemptions
    /// with a known probability per seed; `steps_hint` estimates a run's length.
    pub fn pct(mut self, depth: u32, steps_hint: u32) -> SimTest {
        self.scenario = self.scenario.strategy(Strategy::Pct { depth, steps_hint });
        self
    }

    /// Every run follows `schedule` (the client to step at each step; past its end, or
    /// where it names a client that cannot step, the run goes on serially). For
    /// [`strategies::schedule`].
    pub fn schedule(mut self, schedule: Vec<u32>) -> SimTest {
        self.scenario = self.scenario.strategy(Strategy::Replay(schedule));
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

    /// The judge decides too, whatever the clients are. It is on by default except when
    /// a client is a Rust closure: each `conn.call` is then one operation, and as every
    /// command is atomic the judge would pass what the closure does as a whole — a
    /// closure's GET then SET is not judged as one operation. Turn it on for closures
    /// that make one call each.
    pub fn with_judge(mut self) -> SimTest {
        self.judging = Judging::On;
        self
    }

    /// Only the test's own invariants decide.
    pub fn without_judge(mut self) -> SimTest {
        self.judging = Judging::Off;
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
    /// whose own invariants are what the test is about.
    pub fn allow_inconclusive(mut self) -> SimTest {
        self.allow_inconclusive = true;
        self
    }

    /// A failing run is reported as found, not shrunk.
    pub fn without_shrinking(mut self) -> SimTest {
        self.shrinker = None;
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

    /// Whether the judge has a say in this test.
    fn judged(&self) -> bool {
        match self.judging {
            Judging::On => true,
            Judging::Off => false,
            Judging::Auto => !self
                .scenario
                .groups
                .iter()
                .any(|g| matches!(g.program, Program::Rust(_))),
        }
    }
}

#[cfg(test)]
mod tests;
