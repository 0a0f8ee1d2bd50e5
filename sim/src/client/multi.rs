//! Transactions from the client side.
//!
//! [`Multi`]: MULTI, the commands, EXEC — sent as one pipeline (as redis-py's
//! `pipeline(transaction=True)` does) or one command at a time. The server queues the
//! commands and runs them together at EXEC, so the block is atomic either way; only a
//! queueing error (EXECABORT) makes it fail, with no effect.
//!
//! [`WatchRetry`]: optimistic locking — WATCH the keys, read, then MULTI with writes
//! computed from what was read, EXEC. A nil EXEC means a watched key changed in between
//! and nothing was applied; the client starts over, at most `retries_max` more times.
//! The history records a WATCH operation as the block it claims to be atomic: the reads
//! of its last attempt followed by its writes, with the reads' replies before EXEC's —
//! so a read under WATCH that another client's write made stale (a key read but not
//! watched) is judged like any other read.
//! Write templates may use `{rN}` (the text of read N's reply; nil reads as empty) and
//! `{rN+1}` (its integer value plus one; nil counts as 0).

use super::template::OpSlot;
use super::{Argv, Outbox, Outcome, Program, Progress, Recorded};
use crate::history::{Operation, Status};
use redsim::Reply;
use std::sync::Arc;

/// A client sending MULTI blocks.
pub struct Multi {
    templates: Vec<Argv>,
    pipelined: bool,
    slot: OpSlot,
    ops: u32,
    current: Vec<Argv>,
    /// Commands of the block sent so far (MULTI and EXEC included).
    sent: usize,
}

impl Multi {
    /// Client `client` of `clients`, running `ops` blocks.
    pub fn new(
        templates: Vec<Argv>,
        pipelined: bool,
        client: u32,
        clients: u32,
        ops: u32,
    ) -> Multi {
        Multi {
            templates,
            pipelined,
            slot: OpSlot {
                client,
                clients,
                op: 0,
            },
            ops,
            current: Vec::new(),
            sent: 0,
        }
    }

    fn block_command(&self, i: usize) -> Argv {
        if i == 0 {
            vec![b"MULTI".to_vec()]
        } else if i <= self.current.len() {
            self.current[i - 1].clone()
        } else {
            vec![b"EXEC".to_vec()]
        }
    }
}

/// EXECABORT means nothing ran.
fn exec_outcome(reply: Reply) -> Outcome {
    match &reply {
        Reply::Error(e) if e.starts_with(b"EXECABORT") => Outcome::fail(reply),
        _ => Outcome::ok(reply),
    }
}

impl Program for Multi {
    fn begin(&mut self, op: u32) -> Option<Operation> {
        if op >= self.ops {
            return None;
        }
        self.slot.op = op;
        self.sent = 0;
        self.current = self
            .templates
            .iter()
            .map(|t| self.slot.expand_all(t))
            .collect();
        Some(Operation::Multi(self.current.clone()))
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress {
        let total = self.current.len() + 2;
        if self.sent == total {
            return Progress::Done(exec_outcome(replies.pop().unwrap_or(Reply::NullArray)));
        }
        replies.clear();
        let upto = if self.pipelined { total } else { self.sent + 1 };
        for i in self.sent..upto {
            out.push(self.block_command(i));
        }
        self.sent = upto;
        Progress::Sent
    }

    /// `begin` sets up every block from scratch.
    fn reconnects(&self) -> bool {
        true
    }

    fn crash(&mut self, unsent: usize, _replies: &[Reply]) -> Vec<Recorded> {
        let exec_reached = self.sent == self.current.len() + 2 && unsent == 0;
        self.sent = 0;
        if exec_reached {
            return Vec::new();
        }
        // Without EXEC the server discards the queued commands: no effect.
        vec![(Operation::Multi(self.current.clone()), Status::Fail, None)]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WatchStage {
    Watch,
    Read(usize),
    Exec,
}

/// Computes a WATCH block's writes from its reads' replies (in the order of the reads):
/// the new value as a function of what was read, as a real WATCH-retry client does.
pub type WatchWrites = Arc<dyn Fn(&[Reply]) -> Vec<Argv> + Send + Sync>;

/// A WATCH-retry client.
pub struct WatchRetry {
    watch: Vec<Vec<u8>>,
    reads: Vec<Argv>,
    writes: Vec<Argv>,
    /// When set, the writes come from it instead of from the `writes` templates.
    compute: Option<WatchWrites>,
    retries_max: u32,
    slot: OpSlot,
    ops: u32,
    stage: WatchStage,
    /// The reads of this attempt, as sent, and their replies.
    read_argvs: Vec<Argv>,
    read_replies: Vec<Reply>,
    attempts: u32,
    current_writes: Vec<Argv>,
    /// Nil EXECs seen in this run (for tests and reports).
    pub conflicts: u32,
}

impl WatchRetry {
    /// Client `client` of `clients`, running `ops` transactions.
    pub fn new(
        watch: Vec<Vec<u8>>,
        reads: Vec<Argv>,
        writes: Vec<Argv>,
        retries_max: u32,
        client: u32,
        clients: u32,
        ops: u32,
    ) -> WatchRetry {
        WatchRetry {
            watch,
            reads,
            writes,
            compute: None,
            retries_max,
            slot: OpSlot {
                client,
                clients,
                op: 0,
            },
            ops,
            stage: WatchStage::Watch,
            read_argvs: Vec::new(),
            read_replies: Vec::new(),
            attempts: 0,
            current_writes: Vec::new(),
            conflicts: 0,
        }
    }

    /// The writes computed from the reads by `compute` instead of the templates.
    pub(crate) fn computing(mut self, compute: WatchWrites) -> WatchRetry {
        self.compute = Some(compute);
        self
    }

    /// A write template with `{rN}` / `{rN+1}` filled from the reads.
    fn fill(&self, template: &[u8]) -> Vec<u8> {
        let mut text = String::from_utf8_lossy(&self.slot.expand(template)).into_owned();
        for (i, reply) in self.read_replies.iter().enumerate() {
            let raw = match reply {
                Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                Reply::Integer(n) => n.to_string(),
                _ => String::new(),
            };
            let plus_one = raw.parse::<i64>().unwrap_or(0).saturating_add(1);
            text = text
                .replace(&format!("{{r{i}+1}}"), &plus_one.to_string())
                .replace(&format!("{{r{i}}}"), &raw);
        }
        text.into_bytes()
    }

    fn send_watch(&mut self, out: &mut Outbox) -> Progress {
        let mut argv = vec![b"WATCH".to_vec()];
        argv.extend(self.watch.iter().map(|k| self.slot.expand(k)));
        out.push(argv);
        self.read_argvs.clear();
        self.read_replies.clear();
        self.stage = WatchStage::Watch;
        Progress::Sent
    }

    fn send_read_or_exec(&mut self, next: usize, out: &mut Outbox) -> Progress {
        if let Some(read) = self.reads.get(next) {
            let argv = self.slot.expand_all(read);
            self.read_argvs.push(argv.clone());
            out.push(argv);
            self.stage = WatchStage::Read(next);
            return Progress::Sent;
        }
        self.current_writes = match &self.compute {
            Some(compute) => compute(&self.read_replies),
            None => self
                .writes
                .iter()
                .map(|w| w.iter().map(|a| self.fill(a)).collect())
                .collect(),
        };
        out.push(vec![b"MULTI".to_vec()]);
        out.extend(self.current_writes.iter().cloned());
        out.push(vec![b"EXEC".to_vec()]);
        self.stage = WatchStage::Exec;
        Progress::Sent
    }
}

impl WatchRetry {
    /// The operation this attempt claims atomic: its reads, then its writes.
    fn block(&mut self) -> Operation {
        let mut commands = self.read_argvs.clone();
        commands.append(&mut self.current_writes);
        Operation::Multi(commands)
    }
}

impl Program for WatchRetry {
    fn reset(&mut self) {
        self.conflicts = 0;
    }

    fn begin(&mut self, op: u32) -> Option<Operation> {
        if op >= self.ops {
            return None;
        }
        self.slot.op = op;
        self.attempts = 0;
        self.stage = WatchStage::Watch;
        self.read_replies.clear();
        Some(Operation::Multi(Vec::new()))
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress {
        if replies.is_empty() {
            return self.send_watch(out);
        }
        match self.stage {
            WatchStage::Watch => {
                replies.clear();
                self.send_read_or_exec(0, out)
            }
            WatchStage::Read(i) => {
                self.read_replies.append(replies);
                self.send_read_or_exec(i + 1, out)
            }
            WatchStage::Exec => {
                let exec = replies.pop().unwrap_or(Reply::NullArray);
                replies.clear();
                let op = self.block();
                if exec == Reply::NullArray {
                    self.conflicts += 1;
                    if self.attempts < self.retries_max {
                        self.attempts += 1;
                        return self.send_watch(out);
                    }
                    let mut outcome = Outcome::fail(exec.clone());
                    outcome.split = vec![(op, Some(exec))];
                    return Progress::Done(outcome);
                }
                // The block's reply as if the reads had been queued with the writes.
                let result = match &exec {
                    Reply::Array(items) => {
                        let mut all = std::mem::take(&mut self.read_replies);
                        all.extend(items.iter().cloned());
                        Reply::Array(all)
                    }
                    other => other.clone(),
                };
                let mut outcome = exec_outcome(exec);
                outcome.split = vec![(op, Some(result.clone()))];
                outcome.result = Some(result);
                Progress::Done(outcome)
            }
        }
    }

    /// `begin` sets up every block from scratch.
    fn reconnects(&self) -> bool {
        true
    }

    fn crash(&mut self, unsent: usize, _replies: &[Reply]) -> Vec<Recorded> {
        let exec_reached = self.stage == WatchStage::Exec && unsent == 0;
        let op = self.block();
        if exec_reached {
            // EXEC ran, its reply lost: the block applied or not (a nil EXEC).
            vec![(op, Status::Unknown, None)]
        } else {
            // No EXEC reached the server: the attempt had no effect. Before any read it
            // had sent only its WATCH.
            let op = match op {
                Operation::Multi(block) if block.is_empty() => {
                    let mut argv = vec![b"WATCH".to_vec()];
                    argv.extend(self.watch.iter().map(|k| self.slot.expand(k)));
                    Operation::Command(argv)
                }
                op => op,
            };
            vec![(op, Status::Fail, None)]
        }
    }
}
