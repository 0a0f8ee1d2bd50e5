//! The faults of a run, injected between steps: client crashes (planned or at random
//! between two commands of an operation) and the admin connection's commands (planned
//! ones and random SCRIPT FLUSHes).

use super::{ClientState, Request, World};
use crate::client::Argv;
use crate::history::{Op, Operation, ScriptMode, Status};
use crate::trace::TraceEvent;
use rand::RngExt;
use redsim::cmd::{flags, Resolved};
use redsim::Reply;

impl World {
    /// Whether `client` crashes now, between two commands.
    pub(super) fn crash_now(&mut self, client: usize) -> bool {
        let faults = &self.options.faults;
        let slot = &self.slots[client];
        if faults.planned_crash(client as u32, slot.replies_total) {
            return true;
        }
        let sent = slot.sent_in_op > 0;
        faults.crash_rate > 0.0
            && sent
            && self.slots[client]
                .fault_rng
                .random_bool(faults.crash_rate.min(1.0))
    }

    /// The client dies: its operation's outcome is unknown, what it already ran stays,
    /// its connection closes (dropping a MULTI in progress and its WATCHes). The program
    /// may record instead what really reached the server (each command of a pipeline as
    /// its own operation, a WATCH block with its reads).
    pub(super) fn crash(&mut self, client: usize) {
        self.crashes += 1;
        self.coverage.event(crate::coverage::Event::Crash);
        self.slots[client].state = ClientState::Crashed;
        self.cut_operation(client);
        if self.options.trace {
            self.trace.events.push(TraceEvent::Crash {
                time_us: self.clock.now_us(),
                client: client as u32,
            });
        }
    }

    /// The client's connection is gone in the middle of its operation (it crashed, or
    /// the server restarted): the history records the operation as a crash leaves it.
    pub(super) fn cut_operation(&mut self, client: usize) {
        let slot = &mut self.slots[client];
        // Commands of the last batch that never reached the server.
        let unsent = slot.inflight.len() + self.out.sent.len();
        self.out.sent.clear();
        let instead = slot.program.crash(unsent, &slot.replies);
        slot.deadline_us = None;
        slot.awaiting = 0;
        slot.inflight.clear();
        slot.replies.clear();
        let now = self.clock.now_us();
        if let Some(index) = slot.current.take() {
            let op = &mut self.history.ops[index];
            op.status = Status::Unknown;
            op.ret = None;
            op.result = None;
            let raw = matches!(
                op.op,
                Operation::Script {
                    mode: ScriptMode::Raw,
                    ..
                }
            );
            if raw && slot.writes_in_op > 0 {
                self.partial_ops.push(index);
            }
            let mut instead = instead.into_iter();
            if let Some(first) = instead.next() {
                let template = op.clone();
                set_crashed(op, first, now);
                for recorded in instead {
                    let mut op = template.clone();
                    set_crashed(&mut op, recorded, now);
                    self.history.ops.push(op);
                }
            }
        }
        self.close_connection(client);
    }

    /// Client `client`'s connection drops; the client survives. `ran`: the command that
    /// just ran and whose reply is lost (`None`: the requests in flight never reached the
    /// server). The server closes the connection (an unfinished MULTI is discarded). A
    /// client whose operation is that one request resends it on a new connection; a
    /// program that starts each operation afresh records this one as a crash would and
    /// goes on with the next; any other stops.
    pub(super) fn lose_connection(&mut self, client: usize, ran: Option<Argv>) {
        let now = self.clock.now_us();
        self.reconnected_in_step = true;
        self.coverage.event(crate::coverage::Event::Disconnect);
        if self.options.trace {
            self.trace.events.push(TraceEvent::Disconnect {
                time_us: now,
                client: client as u32,
            });
        }
        let slot = &mut self.slots[client];
        let one_request = slot.awaiting == 1 && slot.inflight.len() + ran.iter().len() == 1;
        if slot.program.retryable() && one_request {
            if let Some(argv) = ran {
                slot.inflight.push_front(Request {
                    argv,
                    ready_at_us: now,
                    session: None,
                    attempt: slot.attempt,
                });
            }
            let old = (slot.node as usize, slot.session);
            self.resend(client, now, false);
            self.nodes[old.0].engine.disconnect(old.1);
        } else if slot.program.reconnects() {
            self.cut_operation(client);
            self.open_connection(client);
            self.advance(client);
        } else {
            self.crash(client);
        }
    }

    /// Admin commands planned for this step (on its `first_visit` only), and random
    /// SCRIPT FLUSHes.
    pub(super) fn admin_faults(&mut self, first_visit: bool) {
        let faults = &self.options.faults;
        if faults.admin.is_empty() && faults.script_flush_rate <= 0.0 {
            return;
        }
        let mut commands: Vec<Argv> = faults
            .admin
            .iter()
            .filter(|a| first_visit && a.step == self.step)
            .map(|a| a.argv.clone())
            .collect();
        if faults.script_flush_rate > 0.0
            && self
                .fault_rng
                .random_bool(faults.script_flush_rate.min(1.0))
        {
            commands.push(vec![b"SCRIPT".to_vec(), b"FLUSH".to_vec()]);
        }
        for argv in commands {
            let time_us = self.clock.now_us() + self.options.command_cost_us;
            let reply = self.admin_command(argv.clone());
            // The admin connection's writes are part of what the clients saw: without
            // them a FLUSHALL between a SET and a GET looks like a lost write.
            self.history.ops.push(Op {
                client: self.admin_client(),
                call: time_us,
                ret: Some(time_us),
                status: Status::Ok,
                op: Operation::Command(argv),
                result: Some(reply),
                node: 0,
            });
        }
    }

    /// SHUTDOWN NOSAVE forced by a script that never finishes on `node`: that server goes
    /// down and comes back empty, and the run ends there — every connection closes, every
    /// client's operation in progress has an unknown outcome and the client stops (a
    /// client retrying the script would hang the server again). SHUTDOWN NOSAVE from the
    /// admin connection is a restart with the scenario's persistence (`restart.rs`).
    pub(super) fn shutdown_nosave(&mut self, node: usize) {
        for client in 0..self.slots.len() {
            if self.slots[client].state == ClientState::Running {
                self.crash(client);
            }
        }
        // Requests still on the wire die with the connections they were sent on.
        for slot in &mut self.slots {
            slot.orphans.clear();
        }
        // CONFIG SET is not saved either: the server starts as configured.
        let store = self.fresh_store();
        self.nodes[node].restarted(store);
        let argv = vec![b"SHUTDOWN".to_vec(), b"NOSAVE".to_vec()];
        self.trace_command(self.clock.now_us(), None, argv, &Reply::ok());
    }

    /// The client number of the admin connection in the history: one past the last client.
    pub(crate) fn admin_client(&self) -> u64 {
        self.slots.len() as u64
    }

    /// Runs `argv` from the admin connection to node 0 (outside any client's
    /// operations). `SHUTDOWN NOSAVE` takes the server down (`World::shutdown_nosave`).
    pub fn admin_command(&mut self, argv: Argv) -> Reply {
        if argv
            .first()
            .is_some_and(|name| name.eq_ignore_ascii_case(b"shutdown"))
        {
            // The process ends without saving; what persistence kept comes back.
            self.restart(false);
            return Reply::ok();
        }
        self.admin_command_on(0, argv)
    }

    /// Runs `argv` from the operator's connection to node `node`.
    pub fn admin_command_on(&mut self, node: usize, argv: Argv) -> Reply {
        let time_us = self.clock.advance_us(self.options.command_cost_us);
        let admin = self.nodes[node].admin;
        let reply = self.nodes[node].engine.execute(admin, &argv);
        self.coverage.command(&argv, &reply);
        self.hand_out_messages(node);
        self.trace_command(time_us, None, argv, &reply);
        reply
    }
}

/// An operation of a crashed client as the program says it reached the server.
fn set_crashed(
    op: &mut Op,
    (operation, status, result): (Operation, Status, Option<Reply>),
    now: u64,
) {
    op.op = operation;
    op.status = status;
    // A reply that arrived before the crash was observed, by then at the latest.
    op.ret = (status == Status::Ok).then_some(now);
    op.result = if status == Status::Ok { result } else { None };
}

/// Whether `argv` changed the data: a write command (by the command table) that ran
/// (neither an error nor queued in a MULTI block).
pub(super) fn applied_a_write(argv: &[Vec<u8>], reply: &Reply) -> bool {
    if matches!(reply, Reply::Error(_)) || matches!(reply, Reply::Simple(s) if s == b"QUEUED") {
        return false;
    }
    match redsim::cmd::resolve(argv) {
        Resolved::Found(spec, sub) => {
            sub.unwrap_or(spec).has(flags::WRITE) || spec.has(flags::WRITE)
        }
        Resolved::Refused(_) => false,
    }
}

/// A script stopped by SCRIPT KILL (the operation `op` ending with `result`): killable
/// only before its first write, so it had no effect.
pub(super) fn was_killed(op: &Operation, result: Option<&Reply>) -> bool {
    matches!(result, Some(Reply::Error(e))
        if e.windows(KILLED.len()).any(|w| w == KILLED.as_bytes()))
        && matches!(
            op,
            Operation::Command(_)
                | Operation::Script {
                    mode: ScriptMode::Eval,
                    ..
                }
        )
}

const KILLED: &str = "Script killed by user";

/// A command of a pipeline answered `-BUSY`: the host refused it, it never ran.
pub(super) fn was_refused(op: &Op) -> bool {
    matches!(&op.result, Some(Reply::Error(e)) if e.starts_with(b"BUSY "))
}
