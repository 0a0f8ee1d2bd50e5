//! Running scenarios against a real server (redis-server, or `redsim serve`) over TCP.
//!
//! The same client programs as the simulator, each on its own OS thread with its own
//! connection ([`runner`]), a blocking RESP codec ([`codec`]), and the same checker
//! judging the recorded history ([`verdict`]), the simulated rate beside the real one
//! ([`compare`]), and the table, picture and HTML report of a run ([`report`]). Only loopback addresses are accepted.
//! A scenario with `shards = N` runs on a Redis Cluster of N redis-server processes
//! started here ([`cluster`]), with cluster clients (`cluster_client`) and its resharding
//! done by an operator thread (`reshard`).

pub mod cluster;
mod cluster_client;
pub mod codec;
pub mod compare;
mod failover;
pub mod report;
mod reshard;
pub mod runner;
mod start_gate;
pub mod verdict;

pub use cluster::LocalCluster;
pub use runner::{loopback_addr, run, run_on_cluster, RealOptions, RealRun};
pub use verdict::{judge, render, RealVerdict};
