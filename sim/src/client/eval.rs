//! The script sent to the server whole: EVAL, or EVALSHA as client libraries do it —
//! on `NOSCRIPT`, SCRIPT LOAD the source and send EVALSHA once more (redis-py's
//! `Script.__call__`). The server runs the script atomically, so no other client's command
//! can fall between its `redis.call`s.

use super::lua::ScriptSpec;
use super::template::OpSlot;
use super::{Argv, Outbox, Outcome, Program, Progress};
use crate::history::{Operation, ScriptMode};
use redsim::Reply;
use std::sync::Arc;

/// Which command sends the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalKind {
    /// `EVAL` with the source.
    Eval,
    /// `EVALSHA`, with `SCRIPT LOAD` after `NOSCRIPT`.
    EvalSha,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Start,
    Sent,
    Loading,
    Retried,
}

/// A client sending its script as one server-side call.
pub struct EvalClient {
    spec: Arc<ScriptSpec>,
    kind: EvalKind,
    sha: String,
    slot: OpSlot,
    ops: u32,
    stage: Stage,
    keys: Vec<Vec<u8>>,
    args: Vec<Vec<u8>>,
    /// How many times this client met NOSCRIPT (for tests and reports).
    pub(crate) noscript_seen: u32,
}

impl EvalClient {
    /// Client `client` of `clients`, running `ops` operations.
    pub fn new(
        spec: Arc<ScriptSpec>,
        kind: EvalKind,
        client: u32,
        clients: u32,
        ops: u32,
    ) -> EvalClient {
        let sha = sha1_smol::Sha1::from(spec.source.as_bytes())
            .digest()
            .to_string();
        EvalClient {
            spec,
            kind,
            sha,
            slot: OpSlot::first(client, clients),
            ops,
            stage: Stage::Start,
            keys: Vec::new(),
            args: Vec::new(),
            noscript_seen: 0,
        }
    }

    fn call(&self, by_sha: bool) -> Argv {
        let mut argv = Vec::with_capacity(3 + self.keys.len() + self.args.len());
        if by_sha {
            argv.push(b"EVALSHA".to_vec());
            argv.push(self.sha.as_bytes().to_vec());
        } else {
            argv.push(b"EVAL".to_vec());
            argv.push(self.spec.source.as_bytes().to_vec());
        }
        argv.push(self.keys.len().to_string().into_bytes());
        argv.extend(self.keys.iter().cloned());
        argv.extend(self.args.iter().cloned());
        argv
    }
}

fn is_noscript(reply: &Reply) -> bool {
    matches!(reply, Reply::Error(e) if e.starts_with(b"NOSCRIPT"))
}

/// A script that never ran (NOSCRIPT) had no effect: the operation failed; any other
/// reply, errors included, may have followed writes, so the operation is `Ok`.
fn outcome(reply: Reply) -> Outcome {
    if is_noscript(&reply) {
        Outcome::fail(reply)
    } else {
        Outcome::ok(reply)
    }
}

impl Program for EvalClient {
    fn reset(&mut self) {
        self.stage = Stage::Start;
        self.noscript_seen = 0;
    }

    fn begin(&mut self, op: u32) -> Option<Operation> {
        if op >= self.ops {
            return None;
        }
        self.slot.op = op;
        (self.keys, self.args) = self.spec.expand(&self.slot);
        self.stage = Stage::Start;
        Some(Operation::Script {
            source: self.spec.source.clone(),
            keys: self.keys.clone(),
            args: self.args.clone(),
            mode: ScriptMode::Eval,
        })
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress {
        let reply = replies.pop();
        replies.clear();
        match (self.stage, reply) {
            (Stage::Start, _) => {
                out.push(self.call(self.kind == EvalKind::EvalSha));
                self.stage = Stage::Sent;
                Progress::Sent
            }
            (Stage::Sent, Some(reply)) if self.kind == EvalKind::EvalSha && is_noscript(&reply) => {
                self.noscript_seen += 1;
                out.push(vec![
                    b"SCRIPT".to_vec(),
                    b"LOAD".to_vec(),
                    self.spec.source.as_bytes().to_vec(),
                ]);
                self.stage = Stage::Loading;
                Progress::Sent
            }
            (Stage::Loading, Some(_)) => {
                out.push(self.call(true));
                self.stage = Stage::Retried;
                Progress::Sent
            }
            (_, Some(reply)) => Progress::Done(outcome(reply)),
            (_, None) => Progress::Done(Outcome::fail(Reply::error("ERR no reply"))),
        }
    }

    /// EVAL and EVALSHA are the whole operation; SCRIPT LOAD changes no data, so sending
    /// any of them again repeats at most the script.
    fn retryable(&self) -> bool {
        true
    }

    fn reconnects(&self) -> bool {
        true
    }
}
