//! `redsim demo`: the counter race, raw versus EVAL. Owned by the demo work (issue 6).

use std::process::ExitCode;

#[derive(clap::Args, Default)]
pub struct Args {}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("redsim demo: not built yet (issue 6)");
    ExitCode::SUCCESS
}
