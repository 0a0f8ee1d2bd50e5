//! Linearizability: could some order of atomic executions, consistent with real time,
//! explain every observed result of a history?
//!
//! An operation takes effect atomically at one instant between its `call` and its
//! `return` (closed intervals: equal times overlap), and a client's operations take effect
//! in its program order (by `call`, then position in the history) even when one is
//! invoked at the instant the previous one returned. A `fail` op had no effect and is
//! dropped; an `unknown` op may have taken effect once at any instant after its call, or
//! never; an `ok` op without a result matches any reply.
//!
//! The checker knows a small trait, [`SequentialSpec`], not Redis. The **engine model**
//! ([`models::EngineModel`]) runs each op on a snapshot of redsim's own engine, so any
//! command, script or MULTI block can be judged; the hand models (register with CAS,
//! key-value, counter) are chosen automatically when every op fits them.
//!
//! The search is Wing & Gong's, as improved by Lowe (and as in porcupine): depth-first over
//! "which pending op takes effect next", memoising every (set of linearized ops, model
//! state) already explored. States are interned, so the model runs once per distinct
//! (state, op) pair. The history is first split into independent parts by the keys each
//! op touches (P-compositionality); the parts are searched interleaved, a slice each in
//! turn, and the first violation ends the check — a violation in one part is found even if
//! another part alone would take minutes. A budget of search steps, states and memo memory
//! ends in `Unknown`. Every budget is a count, never a time: a slow machine, a loaded CI
//! runner and a fast laptop give a history the same verdict.

pub mod counterexample;
pub mod gen;
pub mod models;
mod order;
mod partition;
mod search;
mod steps;

pub use counterexample::Counterexample;
pub use partition::{engine_footprint as partition_footprint, Footprint};

use crate::history::{History, Operation, Status};
use redsim::resp::{format_double, format_human};
use redsim::Reply;
use search::{Poll, Search};
use steps::SharedSteps;

/// A sequential specification: the behaviour of the system when ops run one at a time.
///
/// The checker calls [`init`](Self::init) once per independent part of the history, then
/// [`step`](Self::step) for each (state, op) pair it explores — once per distinct pair,
/// since states are interned by [`fingerprint`](Self::fingerprint) and
/// [`same_state`](Self::same_state).
pub trait SequentialSpec {
    /// A state of the specified object (interned by the checker).
    type State: Clone;

    /// The name `--model` uses and reports print.
    fn name(&self) -> &'static str;

    /// The state before any op.
    fn init(&mut self) -> Self::State;

    /// `Ok` when the model can judge `op`; otherwise why not.
    fn supports(&self, op: &Operation) -> Result<(), String>;

    /// Runs `op` atomically on `state`: the state after it (`None` when the op left it
    /// unchanged, which spares a copy) and the reply it gives. Only called for ops that
    /// [`supports`](Self::supports) accepts.
    fn step(&mut self, state: &Self::State, op: &Operation) -> (Option<Self::State>, Reply);

    /// Every outcome `op` may have on `state`: more than one when its reply is a random
    /// choice (SPOP, SRANDMEMBER, RANDOMKEY…, or a script calling them). The search
    /// accepts the op when any outcome's reply matches. Default: `step`'s one outcome.
    fn step_all(
        &mut self,
        state: &Self::State,
        op: &Operation,
    ) -> Vec<(Option<Self::State>, Reply)> {
        vec![self.step(state, op)]
    }

    /// A hash of `state`; equal states must have equal fingerprints.
    fn fingerprint(&self, state: &Self::State) -> u64;

    /// Whether two states are the same (used when fingerprints are equal).
    fn same_state(&self, a: &Self::State, b: &Self::State) -> bool;

    /// An estimate of the memory `state` holds, in bytes, counted in the check's memory
    /// budget for each state the search keeps. Default: the size of the type.
    fn state_bytes(&self, _state: &Self::State) -> u64 {
        std::mem::size_of::<Self::State>() as u64
    }

    /// A short human-readable rendering, for counterexamples.
    fn describe(&self, state: &Self::State) -> String;

    /// Whether `op` never changes any state (GET): the search then commits to it as soon
    /// as its reply matches, without trying other orders. Default: false (always safe).
    fn is_read_only(&self, _op: &Operation) -> bool {
        false
    }

    /// Whether, since the last call, some step reached a key outside its op's
    /// [`footprint`](Self::footprint) (a script reaching keys it did not declare); the
    /// call clears it. The checker then judges the history as one part, since splitting
    /// it by footprints was not sound.
    fn take_reached_outside(&mut self) -> bool {
        false
    }

    /// Which keys `op` touches, for splitting the history into independent parts. The
    /// default reads key positions from the engine's command table.
    fn footprint(&self, op: &Operation) -> Footprint {
        partition::engine_footprint(op)
    }
}

/// Which model judges a history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelChoice {
    /// The first hand model every op fits (register, kv, counter), else the engine.
    Auto,
    /// The engine itself, run on a copy of the state: judges any operation.
    Engine,
    /// One register per key (GET/SET).
    Register,
    /// A key-value map of strings.
    Kv,
    /// Counters (INCR/INCRBY/GET).
    Counter,
}

impl ModelChoice {
    /// The model `--model NAME` names; `None` for an unknown name.
    pub fn parse(name: &str) -> Option<ModelChoice> {
        Some(match name {
            "auto" => ModelChoice::Auto,
            "engine" => ModelChoice::Engine,
            "register" => ModelChoice::Register,
            "kv" => ModelChoice::Kv,
            "counter" => ModelChoice::Counter,
            _ => return None,
        })
    }
}

/// Limits and switches of one check.
#[derive(Clone, Debug)]
pub struct Options {
    /// Most search steps (one op tried, or one choice undone), over all parts. The
    /// counterexample search has its own budget on top.
    pub max_steps: u64,
    /// Most memoised (linearized set, state) entries, over all parts.
    pub max_states: u64,
    /// Most memory for memoised entries and the states the search keeps, in bytes (an
    /// estimate: [`SequentialSpec::state_bytes`]), over all parts.
    pub max_memo_bytes: u64,
    /// Compute a counterexample when the history is not linearizable.
    pub counterexample: bool,
    /// Search steps each part gets per turn.
    pub slice_steps: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_steps: 2_000_000_000,
            max_states: 20_000_000,
            max_memo_bytes: 1 << 30,
            counterexample: true,
            slice_steps: 512,
        }
    }
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some order of atomic operations explains the history.
    Linearizable,
    /// No order of atomic operations explains it.
    NotLinearizable,
    /// The budget ran out first.
    Unknown,
}

impl Verdict {
    /// The exact last line of `redsim check`'s text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Linearizable => "linearizable",
            Verdict::NotLinearizable => "not linearizable",
            Verdict::Unknown => "unknown",
        }
    }
}

/// What a check found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The answer.
    pub verdict: Verdict,
    /// The model that judged (`engine`, `register`, `kv`, `counter`).
    pub model: &'static str,
    /// Independent parts the history split into.
    pub parts: usize,
    /// Memoised states explored, over all parts.
    pub states: u64,
    /// Search steps taken, over all parts.
    pub steps: u64,
    /// For `Unknown`: which budget ran out.
    pub reason: Option<String>,
    /// For `NotLinearizable`: indices (into `History::ops`) of the part found violated.
    pub violated_part: Option<Vec<usize>>,
    /// For `NotLinearizable` when asked for.
    pub counterexample: Option<Counterexample>,
}

/// Input the checker cannot judge (exit status 2 in the CLI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckError(pub String);

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckError {}

/// Checks `history` with the model `choice` names.
pub fn check(
    history: &History,
    choice: ModelChoice,
    options: &Options,
) -> Result<Outcome, CheckError> {
    check_using(history, choice, options, None)
}

/// [`check`], judging with `engine` when the history needs the engine model. A caller that
/// checks many small histories (a sweep's judge) keeps one: making an engine, with its Lua
/// VM, costs far more than checking a history of a few ops.
pub fn check_using(
    history: &History,
    choice: ModelChoice,
    options: &Options,
    engine: Option<&mut models::EngineModel>,
) -> Result<Outcome, CheckError> {
    match resolve_model(history, choice)? {
        ModelChoice::Register => check_with(history, &mut models::RegisterModel, options),
        ModelChoice::Kv => check_with(history, &mut models::KvModel, options),
        ModelChoice::Counter => check_with(history, &mut models::CounterModel, options),
        _ => match engine {
            Some(engine) => check_with(history, engine, options),
            None => check_with(history, &mut models::EngineModel::new(), options),
        },
    }
}

/// The concrete model `choice` means for `history` (`Auto` resolved).
pub fn resolve_model(history: &History, choice: ModelChoice) -> Result<ModelChoice, CheckError> {
    if choice != ModelChoice::Auto {
        return Ok(choice);
    }
    let fits = |m: &dyn Fn(&Operation) -> bool| history.ops.iter().all(|op| m(&op.op));
    Ok(if fits(&|op| models::RegisterModel.supports(op).is_ok()) {
        ModelChoice::Register
    } else if fits(&|op| models::KvModel.supports(op).is_ok()) {
        ModelChoice::Kv
    } else if fits(&|op| models::CounterModel.supports(op).is_ok()) {
        ModelChoice::Counter
    } else {
        ModelChoice::Engine
    })
}

/// One op as the search sees it.
#[derive(Clone, Debug)]
pub(crate) struct PartOp<'h> {
    /// Index in `History::ops`.
    pub index: usize,
    /// The client: its ops take effect in program order.
    pub client: u64,
    pub call: u64,
    /// `None`: may take effect at any time after `call` (unknown outcome).
    pub ret: Option<u64>,
    pub op: &'h Operation,
    /// The reply to match; `None` matches anything.
    pub observed: Option<&'h Reply>,
}

/// The ops of `history` that take part in the search (fail ops dropped), or why the
/// model cannot judge one.
pub(crate) fn prepare<'h, M: SequentialSpec>(
    history: &'h History,
    model: &M,
) -> Result<Vec<PartOp<'h>>, CheckError> {
    let mut ops = Vec::with_capacity(history.ops.len());
    for (index, op) in history.ops.iter().enumerate() {
        if op.status == Status::Fail {
            continue;
        }
        model
            .supports(&op.op)
            .map_err(|why| CheckError(format!("ops[{index}]: {why} (model {})", model.name())))?;
        let (ret, observed) = match op.status {
            Status::Ok => match op.ret {
                Some(r) => (Some(r), op.result.as_ref()),
                None => {
                    return Err(CheckError(format!(
                        "ops[{index}]: an ok op needs a return time"
                    )))
                }
            },
            _ => (None, None),
        };
        if let Some(r) = ret {
            if r < op.call {
                return Err(CheckError(format!(
                    "ops[{index}]: return {r} is before call {}",
                    op.call
                )));
            }
        }
        ops.push(PartOp {
            index,
            client: op.client,
            call: op.call,
            ret,
            op: &op.op,
            observed,
        });
    }
    order::refine_program_order(&mut ops);
    Ok(ops)
}

/// Shared limits of one check.
pub(crate) struct Budget {
    pub max_steps: u64,
    pub max_states: u64,
    pub max_memo_bytes: u64,
    pub steps: u64,
    pub states: u64,
    pub memo_bytes: u64,
    pub exhausted: Option<String>,
}

impl Budget {
    pub fn new(options: &Options) -> Budget {
        Budget {
            max_steps: options.max_steps,
            max_states: options.max_states,
            max_memo_bytes: options.max_memo_bytes,
            steps: 0,
            states: 0,
            memo_bytes: 0,
            exhausted: None,
        }
    }

    /// Whether the check may go on; records why not.
    pub fn check(&mut self) -> bool {
        if self.exhausted.is_some() {
            return false;
        }
        if self.states > self.max_states {
            self.exhausted = Some(format!("state budget of {} exhausted", self.max_states));
        } else if self.steps >= self.max_steps {
            // `>=`: a search stops when the next step would pass the budget.
            self.exhausted = Some(format!("step budget of {} exhausted", self.max_steps));
        } else if self.memo_bytes > self.max_memo_bytes {
            self.exhausted = Some(format!(
                "memory budget of {} bytes exhausted",
                self.max_memo_bytes
            ));
        }
        self.exhausted.is_none()
    }
}

/// Checks `history` against `model`.
pub fn check_with<M: SequentialSpec>(
    history: &History,
    model: &mut M,
    options: &Options,
) -> Result<Outcome, CheckError> {
    let ops = prepare(history, model)?;
    let mut parts = partition::split(&ops, model);
    let mut budget = Budget::new(options);
    model.take_reached_outside();
    let mut verdict = search_parts(model, &parts, options, &mut budget, None);
    if parts.len() > 1 && model.take_reached_outside() {
        // An op reached keys outside its footprint (a script using keys it did not
        // declare): the parts were not independent. Judge the history whole.
        parts = vec![ops.to_vec()];
        budget = Budget::new(options);
        verdict = search_parts(model, &parts, options, &mut budget, None);
    }
    let mut outcome = Outcome {
        verdict: match verdict {
            PartsVerdict::Linearizable => Verdict::Linearizable,
            PartsVerdict::Violated(..) => Verdict::NotLinearizable,
            PartsVerdict::Unknown => Verdict::Unknown,
        },
        model: model.name(),
        parts: parts.len(),
        states: budget.states,
        steps: budget.steps,
        reason: budget.exhausted.clone(),
        violated_part: None,
        counterexample: None,
    };
    if let PartsVerdict::Violated(p, steps) = verdict {
        outcome.violated_part = Some(parts[p].iter().map(|o| o.index).collect());
        if options.counterexample {
            outcome.counterexample = Some(counterexample::build(
                history,
                model,
                &parts[p],
                options,
                &steps,
                (budget.states, budget.steps),
            ));
        }
    }
    Ok(outcome)
}

pub(crate) enum PartsVerdict<S> {
    Linearizable,
    /// The part violated, and the steps its search took (for the counterexample's
    /// searches, which run the same ops on the same states).
    Violated(usize, SharedSteps<S>),
    Unknown,
}

/// Searches every part, a slice each in turn, until all are linearizable, one is
/// violated, or the budget runs out. With `shared`, every part interns its states and
/// remembers its steps there (shrinking's trials reuse each other's); without, each part
/// has its own table, dropped when the part is decided, so that a history of many parts
/// holds the states of the parts still in progress only, not of every part.
pub(crate) fn search_parts<M: SequentialSpec>(
    model: &mut M,
    parts: &[Vec<PartOp<'_>>],
    options: &Options,
    budget: &mut Budget,
    shared: Option<&SharedSteps<M::State>>,
) -> PartsVerdict<M::State> {
    if let Some(steps) = shared {
        steps.borrow_mut().trim();
    }
    let mut searches: Vec<(usize, Search<'_, '_, M>)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let steps = shared.cloned().unwrap_or_else(steps::shared_steps);
            (i, Search::new(model, p, steps))
        })
        .collect();
    while !searches.is_empty() {
        let mut i = 0;
        while i < searches.len() {
            let (part, search) = &mut searches[i];
            match search.run(model, budget, options.slice_steps) {
                Poll::Linearizable => {
                    // Its memo goes, and its states with it when they are its own.
                    let counted = searches.swap_remove(i).1.counted;
                    let freed = counted.memo + if shared.is_none() { counted.states } else { 0 };
                    budget.memo_bytes = budget.memo_bytes.saturating_sub(freed);
                    continue;
                }
                Poll::Violated => return PartsVerdict::Violated(*part, search.steps.clone()),
                Poll::Pending => {}
            }
            if !budget.check() {
                return PartsVerdict::Unknown;
            }
            i += 1;
        }
    }
    PartsVerdict::Linearizable
}

/// Whether a reply the model gave matches the observed one. Replies are compared in their
/// RESP2 shape, so an observation from a RESP2 client (a double as a bulk string, a map as
/// a flat array, `*-1` read back from JSON as `null`) matches the engine's RESP3-aware
/// reply, and a RESP3 observation matches too.
pub fn replies_match(model: &Reply, observed: &Reply) -> bool {
    model == observed || resp2_eq(model, observed)
}

/// The elements of an aggregate as RESP2 lists them (a map's keys and values in turn).
fn resp2_items(r: &Reply) -> Option<Vec<&Reply>> {
    match r {
        Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => Some(v.iter().collect()),
        Reply::Map(pairs) | Reply::Attribute(pairs) => {
            Some(pairs.iter().flat_map(|(k, v)| [k, v]).collect())
        }
        _ => None,
    }
}

/// `resp2_shape(a) == resp2_shape(b)` without building either.
fn resp2_eq(a: &Reply, b: &Reply) -> bool {
    use Reply::*;
    // Aggregates: compare element-wise (maps flatten to key, value, key, value…).
    match (a, b) {
        (Null | NullArray, Null | NullArray) => true,
        // A RESP3 double read off the wire keeps only its value, not GEOPOS's `%.17Lf`
        // text: it matches the value that text reads back as.
        (HumanDouble(h), Double(d)) | (Double(d), HumanDouble(h)) => {
            format_human(*h).parse::<f64>().ok() == Some(*d)
        }
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| resp2_eq(p, q)),
        (Array(_) | Set(_) | Push(_) | Map(_), Array(_) | Set(_) | Push(_) | Map(_)) => {
            match (resp2_items(a), resp2_items(b)) {
                (Some(x), Some(y)) => {
                    x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| resp2_eq(p, q))
                }
                _ => false,
            }
        }
        (Integer(_) | Bool(_), Integer(_) | Bool(_))
        | (
            Bulk(_) | Double(_) | HumanDouble(_) | BigNumber(_) | Verbatim { .. },
            Bulk(_) | Double(_) | HumanDouble(_) | BigNumber(_) | Verbatim { .. },
        ) => resp2_shape(a) == resp2_shape(b),
        _ => a == b,
    }
}

/// A reply as a RESP2 client sees it.
pub fn resp2_shape(reply: &Reply) -> Reply {
    match reply {
        Reply::NullArray | Reply::Null => Reply::Null,
        Reply::Bool(b) => Reply::Integer(*b as i64),
        Reply::Double(d) => Reply::Bulk(format_double(*d).into_bytes()),
        Reply::HumanDouble(d) => Reply::Bulk(format_human(*d).into_bytes()),
        Reply::BigNumber(n) => Reply::Bulk(n.clone()),
        Reply::Verbatim { text, .. } => Reply::Bulk(text.clone()),
        Reply::Map(pairs) | Reply::Attribute(pairs) => Reply::Array(
            pairs
                .iter()
                .flat_map(|(k, v)| [resp2_shape(k), resp2_shape(v)])
                .collect(),
        ),
        // A RESP2 client gets no attribute or push frame before the reply.
        Reply::Preceded { reply, .. } => resp2_shape(reply),
        Reply::Frames(frames) => Reply::Frames(frames.iter().map(resp2_shape).collect()),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            Reply::Array(items.iter().map(resp2_shape).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_geopos_double_read_off_resp3_matches_the_engines() {
        let engine = Reply::Array(vec![Reply::HumanDouble(13.361389338970184)]);
        // Real Redis sends `,13.36138933897018433`; the wire codec keeps the value.
        let wire = Reply::Array(vec![Reply::Double(13.361389338970184)]);
        assert!(replies_match(&engine, &wire));
        let resp2 = Reply::Array(vec![Reply::bulk("13.36138933897018433")]);
        assert!(replies_match(&engine, &resp2));
        let other = Reply::Array(vec![Reply::Double(13.36138933897018)]);
        assert!(!replies_match(&engine, &other));
    }
}
