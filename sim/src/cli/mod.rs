//! One module per `redsim` subcommand.

pub mod demo;
pub mod trace;
