//! The HTML report: one self-contained file (inline CSS, SVG and script, no network; it
//! opens from file://). At the top, what the anomaly is in two sentences; then the smallest
//! failing run (shrunk) with its picture, its step-through and its table, the run as found
//! behind a fold, and the EVAL run drawn as the serial order of whole scripts that gives
//! every client its result.

use super::capture::Capture;
use super::explain::{explain, intrusion, Intrusion};
use std::fmt::Write;

/// `text` escaped for HTML.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            _ => s.push(ch),
        }
    }
    s
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:24px;color:#222}\
h1{font-size:20px}h2{font-size:16px;margin-top:28px}\
.lane-bg{fill:#f6f7f9;stroke:#e2e4e8}.lane-label{font-size:12px;fill:#555}\
.title{font-size:13px;font-weight:600}.axis{font-size:11px;fill:#777}\
.op{fill:#9ec5fe;stroke:#3d7bd9}.op.bad{fill:#f8a5a5;stroke:#c62828}.op.unknown{fill:#ddd;stroke:#999;stroke-dasharray:3 2}\
table{border-collapse:collapse;font-family:ui-monospace,monospace;font-size:12px}\
td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}\
tr.bad td{background:#fdecea}.verdict{font-weight:600}.ok{color:#2e7d32}.fail{color:#c62828}\
pre{background:#f6f7f9;padding:8px;white-space:pre-wrap}[hidden]{display:none!important}\
.tick line{stroke:#1b2b44;stroke-width:2}.tick.crash line{stroke:#c62828;stroke-width:3}\
.tick.intruder line{stroke:#e65100;stroke-width:4}.tick-label{font-size:9px;fill:#333}\
.tick.intruder .tick-label{fill:#e65100;font-weight:700}.tick.current line{stroke:#6a1b9a;stroke-width:5}\
.tick.current .tick-label{fill:#6a1b9a;font-weight:700}.tick.future{opacity:.35}\
.between{fill:#ffb74d;opacity:.2;pointer-events:none}.bracket{fill:none;stroke:#e65100;stroke-width:1.5}\
.bracket-label{font-size:9px;fill:#e65100}.arrow{stroke:#e65100;stroke-width:1.5}.arrowhead{fill:#e65100}\
tr.intruder td{background:#ffe0b2}td.br{color:#e65100;white-space:nowrap;border:none}\
tr.current td{outline:2px solid #6a1b9a}tr.future td{color:#999}\
.lesson{border-left:4px solid #3d7bd9;background:#eef4fd;padding:8px 12px}\
.stepper{border:1px solid #ddd;padding:8px;margin:8px 0;max-width:900px}.controls{display:flex;gap:8px;align-items:center}\
.slider{flex:1}.panes{display:flex;flex-wrap:wrap;gap:16px}tr.picked td{background:#ede7f6;font-weight:600}\
.intruder-note{color:#e65100;font-weight:600}.split-note{color:#c62828}\
.serial{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:8px 0}\
.serial .box{border:1px solid #3d7bd9;background:#e3eefc;border-radius:4px;padding:4px 8px;font-family:ui-monospace,monospace;font-size:12px}\
details{margin-top:24px}summary{cursor:pointer;font-weight:600}";

/// The interleaving table; with an intrusion, the rows of the split sequence carry a
/// bracket in a column of their own and the intruding rows are marked "in between".
pub(crate) fn table(capture: &Capture, intrusion: Option<&Intrusion>) -> String {
    let mut s = String::from("<table class=\"interleaving\"><thead><tr><th>#</th>");
    for c in 0..capture.clients {
        let _ = write!(s, "<th>client {c}</th>");
    }
    let admin = capture.rows.iter().any(|r| r.client.is_none());
    if admin {
        s.push_str("<th>admin</th>");
    }
    let _ = write!(
        s,
        "<th>{}</th>{}</tr></thead><tbody>",
        escape(&capture.state_heading),
        if intrusion.is_some() { "<th></th>" } else { "" }
    );
    let columns = capture.clients + admin as usize;
    for (i, r) in capture.rows.iter().enumerate() {
        let bad =
            r.op.is_some_and(|op| capture.verdict.violating.contains(&op));
        let intruder = intrusion.is_some_and(|f| f.inside.contains(&i));
        let class = match (bad, intruder) {
            (_, true) => " class=\"intruder\"",
            (true, false) => " class=\"bad\"",
            _ => "",
        };
        let _ = write!(s, "<tr data-row=\"{i}\"{class}><td>{}</td>", i + 1);
        let col = r.client.map_or(columns - 1, |c| c as usize);
        for c in 0..columns {
            if c == col {
                let text = if r.crash {
                    "✗ CRASH".to_string()
                } else {
                    format!("{} → {}", r.command, r.reply)
                };
                let _ = write!(s, "<td>{}</td>", escape(&text));
            } else {
                s.push_str("<td></td>");
            }
        }
        let _ = write!(s, "<td>{}</td>", escape(&r.state));
        if let Some(f) = intrusion {
            let (first, last) = (f.split[0], f.split[f.split.len() - 1]);
            let owner = capture.rows[first].client.unwrap_or(0);
            let mark = if i == first {
                format!("┐ client {owner}'s sequence")
            } else if i == last {
                "┘".to_string()
            } else if intruder {
                "◀ ran in between".to_string()
            } else if first < i && i < last {
                "│".to_string()
            } else {
                String::new()
            };
            let _ = write!(s, "<td class=\"br\">{}</td>", escape(&mark));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

fn verdict_line(capture: &Capture) -> String {
    let v = &capture.verdict;
    if v.is_anomalous() {
        format!(
            "<p class=\"verdict fail\">{}</p>",
            escape(&v.findings.join("; "))
        )
    } else if v.partial_effects || v.torn_state {
        format!(
            "<p class=\"verdict fail\">the results fit an order of atomic operations, but {}</p>",
            escape(&v.findings.join("; "))
        )
    } else {
        "<p class=\"verdict ok\">no anomaly: the results fit an order of atomic operations</p>"
            .into()
    }
}

/// The start of a self-contained page: doctype, title, the report's style, `<body>`.
pub(crate) fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(title)
    )
}

/// One run: its heading, verdict, picture, step-through, table, explanation and the
/// command that replays it. `id` keeps the picture's ids unique in the page.
fn run_view(capture: &Capture, heading: &str, replay: &str, id: &str) -> String {
    let found = intrusion(capture);
    let label = format!(
        "{} — mode {}, seed {}",
        capture.scenario, capture.mode, capture.seed
    );
    let mut s = format!(
        "<section class=\"run-view\" id=\"{id}\"><h2>{}</h2>{}",
        escape(heading),
        verdict_line(capture)
    );
    if let Some(order) = &capture.verdict.serial_order {
        s.push_str(&serial_order(capture, order));
    }
    let _ = write!(
        s,
        "{}{}{}<p class=\"explanation\">{}</p><pre class=\"replay\">{}</pre></section>",
        super::svg::timeline(capture, &label, id),
        super::stepper::stepper(capture, found.as_ref()),
        table(capture, found.as_ref()),
        escape(&explain(capture)),
        escape(replay)
    );
    s
}

/// The serial order of whole operations that gives every client the result it got (the
/// judge found it among the serial runs), drawn as boxes in that order.
fn serial_order(capture: &Capture, order: &[u32]) -> String {
    let mut s = String::from(
        "<p>One serial order of whole scripts gives every client exactly the result it got:</p><div class=\"serial\">",
    );
    for (k, &client) in order.iter().enumerate() {
        if k > 0 {
            s.push_str("<span>→</span>");
        }
        let op = capture
            .history
            .ops
            .iter()
            .find(|op| op.client == client as u64);
        let result = op
            .and_then(|op| op.result.as_ref())
            .map(super::capture::compact_reply)
            .unwrap_or_else(|| "?".into());
        let _ = write!(
            s,
            "<span class=\"box\" data-client=\"{client}\">client {client} → {}</span>",
            escape(&result)
        );
    }
    s.push_str("</div>");
    s
}

/// The report. At the top, what the anomaly is in two sentences: the kind the scenario
/// file names (`anomaly`), else the kind the runs' verdicts found (`scenario_file`: none
/// for a script run with `redsim race`); then `intro`, the scenario's paragraph; `shrunk`: the smallest failing run, shown first; `runs`: the
/// runs of one seed (raw, then EVAL) — a failing run goes behind a fold when the shrunk
/// one is shown.
pub fn report(
    title: &str,
    scenario_file: Option<&std::path::Path>,
    intro: &str,
    shrunk: Option<(&Capture, String)>,
    runs: &[(&Capture, String)],
) -> String {
    let mut s = page_start(title);
    let _ = write!(s, "<h1>{}</h1>", escape(title));
    let kind = scenario_file.and_then(super::mode::anomaly_kind);
    let verdicts: Vec<&super::analysis::Verdict> = shrunk
        .iter()
        .map(|(c, _)| &c.verdict)
        .chain(runs.iter().map(|(c, _)| &c.verdict))
        .collect();
    let lesson = super::lesson::lesson(kind.as_deref(), &verdicts);
    if !lesson.is_empty() {
        let _ = write!(s, "<p class=\"lesson\">{}</p>", escape(&lesson));
    }
    if !intro.is_empty() {
        let _ = write!(s, "<p>{}</p>", escape(intro));
    }
    if let Some((capture, replay)) = &shrunk {
        s.push_str(&run_view(
            capture,
            &format!(
                "The smallest failing run — {} clients, {} commands (mode {}, seed {})",
                capture.clients,
                capture.rows.iter().filter(|r| !r.crash).count(),
                capture.mode,
                capture.seed
            ),
            replay,
            "shrunk",
        ));
    }
    for (k, (capture, replay)) in runs.iter().enumerate() {
        let id = format!("run{k}");
        let heading = format!(
            "{} — mode {}, seed {}",
            capture.scenario, capture.mode, capture.seed
        );
        if shrunk.is_some() && capture.verdict.is_anomalous() {
            let _ = write!(
                s,
                "<details><summary>The run as found: {} ({} commands)</summary>{}</details>",
                escape(&heading),
                capture.rows.len(),
                run_view(capture, &heading, replay, &id)
            );
        } else {
            s.push_str(&run_view(capture, &heading, replay, &id));
        }
    }
    let _ = writeln!(
        s,
        "<script>{}</script></body></html>",
        super::stepper::SCRIPT
    );
    s
}

/// Writes `html` to `path`, creating its directory.
pub fn write(path: &std::path::Path, html: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    std::fs::write(path, html)
}
