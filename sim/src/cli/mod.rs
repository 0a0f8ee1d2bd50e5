//! One module per `redsim` subcommand.

pub mod check;
pub mod demo;
pub mod serve;
pub mod trace;
