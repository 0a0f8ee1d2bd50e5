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

use super::{replies_match, Budget, PartOp, SequentialSpec};
use hashbrown::HashTable;
use rustc_hash::FxHashMap;

const NIL: u32 = u32::MAX;
const HEAD: u32 = 0;

/// How far a search got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Poll {
    Pending,
    Linearizable,
    Violated,
}

/// States seen so far, each stored once; the search passes around their ids.
pub(crate) struct States<S> {
    pub arena: Vec<S>,
    by_fingerprint: FxHashMap<u64, u32>,
    /// Next state with the same fingerprint (a collision chain), or NIL.
    chain: Vec<u32>,
}

impl<S: Clone> States<S> {
    fn new() -> Self {
        States { arena: Vec::new(), by_fingerprint: FxHashMap::default(), chain: Vec::new() }
    }

    fn intern<M: SequentialSpec<State = S>>(&mut self, model: &M, state: S) -> u32 {
        let fp = model.fingerprint(&state);
        let mut id = self.by_fingerprint.get(&fp).copied().unwrap_or(NIL);
        let first = id;
        while id != NIL {
            if model.same_state(&self.arena[id as usize], &state) {
                return id;
            }
            id = self.chain[id as usize];
        }
        let new = self.arena.len() as u32;
        self.arena.push(state);
        self.chain.push(first);
        self.by_fingerprint.insert(fp, new);
        new
    }
}

/// One memo entry: the linearized set lives in `Search::memo_words` at `at`.
#[derive(Clone, Copy)]
struct Memo {
    hash: u64,
    at: u32,
    state: u32,
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
    pub states: States<M::State>,
    state: u32,
    /// (state id, op) → (next state id, whether the reply matched).
    transitions: FxHashMap<u64, (u32, bool)>,
    /// (call event, state before it) for each linearized op, in order.
    stack: Vec<(u32, u32)>,
    linearized: Vec<u64>,
    /// Zobrist hash of `linearized`: XOR of `zobrist[op]` over its ops.
    linearized_hash: u64,
    zobrist: Vec<u64>,
    memo: HashTable<Memo>,
    memo_words: Vec<u64>,
    /// Ops with a known return not yet linearized.
    remaining: usize,
    /// The longest linearized sequence seen (op positions in `ops`) and its end state.
    pub best: Vec<u32>,
    pub best_state: u32,
    pub done: Option<Poll>,
}

impl<'p, 'h, M: SequentialSpec> Search<'p, 'h, M> {
    pub fn new(model: &mut M, ops: &'p [PartOp<'h>]) -> Self {
        let n = ops.len();
        // Events: (time, is_return, op); returns of unknown ops at infinity.
        let mut events: Vec<(u64, bool, u32)> = Vec::with_capacity(2 * n);
        for (i, op) in ops.iter().enumerate() {
            events.push((op.call, false, i as u32));
            events.push((op.ret.unwrap_or(u64::MAX), true, i as u32));
        }
        events.sort_unstable();
        let len = events.len() + 1;
        let mut op_of = vec![NIL; len];
        let mut is_call = vec![false; len];
        let mut match_of = vec![NIL; len];
        let mut call_event = vec![NIL; n];
        for (k, &(_, is_ret, op)) in events.iter().enumerate() {
            let e = k as u32 + 1;
            op_of[e as usize] = op;
            is_call[e as usize] = !is_ret;
            if is_ret {
                match_of[call_event[op as usize] as usize] = e;
            } else {
                call_event[op as usize] = e;
            }
        }
        let next: Vec<u32> = (0..len as u32).map(|e| if e + 1 < len as u32 { e + 1 } else { NIL }).collect();
        let prev: Vec<u32> = (0..len as u32).map(|e| if e == 0 { NIL } else { e - 1 }).collect();
        let mut states = States::new();
        let init = model.init();
        let state = states.intern(model, init);
        // Seeded per op: the search must be deterministic.
        let mut seed = 0x243F_6A88_85A3_08D3u64;
        let zobrist = (0..n)
            .map(|_| {
                seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = seed;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            })
            .collect();
        Search {
            ops,
            op_of,
            is_call,
            match_of,
            next,
            prev,
            entry: if len > 1 { 1 } else { NIL },
            states,
            state,
            transitions: FxHashMap::default(),
            stack: Vec::new(),
            linearized: vec![0; n.div_ceil(64).max(1)],
            linearized_hash: 0,
            zobrist,
            memo: HashTable::new(),
            memo_words: Vec::new(),
            remaining: ops.iter().filter(|o| o.ret.is_some()).count(),
            best: Vec::new(),
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
        let (after, reply) = model.step(&self.states.arena[state as usize], part_op.op);
        let ok = match part_op.observed {
            Some(observed) => replies_match(&reply, observed),
            None => true,
        };
        let next = self.states.intern(model, after);
        self.transitions.insert(key, (next, ok));
        (next, ok)
    }

    /// Records (linearized, state) in the memo; false when it was already there.
    fn remember(&mut self, state: u32, budget: &mut Budget) -> bool {
        let hash = (self.linearized_hash ^ (state as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).rotate_left(17);
        let words = self.linearized.len();
        let (bits, arena) = (&self.linearized, &self.memo_words);
        let found = self.memo.find(hash, |m| {
            m.hash == hash && m.state == state && arena[m.at as usize..m.at as usize + words] == bits[..]
        });
        if found.is_some() {
            return false;
        }
        let at = self.memo_words.len() as u32;
        self.memo_words.extend_from_slice(&self.linearized);
        self.memo.insert_unique(hash, Memo { hash, at, state }, |m| m.hash);
        budget.states += 1;
        budget.memo_bytes += (words * 8 + std::mem::size_of::<Memo>() + 8) as u64;
        true
    }

    fn toggle(&mut self, op: u32) {
        self.linearized[op as usize / 64] ^= 1 << (op % 64);
        self.linearized_hash ^= self.zobrist[op as usize];
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

    /// Runs at most `steps` steps.
    pub fn run(&mut self, model: &mut M, budget: &mut Budget, steps: u64) -> Poll {
        if let Some(done) = self.done {
            return done;
        }
        for _ in 0..steps {
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
                let (after, ok) = self.transition(model, self.state, op);
                if ok {
                    self.toggle(op);
                    if self.remember(after, budget) {
                        self.stack.push((e, self.state));
                        self.state = after;
                        self.lift(e);
                        if self.ops[op as usize].ret.is_some() {
                            self.remaining -= 1;
                        }
                        if self.stack.len() > self.best.len() {
                            self.best = self.stack.iter().map(|&(e, _)| self.op_of[e as usize]).collect();
                            self.best_state = after;
                        }
                        self.entry = self.next[HEAD as usize];
                        continue;
                    }
                    self.toggle(op);
                }
                self.entry = self.next[e as usize];
            } else {
                let Some((e, before)) = self.stack.pop() else {
                    self.done = Some(Poll::Violated);
                    return Poll::Violated;
                };
                let op = self.op_of[e as usize];
                self.state = before;
                self.toggle(op);
                self.unlift(e);
                if self.ops[op as usize].ret.is_some() {
                    self.remaining += 1;
                }
                self.entry = self.next[e as usize];
            }
        }
        Poll::Pending
    }
}
