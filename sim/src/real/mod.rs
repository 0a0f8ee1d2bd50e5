//! Running scenarios against a real server (redis-server, or `redsim serve`) over TCP.
//!
//! The same client programs as the simulator, each on its own OS thread with its own
//! connection ([`runner`]), a blocking RESP codec ([`codec`]), and the same checker
//! judging the recorded history ([`verdict`]), the simulated rate beside the real one
//! ([`compare`]), and the table, picture and HTML report of a run ([`report`]). Only loopback addresses are accepted.

pub mod codec;
pub mod compare;
pub mod report;
pub mod runner;
pub mod verdict;

pub use runner::{loopback_addr, run, RealOptions, RealRun};
pub use verdict::{judge, render, RealVerdict};
