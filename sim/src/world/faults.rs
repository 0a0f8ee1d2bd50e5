//! The faults of a run, injected between steps: client crashes (planned or at random
//! between two commands of an operation) and the admin connection's commands (planned
//! ones and random SCRIPT FLUSHes).

use super::{ClientState, World};
use crate::client::Argv;
use crate::history::Status;
use crate::trace::TraceEvent;
use rand::RngExt;
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
    /// its connection closes (dropping a MULTI in progress and its WATCHes).
    pub(super) fn crash(&mut self, client: usize) {
        self.out.sent.clear();
        self.crashes += 1;
        let slot = &mut self.slots[client];
        slot.program.crash();
        slot.state = ClientState::Crashed;
        slot.inflight.clear();
        slot.replies.clear();
        if let Some(index) = slot.current.take() {
            let op = &mut self.history.ops[index];
            op.status = Status::Unknown;
            op.ret = None;
            op.result = None;
        }
        self.engine.disconnect(slot.session);
        if self.options.trace {
            self.trace.events.push(TraceEvent::Crash {
                time_us: self.clock.now_us(),
                client: client as u32,
            });
        }
    }

    /// Admin commands planned for this step, and random SCRIPT FLUSHes.
    pub(super) fn admin_faults(&mut self) {
        let faults = &self.options.faults;
        if faults.admin.is_empty() && faults.script_flush_rate <= 0.0 {
            return;
        }
        let mut commands: Vec<Argv> = faults
            .admin
            .iter()
            .filter(|a| a.step == self.step)
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
            self.admin_command(argv);
        }
    }

    /// SHUTDOWN NOSAVE: the server goes down and comes back empty (redsim models no
    /// persistence yet, so there is no save to restart from). Every connection closes, so
    /// every client's operation in progress has an unknown outcome and the client stops,
    /// as after a crash; scripts and functions are gone with the server.
    pub(super) fn shutdown_nosave(&mut self) {
        for client in 0..self.slots.len() {
            if self.slots[client].state == ClientState::Running {
                self.crash(client);
            }
        }
        let config = self.engine.store.config.clone();
        self.engine.store = redsim::store::Store::new();
        self.engine.store.config = config;
        self.engine.scripts = redsim::script::Scripting::new();
        self.admin = self.engine.connect();
        if self.options.trace {
            self.trace.events.push(TraceEvent::Command {
                step: self.step,
                time_us: self.clock.now_us(),
                client: None,
                argv: vec![b"SHUTDOWN".to_vec(), b"NOSAVE".to_vec()],
                reply: Reply::ok(),
            });
        }
    }

    /// Runs `argv` from the admin connection (outside any client's operations).
    /// `SHUTDOWN NOSAVE` takes the server down ([`World::shutdown_nosave`]).
    pub fn admin_command(&mut self, argv: Argv) -> Reply {
        if argv
            .first()
            .is_some_and(|name| name.eq_ignore_ascii_case(b"shutdown"))
        {
            self.shutdown_nosave();
            return Reply::ok();
        }
        let time_us = self.clock.advance_us(self.options.command_cost_us);
        let reply = self.engine.execute(self.admin, &argv);
        if self.options.trace {
            self.trace.events.push(TraceEvent::Command {
                step: self.step,
                time_us,
                client: None,
                argv,
                reply: reply.clone(),
            });
        }
        reply
    }
}
