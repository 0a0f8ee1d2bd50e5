//! redsim-sim: the deterministic simulator, the linearizability checker, reports and the
//! `redsim` command line, built on the `redsim` engine.

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
