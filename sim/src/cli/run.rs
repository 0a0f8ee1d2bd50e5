//! `redsim run SCENARIO.toml [--seed N | --seeds A..B] [--strategy …] [--mode …]
//! [--html FILE] [--json FILE] [--schedule 0,1,…]`: one seed shown as the interleaving
//! table (the command the demo prints to replay a run), or many seeds counted.
//!
//! A shown run that fails is then shrunk (`redsim_sim::shrink`): the size before and
//! after, and the shrunk run's table, follow the original's; `--record DIR` saves the
//! shrunk run, and `--json FILE` holds it under `shrunk` (`--no-shrink`: the run as found).
//!
//! Exit status: 0 no anomaly and every run decided, 1 an anomaly was found, 2 bad
//! arguments or scenario, 3 inconclusive (no anomaly, but some run's check ran out of its
//! counted budget: not a pass; see `super::EXIT_INCONCLUSIVE`).

use super::line::{run_line, shown_path, StrategyArgs};
use redsim_sim::report::analysis::Judge;
use redsim_sim::report::capture::{capture, with_schedule, Capture};
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, parse_seeds, Mode};
use redsim_sim::report::{html, present, summary};
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
use redsim_sim::trace::render_history;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (corpus/scenarios/*.toml).
    pub scenario: PathBuf,
    /// One seed, shown command by command.
    #[arg(long, conflicts_with = "seeds")]
    pub seed: Option<u64>,
    /// Many seeds, `A..B`: counted, the first failing one shown.
    #[arg(long)]
    pub seeds: Option<String>,
    #[command(flatten)]
    pub strategy: StrategyArgs,
    /// How scripts are sent (default: as the scenario says).
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// Replay this schedule (client indices, comma-separated) instead of the strategy.
    #[arg(long)]
    pub schedule: Option<String>,
    /// Write the HTML report of the shown run here.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Write the shown run as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// If the shown run is anomalous, save it as a replay file in this folder
    /// (`corpus/seeds/`); `redsim replay FILE` runs it again.
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Do not shrink a failing run.
    #[arg(long)]
    pub no_shrink: bool,
    /// The faults and clients swarm testing draws for `--seed` (as `redsim sweep --swarm`
    /// ran it) instead of the scenario's.
    #[arg(long, requires = "seed", conflicts_with = "record")]
    pub swarm: bool,
    /// With --swarm: the swarm choice a guided sweep made (`D/K:S…`, as its replay line
    /// gives it) instead of the one --seed draws.
    #[arg(long, requires = "swarm")]
    pub swarm_choice: Option<String>,
}

/// The scenario with `--mode`, `--strategy` and `--schedule` applied.
pub fn prepare(
    path: &std::path::Path,
    mode: Option<Mode>,
    strategy: &StrategyArgs,
    schedule: Option<&str>,
) -> Result<(Scenario, String), String> {
    let mut scenario = load(path)?;
    let label = match mode {
        Some(m) => {
            scenario = mode::apply(&scenario, m)?;
            m.name().to_string()
        }
        None => mode::mode_of(&scenario).to_string(),
    };
    strategy.apply(path, &mut scenario)?;
    if let Some(schedule) = schedule {
        let parsed: Result<Vec<u32>, _> = schedule
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect();
        scenario = with_schedule(
            &scenario,
            parsed.map_err(|e| format!("bad --schedule: {e}"))?,
        );
    }
    Ok((scenario, label))
}

pub fn json(capture: &Capture) -> serde_json::Value {
    let v = &capture.verdict;
    serde_json::json!({
        "scenario": capture.scenario,
        "mode": capture.mode,
        "seed": capture.seed,
        "options": capture.options,
        "schedule": capture.schedule,
        "verdict": {
            "anomalous": v.is_anomalous(),
            "not_linearizable": v.not_linearizable,
            "lost_update": v.lost_update,
            "counter_differs_from_cardinality": v.mismatch,
            "torn_state": v.torn_state,
            "inconclusive": v.inconclusive,
            "partial_effects": v.partial_effects,
            "duplicate_effect": v.duplicate_effect,
            "lost_write": v.lost_write,
            "errors": v.errors,
            "violating_ops": v.violating,
            "findings": v.findings,
        },
        "rows": capture.rows.iter().map(|r| serde_json::json!({
            "step": r.step, "time_us": r.time_us, "client": r.client, "command": r.command,
            "reply": r.reply, "crash": r.crash, "op": r.op, "state": r.state,
        })).collect::<Vec<_>>(),
        "history": render_history(&capture.history).lines().collect::<Vec<_>>(),
    })
}

/// Shrinks the failing run `shown` of `scenario` and prints the size before and after and
/// the shrunk run's text; the shrunk run and its capture, or `None` if it cannot shrink.
pub fn shrink_and_show(
    scenario: &Scenario,
    shown: &Capture,
    style: Style,
) -> Option<(redsim_sim::shrink::Shrunk, Capture)> {
    let started = std::time::Instant::now();
    match redsim_sim::shrink::shrink_run(scenario, shown.seed, &shown.schedule) {
        Ok(shrunk) => {
            let shrunk_capture = shrunk.capture(&shown.mode);
            println!("\n{}", style.bold(&shrunk.headline()));
            println!(
                "{}",
                style.dim(&format!(
                    "(shrinking took {:.2} s)",
                    started.elapsed().as_secs_f64()
                ))
            );
            if shrunk.after.smaller_than(&shrunk.before) {
                println!();
                print!("{}", present::run_text(&shrunk_capture, style));
            }
            Some((shrunk, shrunk_capture))
        }
        Err(e) => {
            println!("\nShrinking: {e}");
            None
        }
    }
}

pub fn run(args: Args) -> ExitCode {
    let style = Style::detect();
    let (mut scenario, label) = match prepare(
        &args.scenario,
        args.mode,
        &args.strategy,
        args.schedule.as_deref(),
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("redsim run: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(text) = mode::description(&args.scenario) {
        println!("{}", present::wrap(&text, 100));
    }
    if let (true, Some(seed)) = (args.swarm, args.seed) {
        let drawn = match &args.swarm_choice {
            Some(text) => match text.parse::<redsim_sim::swarm::guided::Choice>() {
                Ok(choice) => redsim_sim::swarm::guided::scenario_for_choice(&scenario, &choice),
                Err(e) => {
                    eprintln!("redsim run: {e}");
                    return ExitCode::from(2);
                }
            },
            None => redsim_sim::swarm::scenario_for(&scenario, seed),
        };
        println!(
            "swarm run of seed {seed}: {} ({})\n",
            redsim_sim::swarm::full_combination(&scenario, &drawn),
            drawn.options.faults
        );
        scenario = drawn;
    }
    let judge = if args.swarm {
        Judge::for_swarm(&scenario)
    } else {
        Judge::new(&scenario)
    };
    let mut anomalous = false;
    let mut inconclusive = false;
    let seed = match &args.seeds {
        Some(range) => {
            let seeds = match parse_seeds(range) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("redsim run: {e}");
                    return ExitCode::from(2);
                }
            };
            let tally = summary::run_seeds(&scenario, &judge, &label, seeds.clone());
            print!(
                "{}",
                summary::render(
                    &format!("redsim run: {}", scenario.name),
                    &seeds,
                    std::slice::from_ref(&tally),
                    style
                )
            );
            println!();
            anomalous = tally.anomalous() > 0;
            inconclusive = tally.inconclusive_runs > 0;
            // The run to show: the first failing, else the first undecided one.
            tally
                .failing
                .first()
                .copied()
                .or(tally.first_inconclusive)
                .unwrap_or(seeds.start)
        }
        None => args.seed.unwrap_or(0),
    };
    let shown = capture(&scenario, &judge, seed, &label);
    anomalous |= shown.verdict.is_anomalous();
    inconclusive |= shown.verdict.is_inconclusive();
    print!("{}", present::run_text(&shown, style));
    let mut replay = run_line(
        &args.scenario,
        seed,
        args.mode.map(|m| m.name()),
        &scenario.options.strategy,
    );
    if args.swarm {
        replay += " --swarm";
    }
    if let Some(choice) = &args.swarm_choice {
        replay += &format!(" --swarm-choice {choice}");
    }
    println!("\nReplay: {replay}");
    // The report may be opened on another machine: its line names the scenario by its
    // place in the source tree when it is there, never by this machine's absolute path.
    let replay_html = super::line::run_line_for_report(
        &args.scenario,
        seed,
        args.mode.map(|m| m.name()),
        &scenario.options.strategy,
    );
    let shrunk = if shown.verdict.is_anomalous() && !args.no_shrink {
        shrink_and_show(&scenario, &shown, style)
    } else {
        None
    };
    if let (Some(dir), true) = (&args.record, shown.verdict.is_anomalous()) {
        let file = match &shrunk {
            Some((s, c)) => {
                redsim_sim::replay::for_scenario_file(c, &args.scenario, dir).with_shrunk(s)
            }
            None => redsim_sim::replay::for_scenario_file(&shown, &args.scenario, dir),
        };
        match file.save(dir) {
            Ok(path) => println!(
                "Replay file: {} (redsim replay {})",
                path.display(),
                shown_path(&path)
            ),
            Err(e) => {
                eprintln!(
                    "redsim run: cannot write a replay file into {}: {e}",
                    dir.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    if let Some(path) = &args.html {
        // The shrunk run first, the run as found behind a fold.
        let shrunk_shown = shrunk
            .as_ref()
            .filter(|(s, _)| s.after.smaller_than(&s.before))
            .map(|(s, c)| (c, super::line::shrunk_line(&replay_html, s, true)));
        let page = html::report(
            &format!("redsim: {} (seed {seed})", scenario.name),
            Some(&args.scenario),
            &mode::description(&args.scenario).unwrap_or_default(),
            shrunk_shown,
            &[(&shown, replay_html.clone())],
        );
        if let Err(e) = html::write(path, &page) {
            eprintln!("redsim run: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("HTML report: {}", path.display());
    }
    if let Some(path) = &args.json {
        let mut value = json(&shown);
        if let Some((s, c)) = &shrunk {
            // The shrunk run in the same shape, with what was cut and the sizes.
            let mut small = json(c);
            small["from"] = s.before.to_string().into();
            small["to"] = s.after.to_string().into();
            small["cut"] = s.cut.to_toml().into();
            value["shrunk"] = small;
        }
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        if let Err(e) = html::write(path, &text) {
            eprintln!("redsim run: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("JSON: {}", path.display());
    }
    if anomalous {
        ExitCode::from(1)
    } else if inconclusive {
        ExitCode::from(super::EXIT_INCONCLUSIVE)
    } else {
        ExitCode::SUCCESS
    }
}
