//! A client's side of a step: it begins its next operation (which enters the history) and
//! runs its program until it sends commands, which go on the wire with their delays, or
//! until it finishes.

use super::retry::{Attempt, NO_ATTEMPT};
use super::{faults, ClientState, Request, World};
use crate::client::{Argv, Progress};
use crate::history::{Op, Status};
use rand::RngExt;
use redsim::Reply;

impl World {
    /// Node `node` answered client `client`'s command `argv` with `reply` (which changed
    /// the data when `wrote_data`): the history records it, and unless the client
    /// crashes or its connection drops now, the reply reaches it and it goes on.
    pub(super) fn reply_arrived(
        &mut self,
        client: usize,
        node: usize,
        argv: Argv,
        time_us: u64,
        reply: Reply,
        wrote_data: bool,
    ) {
        let wrote = self.options.faults.may_crash() && faults::applied_a_write(&argv, &reply);
        let disconnect_rate = self.options.faults.disconnect_rate;
        let resend = (disconnect_rate > 0.0).then(|| argv.clone());
        self.record_command(client, argv, time_us, &reply);
        self.record_node(client, node);
        if wrote {
            self.slots[client].writes_in_op += 1;
        }
        let rate = self.options.faults.crash_rate;
        if rate > 0.0 && self.slots[client].fault_rng.random_bool(rate.min(1.0)) {
            // The command ran but its reply is lost with the client.
            self.crash(client);
        } else if disconnect_rate > 0.0
            && self.slots[client]
                .fault_rng
                .random_bool(disconnect_rate.min(1.0))
        {
            // The command ran but its reply is lost with the connection.
            self.lose_connection(client, resend);
        } else {
            if wrote_data {
                if let Some(op) = self.slots[client].current {
                    if node == 0 && self.may_restart() {
                        self.acknowledged_write(op);
                    }
                    self.replicated_write_acked(node, op);
                }
            }
            self.hand_reply(client, reply);
        }
    }

    /// The client reads `reply`; with all the replies it awaited, it goes on.
    pub(super) fn hand_reply(&mut self, client: usize, reply: Reply) {
        let slot = &mut self.slots[client];
        slot.replies_total += 1;
        slot.replies.push(reply);
        if slot.replies.len() >= slot.awaiting {
            slot.awaiting = 0;
            slot.deadline_us = None;
            self.advance(client);
        }
    }

    /// Lets client `client` run until it sends commands or finishes.
    pub(super) fn advance(&mut self, client: usize) {
        loop {
            let now = self.clock.now_us();
            let slot = &mut self.slots[client];
            if slot.state != ClientState::Running {
                return;
            }
            let mut think_us = 0;
            if slot.current.is_none() {
                let op_number = slot.ops_begun;
                let Some(op) = slot.program.begin(op_number) else {
                    slot.state = ClientState::Finished;
                    return;
                };
                slot.ops_begun += 1;
                slot.sent_in_op = 0;
                slot.refused_in_op = 0;
                slot.writes_in_op = 0;
                slot.retries_in_op = 0;
                slot.current = Some(self.history.ops.len());
                slot.attempt = NO_ATTEMPT;
                if self.options.faults.may_resend() {
                    slot.attempt = self.attempts.len() as u32;
                    self.attempts.push(Attempt::first(self.history.ops.len()));
                }
                // Program order: the previous operation returned at `now`, and with closed
                // intervals an operation invoked at that very instant would overlap it. The
                // next one is invoked a tick later (never after its first command can run:
                // that takes `command_cost_us`).
                let call = if op_number > 0 {
                    now + self.options.command_cost_us.min(1)
                } else {
                    now
                };
                self.history.ops.push(Op {
                    client: client as u64,
                    call,
                    ret: None,
                    status: Status::Unknown,
                    op,
                    result: None,
                    node: slot.node,
                });
                if op_number > 0 && self.options.faults.think_max_us > 0 {
                    // The client pauses, then invokes: the operation starts after the pause.
                    think_us = slot
                        .fault_rng
                        .random_range(0..=self.options.faults.think_max_us);
                    if let Some(op) = self.history.ops.last_mut() {
                        op.call += think_us;
                    }
                }
            }
            let slot = &mut self.slots[client];
            self.out.sent.clear();
            match slot.program.resume(&mut slot.replies, &mut self.out) {
                Progress::Sent => {
                    if self.cluster.is_some() {
                        let sent = std::mem::take(&mut self.out.sent);
                        self.route(client, &sent);
                        self.out.sent = sent;
                    }
                    if self.crash_now(client) {
                        self.crash(client);
                        return;
                    }
                    let delay_max = self.options.faults.delay_max_us;
                    let timeout_us = self.options.faults.timeout_us;
                    let slot = &mut self.slots[client];
                    if timeout_us > 0 && self.out.len() == 1 && slot.program.retryable() {
                        slot.deadline_us = Some(now + think_us + timeout_us);
                    }
                    slot.awaiting = self.out.len();
                    slot.sent_in_op += self.out.len() as u32;
                    for argv in self.out.sent.drain(..) {
                        let delay = if delay_max > 0 {
                            slot.fault_rng.random_range(0..=delay_max)
                        } else {
                            0
                        };
                        slot.inflight.push_back(Request {
                            argv,
                            ready_at_us: now + think_us + delay,
                            session: None,
                            attempt: slot.attempt,
                        });
                    }
                    let rate = self.options.faults.disconnect_rate;
                    if rate > 0.0 && slot.awaiting > 0 && slot.fault_rng.random_bool(rate.min(1.0))
                    {
                        // Before the requests reach the server.
                        self.lose_connection(client, None);
                        return;
                    }
                    let slot = &mut self.slots[client];
                    if slot.awaiting == 0 {
                        continue;
                    }
                    return;
                }
                Progress::Done(mut outcome) => {
                    slot.replies.clear();
                    // Every command answered by the host during a busy script (-BUSY, a
                    // granted SCRIPT KILL) never ran: the operation had no effect.
                    if slot.sent_in_op > 0 && slot.refused_in_op == slot.sent_in_op {
                        outcome.status = Status::Fail;
                    }
                    if let Some(index) = slot.current.take() {
                        self.finish_op(index, now, outcome);
                    }
                }
            }
        }
    }
}
