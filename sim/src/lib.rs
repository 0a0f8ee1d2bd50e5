//! redsim-sim: the deterministic simulator, the linearizability checker, reports and the
//! `redsim` command line, built on the `redsim` engine.

pub mod check;
pub mod history;
