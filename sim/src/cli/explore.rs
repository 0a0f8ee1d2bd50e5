//! `redsim explore SCENARIO.toml [--mode M]`: every interleaving (exhaustive strategy with
//! partial-order reduction: one interleaving per class of equivalent ones), how many
//! distinct outcomes they give, and every failing one with the command that replays it.
//!
//! Exit status: 0 no failing interleaving and every one decided, 1 some failing one, 2 bad
//! arguments, 3 inconclusive (none failing, but the checker's counted budget ran out on
//! some: not a pass).

use redsim_sim::report::analysis::{results_by_client, Judge};
use redsim_sim::report::capture::compact_reply;
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::Mode;
use redsim_sim::scheduler::{Exhaustive, Scheduler};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    pub scenario: PathBuf,
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// Stop after this many interleavings.
    #[arg(long, default_value_t = 100_000)]
    pub runs_max: u64,
    /// Explore every interleaving, without partial-order reduction.
    #[arg(long)]
    pub naive: bool,
    /// Failing interleavings listed (all are counted).
    #[arg(long, default_value_t = 50)]
    pub show_max: usize,
}

pub fn run(args: Args) -> ExitCode {
    let (scenario, label) = match super::run::prepare(
        &args.scenario,
        args.mode,
        &super::line::StrategyArgs::default(),
        None,
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("redsim explore: {e}");
            return ExitCode::from(2);
        }
    };
    let explored = explore(&scenario, &args);
    print(&explored, &args, &scenario.name, &label, Style::detect());
    if explored.failing_count > 0 {
        ExitCode::from(1)
    } else if explored.inconclusive > 0 {
        ExitCode::from(super::EXIT_INCONCLUSIVE)
    } else {
        ExitCode::SUCCESS
    }
}

/// What the interleavings gave.
#[derive(Default)]
struct Explored {
    /// Interleavings run to the end and judged.
    runs: u64,
    /// Interleavings pruned as equivalent to one already run.
    abandoned: u64,
    /// How many interleavings gave each outcome (results and final state).
    outcomes: BTreeMap<String, u64>,
    /// The first `--show-max` failing interleavings: schedule and findings.
    failing: Vec<(Vec<u32>, Vec<String>)>,
    /// Failing interleavings, all of them.
    failing_count: u64,
    /// Interleavings without an anomaly the checker could not decide.
    inconclusive: u64,
}

/// Runs and judges every interleaving (up to `--runs-max`).
fn explore(scenario: &redsim_sim::scenario::Scenario, args: &Args) -> Explored {
    let judge = Judge::new(scenario);
    let mut world = scenario.clone().trace(false).world(0);
    let mut scheduler = Exhaustive::new(!args.naive);
    let mut found = Explored::default();
    loop {
        world.reset(0);
        let report = world.run(&mut scheduler);
        if report.abandoned {
            found.abandoned += 1;
        } else {
            found.runs += 1;
            let verdict = judge.judge(&mut world);
            let results: Vec<String> = results_by_client(&world.history)
                .iter()
                .map(|r| r.as_ref().map(compact_reply).unwrap_or_else(|| "?".into()))
                .collect();
            let state: Vec<String> = verdict.final_state.iter().map(|s| s.render()).collect();
            *found
                .outcomes
                .entry(format!(
                    "results {} | final {}",
                    results.join(" ; "),
                    state.join(" ")
                ))
                .or_default() += 1;
            found.inconclusive += verdict.is_inconclusive() as u64;
            if verdict.is_anomalous() {
                found.failing_count += 1;
                if found.failing.len() < args.show_max {
                    found
                        .failing
                        .push((world.schedule.clone(), verdict.findings.clone()));
                }
            }
        }
        if found.runs >= args.runs_max || !scheduler.end() {
            return found;
        }
    }
}

/// The counts, the outcomes and the failing interleavings with their replay lines.
fn print(found: &Explored, args: &Args, name: &str, label: &str, style: Style) {
    println!(
        "{}",
        style.bold(&format!(
            "redsim explore: {name} (mode {label}, {})",
            if args.naive {
                "naive"
            } else {
                "partial-order reduction"
            }
        ))
    );
    println!(
        "interleavings explored: {}{}",
        found.runs,
        if found.abandoned > 0 {
            format!(" (+{} pruned as equivalent)", found.abandoned)
        } else {
            String::new()
        }
    );
    println!("distinct outcomes: {}", found.outcomes.len());
    for (outcome, n) in found.outcomes.iter().take(args.show_max) {
        println!("  {n:>6} × {outcome}");
    }
    if found.outcomes.len() > args.show_max {
        println!("  … {} more", found.outcomes.len() - args.show_max);
    }
    let line = format!("failing interleavings: {}", found.failing_count);
    println!(
        "{}",
        if found.failing_count > 0 {
            style.red(&line)
        } else {
            style.green(&line)
        }
    );
    for (schedule, findings) in &found.failing {
        println!("  {}", findings.join("; "));
        // Every interleaving ran with seed 0 (the seed still drives faults and the clock).
        println!(
            "    {}",
            super::line::run_line(
                &args.scenario,
                0,
                args.mode.map(|m| m.name()),
                &redsim_sim::options::Strategy::Replay(schedule.clone()),
            )
        );
    }
    if found.failing_count > found.failing.len() as u64 {
        println!(
            "  … {} more",
            found.failing_count - found.failing.len() as u64
        );
    }
    if found.runs >= args.runs_max {
        println!(
            "{}",
            style.yellow(&format!("stopped at --runs-max {}", args.runs_max))
        );
    }
    if found.inconclusive > 0 {
        println!(
            "{}",
            style.yellow(&format!(
                "inconclusive interleavings: {} (the checker's budget ran out; not a pass)",
                found.inconclusive
            ))
        );
    }
}
