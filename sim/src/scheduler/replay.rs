//! Replays a recorded schedule: at step `i` the client `schedule[i]` runs.
//!
//! Past the end of the schedule (or if the recorded client is not enabled, which means
//! the run diverged), the replay keeps running the client that ran last while it can and
//! otherwise the lowest-numbered enabled one — so a schedule prefix like `[1]` yields
//! "client 1 first, each client to completion": a serial order.

use super::{Candidate, Scheduler};

/// Follows a recorded schedule (see the module documentation).
pub struct Replay {
    schedule: Vec<u32>,
    last: Option<u32>,
    /// Set when the run stopped following the schedule before its end.
    pub diverged: bool,
}

impl Replay {
    /// A replay of `schedule`.
    pub fn new(schedule: Vec<u32>) -> Replay {
        Replay {
            schedule,
            last: None,
            diverged: false,
        }
    }
}

impl Scheduler for Replay {
    fn begin(&mut self, _seed: u64, _clients: usize) {
        self.last = None;
        self.diverged = false;
    }

    fn pick(&mut self, step: u64, enabled: &[Candidate]) -> Option<usize> {
        let find = |client: u32| enabled.iter().position(|c| c.client == client);
        let chosen = match self.schedule.get(step as usize) {
            Some(&client) => find(client).or_else(|| {
                self.diverged = true;
                None
            }),
            None => None,
        };
        let chosen = chosen.or_else(|| self.last.and_then(find)).unwrap_or(0);
        self.last = Some(enabled[chosen].client);
        Some(chosen)
    }
}
