//! `redsim demo` (and `cargo run --release` with no arguments): the seed's counter race.
//! Runs `corpus/lua/counter_and_log.lua` with several clients command by command (raw)
//! and as EVAL over many seeds, then prints the summary, the first failing interleaving,
//! what went wrong and why EVAL prevents it, the command that replays that run, how far
//! that run shrinks (the replay command shows the shrunk table too), and the path of the
//! HTML report (raw and EVAL of the same seed side by side).

use redsim_sim::report::analysis::Judge;
use redsim_sim::report::capture::capture;
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, parse_seeds, Mode};
use redsim_sim::report::{html, present, summary};
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
    let style = Style::detect();
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
    let modes = [Mode::Raw, Mode::Eval];
    let mut tallies = Vec::new();
    let mut prepared = Vec::new();
    for m in modes {
        let Ok(s) = mode::apply(&scenario, m) else {
            continue;
        };
        let judge = Judge::new(&s);
        tallies.push(summary::run_seeds(&s, &judge, m.name(), seeds.clone()));
        prepared.push((m, s, judge));
    }
    if let Some(text) = mode::description(&path) {
        println!("{}", present::wrap(&text, 100));
    }
    let title = format!(
        "redsim demo: {} — {} clients, raw commands versus EVAL",
        scenario.name,
        scenario.client_count()
    );
    print!("{}", summary::render(&title, &seeds, &tallies, style));
    if redsim::cmd::lookup(b"eval").is_none() {
        println!("{}", style.yellow("note: this build's engine has no EVAL yet, so every EVAL run replied with an error"));
    }
    if redsim::cmd::lookup(b"zadd").is_none() {
        println!("{}", style.yellow("note: this build's engine has no ZADD/ZCARD yet, so the script stops with an error at ZADD"));
    }
    println!();
    let raw_failing = tallies.first().and_then(|t| t.failing.first().copied());
    let seed = raw_failing.unwrap_or(seeds.start);
    match raw_failing {
        Some(seed) => println!(
            "{}",
            style.bold(&format!(
                "The first failing interleaving (raw mode, seed {seed}):"
            ))
        ),
        None => println!(
            "{}",
            style.bold(&format!("No raw run was anomalous; seed {seed} as it ran:"))
        ),
    }
    let captures: Vec<_> = prepared
        .iter()
        .map(|(m, s, judge)| capture(s, judge, seed, m.name()))
        .collect();
    if let Some(raw) = captures.first() {
        print!("{}", present::run_text(raw, style));
    }
    let replays: Vec<String> = modes
        .iter()
        .map(|m| super::line::run_line(&path, seed, Some(m.name()), &scenario.options.strategy))
        .collect();
    println!();
    println!("Replay this run:  {}", style.bold(&replays[0]));
    // The report's lines name the scenario by its place in the source tree: the report
    // may be opened anywhere.
    let report_lines: Vec<String> = modes
        .iter()
        .map(|m| {
            super::line::run_line_for_report(
                &path,
                seed,
                Some(m.name()),
                &scenario.options.strategy,
            )
        })
        .collect();
    let mut shrunk_shown = None;
    if let (Some(seed), Some((_, raw, _)), Some(shown)) =
        (raw_failing, prepared.first(), captures.first())
    {
        if let Ok(shrunk) = redsim_sim::shrink::shrink_run(raw, seed, &shown.schedule) {
            println!("{}", shrunk.headline());
            shrunk_shown = shrunk.after.smaller_than(&shrunk.before).then(|| {
                (
                    shrunk.capture(shown.mode.as_str()),
                    super::line::shrunk_line(&report_lines[0], &shrunk, true),
                )
            });
        }
    }
    let runs: Vec<_> = captures.iter().zip(report_lines.iter().cloned()).collect();
    let intro = mode::description(&path).unwrap_or_default();
    let page = html::report(
        &format!("redsim: {} (seed {seed})", scenario.name),
        Some(&path),
        &intro,
        shrunk_shown.as_ref().map(|(c, line)| (c, line.clone())),
        &runs,
    );
    match html::write(&args.html, &page) {
        Ok(()) => println!("HTML report:      {}", args.html.display()),
        Err(e) => eprintln!("redsim demo: cannot write {}: {e}", args.html.display()),
    }
    println!(
        "{}",
        style.dim(&format!(
            "({} runs in {:.2} s)",
            tallies.iter().map(|t| t.runs).sum::<u64>(),
            started.elapsed().as_secs_f64()
        ))
    );
    ExitCode::SUCCESS
}
