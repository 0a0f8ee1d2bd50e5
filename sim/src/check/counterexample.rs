//! What a violation looks like, as data: the smallest sub-history found that is still not
//! linearizable, the longest order of its ops that the model accepts, and for each op
//! that could come next in real time, what the model would have replied versus what was
//! observed.
//!
//! The sub-history is found by relaxing chunks of ops to "unknown outcome" (halving the
//! chunk size, as delta debugging does) while the history stays not linearizable, and
//! then leaving the relaxed ops out. The violation it shows therefore holds whatever the
//! left-out ops did, and is not one that leaving them out created. It is minimal in that
//! sense — relaxing any one of its ops makes the violation disappear — unless the
//! shrinking budget ran out (`minimal: false`).

use super::search::{Poll, Search};
use super::steps::SharedSteps;
use super::{
    partition, replies_match, search_parts, Budget, Options, PartOp, PartsVerdict, SequentialSpec,
};
use crate::history::json::{op_to_value, reply_to_value, FORMAT};
use crate::history::{History, Operation};
use redsim::Reply;
use serde_json::{json, Value};

/// An op that could have come next after the longest linearizable prefix.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Index in `History::ops`.
    pub op: usize,
    /// What the model replies to it after the prefix.
    pub expected: Reply,
    /// What was observed (`None`: not observed, or unknown outcome).
    pub observed: Option<Reply>,
    /// Whether the replies match (then it leads to a dead end later instead).
    pub matches: bool,
}

/// A history shown not linearizable, cut down to what shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterexample {
    /// Indices in `History::ops` of a smallest non-linearizable sub-history, by call time
    /// (the core). Without the other ops it is still not linearizable: each of its
    /// linearizations would be one of the relaxed history in which they never happen.
    pub ops: Vec<usize>,
    /// Ops outside the core that the prefix uses as having (possibly) happened: their
    /// outcome was relaxed to unknown, and the core needs them to explain what it saw.
    pub context: Vec<usize>,
    /// Whether no single op of `ops` can be dropped (false if shrinking ran out of budget).
    pub minimal: bool,
    /// The longest sequence the model accepts in real-time order (core ops and context
    /// ops; the most core ops found).
    pub prefix: Vec<usize>,
    /// The model state after `prefix`, rendered.
    pub state: String,
    /// Each op that real time allows next, with the model's reply and the observed one.
    pub candidates: Vec<Candidate>,
}

/// States one trial of shrinking (one "is this still violated?") may explore.
const SHRINK_STATES: u64 = 2_000_000;
/// States all of shrinking may explore, beyond the check itself: a count rather than a
/// time, so that the counterexample (and whether it is `minimal`) is the same on any
/// machine. `SHRINK_PER_VERDICT_STATE` times what the verdict took, so that the
/// counterexample costs about as much more than the verdict whatever the history (a
/// fixed 8 M made a 0.1 s verdict wait half a minute for its counterexample), within a
/// floor that small histories shrink fully in and a ceiling.
const SHRINK_STATES_FLOOR: u64 = 20_000;
const SHRINK_PER_VERDICT_STATE: u64 = 10;
const SHRINK_STATES_TOTAL: u64 = 8_000_000;
/// Search steps shrinking may take per state of its budget (the searches of one check
/// take a few per state; a trial full of relaxed ops takes many more, for few new states).
const SHRINK_STEPS_PER_STATE: u64 = 16;

/// What is left of shrinking's budget.
struct Left {
    states: u64,
    steps: u64,
}

impl Left {
    /// The budget after a verdict that took (states, steps): about
    /// `SHRINK_PER_VERDICT_STATE` times as much, within the floor and the ceiling.
    fn after((states, steps): (u64, u64)) -> Left {
        let states = states
            .saturating_mul(SHRINK_PER_VERDICT_STATE)
            .clamp(SHRINK_STATES_FLOOR, SHRINK_STATES_TOTAL);
        let steps = steps
            .saturating_mul(SHRINK_PER_VERDICT_STATE)
            .max(states.saturating_mul(SHRINK_STEPS_PER_STATE) / 4)
            .clamp(
                SHRINK_STATES_FLOOR * SHRINK_STEPS_PER_STATE,
                SHRINK_STATES_TOTAL * SHRINK_STEPS_PER_STATE,
            );
        Left { states, steps }
    }
}

/// Builds the counterexample of a violated part.
pub(crate) fn build<M: SequentialSpec>(
    history: &History,
    model: &mut M,
    part: &[PartOp<'_>],
    options: &Options,
    steps: &SharedSteps<M::State>,
    verdict: (u64, u64),
) -> Counterexample {
    let mut left = Left::after(verdict);
    let (relaxed, minimal) = shrink(model, part, options, &mut left, steps);
    let core: Vec<usize> = part
        .iter()
        .zip(&relaxed)
        .filter(|(_, &r)| !r)
        .map(|(o, _)| o.index)
        .collect();
    // The prefix is searched with the relaxed ops present as "may have happened", so that
    // it can show which of them the core needs (a write that explains a read).
    let sub = with_relaxed(part, &relaxed);
    // Bounded: if shrinking stopped early the sub-history may still be hard; the longest
    // prefix found within the bound is what is reported then.
    let mut budget = Budget::new(&Options {
        max_states: SHRINK_STATES.min(left.states.max(SHRINK_STATES_FLOOR)),
        max_steps: options
            .max_steps
            .min(left.steps.max(SHRINK_STATES_FLOOR * SHRINK_STEPS_PER_STATE)),
        ..options.clone()
    });
    steps.borrow_mut().trim();
    let mut search = Search::new(model, &sub, steps.clone());
    while search.run(model, &mut budget, 4096) == Poll::Pending {
        if !budget.check() {
            break;
        }
    }
    let prefix: Vec<usize> = search.best.iter().map(|&i| sub[i as usize].index).collect();
    let context: Vec<usize> = prefix
        .iter()
        .copied()
        .filter(|i| !core.contains(i))
        .collect();
    let end = steps.borrow().states.arena[search.best_state as usize].clone();
    let mut done = vec![false; sub.len()];
    for &i in &search.best {
        done[i as usize] = true;
    }
    // Real time allows op o next iff no pending op returned before o was called.
    let horizon = sub
        .iter()
        .zip(&done)
        .filter(|(_, &d)| !d)
        .filter_map(|(o, _)| o.ret)
        .min()
        .unwrap_or(u64::MAX);
    let mut candidates = Vec::new();
    for (o, &d) in sub.iter().zip(&done) {
        if d || o.call > horizon || o.ret.is_none() {
            continue;
        }
        let (_, expected) = model.step(&end, o.op);
        let observed = o.observed.cloned();
        let matches = observed
            .as_ref()
            .is_none_or(|obs| replies_match(&expected, obs));
        candidates.push(Candidate {
            op: o.index,
            expected,
            observed,
            matches,
        });
    }
    let _ = history;
    Counterexample {
        ops: core,
        minimal,
        context,
        prefix,
        state: model.describe(&end),
        candidates,
    }
}

/// Whether `ops` is not linearizable: `None` when the budget could not tell. The states
/// explored are taken from `left`, shrinking's whole budget.
fn violated<M: SequentialSpec>(
    model: &mut M,
    ops: &[PartOp<'_>],
    options: &Options,
    left: &mut Left,
    steps: &SharedSteps<M::State>,
) -> Option<bool> {
    if left.states == 0 || left.steps == 0 {
        return None;
    }
    let opts = Options {
        max_states: SHRINK_STATES.min(left.states),
        max_steps: options.max_steps.min(left.steps),
        ..options.clone()
    };
    let mut budget = Budget::new(&opts);
    let parts = partition::split(ops, model);
    let verdict = search_parts(model, &parts, &opts, &mut budget, Some(steps));
    left.states = left.states.saturating_sub(budget.states);
    left.steps = left.steps.saturating_sub(budget.steps);
    match verdict {
        PartsVerdict::Violated(..) => Some(true),
        PartsVerdict::Linearizable => Some(false),
        PartsVerdict::Unknown => None,
    }
}

fn shrink<'h, M: SequentialSpec>(
    model: &mut M,
    part: &[PartOp<'h>],
    options: &Options,
    left: &mut Left,
    steps: &SharedSteps<M::State>,
) -> (Vec<bool>, bool) {
    // Ops found irrelevant stay in the searched history relaxed to "unknown outcome"
    // rather than dropped: dropping them could create a new violation (a read of a value
    // no one wrote any more) that the next round would then shrink towards.
    let mut relaxed = cut_after_violation(model, part, options, left, steps);
    let mut chunk = part.len().div_ceil(2).max(1);
    let mut complete = true;
    loop {
        let kept: Vec<usize> = (0..part.len()).filter(|&i| !relaxed[i]).collect();
        // From the end backwards: later ops are more often irrelevant to the violation.
        let mut end = kept.len();
        while end > 0 {
            let start = end.saturating_sub(chunk);
            let mut trial = relaxed.clone();
            for &i in &kept[start..end] {
                trial[i] = true;
            }
            match violated(model, &with_relaxed(part, &trial), options, left, steps) {
                Some(true) => relaxed = trial,
                Some(false) => {}
                None => {
                    complete = false;
                    break;
                }
            }
            end = start;
        }
        if !complete || chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    (relaxed, complete)
}

/// The ops called after the earliest instant by which the violation has happened, relaxed:
/// a binary search over call times for the shortest beginning of `part` that is still not
/// linearizable (a longer one is violated too: it only adds observations). Delta debugging
/// alone relaxes those late ops a chunk at a time, and each trial then searches every
/// order of the many ops relaxed so far; cut first, the ops after the cut are left out of
/// every later trial. Stops early (keeping what it proved) when the budget runs out.
fn cut_after_violation<M: SequentialSpec>(
    model: &mut M,
    part: &[PartOp<'_>],
    options: &Options,
    left: &mut Left,
    steps: &SharedSteps<M::State>,
) -> Vec<bool> {
    let mut calls: Vec<u64> = part.iter().map(|o| o.call).collect();
    calls.sort_unstable();
    calls.dedup();
    let after = |cut: u64| part.iter().map(|o| o.call > cut).collect::<Vec<bool>>();
    // Invariant: relaxing the ops called after calls[hi] leaves the part violated.
    let (mut lo, mut hi) = (0, calls.len().saturating_sub(1));
    while lo < hi {
        let mid = (lo + hi) / 2;
        match violated(
            model,
            &with_relaxed(part, &after(calls[mid])),
            options,
            left,
            steps,
        ) {
            Some(true) => hi = mid,
            Some(false) => lo = mid + 1,
            None => break,
        }
    }
    match calls.get(hi) {
        Some(&cut) => after(cut),
        None => vec![false; part.len()],
    }
}

/// `part` with the ops marked in `relaxed` turned into ops of unknown outcome. Those
/// called after every op that is still known has returned are left out: they could only
/// take effect after everything observed.
fn with_relaxed<'h>(part: &[PartOp<'h>], relaxed: &[bool]) -> Vec<PartOp<'h>> {
    let last_return = part
        .iter()
        .zip(relaxed)
        .filter(|(_, &r)| !r)
        .filter_map(|(o, _)| o.ret)
        .max()
        .unwrap_or(0);
    part.iter()
        .zip(relaxed)
        .filter_map(|(o, &r)| match r {
            false => Some(o.clone()),
            true if o.call <= last_return => Some(PartOp {
                ret: None,
                observed: None,
                ..o.clone()
            }),
            true => None,
        })
        .collect()
}

impl Counterexample {
    /// The counterexample as JSON: `ops` (the core) and `context` as indices into the
    /// input, `history` holding those ops in `redsim-history/1` form (`history_ops` gives
    /// each one's index), the prefix, the state after it and the candidates.
    pub fn to_json(&self, history: &History) -> Value {
        let mut shown: Vec<usize> = self.ops.iter().chain(&self.context).copied().collect();
        shown.sort_unstable();
        let ops: Vec<Value> = shown
            .iter()
            .map(|&i| op_to_value(&history.ops[i]))
            .collect();
        let candidates: Vec<Value> = self
            .candidates
            .iter()
            .map(|c| {
                let mut v = json!({
                    "op": c.op,
                    "expected": reply_to_value(&c.expected),
                    "matches": c.matches,
                });
                if let Some(o) = &c.observed {
                    v["observed"] = reply_to_value(o);
                }
                v
            })
            .collect();
        json!({
            "ops": self.ops,
            "context": self.context,
            "minimal": self.minimal,
            "history_ops": shown,
            "history": { "format": FORMAT, "ops": ops },
            "prefix": self.prefix,
            "state": self.state,
            "candidates": candidates,
        })
    }

    /// The counterexample as text lines for a terminal.
    pub fn render(&self, history: &History) -> String {
        let mut out = String::new();
        let minimal = if self.minimal {
            "minimal"
        } else {
            "smaller, not proven minimal"
        };
        out.push_str(&format!(
            "counterexample ({} ops, {minimal}):\n",
            self.ops.len()
        ));
        for &i in &self.ops {
            out.push_str(&format!("  {}\n", describe_op(history, i)));
        }
        out.push_str(&format!(
            "longest linearizable prefix ({} ops):\n",
            self.prefix.len()
        ));
        for &i in &self.prefix {
            let note = if self.context.contains(&i) {
                "  (outside the core: may have happened)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  ops[{i}] {}{note}\n",
                operation_text(&history.ops[i].op)
            ));
        }
        out.push_str(&format!("state after it: {}\n", self.state));
        out.push_str("cannot come next:\n");
        for c in &self.candidates {
            let observed = c
                .observed
                .as_ref()
                .map(reply_text)
                .unwrap_or_else(|| "(not observed)".into());
            let why = if c.matches {
                " (matches, but nothing can follow it)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  ops[{}] {}: model replies {}, observed {}{}\n",
                c.op,
                operation_text(&history.ops[c.op].op),
                reply_text(&c.expected),
                observed,
                why
            ));
        }
        out
    }
}

/// `ops[3] client 1 [17, 21] ok: INCR c → 2`
pub fn describe_op(history: &History, i: usize) -> String {
    let op = &history.ops[i];
    let ret = op.ret.map(|r| r.to_string()).unwrap_or_else(|| "…".into());
    let status = match op.status {
        crate::history::Status::Ok => "ok",
        crate::history::Status::Fail => "fail",
        crate::history::Status::Unknown => "unknown",
    };
    let result = op
        .result
        .as_ref()
        .map(|r| format!(" → {}", reply_text(r)))
        .unwrap_or_default();
    format!(
        "ops[{i}] client {} [{}, {ret}] {status}: {}{result}",
        op.client,
        op.call,
        operation_text(&op.op)
    )
}

/// An operation in one line: `SET x 1`, `EVAL(keys c z; args 5)`, `MULTI{INCR c; GET c}`.
pub fn operation_text(op: &Operation) -> String {
    let words = |argv: &[Vec<u8>]| {
        argv.iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match op {
        Operation::Command(argv) => words(argv),
        Operation::Script { keys, args, .. } => {
            format!("script(keys {}; args {})", words(keys), words(args))
        }
        Operation::Multi(cmds) => {
            format!(
                "MULTI{{{}}}",
                cmds.iter().map(|c| words(c)).collect::<Vec<_>>().join("; ")
            )
        }
    }
}

/// A reply in its JSON form, on one line.
pub fn reply_text(reply: &Reply) -> String {
    reply_to_value(reply).to_string()
}
