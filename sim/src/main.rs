//! The `redsim` command line. Each subcommand lives in `cli/<name>.rs` with its own
//! clap `Args` and a `run` that returns the process's exit code.

#![deny(unsafe_code)]

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cli;

/// mimalloc, as Redis uses jemalloc rather than the C library's malloc (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "redsim",
    version,
    about = "Deterministic simulation and testing for Redis Lua scripting"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// The counter-race demonstration (what `cargo run --release` runs).
    Demo(cli::demo::Args),
    /// A Redis-compatible TCP server on the engine.
    Serve(cli::serve::Args),
    /// Any script: client-side commands versus EVAL.
    Race(cli::race::Args),
    /// Run a scenario: one seed as a table, or many seeds counted.
    Run(cli::run::Args),
    /// Every interleaving of a scenario: outcomes and failing ones.
    Explore(cli::explore::Args),
    /// Many seeds in parallel, sharded, with a progress bar.
    Sweep(cli::sweep::Args),
    /// Run a saved replay file (corpus/seeds/*.toml) again: the same table.
    Replay(cli::replay::Args),
    #[command(hide = true)]
    Trace(cli::trace::Args),
    /// Is a recorded history (redsim-history/1 JSON) linearizable?
    Check(cli::check::Args),
    /// Run a scenario against a real server (redis-server, redsim serve) on loopback.
    Real(cli::real::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli
        .command
        .unwrap_or(Command::Demo(cli::demo::Args::default()))
    {
        Command::Demo(args) => cli::demo::run(args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Race(args) => cli::race::run(args),
        Command::Run(args) => cli::run::run(args),
        Command::Explore(args) => cli::explore::run(args),
        Command::Sweep(args) => cli::sweep::run(args),
        Command::Replay(args) => cli::replay::run(args),
        Command::Trace(args) => cli::trace::run(args),
        Command::Check(args) => cli::check::run(args),
        Command::Real(args) => cli::real::run(args),
    }
}
