//! A slow server (see [`crate::fault`]): a command that stalls the server once it has
//! run, and a client whose timeout passes while the server works on its request — a
//! stalled command, or a script whose Lua instructions cost virtual time.
//!
//! The simulator runs a command in one step, so a client's deadline cannot fire in the
//! middle of it; it is settled when the step ends. A client whose deadline fell inside
//! the step gave up then: its reply is lost with the connection it left (the command
//! completed all the same), and its retry went out at the deadline. While a script runs,
//! that retry is a request like any other client's: the host answers it `-BUSY` at the
//! first tick past `busy-reply-threshold` after it arrives (Redis reads new connections
//! from the script's hook, `processEventsWhileBlocked`); a script that ends first leaves
//! it to run after. The retry is posted on the board with the deadline as its arrival
//! time, before the delay drawn for it: the board must know it before the script runs.

use super::{Request, World};
use crate::client::Argv;
use crate::clock::{ticket, Waiting};
use crate::coverage::Event;
use rand::RngExt;
use redsim::Reply;

impl World {
    /// Whether client `client` would resend its operation's one request if it gave up
    /// now, with `in_flight` of its requests still on the wire.
    pub(super) fn can_retry(&self, client: usize, in_flight: usize) -> bool {
        let slot = &self.slots[client];
        slot.program.retryable()
            && slot.awaiting == 1
            && slot.inflight.len() == in_flight
            && slot.retries_in_op < self.options.faults.retries_max
    }

    /// The server stalls after a command of client `client` (its own fault stream
    /// decides, as for every fault that happens to a client).
    pub(super) fn stall(&mut self, client: usize) {
        let faults = &self.options.faults;
        if faults.slow_rate > 0.0
            && self.slots[client]
                .fault_rng
                .random_bool(faults.slow_rate.min(1.0))
        {
            self.clock.advance_us(faults.slow_us);
            self.coverage.event(Event::Stall);
        }
    }

    /// Before client `client`'s script (sent on its current connection) runs: the retry
    /// it would send at its deadline, on the board for the host.
    pub(super) fn post_own_retry(&mut self, client: usize, argv: &Argv) {
        let Some(deadline) = self.slots[client].deadline_us else {
            return;
        };
        if !self.can_retry(client, 0) {
            return;
        }
        let mut board = self.clock.board.lock().unwrap_or_else(|p| p.into_inner());
        board.waiting.push(Waiting {
            client: client as u32,
            session: None,
            argv: argv.clone(),
            ready_at_us: deadline,
        });
    }

    /// After client `client`'s request `argv` (of attempt `attempt`, on its current
    /// connection) ran: whether the client gave up on it meanwhile. Then its reply is
    /// lost with the old connection and the client resent the request at its deadline
    /// (if it could: else it kept waiting and takes the reply).
    pub(super) fn gave_up_meanwhile(
        &mut self,
        client: usize,
        argv: &Argv,
        attempt: u32,
        time_us: u64,
        reply: &Reply,
    ) -> bool {
        let Some(deadline) = self.slots[client].deadline_us else {
            return false;
        };
        let own = ticket(client as u32, true);
        let answered_retry = {
            let board = self.clock.board.lock().unwrap_or_else(|p| p.into_inner());
            board.answered.iter().any(|(t, _, _)| *t == own)
        };
        if deadline >= self.clock.now_us() && !answered_retry {
            return false;
        }
        let retry = self.can_retry(client, 0);
        self.note_timeout(client, deadline, retry);
        if !retry {
            self.slots[client].deadline_us = None;
            return false;
        }
        self.trace_command(time_us, Some(client), argv.clone(), reply);
        let slot = &mut self.slots[client];
        let old = (slot.node as usize, slot.session);
        slot.inflight.push_front(Request {
            argv: argv.clone(),
            ready_at_us: deadline,
            session: None,
            attempt,
        });
        self.resend(client, deadline, false);
        self.slots[client].deadline_us = Some(deadline + self.options.faults.timeout_us);
        self.nodes[old.0].engine.disconnect(old.1);
        true
    }
}
