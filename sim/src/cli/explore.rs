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
    let style = Style::detect();
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
    let judge = Judge::new(&scenario);
    let mut world = scenario.clone().trace(false).world(0);
    let mut scheduler = Exhaustive::new(!args.naive);
    let mut runs = 0u64;
    let mut abandoned = 0u64;
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut failing: Vec<(Vec<u32>, Vec<String>)> = Vec::new();
    let mut failing_count = 0u64;
    let mut inconclusive = 0u64;
    loop {
        world.reset(0);
        let report = world.run(&mut scheduler);
        if report.abandoned {
            abandoned += 1;
        } else {
            runs += 1;
            let verdict = judge.judge(&mut world);
            let results: Vec<String> = results_by_client(&world.history)
                .iter()
                .map(|r| r.as_ref().map(compact_reply).unwrap_or_else(|| "?".into()))
                .collect();
            let state: Vec<String> = verdict.final_state.iter().map(|s| s.render()).collect();
            *outcomes
                .entry(format!(
                    "results {} | final {}",
                    results.join(" ; "),
                    state.join(" ")
                ))
                .or_default() += 1;
            inconclusive += verdict.is_inconclusive() as u64;
            if verdict.is_anomalous() {
                failing_count += 1;
                if failing.len() < args.show_max {
                    failing.push((world.schedule.clone(), verdict.findings.clone()));
                }
            }
        }
        if runs >= args.runs_max || !scheduler.end() {
            break;
        }
    }
    println!(
        "{}",
        style.bold(&format!(
            "redsim explore: {} (mode {label}, {})",
            scenario.name,
            if args.naive {
                "naive"
            } else {
                "partial-order reduction"
            }
        ))
    );
    println!(
        "interleavings explored: {runs}{}",
        if abandoned > 0 {
            format!(" (+{abandoned} pruned as equivalent)")
        } else {
            String::new()
        }
    );
    println!("distinct outcomes: {}", outcomes.len());
    for (outcome, n) in outcomes.iter().take(args.show_max) {
        println!("  {n:>6} × {outcome}");
    }
    if outcomes.len() > args.show_max {
        println!("  … {} more", outcomes.len() - args.show_max);
    }
    let line = format!("failing interleavings: {failing_count}");
    println!(
        "{}",
        if failing_count > 0 {
            style.red(&line)
        } else {
            style.green(&line)
        }
    );
    for (schedule, findings) in &failing {
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
    if failing_count > failing.len() as u64 {
        println!("  … {} more", failing_count - failing.len() as u64);
    }
    if runs >= args.runs_max {
        println!(
            "{}",
            style.yellow(&format!("stopped at --runs-max {}", args.runs_max))
        );
    }
    if inconclusive > 0 {
        println!(
            "{}",
            style.yellow(&format!(
                "inconclusive interleavings: {inconclusive} (the checker's budget ran out; not a pass)"
            ))
        );
    }
    if failing_count > 0 {
        ExitCode::from(1)
    } else if inconclusive > 0 {
        ExitCode::from(super::EXIT_INCONCLUSIVE)
    } else {
        ExitCode::SUCCESS
    }
}
