//! `redsim serve`: the engine behind a Redis-compatible TCP server, for redis-cli,
//! redis-benchmark and client libraries.

use redsim::server::{serve, ServeOptions};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// TCP port.
    #[arg(long, default_value_t = 6379)]
    pub port: u16,
}

pub fn run(args: Args) -> ExitCode {
    match serve(ServeOptions { bind: args.bind, port: args.port }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("redsim serve: {e}");
            ExitCode::FAILURE
        }
    }
}
