//! Writes a generated history of the seed's workload (`check::gen::seed_script_plan`) as
//! redsim-history/1 JSON, for measuring `redsim check` at scale (docs/BENCHMARKS.md):
//!
//! ```text
//! cargo run --release -p redsim-sim --example seed_workload -- OPS CLIENTS PAIRS SEED > h.json
//! target/release/redsim check h.json
//! ```
//!
//! Half of the ops run the seed's script as EVAL on one (counter, log) pair, half one of
//! its commands raw; every op takes effect atomically inside its interval, so the history
//! is linearizable by construction.

use redsim_sim::check::gen;
use std::process::ExitCode;

fn main() -> ExitCode {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let &[ops, clients, pairs, seed] = numbers.as_slice() else {
        eprintln!("usage: seed_workload OPS CLIENTS PAIRS SEED (all numbers)");
        return ExitCode::from(2);
    };
    let plan = gen::seed_script_plan(seed as u64, ops, clients, pairs, 0.0);
    let history = gen::execute_on_engine(&plan);
    println!("{}", redsim_sim::history::json::to_string(&history));
    ExitCode::SUCCESS
}
