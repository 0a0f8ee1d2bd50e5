//! Exhaustive exploration: every distinct interleaving of a bounded scenario, by
//! stateless depth-first search (each run replays the path to a branch point from a reset
//! world, then takes the next branch).
//!
//! With `reduce`, sleep sets (Godefroid, 1996) prune interleavings that differ only in
//! the order of commuting steps: after exploring step `t` from a state, a later sibling
//! `u` starts with `t` asleep when `t` and `u` are independent (different clients whose
//! requests touch disjoint keys, or only read shared ones — see
//! [`Footprint::independent`](super::Footprint::independent)), because every run that
//! takes `u` then `t` is equivalent to one already explored with `t` then `u`. A sleeping
//! step stays asleep until a dependent step runs. Each class of equivalent complete runs
//! (Mazurkiewicz trace) is explored once; a path on which every enabled step is asleep is
//! abandoned and counted as `pruned`.
//!
//! Transitions are named by client: a client's next request is fixed by its own past, so
//! "client c's next step" is the same transition in every state where c has not moved.

use super::{Candidate, Scheduler};

struct Node {
    enabled: Vec<Candidate>,
    chosen: usize,
    /// Clients explored from this node before `chosen`.
    done: Vec<u32>,
    /// Sleep set on entry to this node.
    sleep: Vec<Candidate>,
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

    /// The sleep set of a new node below the current top of the stack.
    fn inherited_sleep(&self) -> Vec<Candidate> {
        let Some(parent) = self.stack.last() else {
            return Vec::new();
        };
        if !self.reduce {
            return Vec::new();
        }
        let taken = &parent.enabled[parent.chosen];
        let explored = parent
            .done
            .iter()
            .filter_map(|c| parent.enabled.iter().find(|e| e.client == *c));
        parent
            .sleep
            .iter()
            .chain(explored)
            .filter(|u| u.client != taken.client && u.footprint.independent(&taken.footprint))
            .cloned()
            .collect()
    }
}

impl Scheduler for Exhaustive {
    fn begin(&mut self, _seed: u64, _clients: usize) {
        self.depth = 0;
        self.abandoned = false;
    }

    fn wants_footprints(&self) -> bool {
        self.reduce
    }

    fn pick(&mut self, _step: u64, enabled: &[Candidate]) -> Option<usize> {
        self.stats.steps += 1;
        if let Some(node) = self.stack.get(self.depth) {
            let client = node.enabled[node.chosen].client;
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
            enabled: enabled.to_vec(),
            chosen,
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
            let client = node.enabled[node.chosen].client;
            node.done.push(client);
            let next = node.enabled.iter().position(|e| {
                !node.done.contains(&e.client) && !node.sleep.iter().any(|s| s.client == e.client)
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
