//! Client timeouts and retries (see [`crate::fault`]): a client that waited `timeout_us`
//! for a reply leaves its connection, opens another and sends the same request again. The
//! request it gave up on is already on the wire: it still runs on the old connection
//! (whose reply nobody reads), which is then closed.
//!
//! Each attempt of an operation is its own operation in the history; the ones given up
//! on are `unknown`. Whether each attempt changed the data is known here, so a logical
//! operation whose effect happened twice — the counter a retried EVAL incremented twice —
//! is a named anomaly, "duplicate effect" (the history alone cannot show it: an unknown
//! attempt may always have run).

use super::{Request, World};
use crate::coverage::Event;
use crate::history::{Op, Operation, Status};
use crate::trace::TraceEvent;
use rand::RngExt;
use redsim::Reply;

/// No attempt is tracked (timeouts off).
pub(super) const NO_ATTEMPT: u32 = u32::MAX;

/// One attempt of a logical operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Attempt {
    /// The attempt's operation in the history.
    pub op: usize,
    /// The history index of the operation's first attempt: the same for all its attempts.
    pub first: usize,
    /// Whether a command it sent changed the data (Redis's `dirty` counter moved), and
    /// the change is still there (a restart may lose it).
    pub wrote: bool,
    /// `dirty` after its last write, while the server that ran it is up (0 after).
    pub dirty: u64,
}

impl Attempt {
    pub(super) fn first(op: usize) -> Attempt {
        Attempt {
            op,
            first: op,
            wrote: false,
            dirty: 0,
        }
    }
}

impl World {
    /// Times out every client whose deadline has passed; returns the earliest deadline
    /// still ahead (or `u64::MAX`), a point the clock must stop at.
    pub(super) fn fire_timeouts(&mut self, now: u64) -> u64 {
        let mut next = u64::MAX;
        for client in 0..self.slots.len() {
            match self.slots[client].deadline_us {
                // At its deadline, which a long step (a script, a stall) may have passed.
                Some(at) if at <= now => self.time_out(client, at),
                _ => {}
            }
            if let Some(at) = self.slots[client].deadline_us {
                next = next.min(at);
            }
        }
        next
    }

    /// Client `client` gave up waiting at `time_us`, and resent its request (`retry`) or
    /// kept waiting: for the trace and the run's coverage.
    pub(super) fn note_timeout(&mut self, client: usize, time_us: u64, retry: bool) {
        let event = if retry { Event::Retry } else { Event::Wait };
        self.coverage.event(event);
        if self.options.trace {
            self.trace.events.push(TraceEvent::Timeout {
                time_us,
                client: client as u32,
                retry,
            });
        }
    }

    /// Client `client` gives up waiting. When it may retry, the request moves to the
    /// orphans of the old connection and a copy goes out on a new one, as a new attempt
    /// of the operation; otherwise (a step of a multi-command operation, or no retries
    /// left) the client keeps waiting.
    fn time_out(&mut self, client: usize, now: u64) {
        let timeout_us = self.options.faults.timeout_us;
        self.slots[client].deadline_us = None;
        let retry = self.can_retry(client, 1);
        self.note_timeout(client, now, retry);
        if !retry {
            return;
        }
        self.resend(client, now, true);
        self.slots[client].deadline_us = Some(now + timeout_us);
    }

    /// Client `client` sends its one request in flight again on a new connection, as a
    /// new attempt of its operation (the current one becomes `unknown`). With `orphan`
    /// the first request stays on the wire and still runs on the old connection (a
    /// timeout); without, it was lost with the connection (a restart).
    pub(super) fn resend(&mut self, client: usize, now: u64, orphan: bool) {
        let slot = &mut self.slots[client];
        let Some(mut old) = slot.inflight.pop_front() else {
            return;
        };
        let argv = old.argv.clone();
        self.reconnected_in_step = true;
        if orphan {
            old.session = Some((slot.node, slot.session));
            slot.orphans.push_back(old);
        }
        self.open_connection(client);
        let slot = &mut self.slots[client];
        slot.retries_in_op += 1;
        if let Some(index) = slot.current {
            let op = &mut self.history.ops[index];
            if let Operation::Command(recorded) = &mut op.op {
                if recorded.is_empty() {
                    recorded.clone_from(&argv);
                }
            }
            // The attempt given up on may run at any later instant, or may have run.
            op.status = Status::Unknown;
            op.ret = None;
            op.result = None;
            let retry = Op {
                call: now,
                ..op.clone()
            };
            slot.current = Some(self.history.ops.len());
            let first = self
                .attempts
                .get(slot.attempt as usize)
                .map_or(index, |a| a.first);
            slot.attempt = self.attempts.len() as u32;
            self.attempts.push(Attempt {
                op: self.history.ops.len(),
                first,
                wrote: false,
                dirty: 0,
            });
            self.history.ops.push(retry);
        }
        let delay_max = self.options.faults.delay_max_us;
        let delay = if delay_max > 0 {
            slot.fault_rng.random_range(0..=delay_max)
        } else {
            0
        };
        slot.inflight.push_back(Request {
            argv,
            ready_at_us: now + delay,
            session: None,
            attempt: slot.attempt,
        });
    }

    /// The request of `client` that reaches the server next: of an orphan and the
    /// current connection's, the one ready first (the orphan when both are: it was sent
    /// earlier).
    pub(super) fn next_request(&mut self, client: usize) -> Option<Request> {
        let now = self.clock.now_us();
        let slot = &mut self.slots[client];
        let ready = |r: Option<&Request>| r.map(|r| r.ready_at_us).filter(|&at| at <= now);
        match (ready(slot.orphans.front()), ready(slot.inflight.front())) {
            (Some(a), Some(b)) if a <= b => slot.orphans.pop_front(),
            (Some(_), None) => slot.orphans.pop_front(),
            _ => slot.inflight.pop_front(),
        }
    }

    /// An orphaned request ran: its reply goes nowhere, and once the old connection has
    /// nothing left on the wire the server sees it closed.
    pub(super) fn orphan_ran(
        &mut self,
        client: usize,
        request: Request,
        time_us: u64,
        reply: Reply,
    ) {
        let Some(session) = request.session else {
            return;
        };
        if !self.slots[client]
            .orphans
            .iter()
            .any(|r| r.session == Some(session))
        {
            self.nodes[session.0 as usize].engine.disconnect(session.1);
        }
        self.trace_command(time_us, Some(client), request.argv, &reply);
    }

    /// Pairs of attempts of one logical operation that both changed the data (history
    /// indices, earlier attempt first): the operation's effect happened twice.
    pub(crate) fn duplicate_effects(&self) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for (i, a) in self.attempts.iter().enumerate() {
            if !a.wrote {
                continue;
            }
            if let Some(b) = self.attempts[i + 1..]
                .iter()
                .find(|b| b.wrote && b.first == a.first)
            {
                pairs.push((a.op, b.op));
            }
        }
        pairs
    }
}
