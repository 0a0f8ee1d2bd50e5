//! The Wing & Gong / Lowe search over one independent part of a history, resumable so
//! that parts can be searched interleaved.
//!
//! The history is a doubly linked list of call and return events in time order (calls
//! before returns at equal times: intervals are closed). Walking the list from its head,
//! a call event whose op the model accepts in the current state is *linearized*: the op
//! and its return event are lifted out of the list, the state advances, and the walk
//! restarts from the head. Reaching a return event means its op can no longer be put
//! off: undo the last choice (pop the stack, put the op back) and try the next event.
//! Every (set of linearized ops, state) reached is memoised; reaching one again is a dead
//! end, which is what makes the search fast (Lowe, "Testing for linearizability", 2017).
//!
//! Ops of unknown outcome have their return at infinity: they may be linearized anywhere
//! after their call, and the part is linearizable once every op with a known return is
//! (the unknown ones left over take effect at the end, or never — nothing observes them).
//!
//! Because an unknown op is optional, having used more of them never helps: from (known
//! ops linearized K, unknown ops used U, state s) the search can do everything it could
//! do from (K, U' ⊇ U, s) — skip the extra unknown ops and go on the same way. So the
//! memo keeps, per (K, s), the sets U already reached, and a new U is a dead end if it
//! contains one of them. Without this, every subset of the pending unknown ops would be
//! explored again for each dead end, 2^unknowns times over.
//!
//! Program order: a client's op waits for the client's previous op with a known return
//! (`pred`), even when their times tie — the checker never orders a client's own ops
//! backwards. The restriction depends only on the set linearized, so the memo holds.
//!
//! An op whose reply is a random choice (SPOP, a script calling SRANDMEMBER…) may lead to
//! several states that match its observed reply; each is an alternative the search tries
//! in turn before giving the op up.

use super::steps::SharedSteps;
use super::{replies_match, Budget, PartOp, SequentialSpec};
use hashbrown::HashTable;
use rustc_hash::FxHashMap;

use super::steps::NIL;
use memo::{Memo, Reached, PRUNERS};

mod memo;

const HEAD: u32 = 0;

/// How far a search got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Poll {
    Pending,
    Linearizable,
    Violated,
}

/// The resumable search of one part.
pub(crate) struct Search<'p, 'h, M: SequentialSpec> {
    ops: &'p [PartOp<'h>],
    /// Event e (1-based) is op `op_of[e]`; calls have `is_call[e]`.
    op_of: Vec<u32>,
    is_call: Vec<bool>,
    /// For a call event, its return event.
    match_of: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    entry: u32,
    pub steps: SharedSteps<M::State>,
    /// Bytes of the states this search added to `steps`, not yet counted in the budget.
    new_state_bytes: u64,
    /// What this search counted in the budget's memory, to give back when it is dropped.
    pub counted: Counted,
    state: u32,
    /// (state id, op) → (next state id, whether the reply matched).
    transitions: FxHashMap<u64, (u32, bool)>,
    /// (state id, op) → every next state whose reply matches, when there is more than one.
    alternatives: FxHashMap<u64, Vec<u32>>,
    /// Per op: the op of the same client that must take effect before it, or NIL.
    pred: Vec<u32>,
    /// (call event, state before it, forced, alternative) for each linearized op, in
    /// order. `forced` marks a read-only op taken as soon as it matched (see `run`).
    stack: Vec<(u32, u32, bool, u32)>,
    /// Per op: read-only with a known return (it can be committed to when it matches).
    pure: Vec<bool>,
    /// Linearized ops with a known return, by their bit (`bit_of`).
    linearized: Vec<u64>,
    /// `linearized`'s leading words that are all ones, and one past its last word that is
    /// not zero: the memo stores the words between (see `memo::Memo`).
    linearized_lo: usize,
    linearized_hi: usize,
    /// Unknown ops linearized, by their bit.
    used: Vec<u64>,
    /// Per op: its bit in `linearized` or in `used` (for unknown ops).
    bit_of: Vec<u32>,
    /// Zobrist hashes of `linearized` and of `used`: XOR of `zobrist[op]` over their ops.
    linearized_hash: u64,
    used_hash: u64,
    zobrist: Vec<u64>,
    /// (known, state) entries, by id; `memo` finds them.
    memos: Vec<Memo>,
    memo: HashTable<u32>,
    /// Every (known, state, used) reached, when the part has unknown ops.
    reached: HashTable<Reached>,
    /// Per memo entry: up to `PRUNERS` minimal used sets (offsets in `memo_words`, NIL
    /// when free).
    pruners: Vec<[u32; PRUNERS]>,
    memo_words: Vec<u64>,
    /// Ops with a known return, and how many of them are not yet linearized.
    known: usize,
    remaining: usize,
    /// The linearized sequence seen with the most known ops (op positions in `ops`; it may
    /// include unknown ops) and its end state.
    pub best: Vec<u32>,
    best_known: usize,
    /// How many of the stack's first entries are `best`'s too (so a new best copies only
    /// what changed since: copying the whole stack each time made long histories
    /// quadratic).
    best_shared: usize,
    pub best_state: u32,
    pub done: Option<Poll>,
}

/// Bytes a search counted in the budget's memory: its memo's, and the states it interned.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counted {
    pub memo: u64,
    pub states: u64,
}

impl<'p, 'h, M: SequentialSpec> Search<'p, 'h, M> {
    pub fn new(model: &mut M, ops: &'p [PartOp<'h>], steps: SharedSteps<M::State>) -> Self {
        let n = ops.len();
        let events = events(ops);
        let list = EventList::of(&events, n);
        let (bit_of, known) = bits_in_call_order(ops, &events);
        let pred = program_order(ops);
        let init = model.init();
        let state = steps.borrow_mut().states.intern(model, init);
        let zobrist = zobrist(n);
        Search {
            ops,
            op_of: list.op_of,
            is_call: list.is_call,
            match_of: list.match_of,
            next: list.next,
            prev: list.prev,
            entry: if events.is_empty() { NIL } else { 1 },
            steps,
            new_state_bytes: 0,
            counted: Counted::default(),
            state,
            transitions: FxHashMap::default(),
            alternatives: FxHashMap::default(),
            pred,
            stack: Vec::new(),
            pure: ops
                .iter()
                .map(|o| o.ret.is_some() && model.is_read_only(o.op))
                .collect(),
            linearized: vec![0; known.div_ceil(64).max(1)],
            linearized_lo: 0,
            linearized_hi: 0,
            used: vec![0; (n - known).div_ceil(64)],
            bit_of,
            linearized_hash: 0,
            used_hash: 0,
            zobrist,
            memos: Vec::new(),
            memo: HashTable::new(),
            reached: HashTable::new(),
            pruners: Vec::new(),
            memo_words: Vec::new(),
            known,
            remaining: known,
            best: Vec::new(),
            best_known: 0,
            best_shared: 0,
            best_state: state,
            done: None,
        }
    }

    /// The state the op at `op` leads to from `state`, and whether its reply matches.
    fn transition(&mut self, model: &mut M, state: u32, op: u32) -> (u32, bool) {
        let key = (state as u64) << 32 | op as u64;
        if let Some(&t) = self.transitions.get(&key) {
            return t;
        }
        let part_op = &self.ops[op as usize];
        let relaxed = (part_op.observed.is_none() as u64) << 31;
        let shared_key = (state as u64) << 32 | relaxed | part_op.index as u64;
        let mut steps = self.steps.borrow_mut();
        if !steps.outcomes.contains_key(&shared_key) {
            let bytes_before = steps.states.bytes;
            let outcomes = model.step_all(&steps.states.arena[state as usize], part_op.op);
            let mut judged = outcomes.into_iter().map(|(after, reply)| {
                let next = match after {
                    Some(after) => steps.states.intern(model, after),
                    None => state,
                };
                let ok = part_op
                    .observed
                    .is_none_or(|observed| replies_match(&reply, observed));
                (next, ok)
            });
            let first = judged.next().unwrap_or((state, false));
            let rest: Vec<(u32, bool)> = judged.collect();
            steps.outcomes.insert(shared_key, (first, rest));
            self.new_state_bytes += steps.states.bytes - bytes_before;
        }
        let mut matching: Vec<u32> = Vec::new();
        let (first, rest) = &steps.outcomes[&shared_key];
        for &(next, ok) in std::iter::once(first).chain(rest) {
            if ok && !matching.contains(&next) {
                matching.push(next);
            }
        }
        let first = first.0;
        drop(steps);
        let t = match matching.first() {
            Some(&next) => (next, true),
            None => (first, false),
        };
        if matching.len() > 1 {
            self.alternatives.insert(key, matching);
        }
        self.transitions.insert(key, t);
        t
    }

    /// The `alt`-th matching next state of `op` from `state` (after `transition`).
    fn alternative(&self, state: u32, op: u32, alt: u32) -> Option<u32> {
        let key = (state as u64) << 32 | op as u64;
        match self.alternatives.get(&key) {
            Some(list) => list.get(alt as usize).copied(),
            None if alt == 0 => self.transitions.get(&key).filter(|t| t.1).map(|t| t.0),
            None => None,
        }
    }

    /// Whether op `op`'s program-order predecessor (if any) is linearized.
    fn ready(&self, op: u32) -> bool {
        let p = self.pred[op as usize];
        if p == NIL {
            return true;
        }
        let bit = self.bit_of[p as usize];
        self.linearized[bit as usize / 64] & (1 << (bit % 64)) != 0
    }

    /// Linearizes the op of call event `e` with its first alternative from `alt` on whose
    /// (linearized, state) is new; false when none is.
    fn take(&mut self, e: u32, mut alt: u32, budget: &mut Budget) -> bool {
        let op = self.op_of[e as usize];
        let forced = self.pure[op as usize];
        while let Some(after) = self.alternative(self.state, op, alt) {
            self.toggle(op);
            if self.remember(after, budget) {
                self.stack.push((e, self.state, forced, alt));
                self.state = after;
                self.lift(e);
                if self.ops[op as usize].ret.is_some() {
                    self.remaining -= 1;
                }
                let known = self.known - self.remaining;
                if known > self.best_known || self.best.is_empty() {
                    self.best_known = known;
                    self.best.truncate(self.best_shared);
                    let op_of = &self.op_of;
                    self.best.extend(
                        self.stack[self.best_shared..]
                            .iter()
                            .map(|&(e, _, _, _)| op_of[e as usize]),
                    );
                    self.best_shared = self.stack.len();
                    self.best_state = after;
                }
                self.entry = self.next[HEAD as usize];
                return true;
            }
            self.toggle(op);
            alt += 1;
        }
        false
    }

    fn toggle(&mut self, op: u32) {
        let bit = self.bit_of[op as usize];
        if self.ops[op as usize].ret.is_some() {
            let (w, mask) = (bit as usize / 64, 1u64 << (bit % 64));
            let words = &mut self.linearized;
            words[w] ^= mask;
            if words[w] & mask != 0 {
                self.linearized_hi = self.linearized_hi.max(w + 1);
                while words.get(self.linearized_lo) == Some(&u64::MAX) {
                    self.linearized_lo += 1;
                }
            } else {
                self.linearized_lo = self.linearized_lo.min(w);
                while self.linearized_hi > 0 && words[self.linearized_hi - 1] == 0 {
                    self.linearized_hi -= 1;
                }
            }
            self.linearized_hash ^= self.zobrist[op as usize];
        } else {
            self.used[bit as usize / 64] ^= 1 << (bit % 64);
            self.used_hash ^= self.zobrist[op as usize];
        }
    }

    fn lift(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = n;
        if n != NIL {
            self.prev[n as usize] = p;
        }
        let m = self.match_of[e as usize];
        let (p, n) = (self.prev[m as usize], self.next[m as usize]);
        self.next[p as usize] = n;
        if n != NIL {
            self.prev[n as usize] = p;
        }
    }

    fn unlift(&mut self, e: u32) {
        let m = self.match_of[e as usize];
        let (p, n) = (self.prev[m as usize], self.next[m as usize]);
        self.next[p as usize] = m;
        if n != NIL {
            self.prev[n as usize] = m;
        }
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = e;
        if n != NIL {
            self.prev[n as usize] = e;
        }
    }

    /// Runs at most `steps` steps, counted in `budget.steps`.
    pub fn run(&mut self, model: &mut M, budget: &mut Budget, steps: u64) -> Poll {
        let mut taken = 0;
        let poll = self.run_counting(model, budget, steps, &mut taken);
        budget.steps += taken;
        poll
    }

    fn run_counting(
        &mut self,
        model: &mut M,
        budget: &mut Budget,
        steps: u64,
        taken: &mut u64,
    ) -> Poll {
        if let Some(done) = self.done {
            return done;
        }
        for _ in 0..steps {
            // The budget binds exactly, not at the end of a slice: how far a search gets
            // must not depend on how the parts' slices happened to fall.
            let state_bytes = std::mem::take(&mut self.new_state_bytes);
            budget.memo_bytes += state_bytes;
            self.counted.states += state_bytes;
            if budget.states > budget.max_states
                || budget.steps + *taken >= budget.max_steps
                || budget.memo_bytes > budget.max_memo_bytes
            {
                return Poll::Pending;
            }
            *taken += 1;
            if self.remaining == 0 {
                self.done = Some(Poll::Linearizable);
                return Poll::Linearizable;
            }
            let e = self.entry;
            if e == NIL {
                // Only reachable for an empty list, which has remaining == 0.
                self.done = Some(Poll::Linearizable);
                return Poll::Linearizable;
            }
            if self.is_call[e as usize] {
                let op = self.op_of[e as usize];
                if !self.ready(op) {
                    self.entry = self.next[e as usize];
                    continue;
                }
                let (_, ok) = self.transition(model, self.state, op);
                if ok {
                    if self.take(e, 0, budget) {
                        continue;
                    }
                    if self.pure[op as usize] {
                        // A matching read-only op can always go first (see `backtrack`), so
                        // the configuration after it having failed means this one has too.
                        if self.backtrack(budget) {
                            return Poll::Violated;
                        }
                        continue;
                    }
                }
                self.entry = self.next[e as usize];
            } else if self.backtrack(budget) {
                return Poll::Violated;
            }
        }
        Poll::Pending
    }

    /// Undoes the last choice and moves on to the next candidate; true when there is
    /// none left (the part is not linearizable).
    ///
    /// A read-only op that matched was taken without trying the alternatives: if any
    /// order works from a configuration where it matches, one that takes it first does —
    /// it changes nothing, and real time cannot force a pending op before it (it is a
    /// candidate, so it was called before any pending op returned). So when the search
    /// after it fails, the configuration before it has failed too, and undoing goes on.
    fn backtrack(&mut self, budget: &mut Budget) -> bool {
        loop {
            let Some((e, before, forced, alt)) = self.stack.pop() else {
                self.done = Some(Poll::Violated);
                return true;
            };
            self.best_shared = self.best_shared.min(self.stack.len());
            let op = self.op_of[e as usize];
            self.state = before;
            self.toggle(op);
            self.unlift(e);
            if self.ops[op as usize].ret.is_some() {
                self.remaining += 1;
            }
            if !forced {
                // Another random outcome of the same op first, then the next event.
                if !self.take(e, alt + 1, budget) {
                    self.entry = self.next[e as usize];
                }
                return false;
            }
        }
    }
}

/// The search's events, sorted: `(time, class, op)` with class 0 for calls, 2 for returns
/// (calls first at equal times: intervals are closed); returns of unknown ops at infinity.
///
/// The call of an unknown op is moved to just before the first return at or after its
/// call time (class 1). The ops a walk may linearize next — the calls before the first
/// remaining return — are the same sets, but unknown ops are tried after the known ones:
/// they may as well never happen, and taking them early mostly leads the search into dead
/// ends.
fn events(ops: &[PartOp<'_>]) -> Vec<(u64, u8, u32)> {
    let mut returns: Vec<u64> = ops.iter().filter_map(|o| o.ret).collect();
    returns.sort_unstable();
    let mut events: Vec<(u64, u8, u32)> = Vec::with_capacity(2 * ops.len());
    for (i, op) in ops.iter().enumerate() {
        match op.ret {
            Some(ret) => {
                events.push((op.call, 0, i as u32));
                events.push((ret, 2, i as u32));
            }
            None => {
                let at = returns.partition_point(|&r| r < op.call);
                events.push((returns.get(at).copied().unwrap_or(u64::MAX), 1, i as u32));
                events.push((u64::MAX, 2, i as u32));
            }
        }
    }
    events.sort_unstable();
    events
}

/// The events as a doubly linked list (entry 0 is the head; event `k` is entry `k + 1`):
/// each entry's op, whether it is a call, the call's return entry, and the links.
struct EventList {
    op_of: Vec<u32>,
    is_call: Vec<bool>,
    match_of: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
}

impl EventList {
    fn of(events: &[(u64, u8, u32)], n: usize) -> EventList {
        let len = events.len() + 1;
        let mut op_of = vec![NIL; len];
        let mut is_call = vec![false; len];
        let mut match_of = vec![NIL; len];
        let mut call_event = vec![NIL; n];
        for (k, &(_, class, op)) in events.iter().enumerate() {
            let is_ret = class == 2;
            let e = k as u32 + 1;
            op_of[e as usize] = op;
            is_call[e as usize] = !is_ret;
            if is_ret {
                match_of[call_event[op as usize] as usize] = e;
            } else {
                call_event[op as usize] = e;
            }
        }
        let next = (0..len as u32)
            .map(|e| if e + 1 < len as u32 { e + 1 } else { NIL })
            .collect();
        let prev = (0..len as u32)
            .map(|e| if e == 0 { NIL } else { e - 1 })
            .collect();
        EventList {
            op_of,
            is_call,
            match_of,
            next,
            prev,
        }
    }
}

/// Each op's bit, in call order (known ops and unknown ops numbered apart), so that the
/// set of linearized ops is a run of ones and a narrow window after it (which is all the
/// memo stores of it); and how many ops are known.
fn bits_in_call_order(ops: &[PartOp<'_>], events: &[(u64, u8, u32)]) -> (Vec<u32>, usize) {
    let mut bit_of = vec![0; ops.len()];
    let (mut known, mut unknown) = (0u32, 0u32);
    for &(_, class, op) in events {
        if class == 2 {
            continue;
        }
        let counter = if ops[op as usize].ret.is_some() {
            &mut known
        } else {
            &mut unknown
        };
        bit_of[op as usize] = *counter;
        *counter += 1;
    }
    (bit_of, known as usize)
}

/// Program order: per client, ops in (call, position) order; an op waits for the client's
/// previous op when that one has a known return (`pred`, `NIL` for none).
fn program_order(ops: &[PartOp<'_>]) -> Vec<u32> {
    let n = ops.len();
    let mut pred = vec![NIL; n];
    let mut by_client: Vec<u32> = (0..n as u32).collect();
    by_client.sort_by_key(|&i| {
        let o = &ops[i as usize];
        (o.client, o.call, o.index)
    });
    for w in by_client.windows(2) {
        let (a, b) = (&ops[w[0] as usize], &ops[w[1] as usize]);
        if a.client == b.client && a.ret.is_some() {
            pred[w[1] as usize] = w[0];
        }
    }
    pred
}

/// One random word per op for the hash of a set of ops, seeded: the search must be
/// deterministic.
fn zobrist(n: usize) -> Vec<u64> {
    let mut seed = 0x243F_6A88_85A3_08D3u64;
    (0..n)
        .map(|_| {
            seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = seed;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
        .collect()
}
