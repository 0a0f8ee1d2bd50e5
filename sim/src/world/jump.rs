//! Jumps of the server's wall clock (see [`crate::fault::ClockJump`]).

use super::World;
use crate::trace::TraceEvent;

impl World {
    /// The clock jumps planned for this step (on its `first_visit` only: the run loop
    /// comes back to a step after each move of the clock). After a jump the server's
    /// active expiry cycle runs, as `serverCron` would within 100 ms, so keys whose time
    /// has come are gone even if nobody looks them up.
    pub(super) fn clock_jumps(&mut self, first_visit: bool) {
        if !first_visit {
            return;
        }
        let step = self.step;
        let jumps: Vec<i64> = self
            .options
            .faults
            .clock_jumps
            .iter()
            .filter(|j| j.step == step)
            .map(|j| j.by_ms)
            .collect();
        for by_ms in jumps {
            self.clock.jump_wall(by_ms.saturating_mul(1000));
            self.coverage.event(crate::coverage::Event::ClockJump);
            if self.options.trace {
                self.trace.events.push(TraceEvent::ClockJump {
                    time_us: self.clock.now_us(),
                    by_ms,
                });
            }
            // Every server of the world reads the one clock.
            for node in &mut self.nodes {
                node.engine.expire_cycle();
            }
        }
    }
}
