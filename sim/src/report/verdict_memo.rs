//! The judge's checks, remembered: a sweep of a small scenario meets the same few
//! histories again and again (the counter race's three clients give a few hundred shapes
//! in a million seeds), and a check cost more than the rest of a seed.
//!
//! Key: the history with each invoke and return time replaced by its rank among all of
//! the history's times (equal times, equal ranks), and the check's options. The checker
//! reads times only by comparing them (the real-time order, program-order refinement of
//! equal times: `check/order.rs`) and the engine model's clock is frozen, so two histories
//! with the same key get the same outcome. The one exception is `refine_program_order`'s
//! overflow guard on huge times: histories with such times are not remembered.
//!
//! Entries are compared whole (the hash only finds candidates), so a hit is exact; the
//! table holds at most [`ENTRIES_MAX`] histories and starts over when full, so memory
//! stays bounded whatever the sweep's length.

use crate::check::{CheckError, Options, Outcome};
use crate::history::{History, Operation};
use redsim::Reply;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

/// Most histories remembered (each a few hundred bytes to a few kB).
pub(crate) const ENTRIES_MAX: usize = 4096;

/// Histories longer than this are not remembered (their checks dwarf a lookup, and
/// repeats are unlikely).
const OPS_MAX: usize = 16;

/// Remembered outcomes.
#[derive(Default)]
pub(crate) struct VerdictMemo {
    table: FxHashMap<u64, Vec<Entry>>,
    entries: usize,
}

/// A remembered check: the ranked history, the options, the outcome.
type Entry = (History, Key, Result<Outcome, CheckError>);

/// The check's options that decide its outcome.
type Key = (u64, u64, u64, bool, u64);

fn options_key(o: &Options) -> Key {
    (
        o.max_steps,
        o.max_states,
        o.max_memo_bytes,
        o.counterexample,
        o.slice_steps,
    )
}

/// The sorted distinct times of `history`, whose positions are the ranks; `None` when
/// the history is not to be remembered.
fn times(history: &History) -> Option<Vec<u64>> {
    if history.ops.len() > OPS_MAX {
        return None;
    }
    let mut times: Vec<u64> = history
        .ops
        .iter()
        .flat_map(|op| [Some(op.call), op.ret])
        .flatten()
        .collect();
    // `refine_program_order` refines nothing above this bound; ranks are far below it.
    if times.iter().any(|&t| t > (u64::MAX - 4) / 5) {
        return None;
    }
    times.sort_unstable();
    times.dedup();
    Some(times)
}

fn rank(times: &[u64], t: u64) -> u64 {
    times.partition_point(|&x| x < t) as u64
}

/// `history` with ranks for times (what the table keeps).
fn ranked(history: &History, times: &[u64]) -> History {
    let mut out = history.clone();
    for op in &mut out.ops {
        op.call = rank(times, op.call);
        op.ret = op.ret.map(|t| rank(times, t));
    }
    out
}

/// Whether `stored` (ranked) is `history` with its times ranked, without making the copy.
fn same(stored: &History, history: &History, times: &[u64]) -> bool {
    stored.ops.len() == history.ops.len()
        && stored.ops.iter().zip(&history.ops).all(|(s, h)| {
            s.client == h.client
                && s.node == h.node
                && s.call == rank(times, h.call)
                && s.ret == h.ret.map(|t| rank(times, t))
                && s.status == h.status
                && s.result == h.result
                && s.op == h.op
        })
}

fn hash_reply(reply: &Reply, h: &mut FxHasher) {
    std::mem::discriminant(reply).hash(h);
    match reply {
        Reply::Integer(n) => n.hash(h),
        Reply::Bulk(b) | Reply::Simple(b) | Reply::Error(b) => b.hash(h),
        Reply::Array(items) => {
            items.len().hash(h);
            items.iter().for_each(|r| hash_reply(r, h));
        }
        // Rarer kinds: the discriminant alone; equality decides.
        _ => {}
    }
}

fn hash_history(history: &History, times: &[u64], options: &Key) -> u64 {
    let mut h = FxHasher::default();
    options.hash(&mut h);
    for op in &history.ops {
        let ret = op.ret.map(|t| rank(times, t));
        (
            op.client,
            op.node,
            rank(times, op.call),
            ret,
            op.status as u8,
        )
            .hash(&mut h);
        match &op.op {
            Operation::Command(argv) => argv.hash(&mut h),
            Operation::Script {
                source,
                keys,
                args,
                mode,
            } => (source, keys, args, *mode as u8).hash(&mut h),
            Operation::Multi(block) => block.hash(&mut h),
        }
        match &op.result {
            Some(r) => hash_reply(r, &mut h),
            None => 0u8.hash(&mut h),
        }
    }
    h.finish()
}

impl VerdictMemo {
    /// The outcome of checking `history` with `options`: remembered, or `check`'s.
    pub(crate) fn get_or_check(
        &mut self,
        history: &History,
        options: &Options,
        check: impl FnOnce() -> Result<Outcome, CheckError>,
    ) -> Result<Outcome, CheckError> {
        let Some(times) = times(history) else {
            return check();
        };
        let opts = options_key(options);
        let hash = hash_history(history, &times, &opts);
        if let Some(bucket) = self.table.get(&hash) {
            let hit = bucket
                .iter()
                .find(|(h, o, _)| *o == opts && same(h, history, &times));
            if let Some((_, _, outcome)) = hit {
                return outcome.clone();
            }
        }
        let key = ranked(history, &times);
        let outcome = check();
        if self.entries >= ENTRIES_MAX {
            self.table.clear();
            self.entries = 0;
        }
        self.table
            .entry(hash)
            .or_default()
            .push((key, opts, outcome.clone()));
        self.entries += 1;
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Op, Status};

    fn op(client: u64, call: u64, ret: u64, result: i64) -> Op {
        Op {
            client,
            call,
            ret: Some(ret),
            status: Status::Ok,
            op: Operation::Command(vec![b"INCR".to_vec(), b"c".to_vec()]),
            result: Some(Reply::Integer(result)),
            node: 0,
        }
    }

    #[test]
    fn histories_with_the_same_order_of_times_share_an_entry_and_others_do_not() {
        let options = Options::default();
        let mut memo = VerdictMemo::default();
        let mut checks = 0;
        let mut judge = |memo: &mut VerdictMemo, ops: Vec<Op>| {
            memo.get_or_check(&History { ops }, &options, || {
                checks += 1;
                crate::check::check(
                    &History::default(),
                    crate::check::ModelChoice::Auto,
                    &options,
                )
            })
            .unwrap();
        };
        judge(&mut memo, vec![op(0, 10, 20, 1), op(1, 15, 30, 2)]);
        // Same order of the four times: remembered.
        judge(&mut memo, vec![op(0, 100, 200, 1), op(1, 150, 300, 2)]);
        // A tie where there was none, another result, another order: checked again.
        judge(&mut memo, vec![op(0, 10, 20, 1), op(1, 20, 30, 2)]);
        judge(&mut memo, vec![op(0, 10, 20, 1), op(1, 15, 30, 3)]);
        judge(&mut memo, vec![op(0, 10, 20, 1), op(1, 25, 30, 2)]);
        assert_eq!(checks, 4);
    }
}
