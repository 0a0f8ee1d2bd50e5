//! `redsim check FILE.json [--model auto|engine|register|kv|counter] [--timeout SECS] [--json]`:
//! is a recorded history linearizable?
//!
//! The last line of the text output is exactly `linearizable`, `not linearizable` or
//! `unknown` (the budget ran out); the exit status is 0, 1 or 3 respectively, and 2 when
//! the input cannot be used (unreadable file, invalid JSON or history, an op the chosen
//! model cannot judge). With `--json` the output is one JSON object instead.

use redsim_sim::check::{self, ModelChoice, Options, Verdict};
use redsim_sim::history::json;
use serde_json::json;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// A history in the redsim-history/1 JSON format.
    pub file: std::path::PathBuf,
    /// The model: auto (a hand model when every op fits one, else the engine), engine,
    /// register, kv or counter.
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Give up with `unknown` after this many seconds.
    #[arg(long, default_value_t = 60.0)]
    pub timeout: f64,
    /// Print the verdict and counterexample as JSON.
    #[arg(long)]
    pub json: bool,
}

fn unusable(message: String) -> ExitCode {
    eprintln!("redsim check: {message}");
    ExitCode::from(2)
}

pub fn run(args: Args) -> ExitCode {
    let Some(choice) = ModelChoice::parse(&args.model) else {
        return unusable(format!(
            "unknown model '{}' (auto, engine, register, kv, counter)",
            args.model
        ));
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return unusable(format!(
            "--timeout must be a positive number of seconds, not {}",
            args.timeout
        ));
    }
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => return unusable(format!("{}: {e}", args.file.display())),
    };
    let history = match json::from_str(&text) {
        Ok(h) => h,
        Err(e) => return unusable(format!("{}: {e}", args.file.display())),
    };
    let options = Options {
        timeout: Some(Duration::from_secs_f64(args.timeout)),
        ..Options::default()
    };
    let outcome = match check::check(&history, choice, &options) {
        Ok(o) => o,
        Err(e) => return unusable(format!("{}: {e}", args.file.display())),
    };
    if args.json {
        let mut out = json!({
            "verdict": outcome.verdict.as_str(),
            "model": outcome.model,
            "ops": history.ops.len(),
            "parts": outcome.parts,
            "states": outcome.states,
            "elapsed_ms": outcome.elapsed.as_secs_f64() * 1000.0,
        });
        if let Some(reason) = &outcome.reason {
            out["reason"] = json!(reason);
        }
        if let Some(cx) = &outcome.counterexample {
            out["counterexample"] = cx.to_json(&history);
        }
        println!("{out}");
    } else {
        println!(
            "{} ops, model {}, {} independent part(s), {} states, {:.1} ms",
            history.ops.len(),
            outcome.model,
            outcome.parts,
            outcome.states,
            outcome.elapsed.as_secs_f64() * 1000.0
        );
        if let Some(reason) = &outcome.reason {
            println!("{reason}");
        }
        if let Some(cx) = &outcome.counterexample {
            print!("{}", cx.render(&history));
        }
        println!("{}", outcome.verdict.as_str());
    }
    match outcome.verdict {
        Verdict::Linearizable => ExitCode::SUCCESS,
        Verdict::NotLinearizable => ExitCode::from(1),
        Verdict::Unknown => ExitCode::from(3),
    }
}
