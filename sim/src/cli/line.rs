//! The scheduler options `run` and `sweep` share, and the command lines redsim prints to
//! replay a run.
//!
//! A printed replay line must reproduce the run it stands for, byte for byte, wherever
//! the user typed the command: so it names every option that decided the run (the
//! strategy with its PCT parameters, a recorded schedule, the mode when one was asked
//! for) and the scenario by a path relative to the current directory. Faults and every
//! other option come from the scenario file itself.

use redsim_sim::options::Strategy;
use redsim_sim::scenario::Scenario;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StrategyArg {
    Random,
    Pct,
    /// Partial-order reduction; `run` shows the first interleaving (`explore` lists them all).
    Exhaustive,
    ExhaustiveNaive,
}

#[derive(clap::Args, Clone, Debug, Default)]
pub struct StrategyArgs {
    /// The scheduler (default: the scenario's).
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// PCT: the bug depth, d (default: the scenario file's `pct_depth`, else 2).
    #[arg(long)]
    pub pct_depth: Option<u32>,
    /// PCT: the estimated steps of a run, k (default: the scenario file's `pct_steps`,
    /// else 100).
    #[arg(long)]
    pub pct_steps: Option<u32>,
}

impl StrategyArgs {
    /// Sets `scenario`'s strategy (read from the file at `path`) as these flags say.
    pub fn apply(&self, path: &Path, scenario: &mut Scenario) -> Result<(), String> {
        let pct_flags = self.pct_depth.is_some() || self.pct_steps.is_some();
        let pct = match (self.strategy, &scenario.options.strategy) {
            (Some(StrategyArg::Pct), _) => true,
            (None, Strategy::Pct { .. }) => pct_flags,
            _ if pct_flags => {
                return Err("--pct-depth and --pct-steps need --strategy pct".into());
            }
            _ => false,
        };
        scenario.options.strategy = match self.strategy {
            _ if pct => {
                let (depth, steps) = redsim_sim::scenario::toml::pct_settings(path)?;
                Strategy::Pct {
                    depth: self.pct_depth.unwrap_or(depth),
                    steps_hint: self.pct_steps.unwrap_or(steps),
                }
            }
            Some(StrategyArg::Random) => Strategy::Random,
            Some(StrategyArg::Exhaustive) => Strategy::Exhaustive { reduce: true },
            Some(StrategyArg::ExhaustiveNaive) => Strategy::Exhaustive { reduce: false },
            _ => return Ok(()),
        };
        Ok(())
    }
}

/// The flags that select `strategy` on `redsim run`.
pub fn strategy_flags(strategy: &Strategy) -> String {
    match strategy {
        Strategy::Random => "--strategy random".into(),
        Strategy::Pct { depth, steps_hint } => {
            format!("--strategy pct --pct-depth {depth} --pct-steps {steps_hint}")
        }
        Strategy::Exhaustive { reduce: true } => "--strategy exhaustive".into(),
        Strategy::Exhaustive { reduce: false } => "--strategy exhaustive-naive".into(),
        Strategy::Replay(schedule) => format!("--schedule {}", schedule_text(schedule)),
    }
}

/// `0,1,1,0`.
pub fn schedule_text(schedule: &[u32]) -> String {
    let s: Vec<String> = schedule.iter().map(u32::to_string).collect();
    s.join(",")
}

/// The `redsim run` line that reproduces seed `seed` of the scenario at `path` run with
/// `strategy` (`mode`: the `--mode` asked for, if any).
pub fn run_line(path: &Path, seed: u64, mode: Option<&str>, strategy: &Strategy) -> String {
    let mut line = format!("redsim run {} --seed {seed}", shown_path(path));
    if let Some(m) = mode {
        line += &format!(" --mode {m}");
    }
    line + " " + &strategy_flags(strategy)
}

/// `path` as a command typed in the current directory should name it: a relative path is
/// kept as given (it is relative to here already); an absolute one (the demo's scenario
/// found in the source tree) is made relative to here. Quoted for a POSIX shell if needed.
pub fn shown_path(path: &Path) -> String {
    let relative = if path.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| redsim_sim::replay::relative_to(path, &cwd))
            .unwrap_or_else(|| path.to_path_buf())
    } else {
        path.to_path_buf()
    };
    shell_word(&relative.to_string_lossy())
}

/// [`run_line`] for a report that may be read on another machine: a scenario inside this
/// source tree is named by its place in the tree (`corpus/scenarios/…`, run from a
/// checkout), never by the absolute path of the machine that built redsim.
pub fn run_line_for_report(
    path: &Path,
    seed: u64,
    mode: Option<&str>,
    strategy: &Strategy,
) -> String {
    run_line(Path::new(&report_path(path)), seed, mode, strategy)
}

/// `path` for a report: relative to the source tree's root when it lies in the tree, else
/// as the user typed it (relative), else its file name alone.
pub fn report_path(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if let (Ok(root), Ok(full)) = (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        if let Ok(inside) = full.strip_prefix(&root) {
            return inside.to_string_lossy().into_owned();
        }
    }
    if path.is_relative() {
        return path.to_string_lossy().into_owned();
    }
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What the report says under a shrunk run: how far it shrank, and the line that finds it
/// again (`record`: the line is `redsim run`'s, whose `--record` keeps it as a file).
pub fn shrunk_line(replay: &str, shrunk: &redsim_sim::shrink::Shrunk, record: bool) -> String {
    if record {
        format!(
            "{}\n{replay} --record corpus/seeds   # saves this shrunk run; `redsim replay FILE` runs it",
            shrunk.headline()
        )
    } else {
        format!(
            "{}\n{replay}   # shows the run as found, then shrinks it",
            shrunk.headline()
        )
    }
}

pub use redsim_sim::report::present::shell_word;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_paths_are_quoted_for_the_shell() {
        assert_eq!(shell_word("corpus/a-b.toml"), "corpus/a-b.toml");
        assert_eq!(shell_word("my dir/it's.toml"), r"'my dir/it'\''s.toml'");
    }

    #[test]
    fn every_strategy_is_named_with_its_parameters() {
        let line = run_line(
            Path::new("s.toml"),
            7,
            Some("raw"),
            &Strategy::Pct {
                depth: 3,
                steps_hint: 40,
            },
        );
        assert_eq!(
            line,
            "redsim run s.toml --seed 7 --mode raw --strategy pct --pct-depth 3 --pct-steps 40"
        );
        assert!(strategy_flags(&Strategy::Replay(vec![0, 1, 1])).ends_with("--schedule 0,1,1"));
    }
}
