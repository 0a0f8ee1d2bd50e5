//! Replay files: one failing (or any) run saved as a small TOML file a person can read —
//! the seed, the options, the scenario (a path or the scenario's TOML inline), the mode,
//! the schedule the scheduler chose, and the verdict — so that `redsim replay FILE`
//! reproduces the run exactly and prints the same table, and the regression corpus
//! (`corpus/seeds/`) can assert that the verdict has not changed.
//!
//! ```toml
//! # redsim replay file: `redsim replay THIS_FILE` reproduces the run.
//! format = "redsim-replay/1"
//! name = "counter-race"
//! seed = 3
//! mode = "raw"
//! options = "seed=3 strategy=random command_cost_us=1 …"   # as the run printed them
//! scenario = "../scenarios/counter-race.toml"   # relative to this file
//! # or: scenario_toml = """…"""                 # the scenario inline (script paths relative to this file)
//! schedule = [0, 1, 1, 2, 0]                    # the client the server served at each step
//! table = '''…'''                               # the run's text, for people (not read back)
//!
//! [verdict]
//! anomalous = true
//! linearizable = "no"                           # yes | no | undecided
//! lost_update = false
//! mismatch = true
//! torn_state = false
//! errors = 0
//! findings = ["…"]
//!
//! [shrunk]                                      # only for a shrunk run (see `crate::shrink`)
//! from = "3 clients / 3 ops / 12 commands / 2 preemptions"
//! to = "2 clients / 2 ops / 8 commands / 1 preemption"
//! kind = "not linearizable"
//! groups = [{ clients = 2, ops = 1 }]            # the scenario's client groups, cut
//! original_schedule = [0, 1, 2, 1, …]           # the run before shrinking
//! ```
//!
//! A shrunk run is stored as the scenario it came from plus the cut (`[shrunk] groups`)
//! and the shrunk schedule (`schedule`), so the file still names the scenario and shows
//! what was removed; `redsim replay` runs the shrunk run and prints its table.
//!
//! The run is reproduced by running the scenario with the seed and `Strategy::Replay` of
//! the schedule: the simulator is deterministic given the seed (the clock, the fault and
//! engine random streams) and the schedule (the scheduler's only output), so the replay
//! is the recorded run. The `options` line is informational; the scenario decides them.

use crate::report::analysis::{Judge, Verdict};
use crate::report::capture::{capture, with_schedule, Capture};
use crate::report::colour::Style;
use crate::report::mode::{self, Mode};
use crate::report::present;
use crate::scenario::Scenario;
use crate::shrink::{Cut, GroupCut, Shrunk};
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};

pub(crate) const FORMAT: &str = "redsim-replay/1";

/// Where the replayed run's scenario comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioSource {
    /// A scenario file; relative paths are relative to the replay file's folder.
    Path(PathBuf),
    /// The scenario's TOML text; its script paths are relative to the replay file's folder.
    Inline(String),
}

/// The verdict as recorded: what the corpus test compares.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedVerdict {
    /// The run was anomalous.
    pub anomalous: bool,
    /// `yes`, `no` or `undecided` (the checker does not decide every scenario).
    pub linearizable: String,
    /// A lost update was found.
    pub lost_update: bool,
    /// Result fields disagreed under an invariant.
    pub mismatch: bool,
    /// The final state was torn.
    pub torn_state: bool,
    /// Operations that replied with an error.
    pub errors: u32,
    /// The findings, one line each.
    #[serde(default)]
    pub findings: Vec<String>,
}

impl RecordedVerdict {
    /// The record of verdict `v`.
    pub fn of(v: &Verdict) -> RecordedVerdict {
        RecordedVerdict {
            anomalous: v.is_anomalous(),
            linearizable: match v.not_linearizable {
                Some(true) => "no",
                Some(false) => "yes",
                None => "undecided",
            }
            .into(),
            lost_update: v.lost_update,
            mismatch: v.mismatch,
            torn_state: v.torn_state,
            errors: v.errors,
            findings: v.findings.clone(),
        }
    }
}

/// How a saved shrunk run was obtained from the scenario's run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShrunkRecord {
    /// The size before shrinking, as `Size` prints it.
    pub from: String,
    /// The size after.
    pub to: String,
    /// The kind of failure kept.
    pub kind: String,
    /// Applied to the scenario (in the file's mode) before the schedule.
    pub cut: Cut,
    /// The schedule of the run before shrinking (the scenario uncut).
    pub original_schedule: Vec<u32>,
}

impl ShrunkRecord {
    /// The record of a shrunk run.
    pub fn of(shrunk: &Shrunk) -> ShrunkRecord {
        ShrunkRecord {
            from: shrunk.before.to_string(),
            to: shrunk.after.to_string(),
            kind: shrunk.kind.to_string(),
            cut: shrunk.cut.clone(),
            original_schedule: shrunk.original_schedule.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShrunkText {
    from: String,
    to: String,
    kind: String,
    groups: Vec<GroupCut>,
    original_schedule: Vec<u32>,
}

/// One saved run.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayFile {
    /// The run's name.
    pub name: String,
    /// The seed.
    pub seed: u64,
    /// `raw`, `eval`, `evalsha`, `multi`, `watch`, or `commands` (the scenario as written).
    pub mode: String,
    /// The options line of the run.
    pub options: String,
    /// The scenario: a file or its text.
    pub scenario: ScenarioSource,
    /// The schedule the run followed.
    pub schedule: Vec<u32>,
    /// The run's text as `redsim run` printed it (plain), kept for people and so that a
    /// changed verdict can be shown next to the recorded table; not used to replay.
    pub table: Option<String>,
    /// The verdict when it was saved.
    pub verdict: RecordedVerdict,
    /// Set when the run is a shrunk one: the cut applied to the scenario.
    pub shrunk: Option<ShrunkRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    format: String,
    name: String,
    seed: u64,
    mode: String,
    #[serde(default)]
    options: String,
    scenario: Option<String>,
    scenario_toml: Option<String>,
    schedule: Vec<u32>,
    table: Option<String>,
    verdict: RecordedVerdict,
    shrunk: Option<ShrunkText>,
}

/// A TOML basic string (quoted and escaped).
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

impl ReplayFile {
    /// The file for a captured run of the scenario from `scenario`.
    pub(crate) fn from_capture(capture: &Capture, scenario: ScenarioSource) -> ReplayFile {
        ReplayFile {
            name: capture.scenario.clone(),
            seed: capture.seed,
            mode: capture.mode.clone(),
            options: capture.options.clone(),
            scenario,
            schedule: capture.schedule.clone(),
            table: Some(present::run_text(capture, Style::PLAIN)),
            verdict: RecordedVerdict::of(&capture.verdict),
            shrunk: None,
        }
    }

    /// The same file for a shrunk run: `self` was made from the capture of the shrunk run
    /// (`Shrunk::capture`), and the scenario source names the original scenario.
    pub fn with_shrunk(mut self, shrunk: &Shrunk) -> ReplayFile {
        self.shrunk = Some(ShrunkRecord::of(shrunk));
        self
    }

    /// The file's text: one field a line, the schedule on one line.
    pub fn to_toml(&self) -> String {
        let v = &self.verdict;
        let mut out = String::new();
        out.push_str("# redsim replay file: `redsim replay THIS_FILE` reproduces the run and prints its table.\n");
        out.push_str(&format!("format = {}\n", quote(FORMAT)));
        out.push_str(&format!("name = {}\n", quote(&self.name)));
        out.push_str(&format!("seed = {}\n", self.seed));
        out.push_str(&format!("mode = {}\n", quote(&self.mode)));
        out.push_str(&format!("options = {}\n", quote(&self.options)));
        match &self.scenario {
            ScenarioSource::Path(p) => {
                out.push_str("# The scenario file, relative to this file.\n");
                out.push_str(&format!("scenario = {}\n", quote(&p.to_string_lossy())));
            }
            ScenarioSource::Inline(text) => {
                out.push_str("# The scenario inline; script paths are relative to this file.\n");
                out.push_str(&format!("scenario_toml = {}\n", quote(text)));
            }
        }
        let steps: Vec<String> = self.schedule.iter().map(u32::to_string).collect();
        out.push_str(&format!(
            "# The client served at each of the {} steps.\n",
            steps.len()
        ));
        out.push_str(&format!("schedule = [{}]\n", steps.join(", ")));
        if let Some(table) = &self.table {
            out.push_str(
                "# The run as `redsim run` showed it (for people; the replay does not read it).\n",
            );
            let literal_ok =
                !table.contains("'''") && !table.chars().any(|c| c.is_control() && c != '\n');
            if literal_ok {
                out.push_str(&format!("table = '''\n{table}'''\n"));
            } else {
                out.push_str(&format!("table = {}\n", quote(table)));
            }
        }
        out.push_str("\n[verdict]\n");
        out.push_str(&format!("anomalous = {}\n", v.anomalous));
        out.push_str(&format!("linearizable = {}\n", quote(&v.linearizable)));
        out.push_str(&format!("lost_update = {}\n", v.lost_update));
        out.push_str(&format!("mismatch = {}\n", v.mismatch));
        out.push_str(&format!("torn_state = {}\n", v.torn_state));
        out.push_str(&format!("errors = {}\n", v.errors));
        let findings: Vec<String> = v.findings.iter().map(|f| quote(f)).collect();
        out.push_str(&format!("findings = [{}]\n", findings.join(", ")));
        if let Some(sh) = &self.shrunk {
            out.push_str(
                "\n# The run above is shrunk: the scenario's client groups cut as `groups` says,\n",
            );
            out.push_str("# following `schedule`. The run it was shrunk from followed `original_schedule`.\n");
            out.push_str("[shrunk]\n");
            out.push_str(&format!("from = {}\n", quote(&sh.from)));
            out.push_str(&format!("to = {}\n", quote(&sh.to)));
            out.push_str(&format!("kind = {}\n", quote(&sh.kind)));
            out.push_str(&format!("groups = {}\n", sh.cut.to_toml()));
            let steps: Vec<String> = sh.original_schedule.iter().map(u32::to_string).collect();
            out.push_str(&format!("original_schedule = [{}]\n", steps.join(", ")));
        }
        out
    }

    /// Reads a replay file's text.
    pub fn parse(text: &str) -> Result<ReplayFile, String> {
        let f: FileText = toml::from_str(text).map_err(|e| e.to_string())?;
        if f.format != FORMAT {
            return Err(format!("format '{}' is not {FORMAT}", f.format));
        }
        let scenario = match (f.scenario, f.scenario_toml) {
            (Some(p), None) => ScenarioSource::Path(PathBuf::from(p)),
            (None, Some(t)) => ScenarioSource::Inline(t),
            _ => {
                return Err(
                    "give exactly one of `scenario` (a path) and `scenario_toml` (inline)".into(),
                )
            }
        };
        Ok(ReplayFile {
            name: f.name,
            seed: f.seed,
            mode: f.mode,
            options: f.options,
            scenario,
            schedule: f.schedule,
            table: f.table,
            verdict: f.verdict,
            shrunk: f.shrunk.map(|sh| ShrunkRecord {
                from: sh.from,
                to: sh.to,
                kind: sh.kind,
                cut: Cut { groups: sh.groups },
                original_schedule: sh.original_schedule,
            }),
        })
    }

    /// Reads the replay file at `path`.
    pub fn load(path: &Path) -> Result<ReplayFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        ReplayFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The scenario in the recorded mode, following the recorded schedule; `dir` is the
    /// replay file's folder.
    pub fn scenario(&self, dir: &Path) -> Result<Scenario, String> {
        let scenario = match &self.scenario {
            ScenarioSource::Path(p) => crate::scenario::toml::load(&dir.join(p))?,
            ScenarioSource::Inline(text) => crate::scenario::toml::parse(text, dir)?,
        };
        let scenario = match <Mode as clap::ValueEnum>::from_str(&self.mode, true) {
            Ok(m) => mode::apply(&scenario, m)?,
            Err(_) => scenario,
        };
        let scenario = match &self.shrunk {
            Some(sh) => sh
                .cut
                .apply(&scenario)
                .map_err(|e| format!("[shrunk] groups: {e}"))?,
            None => scenario,
        };
        Ok(with_schedule(&scenario, self.schedule.clone()))
    }

    /// Runs the recorded run again; `dir` is the replay file's folder.
    pub fn replay(&self, dir: &Path) -> Result<Capture, String> {
        let scenario = self.scenario(dir)?;
        let judge = Judge::new(&scenario);
        let shown = capture(&scenario, &judge, self.seed, &self.mode);
        if shown.schedule != self.schedule {
            return Err(format!(
                "the run did not follow the recorded schedule ({} steps recorded, {} run): the scenario has changed",
                self.schedule.len(),
                shown.schedule.len()
            ));
        }
        Ok(shown)
    }

    /// The file name it is saved under: `NAME-MODE-seedN.toml` (`…-seedN-shrunk.toml` for a
    /// shrunk run).
    pub fn file_name(&self) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        format!(
            "{}-{}-seed{}{}.toml",
            clean(&self.name),
            clean(&self.mode),
            self.seed,
            if self.shrunk.is_some() { "-shrunk" } else { "" }
        )
    }

    /// Writes the file into `dir` (created if missing); returns its path.
    pub fn save(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(self.file_name());
        std::fs::write(&path, self.to_toml())?;
        Ok(path)
    }
}

/// The file for a run of the scenario file `scenario_path`, to be saved into `dir`: the
/// scenario is named relative to `dir`, so the folder can move with the repository.
pub fn for_scenario_file(capture: &Capture, scenario_path: &Path, dir: &Path) -> ReplayFile {
    let path = relative_to(scenario_path, dir).unwrap_or_else(|| absolute(scenario_path));
    ReplayFile::from_capture(capture, ScenarioSource::Path(path))
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `target` as a path relative to the folder `from` (both must exist).
pub fn relative_to(target: &Path, from: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(target).ok()?;
    std::fs::create_dir_all(from).ok()?;
    let from = std::fs::canonicalize(from).ok()?;
    let t: Vec<Component> = target.components().collect();
    let f: Vec<Component> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

/// Replays the file at `path` and compares the verdict with the recorded one: `Ok` with
/// the replayed capture, or `Err` saying what changed, with the recorded and the replayed
/// verdicts and tables.
pub fn check_file(path: &Path) -> Result<Capture, String> {
    let file = ReplayFile::load(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let shown = file
        .replay(dir)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let now = RecordedVerdict::of(&shown.verdict);
    if now != file.verdict {
        return Err(format!(
            "{}: the verdict changed\nrecorded: {:?}\nreplayed: {:?}\n\n--- recorded run ---\n{}\n--- replayed run ---\n{}",
            path.display(),
            file.verdict,
            now,
            file.table.as_deref().unwrap_or("(the file keeps no table)\n"),
            present::run_text(&shown, Style::PLAIN),
        ));
    }
    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ReplayFile {
        ReplayFile {
            name: "counter-race".into(),
            seed: 3,
            mode: "raw".into(),
            options: "seed=3 strategy=random".into(),
            scenario: ScenarioSource::Inline(
                "name = \"x\"\n[[clients]]\nsource = \"return 1\"\n".into(),
            ),
            schedule: vec![0, 1, 1, 0],
            table: Some("counter-race — mode raw, seed 3\n client 0 │ INCR → 1\n".into()),
            verdict: RecordedVerdict {
                anomalous: true,
                linearizable: "no".into(),
                lost_update: false,
                mismatch: true,
                torn_state: false,
                errors: 0,
                findings: vec!["client 1 read \"2\" ≠ 1".into()],
            },
            shrunk: None,
        }
    }

    #[test]
    fn a_replay_file_reads_back_as_written() {
        let file = sample();
        assert_eq!(ReplayFile::parse(&file.to_toml()), Ok(file));
    }

    #[test]
    fn a_shrunk_replay_file_reads_back_as_written() {
        let mut file = sample();
        file.shrunk = Some(ShrunkRecord {
            from: "3 clients / 3 ops / 12 commands / 2 preemptions".into(),
            to: "2 clients / 2 ops / 8 commands / 1 preemption".into(),
            kind: "not linearizable".into(),
            cut: Cut {
                groups: vec![GroupCut {
                    clients: 2,
                    ops: 1,
                    commands: Some(vec![0, 2]),
                }],
            },
            original_schedule: vec![0, 1, 2, 1, 0, 2],
        });
        let text = file.to_toml();
        assert!(
            text.contains("groups = [{ clients = 2, ops = 1, commands = [0, 2] }]"),
            "{text}"
        );
        assert_eq!(ReplayFile::parse(&text), Ok(file));
    }

    #[test]
    fn a_file_with_both_scenario_forms_is_refused() {
        let text = sample()
            .to_toml()
            .replace("scenario_toml", "scenario = \"a.toml\"\nscenario_toml");
        assert!(ReplayFile::parse(&text).is_err());
    }

    #[test]
    fn another_format_is_refused() {
        let text = sample().to_toml().replace(FORMAT, "redsim-replay/0");
        assert!(ReplayFile::parse(&text).unwrap_err().contains("format"));
    }
}
