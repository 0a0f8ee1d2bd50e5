//! The HTML report: self-contained (inline CSS and SVG, no script, no network). For one
//! seed, the timelines of the raw run and the EVAL run side by side, then for each run its
//! interleaving table and the explanation.

use super::capture::Capture;
use super::explain::explain;
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
.runs{display:flex;flex-wrap:wrap;gap:24px}.run{flex:1 1 560px}\
.lane-bg{fill:#f6f7f9;stroke:#e2e4e8}.lane-label{font-size:12px;fill:#555}\
.title{font-size:13px;font-weight:600}.axis{font-size:11px;fill:#777}\
.op{fill:#9ec5fe;stroke:#3d7bd9}.op.bad{fill:#f8a5a5;stroke:#c62828}.op.unknown{fill:#ddd;stroke:#999;stroke-dasharray:3 2}\
.tick{stroke:#1b2b44;stroke-width:2}.tick.crash{stroke:#c62828;stroke-width:3}\
table{border-collapse:collapse;font-family:ui-monospace,monospace;font-size:12px}\
td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}\
tr.bad td{background:#fdecea}.verdict{font-weight:600}.ok{color:#2e7d32}.fail{color:#c62828}\
pre{background:#f6f7f9;padding:8px}";

pub(crate) fn table(capture: &Capture) -> String {
    let mut s = String::from("<table><thead><tr><th>#</th>");
    for c in 0..capture.clients {
        let _ = write!(s, "<th>client {c}</th>");
    }
    let admin = capture.rows.iter().any(|r| r.client.is_none());
    if admin {
        s.push_str("<th>admin</th>");
    }
    let _ = write!(
        s,
        "<th>{}</th></tr></thead><tbody>",
        escape(&capture.state_heading)
    );
    let columns = capture.clients + admin as usize;
    for (i, r) in capture.rows.iter().enumerate() {
        let bad =
            r.op.is_some_and(|op| capture.verdict.violating.contains(&op));
        let _ = write!(
            s,
            "<tr{}><td>{}</td>",
            if bad { " class=\"bad\"" } else { "" },
            i + 1
        );
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
        let _ = write!(s, "<td>{}</td></tr>", escape(&r.state));
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

/// The report for `runs` (typically raw and EVAL of one seed); `intro` is a paragraph
/// shown under the title; `replay` the commands that reproduce each run.
pub fn report(title: &str, intro: &str, runs: &[(&Capture, String)]) -> String {
    let mut s = page_start(title);
    let _ = write!(
        s,
        "<h1>{}</h1><p>{}</p><div class=\"runs\">",
        escape(title),
        escape(intro)
    );
    for (capture, _) in runs {
        let label = format!(
            "{} — mode {}, seed {}",
            capture.scenario, capture.mode, capture.seed
        );
        let _ = write!(
            s,
            "<div class=\"run\">{}{}</div>",
            super::svg::timeline(capture, &label),
            verdict_line(capture)
        );
    }
    s.push_str("</div>");
    for (capture, replay) in runs {
        let _ = write!(
            s,
            "<h2>{} — mode {}, seed {}</h2>{}{}<p>{}</p><pre>{}</pre>",
            escape(&capture.scenario),
            escape(&capture.mode),
            capture.seed,
            verdict_line(capture),
            table(capture),
            escape(&explain(capture)),
            escape(replay)
        );
    }
    s.push_str("</body></html>\n");
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
