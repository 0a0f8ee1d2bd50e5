//! State interning and the model's steps, shared by every search of one check.
//!
//! A state is stored once and known by its id; what an op does on a state (its outcomes)
//! is computed once per check, since the verdict's search of each part, every trial of
//! counterexample shrinking and the final prefix search all run the same ops on the same
//! states, and a model step (above all the engine's) costs far more than a lookup.

use super::SequentialSpec;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::rc::Rc;

/// No state / no op.
pub(crate) const NIL: u32 = u32::MAX;

/// States seen so far, each stored once; the search passes around their ids.
pub(crate) struct States<S> {
    pub arena: Vec<S>,
    /// The model's estimate of the memory the arena's states hold.
    pub bytes: u64,
    by_fingerprint: FxHashMap<u64, u32>,
    /// Next state with the same fingerprint (a collision chain), or NIL.
    chain: Vec<u32>,
}

impl<S: Clone> States<S> {
    fn new() -> Self {
        States {
            arena: Vec::new(),
            bytes: 0,
            by_fingerprint: FxHashMap::default(),
            chain: Vec::new(),
        }
    }

    pub fn intern<M: SequentialSpec<State = S>>(&mut self, model: &M, state: S) -> u32 {
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
        self.bytes += model.state_bytes(&state);
        self.arena.push(state);
        self.chain.push(first);
        self.by_fingerprint.insert(fp, new);
        new
    }
}

/// What the model did, shared by every search of one check: the verdict's search of each
/// part and every trial of counterexample shrinking run the same ops on the same states,
/// and a model step (above all the engine's: load the data, run Lua, snapshot) costs far
/// more than a lookup. Keyed by the op's index in the history, which every search of a
/// check agrees on, and whether its observed reply was relaxed away by shrinking.
pub(crate) struct Steps<S> {
    pub states: States<S>,
    /// (state id, op's index in the history, relaxed) → its outcomes.
    pub outcomes: FxHashMap<u64, Judged>,
}

/// The outcomes of one op on one state: the first (next state id, whether its reply
/// matches) inline, and the others when the reply is a random choice.
pub(crate) type Judged = ((u32, bool), Vec<(u32, bool)>);

/// States kept in [`Steps`] before they are dropped between two searches: shrinking a
/// history whose states keep growing (appends) must not keep every state of every trial.
const STEPS_STATES_MAX: usize = 1 << 18;

impl<S: Clone> Steps<S> {
    /// Forgets everything when it holds too many states; only between searches (the
    /// searches in progress hold state ids).
    pub fn trim(&mut self) {
        if self.states.arena.len() > STEPS_STATES_MAX {
            self.states = States::new();
            self.outcomes = FxHashMap::default();
        }
    }
}

/// [`Steps`] as the searches of one check share them.
pub(crate) type SharedSteps<S> = Rc<RefCell<Steps<S>>>;

pub(crate) fn shared_steps<S: Clone>() -> SharedSteps<S> {
    Rc::new(RefCell::new(Steps {
        states: States::new(),
        outcomes: FxHashMap::default(),
    }))
}
