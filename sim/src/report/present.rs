//! The text a failing (or any) run is shown with, shared by `redsim demo`, `run` and
//! `race`, so that the replay command prints exactly the table the demo printed.

use super::capture::Capture;
use super::colour::Style;
use super::explain::explain;
use super::table;

/// What a run whose script never finished says.
pub(crate) const HUNG_SCRIPT: &str = "script never finished; Redis would need SHUTDOWN NOSAVE \
(the run shut the server down there: every client lost its connection)";

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
    } else if let Some(why) = v.inconclusive.as_ref().filter(|_| v.is_inconclusive()) {
        out.push_str(&style.yellow(&format!(
            "inconclusive: {why}; no anomaly found, but none ruled out"
        )));
    } else if v.partial_effects || v.torn_state {
        // Nothing any client saw is wrong, but the data is: not a pass to show in green.
        out.push_str(&style.yellow(&format!(
            "the results fit an order of atomic operations, but {}",
            v.findings.join("; ")
        )));
    } else if !capture.hung_script {
        out.push_str(&style.green("no anomaly: the results fit an order of atomic operations"));
    }
    if capture.hung_script {
        // Not a pass either: the server would have needed SHUTDOWN NOSAVE.
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&style.red(HUNG_SCRIPT));
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

/// `word` as one word of a POSIX shell command line, quoted only if it needs to be: the
/// replay lines redsim prints are pasted into shells.
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./-+:,=@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
