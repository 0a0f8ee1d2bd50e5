//! `redsim race SCRIPT.lua --keys a,b --args x [--clients N] [--seeds A..B]`: the demo for
//! any script — the same file run client-side command by command versus as EVAL, each
//! client running it once. With one operation per client every serial order is allowed,
//! so a run is not linearizable exactly when no serial order gives its results.
//!
//! A failing raw run is shrunk: the size before and after and the shrunk table follow
//! the first failing run's.
//!
//! Exit status: 0 when the raw runs showed no anomaly, 1 when they did, 2 on bad input.

use super::pipeline::report::{report, HtmlSpec, Line, ShrinkText, Spec};
use super::pipeline::{self, Judging, Outcome};
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, parse_seeds, Mode};
use redsim_sim::scenario::{Scenario, Script};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The Lua script (as you would pass to EVAL).
    pub script: PathBuf,
    /// KEYS, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub keys: Vec<String>,
    /// ARGV, comma-separated; `{ts}` `{client}` `{op}` `{seq}` expand per run.
    #[arg(long, value_delimiter = ',')]
    pub args: Vec<String>,
    /// Concurrent clients (at most 6: every serial order is run once).
    #[arg(long, default_value_t = 2)]
    pub clients: u32,
    #[arg(long, default_value = "0..500")]
    pub seeds: String,
    #[arg(long, default_value = "target/redsim/race.html")]
    pub html: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let fail = |e: String| {
        eprintln!("redsim race: {e}");
        ExitCode::from(2)
    };
    let source = match std::fs::read_to_string(&args.script) {
        Ok(s) => s,
        Err(e) => return fail(format!("{}: {e}", args.script.display())),
    };
    if let Err(e) = mlua::Lua::new().load(source.as_str()).into_function() {
        return fail(format!("{} does not compile: {e}", args.script.display()));
    }
    if args.clients == 0 || args.clients > redsim_sim::report::analysis::SERIAL_CLIENTS_MAX {
        return fail(format!(
            "--clients must be 1..={}",
            redsim_sim::report::analysis::SERIAL_CLIENTS_MAX
        ));
    }
    let seeds = match parse_seeds(&args.seeds) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let name = args
        .script
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "script".into());
    let scenario = Scenario::new(&name).clients(
        args.clients,
        1,
        Script::source(source)
            .keys(&args.keys)
            .args(&args.args)
            .raw(),
    );
    // Step options: the script client-side (raw) and as EVAL.
    let mut scenarios = Vec::new();
    for m in [Mode::Raw, Mode::Eval] {
        match mode::apply(&scenario, m) {
            Ok(s) => scenarios.push((m.name().to_string(), s)),
            Err(e) => return fail(e),
        }
    }
    let variants = pipeline::options(scenarios, Judging::Scenario);
    // Steps seed, run, check, shrink: the first failing raw run, shrunk.
    let outcome = Outcome::first_failing(&variants, seeds);
    let seed = outcome.chosen.seed;
    // Step report. Empty --keys/--args are left out: `--args  --clients` would not parse.
    let mut replay = format!("redsim race {}", super::line::shown_path(&args.script));
    if !args.keys.is_empty() {
        replay += &format!(" --keys {}", super::line::shell_word(&args.keys.join(",")));
    }
    if !args.args.is_empty() {
        replay += &format!(" --args {}", super::line::shell_word(&args.args.join(",")));
    }
    replay += &format!(" --clients {} --seeds {seed}..{}", args.clients, seed + 1);
    // The report's line names the script as the user typed it when relative, else by its
    // file name (never the absolute path of this machine).
    let replay_html = replay.replacen(
        &super::line::shown_path(&args.script),
        &super::line::shell_word(&super::line::report_path(&args.script)),
        1,
    );
    let title = format!(
        "redsim race: {} — {} clients, client-side versus EVAL",
        args.script.display(),
        args.clients
    );
    let spec = Spec {
        command: "redsim race",
        preamble: vec![Line::Summary(title), Line::Plain(String::new())],
        replay,
        replay_label: "Replay: ",
        replay_bold: false,
        replay_html: vec![replay_html; variants.len()],
        shrink_text: ShrinkText::Full,
        shrunk_line_records: false,
        record: None,
        html: Some(HtmlSpec {
            path: args.html.clone(),
            title: format!("redsim race: {name} (seed {seed})"),
            scenario_file: None,
            intro: String::new(),
            label: "HTML report: ",
            required: false,
        }),
        json: None,
    };
    // Writing the report can only warn here.
    let _ = report(&outcome, &spec, Style::detect());
    if outcome.chosen.failing().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
