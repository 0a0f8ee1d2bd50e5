//! PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010).
//!
//! Each client gets a distinct random priority in `depth..depth + clients`; the
//! highest-priority enabled client runs. At `depth - 1` change points drawn uniformly
//! among the first `steps_hint` steps, the client about to run drops: at the i-th change
//! point (i = 1, 2, …) to priority `depth - i`, below every initial priority *and* below
//! every client lowered before it. A bug that needs `depth` ordering constraints is then
//! found with probability at least 1 / (clients · steps^(depth-1)) per run.
//!
//! The order of the lowered priorities is what the guarantee rests on: the proof lets the
//! i-th change point force the i-th constraint, which holds only if a client lowered later
//! cannot overtake one lowered earlier. Giving the i-th change point priority `i` instead
//! (each lowered client above the previous one) misses bugs the paper's order finds in
//! about one run in thirty (`sim/tests/sim_pct.rs`).

use super::{scheduler_rng, Candidate, Scheduler};
use rand::RngExt;

/// Probabilistic concurrency testing (see the module documentation).
pub struct Pct {
    depth: u32,
    steps_hint: u32,
    priorities: Vec<u64>,
    /// Sorted step numbers at which a priority change happens.
    change_points: Vec<u64>,
}

impl Pct {
    /// PCT for bugs of depth `depth` in runs of about `steps_hint` steps.
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
                // `i` counts from 0: the first change point gives depth - 1, the last 1.
                *p = self.depth as u64 - 1 - i as u64;
            }
            chosen = best(&self.priorities)?;
        }
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> Vec<Candidate> {
        (0..2).map(|client| Candidate { client }).collect()
    }

    #[test]
    fn a_client_lowered_later_stays_below_one_lowered_earlier() {
        // Depth 3 over a two-step estimate: the change points are steps 0 and 1 for every
        // seed. Step 0 lowers the first choice X to 2, so Y runs; step 1 lowers Y to 1, so
        // from then on X (2) runs before Y (1).
        for seed in 0..20 {
            let mut pct = Pct::new(3, 2);
            pct.begin(seed, 2);
            let picks: Vec<u32> = (0..4)
                .map(|step| both()[pct.pick(step, &both()).unwrap()].client)
                .collect();
            let (y, x) = (picks[0], picks[1]);
            assert_ne!(x, y, "seed {seed}: {picks:?}");
            assert_eq!(picks, [y, x, x, x], "seed {seed}");
        }
    }
}
