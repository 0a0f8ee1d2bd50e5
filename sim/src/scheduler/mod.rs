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
mod pct;
mod random;
mod replay;
mod wakeup;

pub use exhaustive::{Exhaustive, ExploreStats};
pub use pct::Pct;
pub use random::RandomScheduler;
pub use redsim::access::Access;
pub use replay::Replay;

use crate::options::Strategy;

/// One enabled event: client `client`'s next request can reach the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The client.
    pub client: u32,
}

/// Picks who goes next (see the module documentation for its lifecycle).
pub trait Scheduler {
    /// A new run begins with `clients` clients.
    fn begin(&mut self, seed: u64, clients: usize);

    /// Whether the world must report what each step touched through
    /// [`executed`](Self::executed) (it costs a little per step).
    fn wants_access(&self) -> bool {
        false
    }

    /// Picks one of `enabled` (never empty) at step `step`, by index; `None` abandons the
    /// run (the exhaustive strategy does so when every enabled event is asleep).
    fn pick(&mut self, step: u64, enabled: &[Candidate]) -> Option<usize>;

    /// What the step just picked really touched (normalised), when
    /// [`wants_access`](Self::wants_access): the engine's record of every resource its
    /// commands reached, made global by the world when the step's effect depends on its
    /// position (a busy script, faults placed by step number or drawn per step, delays).
    fn executed(&mut self, _access: &Access) {}

    /// The run ended; whether the scheduler wants another run.
    fn end(&mut self) -> bool {
        false
    }
}

/// The scheduler a strategy names.
pub(crate) fn from_strategy(strategy: &Strategy) -> Box<dyn Scheduler> {
    match strategy {
        Strategy::Random => Box::new(RandomScheduler::default()),
        Strategy::Pct { depth, steps_hint } => Box::new(Pct::new(*depth, *steps_hint)),
        Strategy::Exhaustive { reduce } => Box::new(Exhaustive::new(*reduce)),
        Strategy::Replay(schedule) => Box::new(Replay::new(schedule.clone())),
    }
}

/// The scheduler's random stream for `seed` (the engine and the faults have their own).
pub(crate) fn scheduler_rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    rng
}
#[cfg(test)]
mod model_tests;
