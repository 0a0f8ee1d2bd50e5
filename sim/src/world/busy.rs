//! A server-side script past `busy-reply-threshold`: the other clients' requests in
//! flight are listed for the host, which answers them (-BUSY, or grants SCRIPT KILL)
//! from the script's hook; the answers go back to their clients once the script returns.

use super::World;
use crate::clock::Waiting;

impl World {
    /// Lists every other client's requests in flight to the same node for the host, which answers them
    /// `-BUSY` (or grants a SCRIPT KILL) once the script runs past the threshold.
    pub(super) fn post_waiting(&mut self, running: usize) {
        let waiting = self
            .slots
            .iter()
            .enumerate()
            // A script blocks only its own server.
            .filter(|(i, slot)| *i != running && slot.node == self.slots[running].node)
            .flat_map(|(i, slot)| {
                slot.inflight.iter().map(move |r| Waiting {
                    client: i as u32,
                    session: Some(slot.session),
                    argv: r.argv.clone(),
                    ready_at_us: r.ready_at_us,
                })
            })
            .collect();
        let mut board = self.clock.board.lock().unwrap_or_else(|p| p.into_inner());
        board.threshold_ms = self.options.busy_threshold_ms;
        board.start(waiting);
    }

    /// Hands the replies the host gave during a busy script to their clients; whether
    /// there were any.
    pub(super) fn deliver_busy_answers(&mut self) -> bool {
        let answered = {
            let mut board = self.clock.board.lock().unwrap_or_else(|p| p.into_inner());
            board.waiting.clear();
            std::mem::take(&mut board.answered)
        };
        let any = !answered.is_empty();
        for (ticket, reply, time_us) in answered {
            // The running client's own retry (ticket bit 32) was sent: see `world/slow.rs`.
            let client = ticket as u32 as usize;
            let Some(request) = self.slots[client].inflight.pop_front() else {
                continue;
            };
            self.coverage.command(&request.argv, &reply);
            // The reply belongs to the operation that sent this request, which must name it.
            self.record_command(client, request.argv, time_us, &reply);
            self.slots[client].refused_in_op += 1;
            self.hand_reply(client, reply);
        }
        any
    }
}
