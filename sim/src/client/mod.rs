//! Client programs: what each simulated client does.
//!
//! A client runs logical operations one after another (one client-side script run, one
//! EVAL, one MULTI block, one command…). Within an operation it sends commands and reacts
//! to their replies; every command it sends is a scheduling point. A program is a state
//! machine driven by the world:
//!
//! 1. [`Program::begin`] starts operation `n` and names it for the history (or says the
//!    client is finished);
//! 2. [`Program::resume`] is called with the replies to the commands it sent last (none
//!    right after `begin`); it either sends more commands (pushed to `out`: one, or
//!    several for a pipeline) or finishes the operation with its outcome.
//!
//! Kinds: [`lua::LuaClient`] (a script run client-side: raw mode), [`eval::EvalClient`]
//! (the same script as EVAL / EVALSHA), [`commands::Commands`] (plain commands, one op
//! each or as one raw sequence, and pipelines), [`multi::Multi`] (MULTI/EXEC blocks),
//! [`multi::WatchRetry`] (WATCH … MULTI … EXEC, retried on a nil EXEC),
//! `straight::StraightClient` (a client-side script of plain commands, without a Lua VM),
//! [`rust::RustClient`] (any Rust code written against a `conn.call(…)` API), and
//! [`subscriber::Subscriber`] (SUBSCRIBE, then receives the messages published).

pub mod commands;
pub mod eval;
pub mod lua;
pub mod lua_convert;
pub mod multi;
pub mod rust;
pub(crate) mod straight;
pub mod subscriber;
pub mod template;

use crate::history::{Operation, Status};
use redsim::Reply;

pub(crate) type Argv = Vec<Vec<u8>>;

/// One operation as the history records it: what it was, its status and its reply.
pub(crate) type Recorded = (Operation, Status, Option<Reply>);

/// How an operation ended. `result: None` means the client never observed a reply.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// How the operation ended.
    pub status: Status,
    /// Its result; `None` when not observed.
    pub result: Option<Reply>,
    /// When set, the history records these operations (with this outcome's times) instead
    /// of the one `begin` named — a pipeline records one operation per command.
    pub split: Vec<(Operation, Option<Reply>)>,
}

impl Outcome {
    /// A completed operation with result `reply`.
    pub fn ok(reply: Reply) -> Outcome {
        Outcome {
            status: Status::Ok,
            result: Some(reply),
            split: Vec::new(),
        }
    }

    /// A failed operation (it had no effect) that replied `reply`.
    pub fn fail(reply: Reply) -> Outcome {
        Outcome {
            status: Status::Fail,
            result: Some(reply),
            split: Vec::new(),
        }
    }
}

/// What a client did when resumed.
pub enum Progress {
    /// Commands were pushed to `out`; call `resume` again once all their replies arrived.
    Sent,
    /// Its operation is over.
    Done(Outcome),
}

/// A client program: begins operations and decides each next command from the replies.
/// The world drives it; every program is deterministic given the replies.
pub trait Program {
    /// Prepares for a new run (the world was reset).
    fn reset(&mut self) {}

    /// Starts operation number `op` (counted from 0 within the run); `None` when the
    /// client has nothing more to do. `Operation::Command(vec![])` asks the world to
    /// record the argv of the first command the operation sends (saving a copy).
    fn begin(&mut self, op: u32) -> Option<Operation>;

    /// Continues the current operation with the replies to the commands sent last.
    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress;

    /// The client crashed in the middle of the current operation: of the commands it sent
    /// last, the final `unsent` never reached the server and `replies` answer the first
    /// ones (a command between them ran, its reply lost). Returns what the history records
    /// instead of the operation `begin` named — each as (operation, status, reply) — or
    /// nothing to keep that one with an unknown outcome.
    fn crash(&mut self, _unsent: usize, _replies: &[Reply]) -> Vec<Recorded> {
        Vec::new()
    }

    /// Whether the client library may resend the request it waits for after a timeout
    /// (see [`crate::fault`]): only when the operation is that request alone, so the
    /// retry is the whole operation again and the history may record it as a second
    /// attempt. A step of a multi-command operation is not retried.
    fn retryable(&self) -> bool {
        false
    }

    /// Whether the client carries on with its next operation on a new connection when
    /// the server restarts in the middle of one (the library reports the error for that
    /// operation, and `begin` starts the next one afresh); else it stops there.
    fn reconnects(&self) -> bool {
        false
    }
}

/// Where a program puts the commands it sends. It keeps spare argv buffers (recycled
/// from earlier runs' histories), so that sending a copy of a command need not allocate.
#[derive(Debug, Default)]
pub struct Outbox {
    pub(crate) sent: Vec<Argv>,
    pub(crate) spare: Vec<Argv>,
}

impl Outbox {
    /// Sends one command.
    pub fn push(&mut self, argv: Argv) {
        self.sent.push(argv);
    }

    /// Sends several commands, in order (a pipeline).
    pub fn extend(&mut self, argvs: impl IntoIterator<Item = Argv>) {
        self.sent.extend(argvs);
    }

    /// Sends a copy of `argv` in a recycled buffer.
    pub(crate) fn push_copy(&mut self, argv: &[Vec<u8>]) {
        let mut buffer = self.spare.pop().unwrap_or_default();
        argv.clone_into(&mut buffer);
        self.sent.push(buffer);
    }

    /// How many commands were sent.
    pub fn len(&self) -> usize {
        self.sent.len()
    }

    /// Whether nothing was sent.
    pub fn is_empty(&self) -> bool {
        self.sent.is_empty()
    }

    /// Gives a buffer back for reuse (at most a million are kept).
    pub(crate) fn recycle(&mut self, argv: Argv) {
        if self.spare.len() < 1 << 20 {
            self.spare.push(argv);
        }
    }
}

/// Builds an argv from string slices.
pub fn argv(parts: &[&str]) -> Argv {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}
