//! `redsim trace --seed N SCENARIO.toml` (hidden): runs one seed of a scenario and prints
//! the options line, the per-command trace, the schedule and the history. Two processes
//! given the same arguments print the same bytes; the determinism tests rely on it.

use redsim_sim::options::Strategy;
use redsim_sim::scenario::toml::load;
use redsim_sim::trace::render_history;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The run's seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Replay this schedule (comma-separated client indices) instead of the scenario's strategy.
    #[arg(long)]
    pub schedule: Option<String>,
    /// The scenario file (corpus/scenarios/*.toml).
    pub scenario: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let mut scenario = match load(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("redsim trace: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(schedule) = &args.schedule {
        let parsed: Result<Vec<u32>, _> = schedule
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect();
        match parsed {
            Ok(s) => scenario.options.strategy = Strategy::Replay(s),
            Err(e) => {
                eprintln!("redsim trace: bad --schedule: {e}");
                return ExitCode::from(2);
            }
        }
    }
    scenario.options.trace = true;
    let mut world = scenario.world(args.seed);
    println!("scenario={} {}", scenario.name, world.options);
    let report = world.run_seed(args.seed);
    print!("{}", world.trace.render());
    let schedule: Vec<String> = world.schedule.iter().map(u32::to_string).collect();
    println!("schedule: {}", schedule.join(","));
    print!("{}", render_history(&world.history));
    match scenario.check(&world) {
        Ok(()) => println!(
            "invariants: ok (steps={}, crashes={})",
            report.steps, report.crashes
        ),
        Err(e) => println!("invariants: VIOLATED: {e}"),
    }
    ExitCode::SUCCESS
}
