//! `redsim check FILE.json... [--model auto|engine|register|kv|counter] [--max-states N]
//! [--max-steps N] [--json] [--no-counterexample]`: is a recorded history linearizable?
//!
//! The last line of the text output is exactly `linearizable`, `not linearizable` or
//! `unknown` (the budget ran out); the exit status is 0, 1 or 3 respectively, and 2 when
//! the input cannot be used (unreadable file, invalid JSON or history, an op the chosen
//! model cannot judge). With `--json` the output is one JSON object instead.
//!
//! With several files, each is checked in turn in this one process (no process start or
//! engine creation per file) and gets one line, `FILE: VERDICT` (with `--json`, one object
//! per line with its `file`); the exit status is the worst: 2 (unusable input) over 1 (not
//! linearizable) over 3 (unknown) over 0.
//!
//! The budgets are counts (states, search steps), not seconds: the same file gets the same
//! verdict and the same output on any machine.

use redsim_sim::check::{self, ModelChoice, Options, Verdict};
use redsim_sim::history::json;
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Histories in the redsim-history/1 JSON format.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
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
    /// Give up with `unknown` when the memo and the states it keeps would take more than
    /// this many bytes (an estimate; the process's own memory is of the same order).
    #[arg(long, value_name = "BYTES", default_value_t = Options::default().max_memo_bytes)]
    pub max_memory: u64,
    /// Print the verdict and counterexample as JSON.
    #[arg(long)]
    pub json: bool,
    /// The verdict only: no counterexample for a violation.
    #[arg(long)]
    pub no_counterexample: bool,
}

fn unusable(message: String) -> ExitCode {
    eprintln!("redsim check: {message}");
    ExitCode::from(2)
}

/// The exit status of one file: 0, 1, 3, or 2 for unusable input.
type Status = u8;

/// How bad a status is, for the worst of several files.
fn severity(status: Status) -> u8 {
    match status {
        0 => 0,
        3 => 1,
        1 => 2,
        _ => 3,
    }
}

pub fn run(args: Args) -> ExitCode {
    let Some(choice) = ModelChoice::parse(&args.model) else {
        return unusable(format!(
            "unknown model '{}' (auto, engine, register, kv, counter)",
            args.model
        ));
    };
    let options = Options {
        max_states: args.max_states,
        max_steps: args.max_steps,
        max_memo_bytes: args.max_memory,
        counterexample: !args.no_counterexample,
        ..Options::default()
    };
    if let [file] = args.files.as_slice() {
        return ExitCode::from(check_one(file, choice, &options, &args, false));
    }
    let worst = args
        .files
        .iter()
        .map(|file| check_one(file, choice, &options, &args, true))
        .max_by_key(|&s| severity(s))
        .unwrap_or(0);
    ExitCode::from(worst)
}

/// Checks one file and prints its report (`brief`: one line naming the file).
fn check_one(
    file: &std::path::Path,
    choice: ModelChoice,
    options: &Options,
    args: &Args,
    brief: bool,
) -> Status {
    let unusable = |message: String| -> Status {
        eprintln!("redsim check: {}: {message}", file.display());
        if brief && !args.json {
            println!("{}: unusable", file.display());
        }
        2
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return unusable(e.to_string()),
    };
    let history = match json::from_str(&text) {
        Ok(h) => h,
        Err(e) => return unusable(e.to_string()),
    };
    let outcome = match check::check(&history, choice, options) {
        Ok(o) => o,
        Err(e) => return unusable(e.to_string()),
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
        if brief {
            out["file"] = json!(file.display().to_string());
        }
        if let Some(reason) = &outcome.reason {
            out["reason"] = json!(reason);
        }
        if let Some(cx) = &outcome.counterexample {
            out["counterexample"] = cx.to_json(&history);
        }
        println!("{out}");
    } else if brief {
        println!("{}: {}", file.display(), outcome.verdict.as_str());
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
        Verdict::Linearizable => 0,
        Verdict::NotLinearizable => 1,
        Verdict::Unknown => 3,
    }
}
