//! Exhaustive exploration: every distinct interleaving of a bounded scenario, by
//! stateless depth-first search (each run replays the path to a branch point from a reset
//! world, then takes the next branch).
//!
//! Without reduction every enabled client is tried at every node. With `reduce` it is
//! optimal DPOR with wakeup trees (Abdulla et al., POPL 2014): a node first explores one
//! client; after each complete run, every race of that run (two conflicting steps of
//! different clients with nothing ordered between them) adds its reversal to the wakeup
//! tree of the node before the race, unless a client asleep there or a branch already in
//! the tree starts an equivalent run (see `wakeup.rs`). Sleep sets (Godefroid, 1996)
//! carry what was explored: a client explored from a node sleeps in the subtrees of its
//! later siblings until a conflicting step runs. So each Mazurkiewicz trace (class of
//! runs equal up to the order of commuting steps) is run once; a path on which every
//! enabled client is asleep, should one occur, is abandoned and counted as `pruned`.
//!
//! Whether two steps commute is decided from what each really touched when it ran (the
//! engine's [`Access`] record, reported through [`Scheduler::executed`]), never from the
//! request alone: a script reaches keys it did not declare, a key's expiry makes a read
//! depend on the clock. A step's record stays valid while it sleeps: every step taken
//! meanwhile commuted with it, so it would read the same values and take the same path.
//!
//! Transitions are named by client: a client's next request is fixed by its own past, so
//! "client c's next step" is the same transition in every state where c has not moved.

use super::wakeup::{self, Branch, HappensBefore, Step};
use super::{Access, Candidate, Scheduler};

/// A step explored before, with what it touched.
#[derive(Clone, Debug)]
struct Explored {
    client: u32,
    access: Access,
}

struct Node {
    /// The clients enabled here.
    enabled: Vec<u32>,
    /// The client explored from this node in the current run.
    current: u32,
    /// What its step touched in the current run.
    taken: Option<Access>,
    /// The wakeup tree below `current`, handed to the next node when it is created.
    below: Vec<Branch>,
    /// Branches still to explore from here, in order.
    wakeup: Vec<Branch>,
    /// Clients asleep here: inherited, or explored from here already.
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

/// Every interleaving, one run after another (see the module documentation).
pub struct Exhaustive {
    reduce: bool,
    stack: Vec<Node>,
    depth: usize,
    abandoned: bool,
    /// The current run's steps with what they touched (with reduction).
    steps: Vec<Step>,
    /// What the exploration did so far.
    pub stats: ExploreStats,
}

impl Exhaustive {
    /// An exploration; with `reduce`, one run per class of equivalent interleavings.
    pub fn new(reduce: bool) -> Exhaustive {
        Exhaustive {
            reduce,
            stack: Vec::new(),
            depth: 0,
            abandoned: false,
            steps: Vec::new(),
            stats: ExploreStats::default(),
        }
    }

    /// The sleep set of a new node below the current top of the stack: the parent's
    /// sleeping clients that commute with the step it took.
    fn inherited_sleep(&self) -> Vec<Explored> {
        let Some(parent) = self.stack.last() else {
            return Vec::new();
        };
        let Some(taken) = &parent.taken else {
            return Vec::new(); // not reported: nothing may sleep
        };
        parent
            .sleep
            .iter()
            .filter(|u| u.client != parent.current && u.access.commutes_with(taken))
            .cloned()
            .collect()
    }

    /// A new node at the end of the path, for a state whose enabled clients are
    /// `enabled`: the index of the client it explores first, or `None` when every one
    /// is asleep.
    fn open(&mut self, enabled: &[Candidate]) -> Option<usize> {
        let (sleep, mut wakeup) = if self.reduce {
            let inherited = self
                .stack
                .last_mut()
                .map(|parent| std::mem::take(&mut parent.below))
                .unwrap_or_default();
            (self.inherited_sleep(), inherited)
        } else {
            // Every enabled client, in order.
            (
                Vec::new(),
                enabled.iter().map(|c| Branch::leaf(c.client)).collect(),
            )
        };
        let first = if wakeup.is_empty() {
            None
        } else {
            let branch = wakeup.remove(0);
            enabled
                .iter()
                .position(|c| c.client == branch.client)
                .map(|index| (index, branch.children))
        };
        let (index, below) = match first {
            Some(found) => found,
            None => {
                // Any client not asleep; its siblings come from the races it takes part in.
                let index = enabled
                    .iter()
                    .position(|c| !sleep.iter().any(|s| s.client == c.client))?;
                (index, Vec::new())
            }
        };
        self.stack.push(Node {
            enabled: enabled.iter().map(|c| c.client).collect(),
            current: enabled[index].client,
            taken: None,
            below,
            wakeup,
            sleep,
        });
        Some(index)
    }

    /// After a complete run: adds the reversal of each of its races to the wakeup tree
    /// of the node before the race.
    fn add_reversals(&mut self) {
        let steps = &self.steps;
        if steps.len() != self.stack.len() {
            return; // a step went unreported: nothing to reason from
        }
        let hb = HappensBefore::of(steps);
        for (i, j) in wakeup::races(steps, &hb) {
            let v = wakeup::reversal(&hb, steps.len(), i, j);
            let node = &mut self.stack[i];
            // A sleeping client covers the reversal when it starts it: its step is in `v`
            // with nothing of `v` before it, or it is not in `v` and commutes with all of
            // `v` — and then also with the race's first step. Without that last check a
            // sleeper that commutes with `v` but conflicts with step i (a read of what i
            // writes) covered only the runs where it goes before i; those where it goes
            // after i, with `v` before i, were never run (4 clients × 3 steps of the
            // counter race ran 3,636 of its 3,672 traces). Its sleep was earned in a
            // sibling subtree where it ran before i; nothing there runs it after i.
            let covered =
                node.sleep.iter().any(|q| {
                    wakeup::weak_initial(q.client, Some(&q.access), &v, steps, &hb)
                        && (v.iter().any(|&x| steps[x].client == q.client)
                            || q.access.commutes_with(&steps[i].access))
                }) || wakeup::weak_initial(node.current, Some(&steps[i].access), &v, steps, &hb);
            if !covered {
                wakeup::insert(&mut node.wakeup, v, steps, &hb);
            }
        }
    }
}

impl Scheduler for Exhaustive {
    fn begin(&mut self, _seed: u64, _clients: usize) {
        self.depth = 0;
        self.abandoned = false;
        self.steps.clear();
    }

    fn wants_access(&self) -> bool {
        self.reduce
    }

    fn executed(&mut self, access: &Access) {
        if let Some(node) = self
            .depth
            .checked_sub(1)
            .and_then(|d| self.stack.get_mut(d))
        {
            if access.global || access.clock {
                // It may have changed what every other client does next (a busy script
                // answers their requests in flight, an admin command placed by step
                // number runs between): every enabled client is tried here.
                for &client in &node.enabled {
                    let known = client == node.current
                        || node.sleep.iter().any(|s| s.client == client)
                        || node.wakeup.iter().any(|b| b.client == client);
                    if !known {
                        node.wakeup.push(Branch::leaf(client));
                    }
                }
            }
            node.taken = Some(access.clone());
            self.steps.truncate(self.depth - 1);
            self.steps.push(Step {
                client: node.current,
                access: access.clone(),
            });
        }
    }

    fn pick(&mut self, _step: u64, enabled: &[Candidate]) -> Option<usize> {
        self.stats.steps += 1;
        if let Some(node) = self.stack.get(self.depth) {
            let client = node.current;
            self.depth += 1;
            // The world is deterministic, so the recorded client is enabled again.
            return Some(enabled.iter().position(|c| c.client == client).unwrap_or(0));
        }
        let Some(index) = self.open(enabled) else {
            self.abandoned = true;
            return None;
        };
        self.depth += 1;
        Some(index)
    }

    fn end(&mut self) -> bool {
        if self.abandoned {
            self.stats.pruned += 1;
        } else {
            self.stats.runs += 1;
            if self.reduce {
                self.add_reversals();
            }
        }
        // Unexplored nodes below the abandoned point have no step.
        self.stack.truncate(self.depth);
        while let Some(node) = self.stack.last_mut() {
            // Unreported (reduction off): it conflicts with everything.
            let access = node.taken.take().unwrap_or(Access {
                global: true,
                ..Access::default()
            });
            node.sleep.push(Explored {
                client: node.current,
                access,
            });
            // A race reversed here whose first client was not enabled here: its request
            // was still on the wire (delays, timeouts). Enabling then depends on the
            // clock, every step of such a run is global, and `executed` already queued
            // each client enabled here — the branch would repeat one of theirs.
            let enabled = &node.enabled;
            node.wakeup.retain(|b| enabled.contains(&b.client));
            if node.wakeup.is_empty() {
                self.stack.pop();
                continue;
            }
            let branch = node.wakeup.remove(0);
            node.current = branch.client;
            node.below = branch.children;
            return true;
        }
        false
    }
}
