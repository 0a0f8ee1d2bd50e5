//! PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010).
//!
//! Each client gets a distinct random priority above `depth`; the highest-priority enabled
//! client runs. At `depth - 1` change points drawn uniformly among the first `steps_hint`
//! steps, the client about to run drops to priority `i` (below every initial one). A bug
//! that needs `depth` ordering constraints is found with probability at least
//! 1 / (clients · steps^(depth-1)) per run.

use super::{scheduler_rng, Candidate, Scheduler};
use rand::RngExt;

pub struct Pct {
    depth: u32,
    steps_hint: u32,
    priorities: Vec<u64>,
    /// Sorted step numbers at which a priority change happens.
    change_points: Vec<u64>,
}

impl Pct {
    pub fn new(depth: u32, steps_hint: u32) -> Pct {
        Pct {
            depth: depth.max(1),
            steps_hint: steps_hint.max(1),
            priorities: Vec::new(),
            change_points: Vec::new(),
        }
    }
}

impl Scheduler for Pct {
    fn begin(&mut self, seed: u64, clients: usize) {
        let mut rng = scheduler_rng(seed);
        // A random permutation of depth..depth+clients.
        let mut prio: Vec<u64> = (0..clients as u64).map(|i| i + self.depth as u64).collect();
        for i in (1..prio.len()).rev() {
            let j = rng.random_range(0..=i);
            prio.swap(i, j);
        }
        self.priorities = prio;
        self.change_points.clear();
        let wanted = (self.depth - 1).min(self.steps_hint) as usize;
        while self.change_points.len() < wanted {
            let step = rng.random_range(0..self.steps_hint as u64);
            if !self.change_points.contains(&step) {
                self.change_points.push(step);
            }
        }
        self.change_points.sort_unstable();
    }

    fn pick(&mut self, step: u64, enabled: &[Candidate]) -> Option<usize> {
        let best = |prio: &[u64]| {
            (0..enabled.len())
                .max_by_key(|&i| prio.get(enabled[i].client as usize).copied().unwrap_or(0))
        };
        let mut chosen = best(&self.priorities)?;
        if let Ok(i) = self.change_points.binary_search(&step) {
            let client = enabled[chosen].client as usize;
            if let Some(p) = self.priorities.get_mut(client) {
                *p = i as u64 + 1;
            }
            chosen = best(&self.priorities)?;
        }
        Some(chosen)
    }
}
