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

/// A set of operations from concurrent clients.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// The operations, in order of invocation.
    pub ops: Vec<Op>,
}
