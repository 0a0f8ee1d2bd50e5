//! A finished run's verdict (the keys a scenario is about and their values are in
//! [`super::probe`], re-exported here).
//!
//! The verdict counts the anomalies the counter race is made of:
//! - **not linearizable**: the clients observed results that no order of atomic
//!   operations produces. Exact when every client runs one operation and no fault is
//!   injected: all operations are then concurrent, so every serial order is allowed, and
//!   the judge compares the results with those of every serial order (run once per
//!   scenario). Otherwise the linearizability checker (`crate::check`, the engine as
//!   the model) judges the history, within the scenario's budget of states
//!   (`check_states_max`); when it runs out, or the checker cannot judge the history, the
//!   run is **inconclusive** — neither a pass nor a failure, and reported as such.
//! - **lost update**: the final counter is below what the operations that completed
//!   without an error add to it. Checked only when every client runs the same program and
//!   a serial run of the scenario (every client one after another, no fault) shows that
//!   each operation adds the same amount (`INCR`: one; `INCRBY counter 0`: none, so the
//!   check is off).
//! - **counter ≠ cardinality**: an operation returned a pair whose fields differ
//!   although an invariant says they are equal (`result_fields_equal`).
//!   A counter only overwritten (SET without reading it: last writer wins) loses nothing:
//!   the rule must hold in serial runs in two orders, forward and backward.
//! - **torn state**: at the end the counter and the set's cardinality differ (partial
//!   effects of an operation that failed or whose client crashed); checked only when the
//!   serial run ends with them equal.
//! - **partial effects**: a crash cut a raw sequence short after some of its writes ran;
//!   nothing undoes them. Always named; a failure when the scenario asks for
//!   all-or-nothing ([`Invariant::AllOrNothing`]).
//! - **duplicate effect**: a client timed out and retried an operation whose first
//!   attempt had run anyway, and both attempts changed the data — the counter a retried
//!   EVAL increments goes up twice. The history cannot show it (an attempt with an unknown
//!   outcome may always have run), so the world's own record of what each attempt wrote
//!   decides; a script that stores an idempotency token and skips its writes when it finds
//!   it has no duplicate effect.
//! - **lost acknowledged write**: a client saw a write acknowledged, and a server restart
//!   lost it — with no persistence, from an RDB snapshot taken before it, or from an
//!   `appendfsync everysec` file after a power loss. The world knows which writes the
//!   persisted image holds (see `world/restart.rs`).
//!
//! When every serial order disagrees with the results, the linearizability checker has
//! the last word: a reply chosen at random (SPOP…) differs from the serial runs' choice
//! without anything having gone wrong.

use crate::history::{History, Op, Operation, Status};
use crate::scenario::{as_int, Invariant, Scenario};
use crate::scheduler::{Candidate, Scheduler};
use crate::world::World;
use redsim::Reply;

pub use super::probe::KeyState;
pub use super::probe::Probe;
pub(crate) use super::probe::{read_state, render_state};

/// What one run showed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    /// `None`: not decided (see the module doc).
    pub not_linearizable: Option<bool>,
    /// The final counter is below what the completed operations added.
    pub lost_update: bool,
    /// An operation returned fields that disagree (counter ≠ cardinality).
    pub mismatch: bool,
    /// The final counter differs from the final cardinality.
    pub torn_state: bool,
    /// A crash left an operation half applied.
    pub partial_effects: bool,
    /// A retried operation changed the data in two of its attempts.
    pub duplicate_effect: bool,
    /// A write a client saw acknowledged was lost by a server restart or a failover.
    pub lost_write: bool,
    /// What lost it was a failover (a replica promoted before it had the write).
    pub(crate) lost_in_failover: bool,
    /// A subscriber's last message announces a value the key no longer holds
    /// ([`Invariant::LastMessageIsCurrent`]).
    pub stale_message: bool,
    /// The scenario asks for all-or-nothing: partial effects fail the run.
    pub all_or_nothing: bool,
    /// Operations that replied with an error.
    pub errors: u32,
    /// Indices in the history of the operations the anomalies point at.
    pub violating: Vec<usize>,
    /// One line per anomaly, for people.
    pub findings: Vec<String>,
    /// The probed keys at the end of the run.
    pub final_state: Vec<KeyState>,
    /// Why linearizability could not be decided (the checker's budget ran out, or it
    /// cannot judge this history); `None` when it was decided.
    pub inconclusive: Option<String>,
    /// When a serial order of whole operations gives every client its result: the
    /// clients in that order (the first such order the judge ran).
    pub(crate) serial_order: Option<Vec<u32>>,
}

impl Verdict {
    /// Whether any anomaly was found.
    pub fn is_anomalous(&self) -> bool {
        self.not_linearizable == Some(true)
            || self.lost_update
            || self.mismatch
            || (self.partial_effects && self.all_or_nothing)
            || self.duplicate_effect
            || self.lost_write
            || self.stale_message
    }

    /// No anomaly was found, but the run was not shown to be free of one either.
    pub fn is_inconclusive(&self) -> bool {
        !self.is_anomalous() && self.inconclusive.is_some()
    }
}

/// Runs clients one after another in the order `order`: always the enabled client that
/// comes first in it.
struct Serial(Vec<u32>);

impl Scheduler for Serial {
    fn begin(&mut self, _seed: u64, _clients: usize) {}
    fn pick(&mut self, _step: u64, enabled: &[Candidate]) -> Option<usize> {
        let rank = |c: &Candidate| {
            self.0
                .iter()
                .position(|&x| x == c.client)
                .unwrap_or(usize::MAX)
        };
        (0..enabled.len()).min_by_key(|&i| rank(&enabled[i]))
    }
}

/// Each client's results, client by client.
pub fn results_by_client(history: &History) -> Vec<Option<Reply>> {
    let mut ops: Vec<&Op> = history.ops.iter().collect();
    ops.sort_by_key(|op| op.client);
    ops.iter().map(|op| op.result.clone()).collect()
}

fn permutations(n: u32) -> Vec<Vec<u32>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(at, n - 1);
            out.push(p);
        }
    }
    out
}

/// A serial order (the clients, in order) and each client's result in it.
type SerialRun = (Vec<u32>, Vec<Option<Reply>>);

/// Judges runs of one scenario.
pub struct Judge {
    /// The keys the scenario is about.
    pub probe: Probe,
    invariants: Vec<Invariant>,
    /// Every serial order (the clients in order) with the results it gives, one order per
    /// distinct outcome, when they decide linearizability exactly.
    serial: Option<Vec<SerialRun>>,
    /// What one serial run says of the probed counter.
    counter: CounterRules,
    /// The checker's budget per run (the scenario's `check_states_max`).
    check_states_max: u64,
    all_or_nothing: bool,
}

/// Which counter checks hold for a scenario, learnt from a serial run of it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct CounterRules {
    /// What each completed operation adds to the counter (`None`: not the same for each,
    /// or nothing — no lost-update check).
    per_op: Option<i64>,
    /// The serial run ends with the counter equal to the set's cardinality.
    equals_cardinality: bool,
}

impl CounterRules {
    /// Runs `scenario`'s clients one after another, without faults, and reads the counter.
    fn learn(scenario: &Scenario, probe: &Probe) -> CounterRules {
        let Some(counter) = &probe.counter else {
            return CounterRules::default();
        };
        let mut plain = scenario.clone().trace(false);
        plain.options.faults = Default::default();
        let mut world = plain.world(0);
        let at = probe.keys.iter().position(|k| k == counter).unwrap_or(0);
        let forward: Vec<u32> = (0..scenario.client_count()).collect();
        let backward: Vec<u32> = forward.iter().rev().copied().collect();
        let mut rules: Option<CounterRules> = None;
        for order in [forward, backward] {
            world.reset(0);
            world.run(&mut Serial(order));
            let done = completed_without_error(&world.history, world.clients() as u64);
            let state = read_state(&mut world, probe);
            let Some(value) = state.get(at).and_then(KeyState::as_int) else {
                return CounterRules::default();
            };
            let per_op = (done > 0 && value > 0 && value % done == 0).then(|| value / done);
            let equals_cardinality = zcard(&state).is_none_or(|card| card == value);
            let learnt = CounterRules {
                per_op,
                equals_cardinality,
            };
            match rules {
                // An overwrite ends at the last writer's value, which depends on the order:
                // only a counter every op adds to ends the same both ways.
                Some(first) if first.per_op != learnt.per_op => {
                    return CounterRules {
                        per_op: None,
                        equals_cardinality: first.equals_cardinality && equals_cardinality,
                    }
                }
                Some(first) => {
                    rules = Some(CounterRules {
                        per_op,
                        equals_cardinality: first.equals_cardinality && equals_cardinality,
                    })
                }
                None => rules = Some(learnt),
            }
        }
        rules.unwrap_or_default()
    }
}

/// The clients' operations (client numbers below `clients`) that completed without an
/// error; the admin connection's are not the clients' work.
fn completed_without_error(history: &History, clients: u64) -> i64 {
    history
        .ops
        .iter()
        .filter(|op| {
            op.client < clients
                && op.status == Status::Ok
                && !matches!(op.result, Some(Reply::Error(_)))
        })
        .count() as i64
}

/// The cardinality of the first probed sorted set.
fn zcard(state: &[KeyState]) -> Option<i64> {
    state.iter().find_map(|s| match s {
        KeyState::ZCard(n) => Some(*n as i64),
        _ => None,
    })
}

/// Most clients for which every serial order is run (8! = 40320 runs is too many).
pub const SERIAL_CLIENTS_MAX: u32 = 6;

impl Judge {
    /// The judge of `scenario`'s runs (runs its serial orders once).
    pub fn new(scenario: &Scenario) -> Judge {
        let exact = scenario.groups.iter().all(|g| g.ops == 1)
            && scenario.options.faults.is_none()
            && scenario.client_count() <= SERIAL_CLIENTS_MAX;
        let serial = exact.then(|| {
            let mut plain = scenario.clone().trace(false);
            plain.options.strategy = crate::options::Strategy::Random;
            let mut world = plain.world(0);
            let mut outcomes: Vec<SerialRun> = Vec::new();
            for order in permutations(scenario.client_count()) {
                world.reset(0);
                world.run(&mut Serial(order.clone()));
                let r = results_by_client(&world.history);
                if !outcomes.iter().any(|(_, o)| *o == r) {
                    outcomes.push((order, r));
                }
            }
            outcomes
        });
        let probe = Probe::of(scenario);
        Judge {
            counter: CounterRules::learn(scenario, &probe),
            probe,
            invariants: scenario.invariants.clone(),
            serial,
            check_states_max: scenario.check_states_max,
            all_or_nothing: scenario.invariants.contains(&Invariant::AllOrNothing),
        }
    }

    /// A judge for runs whose faults are not the scenario's (swarm testing draws them per
    /// seed): it never takes the fault-free shortcut of comparing with serial runs.
    pub fn for_swarm(scenario: &Scenario) -> Judge {
        let mut judge = Judge::new(scenario);
        judge.serial = None;
        judge
    }

    /// Whether "not linearizable" is decided exactly for this scenario.
    pub fn decides_linearizability(&self) -> bool {
        self.serial.is_some()
    }

    /// The verdict on the run `world` just finished.
    pub fn judge(&self, world: &mut World) -> Verdict {
        let mut v = Verdict {
            final_state: read_state(world, &self.probe),
            all_or_nothing: self.all_or_nothing,
            ..Verdict::default()
        };
        for invariant in &self.invariants {
            if let Some(why) = invariant.stale_message(world) {
                v.stale_message = true;
                v.findings.push(why);
            }
        }
        let history = &world.history;
        let clients = world.clients() as u64;
        let is_error = |op: &Op| op.client < clients && matches!(op.result, Some(Reply::Error(_)));
        v.errors = history.ops.iter().filter(|op| is_error(op)).count() as u32;
        let flag = |v: &mut Verdict, i: usize| {
            if !v.violating.contains(&i) {
                v.violating.push(i);
            }
        };
        for invariant in &self.invariants {
            let Invariant::ResultFieldsEqual(a, b) = invariant else {
                continue;
            };
            for (i, op) in history.ops.iter().enumerate() {
                if op.status != Status::Ok {
                    continue;
                }
                if let Some(Reply::Array(items)) = &op.result {
                    let (x, y) = (
                        items.get(*a).and_then(as_int),
                        items.get(*b).and_then(as_int),
                    );
                    if x != y {
                        v.mismatch = true;
                        flag(&mut v, i);
                        let name = |f: usize, value: Option<i64>| {
                            let value = value.map_or("nil".to_string(), |n| n.to_string());
                            match self.probe.keys.get(f) {
                                Some(k) => format!("{} = {value}", String::from_utf8_lossy(k)),
                                None => format!("field {f} = {value}"),
                            }
                        };
                        v.findings.push(format!(
                            "client {} read {} but {}",
                            op.client,
                            name(*a, x),
                            name(*b, y)
                        ));
                    }
                }
            }
        }
        if let Some(serial) = &self.serial {
            let observed = results_by_client(history);
            v.serial_order = serial
                .iter()
                .find(|(_, s)| {
                    s.len() == observed.len()
                        && s.iter().zip(&observed).all(|(s, o)| o.is_none() || s == o)
                })
                .map(|(order, _)| order.clone());
            let fits = v.serial_order.is_some()
                || checker_verdict(history) == Some(crate::check::Verdict::Linearizable);
            v.not_linearizable = Some(!fits);
            if !fits {
                // The clients whose own result no serial order gives them.
                let mut by_client: Vec<&Op> = history.ops.iter().collect();
                by_client.sort_by_key(|op| op.client);
                let mut any = false;
                for (k, op) in by_client.iter().enumerate() {
                    if !serial.iter().any(|(_, s)| s.get(k) == Some(&op.result)) {
                        any = true;
                        if let Some(i) = history.ops.iter().position(|o| std::ptr::eq(o, *op)) {
                            flag(&mut v, i);
                        }
                    }
                }
                if !any && v.violating.is_empty() {
                    (0..history.ops.len()).for_each(|i| flag(&mut v, i));
                }
                v.findings
                    .push("no order of atomic operations gives these results".into());
            }
        }
        // An admin write (FLUSHALL, SET…) moves the counter by itself: what it ends at then
        // says nothing of lost updates or torn state.
        let admin_wrote = history
            .ops
            .iter()
            .any(|op| op.client >= clients && op_writes(op));
        if let Some(counter) = self.probe.counter.as_ref().filter(|_| !admin_wrote) {
            let at = self
                .probe
                .keys
                .iter()
                .position(|k| k == counter)
                .unwrap_or(0);
            let done = completed_without_error(history, clients);
            if let Some(value) = v.final_state.get(at).and_then(KeyState::as_int) {
                let expected = self.counter.per_op.map(|k| k.saturating_mul(done));
                if let Some(expected) = expected.filter(|&e| value < e) {
                    v.lost_update = true;
                    v.findings.push(format!(
                        "{done} operations completed but {} ends at {value} (expected {expected}): an update was lost",
                        String::from_utf8_lossy(counter)
                    ));
                    for (i, op) in history.ops.iter().enumerate() {
                        if overlaps_another(history, op) {
                            flag(&mut v, i);
                        }
                    }
                }
                let card = zcard(&v.final_state).filter(|_| self.counter.equals_cardinality);
                if let Some(card) = card.filter(|&c| c != value) {
                    v.torn_state = true;
                    v.findings.push(format!(
                        "the run ends with counter {value} but {card} set entries"
                    ));
                }
            }
        }
        if self.serial.is_none() {
            // Several ops per client, or faults: the linearizability checker decides.
            // Counted budgets only: a verdict that depended on the machine's speed could
            // not be replayed.
            let options = crate::check::Options {
                max_states: self.check_states_max,
                counterexample: false,
                ..crate::check::Options::default()
            };
            match check_on_this_thread(history, &options) {
                Err(e) => v.inconclusive = Some(format!("the checker cannot judge it: {e}")),
                Ok(outcome) => match outcome.verdict {
                    crate::check::Verdict::Linearizable => v.not_linearizable = Some(false),
                    crate::check::Verdict::NotLinearizable => {
                        v.not_linearizable = Some(true);
                        v.findings.push(
                            "the linearizability checker finds no order of atomic operations"
                                .into(),
                        );
                        if v.violating.is_empty() {
                            for i in outcome.violated_part.unwrap_or_default() {
                                flag(&mut v, i);
                            }
                        }
                    }
                    crate::check::Verdict::Unknown => {
                        v.inconclusive = Some(format!(
                            "the linearizability checker's {}",
                            outcome.reason.as_deref().unwrap_or("budget ran out")
                        ))
                    }
                },
            }
        }
        for &i in &world.partial_ops {
            let op = &history.ops[i];
            v.partial_effects = true;
            if self.all_or_nothing {
                flag(&mut v, i);
            }
            v.findings.push(format!(
                "partial effects: client {} crashed in the middle of its operation, after some of its writes had run; nothing undoes them",
                op.client
            ));
        }
        for (first, again) in world.duplicate_effects() {
            v.duplicate_effect = true;
            flag(&mut v, first);
            flag(&mut v, again);
            v.findings.push(format!(
                "duplicate effect: client {} timed out and retried, but its first attempt ran too: the operation changed the data twice",
                history.ops[again].client
            ));
        }
        for &i in &world.disk.lost {
            v.lost_write = true;
            flag(&mut v, i);
            let op = &history.ops[i];
            v.findings.push(format!(
                "lost acknowledged write: client {}'s {} was acknowledged, then a restart (persistence {}) lost it",
                op.client,
                op_label(&op.op),
                world.options.faults.persistence
            ));
        }
        for &i in &world.disk.lost_in_failover {
            v.lost_write = true;
            v.lost_in_failover = true;
            flag(&mut v, i);
            let op = &history.ops[i];
            v.findings.push(format!(
                "lost acknowledged write: client {}'s {} was acknowledged by the primary, then a failover promoted a replica that never received it",
                op.client,
                op_label(&op.op),
            ));
        }
        if v.not_linearizable.is_none() && (v.mismatch || v.lost_update) {
            // Either anomaly alone rules out every atomic order.
            v.not_linearizable = Some(true);
        }
        if v.not_linearizable.is_some() {
            v.inconclusive = None;
        }
        v.violating.sort_unstable();
        v
    }
}

/// Whether `op` is a command flagged `write` in the command table that did not fail.
fn op_writes(op: &Op) -> bool {
    let Operation::Command(argv) = &op.op else {
        return true;
    };
    if matches!(op.result, Some(Reply::Error(_))) {
        return false;
    }
    match redsim::cmd::resolve(argv) {
        redsim::cmd::Resolved::Found(spec, sub) => {
            spec.has(redsim::cmd::flags::WRITE)
                || sub.is_some_and(|s| s.has(redsim::cmd::flags::WRITE))
        }
        redsim::cmd::Resolved::Refused(_) => false,
    }
}

/// The linearizability checker's verdict on `history` within the judge's budget; `None`
/// when it cannot judge it.
fn checker_verdict(history: &History) -> Option<crate::check::Verdict> {
    let options = crate::check::Options {
        max_states: 2_000_000,
        counterexample: false,
        ..crate::check::Options::default()
    };
    check_on_this_thread(history, &options)
        .ok()
        .map(|o| o.verdict)
}

thread_local! {
    /// The engine model the judge's checks use on this thread, kept from run to run: a
    /// sweep judges thousands of runs a second, and a new engine (a Lua VM with its
    /// libraries) cost more than the check itself. A model carries nothing from one
    /// history to the next that changes a verdict (its remembered steps are keyed by state).
    static ENGINE_MODEL: std::cell::RefCell<Option<crate::check::models::EngineModel>> =
        const { std::cell::RefCell::new(None) };
    /// The outcomes of this thread's checks of small histories (see `verdict_memo`).
    static MEMO: std::cell::RefCell<super::verdict_memo::VerdictMemo> =
        std::cell::RefCell::new(super::verdict_memo::VerdictMemo::default());
}

fn check_on_this_thread(
    history: &History,
    options: &crate::check::Options,
) -> Result<crate::check::Outcome, crate::check::CheckError> {
    let check = || {
        ENGINE_MODEL.with(|cell| {
            let mut slot = cell.borrow_mut();
            let engine = slot.get_or_insert_with(crate::check::models::EngineModel::new);
            crate::check::check_using(
                history,
                crate::check::ModelChoice::Auto,
                options,
                Some(engine),
            )
        })
    };
    MEMO.with(|memo| memo.borrow_mut().get_or_check(history, options, check))
}

fn overlaps_another(history: &History, op: &Op) -> bool {
    let end = |o: &Op| o.ret.unwrap_or(u64::MAX);
    history
        .ops
        .iter()
        .any(|o| o.client != op.client && o.call <= end(op) && op.call <= end(o))
}

/// A short name for an operation, for the picture's labels.
pub(crate) fn op_label(op: &Operation) -> String {
    match op {
        Operation::Command(argv) => crate::trace::fmt_argv(argv),
        Operation::Script { args, mode, .. } => {
            let args: Vec<String> = args
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            format!(
                "script({}) {}",
                if *mode == crate::history::ScriptMode::Raw {
                    "raw"
                } else {
                    "eval"
                },
                args.join(" ")
            )
        }
        Operation::Multi(cmds) => format!("MULTI ({} commands)", cmds.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_all_orders() {
        assert_eq!(permutations(3).len(), 6);
        let mut p = permutations(3);
        p.sort();
        p.dedup();
        assert_eq!(p.len(), 6);
    }
}
