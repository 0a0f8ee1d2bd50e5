//! Plain commands: each command its own operation, or a pipeline.
//!
//! A pipeline sends its commands at once without waiting for replies. They reach the
//! server in order, but other clients' commands may run between them: a pipeline saves
//! round trips, it is not atomic. Its history records one operation per command, each
//! invoked when the pipeline was sent and returning when the last reply arrived. When
//! the client crashes mid-pipeline, each command that reached the server is still its
//! own operation (its reply seen, or its outcome unknown) and the others failed.

use super::template::OpSlot;
use super::{Argv, Outbox, Outcome, Program, Progress, Recorded};
use crate::history::{Operation, Status};
use redsim::Reply;

/// How a command list is sent and recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandsMode {
    /// Operation `i` is command `i mod len` of the list, sent alone.
    Each,
    /// Each operation sends the whole list as one pipeline.
    Pipeline,
}

/// A client sending a list of commands.
pub struct Commands {
    templates: Vec<Argv>,
    /// Templates that do not depend on the operation, expanded once for this client.
    fixed: Vec<Option<Argv>>,
    mode: CommandsMode,
    slot: OpSlot,
    ops: u32,
    current: Vec<Argv>,
    /// In `Each` mode, the fixed template this operation sends.
    current_fixed: Option<usize>,
    sent: bool,
}

impl Commands {
    /// `ops` operations of `templates` (for `Each`, `ops` counts single commands).
    pub fn new(
        templates: Vec<Argv>,
        mode: CommandsMode,
        client: u32,
        clients: u32,
        ops: u32,
    ) -> Commands {
        let slot = OpSlot {
            client,
            clients,
            op: 0,
        };
        let fixed = templates
            .iter()
            .map(|t| {
                let per_op = t.iter().any(|a| OpSlot::depends_on_op(a));
                (!per_op).then(|| slot.expand_all(t))
            })
            .collect();
        Commands {
            templates,
            fixed,
            mode,
            slot,
            ops,
            current: Vec::new(),
            current_fixed: None,
            sent: false,
        }
    }

    fn expand(&self, index: usize) -> Argv {
        match &self.fixed[index] {
            Some(argv) => argv.clone(),
            None => self.slot.expand_all(&self.templates[index]),
        }
    }
}

impl Program for Commands {
    fn begin(&mut self, op: u32) -> Option<Operation> {
        if op >= self.ops || self.templates.is_empty() {
            return None;
        }
        self.slot.op = op;
        self.sent = false;
        self.current.clear();
        match self.mode {
            CommandsMode::Each => {
                let index = op as usize % self.templates.len();
                self.current_fixed = self.fixed[index].is_some().then_some(index);
                if self.current_fixed.is_none() {
                    let argv = self.expand(index);
                    self.current.push(argv);
                }
                // Empty: the world records the argv of the command sent (saves a copy).
                Some(Operation::Command(Vec::new()))
            }
            CommandsMode::Pipeline => {
                for i in 0..self.templates.len() {
                    let argv = self.expand(i);
                    self.current.push(argv);
                }
                // Replaced by one operation per command when the pipeline ends.
                Some(Operation::Command(self.current[0].clone()))
            }
        }
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress {
        if !self.sent {
            self.sent = true;
            match self.mode {
                CommandsMode::Each => match self.current_fixed.and_then(|i| self.fixed[i].as_ref())
                {
                    Some(argv) => out.push_copy(argv),
                    None => out.extend(self.current.drain(..)),
                },
                CommandsMode::Pipeline => out.extend(self.current.iter().cloned()),
            }
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
                Progress::Done(Outcome {
                    status: Status::Ok,
                    result: None,
                    split,
                })
            }
        }
    }

    /// One command an operation: retrying it repeats the operation. A pipeline's
    /// commands are separate operations in the history, so resending one is not.
    fn retryable(&self) -> bool {
        self.mode == CommandsMode::Each
    }

    /// `begin` sets up every operation from scratch.
    fn reconnects(&self) -> bool {
        true
    }

    fn crash(&mut self, unsent: usize, replies: &[Reply]) -> Vec<Recorded> {
        if self.mode != CommandsMode::Pipeline || !self.sent {
            return Vec::new();
        }
        let reached = self.current.len().saturating_sub(unsent);
        self.current
            .drain(..)
            .enumerate()
            .map(|(i, argv)| match replies.get(i) {
                Some(reply) => (Operation::Command(argv), Status::Ok, Some(reply.clone())),
                None if i < reached => (Operation::Command(argv), Status::Unknown, None),
                None => (Operation::Command(argv), Status::Fail, None),
            })
            .collect()
    }
}
