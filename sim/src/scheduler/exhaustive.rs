//! Exhaustive exploration: every distinct interleaving of a bounded scenario, by
//! stateless depth-first search (each run replays the path to a branch point from a reset
//! world, then takes the next branch).
//!
//! With `reduce`, sleep sets (Godefroid, 1996) prune interleavings that differ only in
//! the order of commuting steps: after exploring step `t` from a state, a later sibling
//! `u` starts with `t` asleep when `t` and `u` commute, because every run that takes `u`
//! then `t` is equivalent to one already explored with `t` then `u`. A sleeping step stays
//! asleep until a step that does not commute with it runs. Each class of equivalent
//! complete runs (Mazurkiewicz trace) is explored once; a path on which every enabled step
//! is asleep is abandoned and counted as `pruned`.
//!
//! Whether two steps commute is decided from what each really touched when it ran (the
//! engine's [`Access`] record, reported through [`Scheduler::executed`]), never from the
//! request alone: a script reaches keys it did not declare, a key's expiry makes a read
//! depend on the clock. A step's record stays valid while it sleeps: every step taken
//! meanwhile commuted with it, so it would read the same values and take the same path.
//!
//! Transitions are named by client: a client's next request is fixed by its own past, so
//! "client c's next step" is the same transition in every state where c has not moved.

use super::{Access, Candidate, Scheduler};

/// A step explored before, with what it touched.
#[derive(Clone, Debug)]
struct Explored {
    client: u32,
    access: Access,
}

struct Node {
    enabled: Vec<u32>,
    chosen: usize,
    /// What the chosen step touched in the current run.
    taken: Option<Access>,
    /// Steps explored from this node before `chosen`.
    done: Vec<Explored>,
    /// Sleep set on entry to this node.
    sleep: Vec<Explored>,
}

/// What an exploration did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExploreStats {
    /// Complete runs (one per explored interleaving).
    pub runs: u64,
    /// Runs abandoned because every enabled step was asleep.
    pub pruned: u64,
    /// Steps executed over all runs, replayed prefixes included.
    pub steps: u64,
}

pub struct Exhaustive {
    reduce: bool,
    stack: Vec<Node>,
    depth: usize,
    abandoned: bool,
    pub stats: ExploreStats,
}

impl Exhaustive {
    pub fn new(reduce: bool) -> Exhaustive {
        Exhaustive {
            reduce,
            stack: Vec::new(),
            depth: 0,
            abandoned: false,
            stats: ExploreStats::default(),
        }
    }

    /// The sleep set of a new node below the current top of the stack: the parent's
    /// sleeping and already explored steps that commute with the step it took.
    fn inherited_sleep(&self) -> Vec<Explored> {
        let Some(parent) = self.stack.last() else {
            return Vec::new();
        };
        if !self.reduce {
            return Vec::new();
        }
        let Some(taken) = &parent.taken else {
            return Vec::new(); // not reported: nothing may sleep
        };
        let client = parent.enabled[parent.chosen];
        parent
            .sleep
            .iter()
            .chain(&parent.done)
            .filter(|u| u.client != client && u.access.commutes_with(taken))
            .cloned()
            .collect()
    }
}

impl Scheduler for Exhaustive {
    fn begin(&mut self, _seed: u64, _clients: usize) {
        self.depth = 0;
        self.abandoned = false;
    }

    fn wants_access(&self) -> bool {
        self.reduce
    }

    fn executed(&mut self, access: &Access) {
        if let Some(node) = self.depth.checked_sub(1).and_then(|d| self.stack.get_mut(d)) {
            node.taken = Some(access.clone());
        }
    }

    fn pick(&mut self, _step: u64, enabled: &[Candidate]) -> Option<usize> {
        self.stats.steps += 1;
        if let Some(node) = self.stack.get(self.depth) {
            let client = node.enabled[node.chosen];
            self.depth += 1;
            // The world is deterministic, so the recorded client is enabled again.
            return Some(enabled.iter().position(|c| c.client == client).unwrap_or(0));
        }
        let sleep = self.inherited_sleep();
        let Some(chosen) = enabled
            .iter()
            .position(|c| !sleep.iter().any(|s| s.client == c.client))
        else {
            self.abandoned = true;
            return None;
        };
        self.stack.push(Node {
            enabled: enabled.iter().map(|c| c.client).collect(),
            chosen,
            taken: None,
            done: Vec::new(),
            sleep,
        });
        self.depth += 1;
        Some(chosen)
    }

    fn end(&mut self) -> bool {
        if self.abandoned {
            self.stats.pruned += 1;
        } else {
            self.stats.runs += 1;
        }
        while let Some(node) = self.stack.last_mut() {
            let client = node.enabled[node.chosen];
            // Unreported (reduction off): it conflicts with everything.
            let access = node.taken.take().unwrap_or(Access {
                global: true,
                ..Access::default()
            });
            node.done.push(Explored { client, access });
            let next = node.enabled.iter().position(|&e| {
                !node.done.iter().any(|d| d.client == e) && !node.sleep.iter().any(|s| s.client == e)
            });
            match next {
                Some(i) => {
                    node.chosen = i;
                    return true;
                }
                None => {
                    self.stack.pop();
                }
            }
        }
        false
    }
}
