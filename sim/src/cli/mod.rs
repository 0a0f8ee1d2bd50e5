//! One module per `redsim` subcommand.

pub mod check;
pub mod line;
pub mod demo;
pub mod explore;
pub mod race;
pub mod real;
pub mod replay;
pub mod run;
pub mod serve;
pub mod sweep;
pub mod trace;
