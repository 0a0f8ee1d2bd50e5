//! Builders with named parts for the programs whose positional form is easy to get wrong:
//! a script's keys and arguments (two lists of strings side by side) and how it is sent,
//! and a WATCH-retry client whose writes are computed from what it read.
//!
//! ```
//! use redsim_sim::prelude::*;
//!
//! let eval = Script::source("return redis.call('INCR', KEYS[1])").keys(["hits"]).eval();
//! let raw = Script::source("return redis.call('GET', KEYS[1])").keys(["hits"]).raw();
//! // Reads the counter under WATCH and writes it doubled, retrying on a conflict.
//! let doubler = Watch::keys(["n"])
//!     .read(["GET", "n"])
//!     .writes_from(|reads| {
//!         let n = reads.first().and_then(as_int).unwrap_or(0);
//!         vec![vec![b"SET".to_vec(), b"n".to_vec(), (n * 2).to_string().into_bytes()]]
//!     })
//!     .retries(10);
//! # let _ = (eval, raw, doubler);
//! ```

use super::{Program, ScriptRun};
use crate::client::lua::ScriptSpec;
use crate::client::Argv;
use redsim::Reply;
use std::path::Path;
use std::sync::Arc;

fn owned<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Vec<Vec<u8>> {
    items
        .into_iter()
        .map(|s| s.as_ref().as_bytes().to_vec())
        .collect()
}

/// A Lua script, its `KEYS` and `ARGV`; [`raw`](Script::raw), [`eval`](Script::eval) or
/// [`evalsha`](Script::evalsha) says how clients send it and makes the [`Program`].
///
/// Keys and arguments may hold templates expanded per operation: `{ts}` a timestamp
/// unique to the operation, `{client}`, `{op}`, `{seq}`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a Script becomes a client program with .raw(), .eval() or .evalsha()"]
pub struct Script {
    source: String,
    keys: Vec<Vec<u8>>,
    args: Vec<Vec<u8>>,
}

impl Script {
    /// The script whose Lua source is `source`.
    pub fn source(source: impl Into<String>) -> Script {
        Script {
            source: source.into(),
            keys: Vec::new(),
            args: Vec::new(),
        }
    }

    /// The script in the file at `path` (relative paths from where `cargo test` runs:
    /// the package's folder). Panics, naming the file, if it cannot be read.
    pub fn file(path: impl AsRef<Path>) -> Script {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("redsim: cannot read {}: {e}", path.display()));
        Script::source(source)
    }

    /// The script's `KEYS`.
    pub fn keys<S: AsRef<str>>(mut self, keys: impl IntoIterator<Item = S>) -> Script {
        self.keys = owned(keys);
        self
    }

    /// The script's `ARGV`.
    pub fn args<S: AsRef<str>>(mut self, args: impl IntoIterator<Item = S>) -> Script {
        self.args = owned(args);
        self
    }

    /// Run client-side, as a client library sends it: each `redis.call` is its own
    /// round trip, so other clients' commands can run in between.
    pub fn raw(self) -> Program {
        self.sent(ScriptRun::Raw)
    }

    /// Sent as `EVAL`: the server runs the whole script atomically.
    pub fn eval(self) -> Program {
        self.sent(ScriptRun::Eval)
    }

    /// Sent as `EVALSHA` (with `SCRIPT LOAD` after a `NOSCRIPT`).
    pub fn evalsha(self) -> Program {
        self.sent(ScriptRun::EvalSha)
    }

    /// The program for `run`.
    pub fn sent(self, run: ScriptRun) -> Program {
        Program::Script {
            spec: Arc::new(ScriptSpec {
                source: self.source,
                keys: self.keys,
                args: self.args,
            }),
            run,
        }
    }
}

/// The writes of a [`Watch`] block computed from the replies of its reads.
pub use crate::client::multi::WatchWrites;

/// A WATCH-retry client: `WATCH keys`, the reads, then `MULTI` writes `EXEC`, again from
/// the WATCH when EXEC finds a watched key changed (a nil reply), up to
/// [`retries`](Watch::retries) times.
#[must_use = "a Watch becomes a client program with .retries(n)"]
pub struct Watch {
    watch: Vec<Vec<u8>>,
    reads: Vec<Argv>,
    writes: Vec<Argv>,
    compute: Option<WatchWrites>,
}

impl Watch {
    /// Watches `keys`.
    pub fn keys<S: AsRef<str>>(keys: impl IntoIterator<Item = S>) -> Watch {
        Watch {
            watch: owned(keys),
            reads: Vec::new(),
            writes: Vec::new(),
            compute: None,
        }
    }

    /// Adds a read (sent after the WATCH, before MULTI).
    pub fn read<S: AsRef<str>>(mut self, command: impl IntoIterator<Item = S>) -> Watch {
        self.reads.push(owned(command));
        self
    }

    /// Adds a write template: `{rN}` is read `N`'s reply, `{rN+1}` that plus one.
    pub fn write<S: AsRef<str>>(mut self, command: impl IntoIterator<Item = S>) -> Watch {
        self.writes.push(owned(command));
        self
    }

    /// The writes computed from the reads' replies (the templates are then unused): the
    /// new value is any function of what was read.
    pub fn writes_from(
        mut self,
        compute: impl Fn(&[Reply]) -> Vec<Argv> + Send + Sync + 'static,
    ) -> Watch {
        self.compute = Some(Arc::new(compute));
        self
    }

    /// The program, retrying at most `retries_max` times after a conflict (then the
    /// operation fails).
    pub fn retries(self, retries_max: u32) -> Program {
        Program::Watch {
            watch: self.watch,
            reads: self.reads,
            writes: self.writes,
            compute: self.compute,
            retries_max,
        }
    }
}
