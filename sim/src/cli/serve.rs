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
    /// Require clients to AUTH with this password.
    #[arg(long)]
    pub requirepass: Option<String>,
    /// Without a password, accept only loopback clients (yes or no).
    #[arg(long, default_value = "yes", value_parser = ["yes", "no"])]
    pub protected_mode: String,
    /// Refuse connections beyond this many.
    #[arg(long, default_value_t = 10000)]
    pub maxclients: usize,
    /// Allow DEBUG: no (as Redis by default), yes, or local (loopback clients only).
    #[arg(long, default_value = "no", value_parser = ["no", "yes", "local"])]
    pub enable_debug_command: String,
    /// Directory of the RDB file: loaded at start when it exists, written by SAVE
    /// (default: the working directory).
    #[arg(long)]
    pub dir: Option<String>,
    /// Name of the RDB file in --dir.
    #[arg(long, default_value = "dump.rdb")]
    pub dbfilename: String,
    /// Run as a Redis Cluster node of its own (yes or no): CLUSTER ADDSLOTS… to serve.
    #[arg(long, default_value = "no", value_parser = ["yes", "no"])]
    pub cluster_enabled: String,
}

pub fn run(args: Args) -> ExitCode {
    let opts = ServeOptions {
        bind: args.bind,
        port: args.port,
        requirepass: args.requirepass.map(String::into_bytes),
        protected_mode: args.protected_mode == "yes",
        maxclients: args.maxclients,
        enable_debug_command: args.enable_debug_command,
        dir: args.dir,
        dbfilename: args.dbfilename,
        cluster_enabled: args.cluster_enabled == "yes",
    };
    match serve(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("redsim serve: {e}");
            ExitCode::FAILURE
        }
    }
}
