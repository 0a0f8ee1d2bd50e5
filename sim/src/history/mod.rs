//! Histories: what each client asked for, when, and what it observed.
//!
//! One [`Op`] is one logical operation — a single command, one run of a script (client-side
//! or as EVAL), or one MULTI block — with its invoke and return times on one clock. The
//! checker judges a [`History`]; `json.rs` reads and writes the `redsim-history/1` format.

pub mod json;

use redsim::Reply;

/// Whether an operation completed, is known to have had no effect, or may or may not
/// have taken effect (a crashed client, a timeout).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Completed, with its result.
    Ok,
    /// Failed without effect.
    Fail,
    /// Outcome unknown (a crash, a lost reply): it may or may not have taken effect.
    Unknown,
}

/// How a script operation was run: command by command from the client (`Raw`) or as one
/// EVAL. Either way, the checker asks whether one atomic execution explains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptMode {
    /// Sent command by command.
    Raw,
    /// Sent as one EVAL.
    Eval,
}

/// What an operation did.
#[derive(Clone, Debug, PartialEq)]
pub enum Operation {
    /// One command argv: `["INCR", "counter"]`.
    Command(Vec<Vec<u8>>),
    /// A Lua script with its KEYS and ARGV.
    Script {
        /// The Lua source.
        source: String,
        /// `KEYS`.
        keys: Vec<Vec<u8>>,
        /// `ARGV`.
        args: Vec<Vec<u8>>,
        /// How it was sent.
        mode: ScriptMode,
    },
    /// A MULTI … EXEC block; its result is EXEC's reply.
    Multi(Vec<Vec<Vec<u8>>>),
}

/// One logical operation of one client.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    /// The client that ran it (the admin connection is one past the last client).
    pub client: u64,
    /// Invoke time.
    pub call: u64,
    /// Return time; `None` when the outcome is unknown.
    pub ret: Option<u64>,
    /// How it ended.
    pub status: Status,
    /// What it did.
    pub op: Operation,
    /// The observed reply; `None` when it was not observed (matches anything).
    pub result: Option<Reply>,
    /// The node (server of the world) that served it: the one its last command ran on;
    /// 0 in a world of one server.
    pub node: u32,
}

/// The life of an operation, the same in the simulated world and against a real server:
/// invoked, then ended with the client program's [`Outcome`](crate::client::Outcome).
impl Op {
    /// The operation `client` invoked at `call` on `node`; how it ends is unknown until
    /// [`Op::end`].
    pub(crate) fn invoked(client: u64, call: u64, op: Operation, node: u32) -> Op {
        Op {
            client,
            call,
            ret: None,
            status: Status::Unknown,
            op,
            result: None,
            node,
        }
    }

    /// Ends the operation at `ret` with `outcome`. A split outcome (a pipeline records one
    /// operation per command) makes this operation its first part and returns the others —
    /// same client, node and times — to be recorded after it; `part` then adjusts each part
    /// (the world marks a part the server refused as failed).
    pub(crate) fn end(
        &mut self,
        ret: Option<u64>,
        outcome: crate::client::Outcome,
        part: impl Fn(&mut Op),
    ) -> Vec<Op> {
        let crate::client::Outcome {
            status,
            result,
            split,
        } = outcome;
        self.ret = ret;
        self.status = status;
        self.result = result;
        let mut split = split.into_iter();
        let Some((first, result)) = split.next() else {
            return Vec::new();
        };
        self.op = first;
        self.result = result;
        let template = self.clone();
        part(self);
        split
            .map(|(op, result)| {
                let mut rest = Op {
                    op,
                    result,
                    ..template.clone()
                };
                part(&mut rest);
                rest
            })
            .collect()
    }
}

/// A set of operations from concurrent clients.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// The operations, in order of invocation.
    pub ops: Vec<Op>,
}
