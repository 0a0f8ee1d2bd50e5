//! redsim's engine: a Redis 7.0-compatible store and Lua 5.1 scripting engine that does no
//! I/O of its own. Time and randomness come from a [`Host`]; one call to
//! [`Engine::execute`] runs one command for one client, atomically.
//!
//! ```
//! use redsim::{Engine, ManualHost, Reply};
//! let mut engine = Engine::new(ManualHost::default());
//! let client = engine.connect();
//! assert_eq!(engine.call(client, &["INCR", "counter"]), Reply::Integer(1));
//! ```

// Unsafe code only where mlua needs it (a C function over the Lua API), each such item
// marked `#[allow(unsafe_code)]` with its reason; deny rather than forbid so it can be.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod access;
mod acl;
pub mod busy;
pub(crate) mod cluster;
pub mod cmd;
pub mod config;
pub mod db;
mod engine;
mod hll;
pub mod host;
mod rdb;
pub mod repl;
pub mod resp;
pub mod script;
pub mod server;
pub mod session;
pub mod stats;
pub mod store;

pub use cluster::{command_slot, key_hash_slot, slot_ranges, ClusterPeer, SLOTS};
pub use engine::Engine;
pub use host::{
    BusyReply, BusyRequest, BusyScript, Host, ManualHost, MigrateFailure, MigrateTransfer,
    ScriptTick,
};
pub use resp::{Protocol, Reply};
pub use session::ClientId;
