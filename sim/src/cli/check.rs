//! `redsim check FILE.json [--model auto|engine|register|kv|counter] [--max-states N]
//! [--max-steps N] [--json]`: is a recorded history linearizable?
//!
//! The last line of the text output is exactly `linearizable`, `not linearizable` or
//! `unknown` (the budget ran out); the exit status is 0, 1 or 3 respectively, and 2 when
//! the input cannot be used (unreadable file, invalid JSON or history, an op the chosen
//! model cannot judge). With `--json` the output is one JSON object instead.
//!
//! The budgets are counts (states, search steps), not seconds: the same file gets the same
//! verdict and the same output on any machine.

use redsim_sim::check::{self, ModelChoice, Options, Verdict};
use redsim_sim::history::json;
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A history in the redsim-history/1 JSON format.
    pub file: std::path::PathBuf,
    /// The model: auto (a hand model when every op fits one, else the engine), engine,
    /// register, kv or counter.
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Give up with `unknown` after memoising this many states.
    #[arg(long, default_value_t = Options::default().max_states)]
    pub max_states: u64,
    /// Give up with `unknown` after this many search steps.
    #[arg(long, default_value_t = Options::default().max_steps)]
    pub max_steps: u64,
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
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => return unusable(format!("{}: {e}", args.file.display())),
    };
    let history = match json::from_str(&text) {
        Ok(h) => h,
        Err(e) => return unusable(format!("{}: {e}", args.file.display())),
    };
    let options = Options {
        max_states: args.max_states,
        max_steps: args.max_steps,
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
            "steps": outcome.steps,
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
            "{} ops, model {}, {} independent part(s), {} states, {} steps",
            history.ops.len(),
            outcome.model,
            outcome.parts,
            outcome.states,
            outcome.steps
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
