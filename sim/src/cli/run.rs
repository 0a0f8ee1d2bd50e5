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

use super::line::{run_line, run_line_for_report, StrategyArgs};
use super::pipeline::report::{report, HtmlSpec, Line, ShrinkText, Spec};
use super::pipeline::{self, Judging, Outcome, Seeds};
use redsim_sim::report::capture::with_schedule;
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, parse_seeds, Mode};
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
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

pub fn run(args: Args) -> ExitCode {
    let fail = |e: String| {
        eprintln!("redsim run: {e}");
        ExitCode::from(2)
    };
    // Step options: the scenario as the flags say, with the swarm's faults for --seed.
    let (scenario, label) = match prepare(
        &args.scenario,
        args.mode,
        &args.strategy,
        args.schedule.as_deref(),
    ) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let swarm = args.seed.filter(|_| args.swarm);
    let judging = if args.swarm {
        Judging::Swarm
    } else {
        Judging::Scenario
    };
    // The swarm's draw for --seed: its faults and clients, or the choice a guided sweep made.
    let base = scenario.clone();
    let scenario = match (swarm, &args.swarm_choice) {
        (Some(_), Some(text)) => match text.parse::<redsim_sim::swarm::guided::Choice>() {
            Ok(choice) => redsim_sim::swarm::guided::scenario_for_choice(&scenario, &choice),
            Err(e) => return fail(e.to_string()),
        },
        (Some(seed), None) => redsim_sim::swarm::scenario_for(&scenario, seed),
        (None, _) => scenario,
    };
    let variants = pipeline::options(vec![(label, scenario)], judging);
    let scenario = &variants[0].scenario;
    let seeds = match &args.seeds {
        Some(range) => match parse_seeds(range) {
            Ok(seeds) => Seeds::Range {
                seeds,
                or_inconclusive: true,
            },
            Err(e) => return fail(e),
        },
        None => Seeds::One(args.seed.unwrap_or(0)),
    };
    // Steps seed, run, check, shrink.
    let outcome = Outcome::find(&variants, seeds, !args.no_shrink);
    let seed = outcome.chosen.seed;
    // Step report.
    let intro = mode::description(&args.scenario);
    let mut preamble: Vec<Line> = intro.clone().map(Line::Intro).into_iter().collect();
    if let Some(seed) = swarm {
        preamble.push(Line::Plain(format!(
            "swarm run of seed {seed}: {} ({})\n",
            redsim_sim::swarm::full_combination(&base, scenario),
            scenario.options.faults
        )));
    }
    if outcome.chosen.range.is_some() {
        preamble.push(Line::Summary(format!("redsim run: {}", scenario.name)));
        preamble.push(Line::Plain(String::new()));
    }
    let mode = args.mode.map(|m| m.name());
    let mut replay = run_line(&args.scenario, seed, mode, &scenario.options.strategy);
    if args.swarm {
        replay += " --swarm";
    }
    if let Some(choice) = &args.swarm_choice {
        replay += &format!(" --swarm-choice {choice}");
    }
    // The report may be opened on another machine: its line names the scenario by its
    // place in the source tree when it is there, never by this machine's absolute path.
    let replay_html = run_line_for_report(&args.scenario, seed, mode, &scenario.options.strategy);
    let spec = Spec {
        command: "redsim run",
        preamble,
        replay,
        replay_label: "Replay: ",
        replay_bold: false,
        replay_html: vec![replay_html],
        shrink_text: ShrinkText::Full,
        shrunk_line_records: true,
        record: args.record.clone().map(|dir| (dir, args.scenario.clone())),
        html: args.html.clone().map(|path| HtmlSpec {
            path,
            title: format!("redsim: {} (seed {seed})", scenario.name),
            scenario_file: Some(args.scenario.clone()),
            intro: intro.unwrap_or_default(),
            label: "HTML report: ",
            required: true,
        }),
        json: args.json.clone(),
    };
    if report(&outcome, &spec, Style::detect()).is_err() {
        return ExitCode::from(2);
    }
    if outcome.anomalous() {
        ExitCode::from(1)
    } else if outcome.inconclusive() {
        ExitCode::from(super::EXIT_INCONCLUSIVE)
    } else {
        ExitCode::SUCCESS
    }
}
