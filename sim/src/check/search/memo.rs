//! The search's memo: every (known ops linearized, state) reached, and per entry the sets
//! of unknown ops used with it (see the module above for why a superset of a set already
//! reached is a dead end).

use super::super::steps::NIL;
use super::super::{Budget, SequentialSpec};
use super::Search;

/// Unknown-op sets kept per (known ops linearized, state) to prune supersets of; the others
/// reached are matched exactly only. Bounded, so that one memo lookup costs the same however
/// many sets were reached (a list scanned in full made the search quadratic on histories
/// with many timed-out ops).
pub(super) const PRUNERS: usize = 64;

/// One memo entry per (known ops linearized, state): the known set as its words from `lo`
/// on — the words before `lo` are all ones, the words after the `len` stored all zeros —
/// in `Search::memo_words` at `at`; `pruners` indexes `Search::pruners` (when the part has
/// unknown ops). Ops are numbered in call order, so the set is a run of ones (every op
/// called before the earliest one still pending) and a window about as wide as the
/// history's concurrency: an entry's size does not grow with the history's length.
#[derive(Clone, Copy)]
pub(super) struct Memo {
    pub(super) hash: u64,
    pub(super) at: u32,
    pub(super) lo: u32,
    pub(super) len: u32,
    pub(super) state: u32,
    pub(super) pruners: u32,
}

/// One (known, state, unknown ops used) reached: the memo entry of (known, state) and the
/// used set in `Search::memo_words` at `at`.
#[derive(Clone, Copy)]
pub(super) struct Reached {
    pub(super) hash: u64,
    pub(super) memo: u32,
    pub(super) at: u32,
}

impl<M: SequentialSpec> Search<'_, '_, M> {
    /// Records (linearized, used, state) in the memo; false when it is a dead end: the
    /// same (linearized, state) was reached before with the same unknown ops used, or with
    /// a subset of them (checked against the `PRUNERS` smallest sets kept).
    pub(super) fn remember(&mut self, state: u32, budget: &mut Budget) -> bool {
        let hash = (self.linearized_hash ^ (state as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .rotate_left(17);
        let (lo, hi) = (
            self.linearized_lo,
            self.linearized_hi.max(self.linearized_lo),
        );
        let window = &self.linearized[lo..hi];
        let (arena, memos) = (&self.memo_words, &self.memos);
        let found = self
            .memo
            .find(hash, |&m| {
                let m = &memos[m as usize];
                m.hash == hash
                    && m.state == state
                    && m.lo as usize == lo
                    && arena[m.at as usize..(m.at + m.len) as usize] == window[..]
            })
            .copied();
        let mut bytes = 0u64;
        let memo = match found {
            Some(_) if self.used.is_empty() => return false,
            Some(m) => m,
            None => {
                let at = self.memo_words.len() as u32;
                self.memo_words.extend_from_slice(window);
                let id = self.memos.len() as u32;
                let pruners = if self.used.is_empty() {
                    NIL
                } else {
                    self.pruners.push([NIL; PRUNERS]);
                    self.pruners.len() as u32 - 1
                };
                self.memos.push(Memo {
                    hash,
                    at,
                    lo: lo as u32,
                    len: (hi - lo) as u32,
                    state,
                    pruners,
                });
                let memos = &self.memos;
                self.memo
                    .insert_unique(hash, id, |&m| memos[m as usize].hash);
                bytes += ((hi - lo) * 8 + std::mem::size_of::<Memo>() + 8) as u64;
                if !self.used.is_empty() {
                    bytes += (PRUNERS * 4) as u64;
                }
                id
            }
        };
        if !self.used.is_empty() && found.is_some() && !self.new_used_set(memo) {
            return false;
        }
        if !self.used.is_empty() {
            bytes += self.record_used_set(memo);
        }
        budget.states += 1;
        budget.memo_bytes += bytes;
        self.counted.memo += bytes;
        true
    }

    /// Whether the current used set is new for memo entry `memo`: neither a superset of one
    /// of its pruners nor reached before exactly.
    fn new_used_set(&self, memo: u32) -> bool {
        let uwords = self.used.len();
        let slots = &self.pruners[self.memos[memo as usize].pruners as usize];
        for &at in slots.iter().filter(|&&at| at != NIL) {
            let old = &self.memo_words[at as usize..at as usize + uwords];
            if old.iter().zip(&self.used).all(|(o, u)| o & !u == 0) {
                return false;
            }
        }
        let hash = self.reached_hash(memo);
        self.reached
            .find(hash, |r| {
                r.hash == hash
                    && r.memo == memo
                    && self.memo_words[r.at as usize..r.at as usize + uwords] == self.used[..]
            })
            .is_none()
    }

    fn reached_hash(&self, memo: u32) -> u64 {
        (self.used_hash ^ (memo as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)).rotate_left(29)
    }

    /// Records the current used set for memo entry `memo` (known new), and keeps it as a
    /// pruner when it is smaller than one kept: it prunes every superset. Returns the bytes
    /// it took.
    fn record_used_set(&mut self, memo: u32) -> u64 {
        let uwords = self.used.len();
        let at = self.memo_words.len() as u32;
        self.memo_words.extend_from_slice(&self.used);
        let hash = self.reached_hash(memo);
        self.reached
            .insert_unique(hash, Reached { hash, memo, at }, |r| r.hash);
        let count = |words: &[u64]| words.iter().map(|w| w.count_ones()).sum::<u32>();
        let size = count(&self.used);
        let slots = &mut self.pruners[self.memos[memo as usize].pruners as usize];
        // A kept superset of the new set prunes nothing the new one does not.
        for slot in slots.iter_mut() {
            if *slot != NIL {
                let old = &self.memo_words[*slot as usize..*slot as usize + uwords];
                if old.iter().zip(&self.used).all(|(o, u)| u & !o == 0) {
                    *slot = NIL;
                }
            }
        }
        let (largest, largest_size) = slots
            .iter()
            .enumerate()
            .map(|(i, &at)| match at {
                NIL => (i, u32::MAX),
                at => (
                    i,
                    count(&self.memo_words[at as usize..at as usize + uwords]),
                ),
            })
            .max_by_key(|&(_, size)| size)
            .unwrap_or((0, 0));
        if size < largest_size {
            slots[largest] = at;
        }
        (uwords * 8 + std::mem::size_of::<Reached>() + 8) as u64
    }
}
