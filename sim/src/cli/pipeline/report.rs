//! Step **report** of the pipeline: what a command shows of its [`Outcome`] — the text
//! (the counts, the shown run's table, the replay line, the shrunk run), the replay file,
//! the HTML report and the JSON — all written here, once, from the same data. A command
//! says only which of them it wants and in which words ([`Spec`]).

use super::{Outcome, Shrink};
use crate::cli::line::{shown_path, shrunk_line};
use redsim_sim::report::capture::Capture;
use redsim_sim::report::colour::Style;
use redsim_sim::report::{html, present, summary};
use redsim_sim::trace::render_history;
use std::path::PathBuf;

/// A line printed before the shown run.
pub enum Line {
    /// A paragraph, wrapped at 100 columns (the scenario file's description).
    Intro(String),
    /// As it is.
    Plain(String),
    /// The counts of the seed step, under this title.
    Summary(String),
    /// In bold.
    Bold(String),
    /// In yellow (a note).
    Yellow(String),
}

/// How much of the shrunk run the text shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ShrinkText {
    /// The sizes in bold, the time taken and the shrunk run's table; or why it could not.
    Full,
    /// The sizes only.
    Headline,
}

/// Where the HTML report goes and what it says.
pub struct HtmlSpec {
    /// The file.
    pub path: PathBuf,
    /// Its title.
    pub title: String,
    /// The scenario file, whose `anomaly` names the lesson (none for a script).
    pub scenario_file: Option<PathBuf>,
    /// The scenario's paragraph.
    pub intro: String,
    /// What the text says before the file's path.
    pub label: &'static str,
    /// A file that cannot be written ends the command with status 2 (else a warning).
    pub required: bool,
}

/// What a command shows.
pub struct Spec {
    /// `redsim run`: how error messages start.
    pub command: &'static str,
    /// Printed before the shown run, in order.
    pub preamble: Vec<Line>,
    /// The command line that replays the shown run, as printed.
    pub replay: String,
    /// What is printed before it (`Replay: `).
    pub replay_label: &'static str,
    /// The replay line in bold.
    pub replay_bold: bool,
    /// The replay line of each shown run in the report (which may be opened elsewhere).
    pub replay_html: Vec<String>,
    /// How the shrunk run is shown in the text.
    pub shrink_text: ShrinkText,
    /// The report's line under the shrunk run is `redsim run`'s with `--record`.
    pub shrunk_line_records: bool,
    /// Save a failing run (shrunk if it could be) as a replay file in `.0`, naming the
    /// scenario file `.1`.
    pub record: Option<(PathBuf, PathBuf)>,
    /// The HTML report.
    pub html: Option<HtmlSpec>,
    /// The shown run (and the shrunk one) as JSON.
    pub json: Option<PathBuf>,
}

/// A file the command was asked for could not be written (already reported on stderr).
pub struct WriteFailed;

/// Step **report**: prints the text and writes the files `spec` asks for.
pub fn report(outcome: &Outcome, spec: &Spec, style: Style) -> Result<(), WriteFailed> {
    print!("{}", text(outcome, spec, style));
    if let Some((dir, scenario_path)) = &spec.record {
        record(outcome, spec, dir, scenario_path)?;
    }
    if let Some(h) = &spec.html {
        let page = page(outcome, spec, h);
        match html::write(&h.path, &page) {
            Ok(()) => println!("{}{}", h.label, h.path.display()),
            Err(e) => {
                eprintln!("{}: cannot write {}: {e}", spec.command, h.path.display());
                if h.required {
                    return Err(WriteFailed);
                }
            }
        }
    }
    if let Some(path) = &spec.json {
        let text = serde_json::to_string_pretty(&json_of(outcome)).unwrap_or_default();
        if let Err(e) = html::write(path, &text) {
            eprintln!("{}: cannot write {}: {e}", spec.command, path.display());
            return Err(WriteFailed);
        }
        println!("JSON: {}", path.display());
    }
    Ok(())
}

/// The text: the preamble, the shown run, the replay line, the shrunk run.
fn text(outcome: &Outcome, spec: &Spec, style: Style) -> String {
    let mut out = String::new();
    for line in &spec.preamble {
        let shown = match line {
            Line::Intro(text) => present::wrap(text, 100),
            Line::Plain(text) => text.clone(),
            Line::Bold(text) => style.bold(text),
            Line::Yellow(text) => style.yellow(text),
            Line::Summary(title) => {
                let range = outcome.chosen.range.clone().unwrap_or_default();
                out.push_str(&summary::render(
                    title,
                    &range,
                    &outcome.chosen.tallies,
                    style,
                ));
                continue;
            }
        };
        out.push_str(&shown);
        out.push('\n');
    }
    if let Some(first) = outcome.shown.first() {
        out.push_str(&present::run_text(first, style));
    }
    let replay = if spec.replay_bold {
        style.bold(&spec.replay)
    } else {
        spec.replay.clone()
    };
    out.push_str(&format!("\n{}{replay}\n", spec.replay_label));
    match (&outcome.shrunk, spec.shrink_text) {
        (None, _) | (Some(Err(_)), ShrinkText::Headline) => {}
        (Some(Ok(s)), ShrinkText::Headline) => {
            out.push_str(&s.shrunk.headline());
            out.push('\n');
        }
        (Some(Ok(s)), ShrinkText::Full) => {
            out.push_str(&format!("\n{}\n", style.bold(&s.shrunk.headline())));
            let took = format!("(shrinking took {:.2} s)", s.took.as_secs_f64());
            out.push_str(&format!("{}\n", style.dim(&took)));
            if s.is_smaller() {
                out.push('\n');
                out.push_str(&present::run_text(&s.capture, style));
            }
        }
        (Some(Err(e)), ShrinkText::Full) => out.push_str(&format!("\nShrinking: {e}\n")),
    }
    out
}

/// Saves the failing shown run — the shrunk one when there is one — as a replay file.
fn record(
    outcome: &Outcome,
    spec: &Spec,
    dir: &std::path::Path,
    scenario_path: &std::path::Path,
) -> Result<(), WriteFailed> {
    let Some(shown) = outcome.shown.first().filter(|c| c.verdict.is_anomalous()) else {
        return Ok(());
    };
    let file = match outcome.shrunk() {
        Some(s) => redsim_sim::replay::for_scenario_file(&s.capture, scenario_path, dir)
            .with_shrunk(&s.shrunk),
        None => redsim_sim::replay::for_scenario_file(shown, scenario_path, dir),
    };
    match file.save(dir) {
        Ok(path) => {
            println!(
                "Replay file: {} (redsim replay {})",
                path.display(),
                shown_path(&path)
            );
            Ok(())
        }
        Err(e) => {
            eprintln!(
                "{}: cannot write a replay file into {}: {e}",
                spec.command,
                dir.display()
            );
            Err(WriteFailed)
        }
    }
}

/// The HTML page: the shrunk run first (when smaller), then every shown run, the failing
/// ones behind a fold.
fn page(outcome: &Outcome, spec: &Spec, h: &HtmlSpec) -> String {
    let shrunk = outcome
        .shrunk()
        .filter(|s| s.is_smaller())
        .map(|s: &Shrink| {
            let line = spec.replay_html.first().map_or("", String::as_str);
            (
                &s.capture,
                shrunk_line(line, &s.shrunk, spec.shrunk_line_records),
            )
        });
    let runs: Vec<(&Capture, String)> = outcome
        .shown
        .iter()
        .zip(spec.replay_html.iter().cloned())
        .collect();
    html::report(
        &h.title,
        h.scenario_file.as_deref(),
        &h.intro,
        shrunk,
        &runs,
    )
}

/// The first shown run as JSON, with the shrunk run under `shrunk`.
fn json_of(outcome: &Outcome) -> serde_json::Value {
    let Some(shown) = outcome.shown.first() else {
        return serde_json::Value::Null;
    };
    let mut value = json(shown);
    if let Some(s) = outcome.shrunk() {
        // The shrunk run in the same shape, with what was cut and the sizes.
        let mut small = json(&s.capture);
        small["from"] = s.shrunk.before.to_string().into();
        small["to"] = s.shrunk.after.to_string().into();
        small["cut"] = s.shrunk.cut.to_toml().into();
        value["shrunk"] = small;
    }
    value
}

/// One captured run as JSON.
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
