//! Plain commands: each command its own operation, or a pipeline.
//!
//! A pipeline sends its commands at once without waiting for replies. They reach the
//! server in order, but other clients' commands may run between them: a pipeline saves
//! round trips, it is not atomic. Its history records one operation per command, each
//! invoked when the pipeline was sent and returning when the last reply arrived.

use super::template::OpSlot;
use super::{Argv, Outcome, Progress, Program};
use crate::history::{Operation, Status};
use redsim::Reply;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandsMode {
    /// Operation `i` is command `i mod len` of the list, sent alone.
    Each,
    /// Each operation sends the whole list as one pipeline.
    Pipeline,
}

pub struct Commands {
    templates: Vec<Argv>,
    mode: CommandsMode,
    slot: OpSlot,
    ops: u32,
    current: Vec<Argv>,
    sent: bool,
}

impl Commands {
    /// `ops` operations of `templates` (for `Each`, `ops` counts single commands).
    pub fn new(templates: Vec<Argv>, mode: CommandsMode, client: u32, clients: u32, ops: u32) -> Commands {
        Commands { templates, mode, slot: OpSlot { client, clients, op: 0 }, ops, current: Vec::new(), sent: false }
    }
}

impl Program for Commands {
    fn begin(&mut self, op: u32) -> Option<Operation> {
        if op >= self.ops || self.templates.is_empty() {
            return None;
        }
        self.slot.op = op;
        self.sent = false;
        self.current = match self.mode {
            CommandsMode::Each => {
                vec![self.slot.expand_all(&self.templates[op as usize % self.templates.len()])]
            }
            CommandsMode::Pipeline => self.templates.iter().map(|t| self.slot.expand_all(t)).collect(),
        };
        Some(match self.mode {
            CommandsMode::Each => Operation::Command(self.current[0].clone()),
            CommandsMode::Pipeline => Operation::Command(self.current.concat()),
        })
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Vec<Argv>) -> Progress {
        if !self.sent {
            self.sent = true;
            out.extend(self.current.iter().cloned());
            return Progress::Sent;
        }
        match self.mode {
            CommandsMode::Each => Progress::Done(Outcome::ok(replies.pop().unwrap_or(Reply::Null))),
            CommandsMode::Pipeline => {
                let split: Vec<(Operation, Option<Reply>)> = self
                    .current
                    .drain(..)
                    .zip(replies.drain(..))
                    .map(|(argv, reply)| (Operation::Command(argv), Some(reply)))
                    .collect();
                Progress::Done(Outcome { status: Status::Ok, result: None, split })
            }
        }
    }
}
