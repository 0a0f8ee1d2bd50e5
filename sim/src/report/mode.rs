//! `--mode`: how a scenario's scripts are sent, and scenario files with their paragraph.
//!
//! `raw`, `eval` and `evalsha` switch every script client of a scenario (other clients
//! are unchanged). `multi` and `watch` name scenarios whose clients are written as MULTI
//! blocks or WATCH retries (`multi-exec.toml`, `watch-retry.toml`): a script cannot be
//! turned into a transaction in general (a transaction cannot use its own reads), so
//! asking for them on a script scenario is refused with that reason.

use crate::scenario::{Program, Scenario, ScriptRun};
use std::path::Path;

/// How a scenario's clients send their work (`--mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Command by command.
    Raw,
    /// As MULTI blocks.
    Multi,
    /// As WATCH-retry transactions.
    Watch,
    /// As EVAL.
    Eval,
    /// As EVALSHA.
    Evalsha,
}

impl Mode {
    /// The mode's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Raw => "raw",
            Mode::Multi => "multi",
            Mode::Watch => "watch",
            Mode::Eval => "eval",
            Mode::Evalsha => "evalsha",
        }
    }
}

/// How the scenario's clients run, as `--mode` would name it.
pub fn mode_of(scenario: &Scenario) -> &'static str {
    for group in &scenario.groups {
        match &group.program {
            Program::Script {
                run: ScriptRun::Raw,
                ..
            } => return "raw",
            Program::Script {
                run: ScriptRun::Eval,
                ..
            } => return "eval",
            Program::Script {
                run: ScriptRun::EvalSha,
                ..
            } => return "evalsha",
            Program::Multi { .. } => return "multi",
            Program::Watch { .. } => return "watch",
            _ => {}
        }
    }
    "commands"
}

/// The scenario in `mode`, or why it cannot run that way.
pub fn apply(scenario: &Scenario, mode: Mode) -> Result<Scenario, String> {
    let has_script = scenario
        .groups
        .iter()
        .any(|g| matches!(g.program, Program::Script { .. }));
    match mode {
        Mode::Raw => Ok(scenario.clone().run_as(ScriptRun::Raw)),
        Mode::Eval => Ok(scenario.clone().run_as(ScriptRun::Eval)),
        Mode::Evalsha => Ok(scenario.clone().run_as(ScriptRun::EvalSha)),
        Mode::Multi | Mode::Watch => {
            let wanted = mode.name();
            if has_script || mode_of(scenario) != wanted {
                Err(format!(
                    "scenario '{}' runs {} clients; --mode {wanted} needs a scenario written with {wanted} clients \
                     (see corpus/scenarios/{}.toml)",
                    scenario.name,
                    mode_of(scenario),
                    if mode == Mode::Multi { "multi-exec" } else { "watch-retry" }
                ))
            } else {
                Ok(scenario.clone())
            }
        }
    }
}

/// The "what you see and why" paragraph of a scenario file (its `description`), with
/// the lines joined.
pub fn description(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: toml::Table = text.parse().ok()?;
    let d = value.get("description")?.as_str()?;
    let words: Vec<&str> = d.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The kind of anomaly a scenario file names (`anomaly = "lost-update"`), if any.
pub(crate) fn anomaly_kind(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: toml::Table = text.parse().ok()?;
    Some(value.get("anomaly")?.as_str()?.to_string())
}

/// Seeds `A..B` (B excluded), `A..=B`, or one seed `N`.
pub fn parse_seeds(text: &str) -> Result<std::ops::Range<u64>, String> {
    let bad = || format!("bad seed range '{text}' (expected A..B or N)");
    if let Some((a, b)) = text.split_once("..=") {
        let (a, b): (u64, u64) = (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        );
        return if a <= b { Ok(a..b + 1) } else { Err(bad()) };
    }
    if let Some((a, b)) = text.split_once("..") {
        let (a, b): (u64, u64) = (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        );
        return if a <= b { Ok(a..b) } else { Err(bad()) };
    }
    let n: u64 = text.trim().parse().map_err(|_| bad())?;
    Ok(n..n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges_parse_half_open_inclusive_and_single() {
        assert_eq!(parse_seeds("0..10"), Ok(0..10));
        assert_eq!(parse_seeds("3..=4"), Ok(3..5));
        assert_eq!(parse_seeds("7"), Ok(7..8));
        assert!(parse_seeds("5..2").is_err());
        assert!(parse_seeds("x").is_err());
    }
}
