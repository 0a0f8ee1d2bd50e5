//! proptest strategies: [`scenarios`] of your own program (how many clients, how many
//! operations each), [`schedule`]s (which client steps when, shrinking towards serial
//! runs), and generated [`workload`]s (a few clients running one script each, drawn from a
//! small grammar of string and counter commands over a few keys).
//!
//! ```
//! use redsim_sim::prelude::*;
//! use redsim_sim::testing::strategies;
//!
//! let incr = Script::source("return redis.call('INCR', KEYS[1])").keys(["n"]).eval();
//! proptest!(ProptestConfig::with_cases(8), |(
//!     scenario in strategies::scenarios(incr.clone(), 1..=3, 1..=2),
//!     schedule in strategies::schedule(3, 8),
//! )| {
//!     let clients = scenario.client_count();
//!     sim_test!()
//!         .scenario(scenario)
//!         .schedule(schedule)
//!         .seeds(1)
//!         .invariant("no INCR is lost", move |run| {
//!             let n = run.int("n").unwrap_or(0);
//!             let completed = run.results().count() as i64;
//!             if n == completed { Ok(()) } else { Err(format!("n = {n} after {completed} INCRs")) }
//!         })
//!         .try_run()?;
//!     prop_assert!(clients >= 1);
//! });
//! ```
//!
//! ```
//! use proptest::prelude::*;
//! use redsim_sim::scenario::ScriptRun;
//! use redsim_sim::testing::strategies::workload;
//!
//! proptest!(ProptestConfig::with_cases(4), |(w in workload(), seed in 0u64..100)| {
//!     let mut world = w.scenario(ScriptRun::Eval).world(seed);
//!     world.run_seed(seed);
//!     prop_assert_eq!(world.history.ops.len(), w.clients as usize);
//! });
//! ```

use crate::scenario::{Program, Scenario, Script, ScriptRun};
use proptest::prelude::*;
use std::ops::RangeInclusive;

/// Scenarios of `clients` clients (a count in the range) each running `ops` operations
/// (a count in the range) of `program`; they shrink towards fewer clients and
/// operations.
pub fn scenarios(
    program: Program,
    clients: RangeInclusive<u32>,
    ops: RangeInclusive<u32>,
) -> impl Strategy<Value = Scenario> {
    (clients, ops).prop_map(move |(clients, ops)| {
        Scenario::new("generated").clients(clients, ops, program.clone())
    })
}

/// Schedules for [`SimTest::schedule`](super::SimTest::schedule): up to `steps` picks
/// among `clients` clients. They shrink towards shorter schedules and lower client
/// numbers, so towards serial runs: a failing schedule is reported with few switches.
pub fn schedule(clients: u32, steps: usize) -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(0..clients.max(1), 0..=steps)
}

/// The keys scripts use (`KEYS[1]`, `KEYS[2]`).
pub const KEYS: [&str; 2] = ["a", "b"];

/// One statement of the grammar, on `KEYS[key + 1]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// `INCR KEYS[k+1]`.
    Incr(usize),
    /// `INCRBY KEYS[k+1] n`.
    IncrBy(usize, i64),
    /// `GET KEYS[k+1]`.
    Get(usize),
    /// `SET KEYS[k+1] v`.
    Set(usize, i64),
    /// `DEL KEYS[k+1]`.
    Del(usize),
}

impl Stmt {
    /// The Lua line; a read appends its reply to the script's result table `r`.
    pub fn lua(&self) -> String {
        match self {
            Stmt::Incr(k) => format!("r[#r+1] = redis.call('INCR', KEYS[{}])", k + 1),
            Stmt::IncrBy(k, n) => format!("r[#r+1] = redis.call('INCRBY', KEYS[{}], '{n}')", k + 1),
            Stmt::Get(k) => format!("r[#r+1] = redis.call('GET', KEYS[{}]) or 'nil'", k + 1),
            Stmt::Set(k, v) => format!("redis.call('SET', KEYS[{}], '{v}')", k + 1),
            Stmt::Del(k) => format!("r[#r+1] = redis.call('DEL', KEYS[{}])", k + 1),
        }
    }
}

/// A generated workload: `clients` clients each running `script` once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// How many clients.
    pub clients: u32,
    /// The statements of the script every client runs.
    pub script: Vec<Stmt>,
}

impl Workload {
    /// The script's Lua source: the statements, returning every reply read.
    pub fn source(&self) -> String {
        let mut s = String::from("local r = {}\n");
        for stmt in &self.script {
            s.push_str(&stmt.lua());
            s.push('\n');
        }
        s.push_str("return r\n");
        s
    }

    /// The scenario, scripts sent as `run` says.
    pub fn scenario(&self, run: ScriptRun) -> Scenario {
        Scenario::new("generated").clients(
            self.clients,
            1,
            Script::source(self.source()).keys(KEYS).sent(run),
        )
    }
}

/// One statement over the two keys, small values.
pub fn stmt() -> impl Strategy<Value = Stmt> {
    let key = 0..KEYS.len();
    prop_oneof![
        key.clone().prop_map(Stmt::Incr),
        (key.clone(), -3i64..=3).prop_map(|(k, n)| Stmt::IncrBy(k, n)),
        key.clone().prop_map(Stmt::Get),
        (key.clone(), 0i64..=9).prop_map(|(k, v)| Stmt::Set(k, v)),
        key.prop_map(Stmt::Del),
    ]
}

/// A script of 1 to 4 statements.
pub fn script() -> impl Strategy<Value = Vec<Stmt>> {
    proptest::collection::vec(stmt(), 1..=4)
}

/// 2 or 3 clients running one generated script each (one operation per client, so the
/// simulator's judge decides linearizability exactly by trying every serial order).
pub fn workload() -> impl Strategy<Value = Workload> {
    (2u32..=3, script()).prop_map(|(clients, script)| Workload { clients, script })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::analysis::Judge;

    /// Cases per property: `PROPTEST_CASES` for more.
    fn config() -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(16);
        ProptestConfig {
            cases,
            ..ProptestConfig::default()
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn eval_mode_histories_are_always_linearizable(w in workload(), seed in 0u64..1000) {
            let scenario = w.scenario(ScriptRun::Eval);
            let judge = Judge::new(&scenario);
            prop_assert!(judge.decides_linearizability());
            let mut world = scenario.world(seed);
            world.run_seed(seed);
            let verdict = judge.judge(&mut world);
            prop_assert_eq!(verdict.not_linearizable, Some(false), "{}\n{:?}", w.source(), verdict.findings);
        }
    }

    #[test]
    fn the_raw_increment_then_read_race_is_found_among_generated_seeds() {
        let w = Workload {
            clients: 2,
            script: vec![Stmt::Incr(0), Stmt::Get(0)],
        };
        let scenario = w.scenario(ScriptRun::Raw);
        let judge = Judge::new(&scenario);
        let found = (0..200u64).any(|seed| {
            let mut world = scenario.world(seed);
            world.run_seed(seed);
            judge.judge(&mut world).not_linearizable == Some(true)
        });
        assert!(
            found,
            "INCR then GET sent command by command: some seed reads the other client's increment"
        );
    }
}
