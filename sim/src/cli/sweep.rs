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
use redsim_sim::coverage::Reached;
use redsim_sim::report::analysis::Judge;
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{parse_seeds, Mode};
use redsim_sim::report::summary::{self, Tally};
use redsim_sim::report::{coverage, html};
use redsim_sim::swarm::guided::{self, Choice};
use redsim_sim::swarm::SwarmTally;
use std::collections::BTreeMap;
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
    /// With --swarm: prefer the swarm choices whose runs reached new coverage (one job,
    /// no --shard); each failure's replay line names its choice (--swarm-choice).
    #[arg(long, requires = "swarm")]
    pub guided: bool,
    /// With --swarm: write the summary and the coverage growth plot here (HTML).
    #[arg(long, requires = "swarm")]
    pub html: Option<PathBuf>,
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

/// The seeds of one shard, run on `jobs` threads.
struct Work<'a> {
    scenario: &'a redsim_sim::scenario::Scenario,
    judge: &'a Judge,
    label: &'a str,
    seeds: std::ops::Range<u64>,
    /// This shard, of how many.
    shard: (u64, u64),
    jobs: u64,
    swarm: bool,
    /// Coverage-guided swarm choices (one job, the whole range).
    guided: bool,
}

/// What a sweep's jobs found.
struct Found {
    all: SwarmTally,
    /// Coverage reached after each run: in seed order, or (guided) in run order.
    growth: Vec<usize>,
    /// The swarm choice behind each failure of a guided sweep.
    choices: BTreeMap<u64, Choice>,
}

/// One job's share: its tally, each run's features by seed (guided: the growth), the
/// guided failures' choices.
type JobResult = (SwarmTally, Vec<(u64, Vec<u64>)>, Vec<(u64, Choice)>);

impl Work<'_> {
    /// Every seed of the shard run and judged, counted, with a progress bar.
    fn run(&self) -> Found {
        let (start, (shard, shards), jobs) = (self.seeds.start, self.shard, self.jobs);
        let mine = move |s: &u64| (s - start) % shards == shard;
        let total = self.seeds.clone().filter(mine).count() as u64;
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} seeds  {per_sec}  eta {eta}  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let results: Vec<JobResult> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..jobs)
                .map(|job| {
                    let bar = bar.clone();
                    let my_seeds = self
                        .seeds
                        .clone()
                        .filter(mine)
                        .enumerate()
                        .filter(move |(k, _)| *k as u64 % jobs == job)
                        .map(|(_, s)| s);
                    scope.spawn(move || self.run_job(my_seeds, || bar.inc(1)))
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        bar.finish_and_clear();
        let mut all = SwarmTally {
            tally: Tally::new(self.label),
            ..SwarmTally::default()
        };
        for (t, _, _) in &results {
            all.merge(t);
        }
        let growth = if self.guided {
            // Counted while it ran, in run order.
            results
                .iter()
                .flat_map(|(_, f, _)| f.iter().map(|(_, n)| n[0] as usize))
                .collect()
        } else {
            let mut by_seed: Vec<&(u64, Vec<u64>)> =
                results.iter().flat_map(|(_, f, _)| f.iter()).collect();
            by_seed.sort_by_key(|(seed, _)| *seed);
            let mut reached = Reached::default();
            for (_, features) in by_seed {
                reached.add(features.iter().copied());
            }
            reached.growth
        };
        let choices = results
            .iter()
            .flat_map(|(_, _, c)| c.iter().cloned())
            .collect();
        Found {
            all,
            growth,
            choices,
        }
    }

    /// One thread's seeds (guided: the whole range, on the one job).
    fn run_job(&self, seeds: impl Iterator<Item = u64>, tick: impl Fn()) -> JobResult {
        let (scenario, judge, label) = (self.scenario, self.judge, self.label);
        if self.guided {
            let g = guided::run_guided(scenario, label, self.seeds.clone(), |_| tick());
            let growth = g.reached.growth.iter().map(|&n| (0, vec![n as u64]));
            return (g.tally, growth.collect(), g.failing);
        }
        if self.swarm {
            let mut features = Vec::new();
            let tally =
                redsim_sim::swarm::run_seeds_with(scenario, label, seeds, |seed, _, world| {
                    features.push((seed, world.coverage.features().collect()));
                    tick()
                });
            return (tally, features, Vec::new());
        }
        let tally = SwarmTally {
            tally: summary::run_seeds_with(scenario, judge, label, seeds, |_| tick()),
            ..SwarmTally::default()
        };
        (tally, Vec::new(), Vec::new())
    }
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
    if args.guided && shards != 1 {
        return fail("--guided runs the whole range in one job: no --shard".into());
    }
    let jobs = if args.guided {
        1
    } else {
        args.jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1) as u64
    };
    let judge = if args.swarm {
        Judge::for_swarm(&scenario)
    } else {
        Judge::new(&scenario)
    };
    let swarm = args.swarm;
    let work = Work {
        scenario: &scenario,
        judge: &judge,
        label: &label,
        seeds: seeds.clone(),
        shard: (shard, shards),
        jobs,
        swarm,
        guided: args.guided,
    };
    let Found {
        all,
        growth,
        choices,
    } = work.run();
    let guided = args.guided;
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
    let mut swarm_text = String::new();
    if swarm {
        swarm_text = all.render();
        swarm_text += &format!(
            "coverage: {} features after {} runs{}\n",
            growth.last().copied().unwrap_or(0),
            growth.len(),
            if guided { " (guided)" } else { "" }
        );
        print!("{swarm_text}");
    }
    if let Some(path) = &args.html {
        let name = if guided { "guided swarm" } else { "swarm" };
        let text = summary::render(&title, &seeds, std::slice::from_ref(&tally), Style::PLAIN);
        let page = coverage::sweep_page(&title, &(text + &swarm_text), &[(name, &growth)]);
        match html::write(path, &page) {
            Ok(()) => println!("HTML report: {}", path.display()),
            Err(e) => eprintln!("redsim sweep: cannot write {}: {e}", path.display()),
        }
    }
    let replay_line = |seed: u64| {
        let line = super::line::run_line(
            &args.scenario,
            seed,
            args.mode.map(|m| m.name()),
            &scenario.options.strategy,
        );
        match choices.get(&seed) {
            Some(choice) => format!("{line} --swarm --swarm-choice {choice}"),
            None if swarm => line + " --swarm",
            None => line,
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
