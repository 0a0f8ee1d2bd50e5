//! The random strategy: at each step, one of the enabled events uniformly, from a ChaCha
//! stream seeded by the run's seed.

use super::{scheduler_rng, Candidate, Scheduler};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Uniformly random among the enabled clients.
pub struct RandomScheduler {
    rng: ChaCha8Rng,
}

impl Default for RandomScheduler {
    fn default() -> Self {
        RandomScheduler {
            rng: scheduler_rng(0),
        }
    }
}

impl Scheduler for RandomScheduler {
    fn begin(&mut self, seed: u64, _clients: usize) {
        self.rng = scheduler_rng(seed);
    }

    fn pick(&mut self, _step: u64, enabled: &[Candidate]) -> Option<usize> {
        if enabled.len() == 1 {
            return Some(0);
        }
        Some(self.rng.random_range(0..enabled.len()))
    }
}
