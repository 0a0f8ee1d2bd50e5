//! The text a failing (or any) run is shown with, shared by `redsim demo`, `run` and
//! `race`, so that the replay command prints exactly the table the demo printed.

use super::capture::Capture;
use super::colour::Style;
use super::explain::explain;
use super::table;

/// The verdict line, the table and the explanation of one captured run.
pub fn run_text(capture: &Capture, style: Style) -> String {
    let mut out = String::new();
    let v = &capture.verdict;
    let head = format!(
        "{} — mode {}, seed {}",
        capture.scenario, capture.mode, capture.seed
    );
    out.push_str(&style.bold(&head));
    out.push('\n');
    out.push_str(&table::render(capture, style));
    if v.is_anomalous() {
        out.push_str(&style.red(&format!("anomaly: {}", v.findings.join("; "))));
    } else if v.partial_effects || v.torn_state {
        // Nothing any client saw is wrong, but the data is: not a pass to show in green.
        out.push_str(&style.yellow(&format!(
            "the results fit an order of atomic operations, but {}",
            v.findings.join("; ")
        )));
    } else {
        out.push_str(&style.green("no anomaly: the results fit an order of atomic operations"));
    }
    out.push('\n');
    if capture.steps_max_hit {
        out.push_str(&style.yellow("note: the run hit steps_max and was cut short\n"));
    }
    out.push('\n');
    out.push_str(&wrap(&explain(capture), 100));
    out
}

/// Words wrapped at `width` columns.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0usize;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out.push('\n');
    out
}
