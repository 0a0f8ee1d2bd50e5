//! The `redsim` command line. Each subcommand lives in `cli/<name>.rs` with its own
//! clap `Args` and a `run` that returns the process's exit code.

#![deny(unsafe_code)]

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod alloc;
mod cli;

/// mimalloc, as Redis uses jemalloc rather than the C library's malloc (see Cargo.toml),
/// with very large blocks mapped directly (see `alloc.rs`).
#[global_allocator]
static ALLOCATOR: alloc::Allocator = alloc::Allocator;

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
    #[command(after_help = cli::EXIT_HELP)]
    Run(cli::run::Args),
    /// Every interleaving of a scenario: outcomes and failing ones.
    #[command(after_help = cli::EXIT_HELP)]
    Explore(cli::explore::Args),
    /// Many seeds in parallel, sharded, with a progress bar.
    #[command(after_help = cli::EXIT_HELP)]
    Sweep(cli::sweep::Args),
    /// Run a saved replay file (corpus/seeds/*.toml) again: the same table.
    Replay(cli::replay::Args),
    #[command(hide = true)]
    Trace(cli::trace::Args),
    /// Is a recorded history (redsim-history/1 JSON) linearizable?
    #[command(after_help = cli::EXIT_HELP)]
    Check(cli::check::Args),
    /// Run a scenario against a real server (redis-server, redsim serve) on loopback.
    Real(cli::real::Args),
}

/// Exit status when stdout's reader went away (`redsim run … | head`): 128 + SIGPIPE,
/// what a Unix tool killed by the signal reports to the shell.
const CLOSED_STDOUT: i32 = 141;

/// Ends the process quietly when printing to stdout fails because its reader closed the
/// pipe. Rust ignores SIGPIPE, so `println!` panics on EPIPE instead; every subcommand
/// prints with `println!`, and a message or backtrace for a reader that left helps
/// nobody. Any other panic reaches the default hook unchanged.
fn end_quietly_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        // std's wording: "failed printing to stdout: Broken pipe (os error 32)" (EPIPE's
        // text on Linux and macOS; Rust never sets a locale that would translate it).
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(CLOSED_STDOUT);
        }
        default(info)
    }));
}

fn main() -> ExitCode {
    end_quietly_on_closed_stdout();
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
