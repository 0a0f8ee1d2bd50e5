//! One module per `redsim` subcommand.

pub mod check;
pub mod demo;
