//! `redsim sweep SCENARIO.toml --seeds A..B [--jobs N] [--shard I/N] [--mode M] [--strategy …]`: many
//! seeds on every core, with a progress bar; failing seeds are saved one replay command a
//! line. `--shard I/N` keeps the seeds whose offset from A is I modulo N, so N CI jobs
//! (or machines) split a sweep without overlap. `--swarm`: each seed draws its own fault
//! kinds and rates and its own client kinds and counts (swarm testing,
//! `redsim_sim::swarm`) instead of the scenario's, and the summary names the combination
//! of kinds behind each failure.
//!
//! Exit status: 0 no failing seed and every seed decided, 1 some failing seed, 2 bad
//! arguments, 3 inconclusive (no failing seed, but the checker's counted budget ran out on
//! some: not a pass).

use indicatif::{ProgressBar, ProgressStyle};
use redsim_sim::report::analysis::Judge;
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{parse_seeds, Mode};
use redsim_sim::report::summary::{self, Tally};
use redsim_sim::swarm::SwarmTally;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    pub scenario: PathBuf,
    #[arg(long)]
    pub seeds: String,
    /// Worker threads (default: the cores available).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// This job's share, `I/N` (0 ≤ I < N).
    #[arg(long, default_value = "0/1")]
    pub shard: String,
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    #[command(flatten)]
    pub strategy: super::line::StrategyArgs,
    /// Directory for the failing seeds.
    #[arg(long, default_value = "target/redsim/sweep")]
    pub out: PathBuf,
    /// Swarm testing: each seed enables a random subset of the fault kinds with random
    /// rates and of the scenario's client groups with random counts (the scenario's
    /// planned admin commands are kept).
    #[arg(long)]
    pub swarm: bool,
}

/// `I/N` with `I < N`.
pub fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("bad --shard '{text}' (expected I/N with 0 <= I < N)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

pub fn run(args: Args) -> ExitCode {
    let style = Style::detect();
    let fail = |e: String| {
        eprintln!("redsim sweep: {e}");
        ExitCode::from(2)
    };
    let (scenario, label) =
        match super::run::prepare(&args.scenario, args.mode, &args.strategy, None) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
    let seeds = match parse_seeds(&args.seeds) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let (shard, shards) = match parse_shard(&args.shard) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1) as u64;
    let start = seeds.start;
    let mine = move |s: &u64| (s - start) % shards == shard;
    let total = seeds.clone().filter(mine).count() as u64;
    let judge = if args.swarm {
        Judge::for_swarm(&scenario)
    } else {
        Judge::new(&scenario)
    };
    let swarm = args.swarm;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} seeds  {per_sec}  eta {eta}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let tallies: Vec<SwarmTally> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|job| {
                let (scenario, judge, label, bar, seeds) =
                    (&scenario, &judge, &label, bar.clone(), seeds.clone());
                scope.spawn(move || {
                    let my_seeds = seeds
                        .filter(mine)
                        .enumerate()
                        .filter(|(k, _)| *k as u64 % jobs == job)
                        .map(|(_, s)| s);
                    if swarm {
                        redsim_sim::swarm::run_seeds(scenario, label, my_seeds, |_| bar.inc(1))
                    } else {
                        SwarmTally {
                            tally: summary::run_seeds_with(
                                scenario,
                                judge,
                                label,
                                my_seeds,
                                |_| bar.inc(1),
                            ),
                            ..SwarmTally::default()
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    bar.finish_and_clear();
    let mut all = SwarmTally {
        tally: Tally::new(&label),
        ..SwarmTally::default()
    };
    for t in &tallies {
        all.merge(t);
    }
    let tally = all.tally.clone();
    let title = format!(
        "redsim sweep: {} (mode {label}, shard {shard}/{shards}, {jobs} jobs)",
        scenario.name
    );
    print!(
        "{}",
        summary::render(&title, &seeds, std::slice::from_ref(&tally), style)
    );
    println!("this shard ran {} of them", tally.runs);
    if swarm {
        print!("{}", all.render());
    }
    let replay_line = |seed: u64| {
        let line = super::line::run_line(
            &args.scenario,
            seed,
            args.mode.map(|m| m.name()),
            &scenario.options.strategy,
        );
        if swarm {
            line + " --swarm"
        } else {
            line
        }
    };
    if tally.anomalous() > 0 {
        let name = format!("{}-{label}-shard-{shard}-of-{shards}.txt", scenario.name);
        let path = args.out.join(name);
        let lines: Vec<String> = tally.failing.iter().map(|&s| replay_line(s)).collect();
        let written = std::fs::create_dir_all(&args.out)
            .and_then(|_| std::fs::write(&path, lines.join("\n") + "\n"));
        match written {
            Ok(()) => println!(
                "{} failing seeds ({} saved, the lowest) in {}",
                tally.anomalous(),
                tally.failing.len(),
                path.display()
            ),
            Err(e) => eprintln!("redsim sweep: cannot write {}: {e}", path.display()),
        }
        return ExitCode::from(1);
    }
    if let (true, Some(seed)) = (tally.inconclusive_runs > 0, tally.first_inconclusive) {
        println!("first inconclusive seed: {}", replay_line(seed));
        return ExitCode::from(super::EXIT_INCONCLUSIVE);
    }
    ExitCode::SUCCESS
}
