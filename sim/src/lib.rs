//! redsim-sim: the deterministic simulator, the linearizability checker, reports and the
//! `redsim` command line, built on the `redsim` engine.
//!
//! To test your own Redis scripts from `cargo test`, start with [`prelude`] and
//! [`sim_test!`]: the README's example is a whole test, with faults, an invariant and a
//! proptest strategy.

// Unsafe code only where mlua needs it (a C function over the Lua API), each such item
// marked `#[allow(unsafe_code)]` with its reason; deny rather than forbid so it can be.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod client;
pub mod clock;
pub mod coverage;
pub mod fault;
pub mod history;
pub mod options;
pub mod prelude;
pub mod real;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod scheduler;
pub mod shrink;
pub mod swarm;
pub mod testing;
pub mod trace;
pub mod world;

pub use fault::Faults;
pub use scenario::{Invariant, Program, Scenario, Script, Watch};
pub use testing::{Failure, FinishedRun, SimTest};

/// The README's code blocks run as doctests, so the example it shows compiles and passes.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
