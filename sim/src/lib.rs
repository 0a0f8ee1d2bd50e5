//! redsim-sim: the deterministic simulator, the linearizability checker, reports and the
//! `redsim` command line, built on the `redsim` engine.

// Unsafe code only where mlua needs it (a C function over the Lua API), each such item
// marked `#[allow(unsafe_code)]` with its reason; deny rather than forbid so it can be.
#![deny(unsafe_code)]

pub mod check;
pub mod client;
pub mod clock;
pub mod fault;
pub mod history;
pub mod options;
pub mod real;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod scheduler;
pub mod shrink;
pub mod testing;
pub mod trace;
pub mod world;
