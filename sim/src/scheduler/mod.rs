//! Schedulers: who goes next.
//!
//! At every step the world lists the enabled events — each a client whose next request
//! can reach the server now — and asks the scheduler to pick one. The world then executes
//! that request atomically on the engine and hands the reply back to the client.
//!
//! Lifecycle (as shuttle's `Scheduler`): [`Scheduler::begin`] before each run,
//! [`Scheduler::pick`] once per step, [`Scheduler::end`] after the run, which answers
//! whether another run should follow (only the exhaustive strategy explores several runs
//! on its own). Every strategy is built from the run's seed and is deterministic; the
//! world records every pick, so a replay needs only the seed, options and schedule.

mod exhaustive;
mod footprint;
mod pct;
mod random;
mod replay;

pub use exhaustive::{Exhaustive, ExploreStats};
pub use footprint::footprint;
pub use pct::Pct;
pub use random::RandomScheduler;
pub use replay::Replay;

use crate::options::Strategy;

/// What a request touches, for partial-order reduction: key hashes (database included)
/// with whether it writes them; `global` for commands whose effect is not confined to
/// their keys (FLUSHALL, SCRIPT FLUSH, TIME, …) and that therefore conflict with all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    pub global: bool,
    pub keys: Vec<(u64, bool)>,
}

impl Footprint {
    /// Two requests of different clients commute when neither is global and every key
    /// they share is only read by both.
    pub fn independent(&self, other: &Footprint) -> bool {
        if self.global || other.global {
            return false;
        }
        self.keys
            .iter()
            .all(|&(k, w)| other.keys.iter().all(|&(k2, w2)| k != k2 || (!w && !w2)))
    }
}

/// One enabled event: client `client`'s next request can reach the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub client: u32,
    /// Filled only when the scheduler [`wants_footprints`](Scheduler::wants_footprints).
    pub footprint: Footprint,
}

pub trait Scheduler {
    /// A new run begins with `clients` clients.
    fn begin(&mut self, seed: u64, clients: usize);

    /// Whether candidates must carry footprints (costs a little per step).
    fn wants_footprints(&self) -> bool {
        false
    }

    /// Picks one of `enabled` (never empty) at step `step`, by index; `None` abandons the
    /// run (the exhaustive strategy does so when every enabled event is asleep).
    fn pick(&mut self, step: u64, enabled: &[Candidate]) -> Option<usize>;

    /// The run ended; whether the scheduler wants another run.
    fn end(&mut self) -> bool {
        false
    }
}

/// The scheduler a strategy names.
pub fn from_strategy(strategy: &Strategy) -> Box<dyn Scheduler> {
    match strategy {
        Strategy::Random => Box::new(RandomScheduler::default()),
        Strategy::Pct { depth, steps_hint } => Box::new(Pct::new(*depth, *steps_hint)),
        Strategy::Exhaustive { reduce } => Box::new(Exhaustive::new(*reduce)),
        Strategy::Replay(schedule) => Box::new(Replay::new(schedule.clone())),
    }
}

/// The scheduler's random stream for `seed` (the engine and the faults have their own).
pub fn scheduler_rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(keys: &[(u64, bool)]) -> Footprint {
        Footprint {
            global: false,
            keys: keys.to_vec(),
        }
    }

    #[test]
    fn reads_of_one_key_commute_but_a_write_does_not() {
        assert!(fp(&[(1, false)]).independent(&fp(&[(1, false)])));
        assert!(!fp(&[(1, true)]).independent(&fp(&[(1, false)])));
        assert!(fp(&[(1, true)]).independent(&fp(&[(2, true)])));
        assert!(!Footprint {
            global: true,
            keys: vec![]
        }
        .independent(&fp(&[])));
    }
}
