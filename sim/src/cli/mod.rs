//! One module per `redsim` subcommand.

pub mod demo;
pub mod serve;
pub mod trace;
