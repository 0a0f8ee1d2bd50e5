//! `redsim demo` (and `cargo run --release` with no arguments): the seed's counter race.
//! Runs `corpus/lua/counter_and_log.lua` with several clients command by command (raw)
//! and as EVAL over many seeds, then prints the summary, the first failing interleaving,
//! what went wrong and why EVAL prevents it, the command that replays that run, how far
//! that run shrinks (the replay command shows the shrunk table too), and the path of the
//! HTML report (raw and EVAL of the same seed side by side).

use super::pipeline::report::{report, HtmlSpec, Line, ShrinkText, Spec};
use super::pipeline::{self, Judging, Outcome};
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, parse_seeds, Mode};
use redsim_sim::scenario::toml::load;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

pub const SCENARIO: &str = "corpus/scenarios/counter-race.toml";

#[derive(clap::Args)]
pub struct Args {
    /// Seeds to run in each mode, `A..B` (B excluded).
    #[arg(long, default_value = "0..1000")]
    pub seeds: String,
    /// Where to write the HTML report.
    #[arg(long, default_value = "target/redsim/report.html")]
    pub html: PathBuf,
    /// The scenario (default: corpus/scenarios/counter-race.toml).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            seeds: "0..1000".into(),
            html: "target/redsim/report.html".into(),
            scenario: None,
        }
    }
}

/// The scenario file: relative to the working directory (as printed in the replay
/// command), else the one in this source tree.
pub fn find_scenario(name: &Path) -> PathBuf {
    if name.exists() {
        return name.to_path_buf();
    }
    let in_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    if in_tree.exists() {
        in_tree
    } else {
        name.to_path_buf()
    }
}

pub fn run(args: Args) -> ExitCode {
    let started = Instant::now();
    let path = find_scenario(args.scenario.as_deref().unwrap_or(Path::new(SCENARIO)));
    let seeds = match parse_seeds(&args.seeds) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("redsim demo: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match load(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("redsim demo: {e}");
            return ExitCode::from(2);
        }
    };
    // Step options: the scenario's clients command by command (raw) and as EVAL.
    let scenarios = [Mode::Raw, Mode::Eval]
        .into_iter()
        .filter_map(|m| Some((m.name().to_string(), mode::apply(&scenario, m).ok()?)))
        .collect();
    let variants = pipeline::options(scenarios, Judging::Scenario);
    // Steps seed, run, check, shrink: the first failing raw run, shrunk.
    let outcome = Outcome::first_failing(&variants, seeds);
    let seed = outcome.chosen.seed;
    // Step report.
    let intro = mode::description(&path);
    let mut preamble: Vec<Line> = intro.clone().map(Line::Intro).into_iter().collect();
    preamble.push(Line::Summary(format!(
        "redsim demo: {} — {} clients, raw commands versus EVAL",
        scenario.name,
        scenario.client_count()
    )));
    if redsim::cmd::lookup(b"eval").is_none() {
        preamble.push(Line::Yellow(
            "note: this build's engine has no EVAL yet, so every EVAL run replied with an error"
                .into(),
        ));
    }
    if redsim::cmd::lookup(b"zadd").is_none() {
        preamble.push(Line::Yellow("note: this build's engine has no ZADD/ZCARD yet, so the script stops with an error at ZADD".into()));
    }
    preamble.push(Line::Plain(String::new()));
    preamble.push(Line::Bold(match outcome.chosen.failing() {
        Some(seed) => format!("The first failing interleaving (raw mode, seed {seed}):"),
        None => format!("No raw run was anomalous; seed {seed} as it ran:"),
    }));
    let strategy = &scenario.options.strategy;
    // The report's lines name the scenario by its place in the source tree: the report
    // may be opened anywhere.
    let report_lines = variants
        .iter()
        .map(|v| super::line::run_line_for_report(&path, seed, Some(&v.label), strategy))
        .collect();
    let spec = Spec {
        command: "redsim demo",
        preamble,
        replay: super::line::run_line(&path, seed, Some(Mode::Raw.name()), strategy),
        replay_label: "Replay this run:  ",
        replay_bold: true,
        replay_html: report_lines,
        shrink_text: ShrinkText::Headline,
        shrunk_line_records: true,
        record: None,
        html: Some(HtmlSpec {
            path: args.html.clone(),
            title: format!("redsim: {} (seed {seed})", scenario.name),
            scenario_file: Some(path.clone()),
            intro: intro.unwrap_or_default(),
            label: "HTML report:      ",
            required: false,
        }),
        json: None,
    };
    // Writing the report can only warn here.
    let style = Style::detect();
    let _ = report(&outcome, &spec, style);
    println!(
        "{}",
        style.dim(&format!(
            "({} runs in {:.2} s)",
            outcome.chosen.tallies.iter().map(|t| t.runs).sum::<u64>(),
            started.elapsed().as_secs_f64()
        ))
    );
    ExitCode::SUCCESS
}
