//! The timeline picture of one run: one lane per client, each operation a bar from its
//! invoke to its return (to the end of the run when it never returned), each command a
//! tick at the moment the server ran it, violating operations in red.

use super::analysis::op_label;
use super::capture::Capture;
use super::html::escape;
use std::fmt::Write;

const LANE: f64 = 44.0;
const LEFT: f64 = 78.0;
const TOP: f64 = 34.0;
const WIDTH: f64 = 560.0;

/// An `<svg>` element (no XML prolog: it is embedded in the report).
pub fn timeline(capture: &Capture, title: &str) -> String {
    let mut start = u64::MAX;
    let mut end = 0u64;
    for op in &capture.history.ops {
        start = start.min(op.call);
        end = end.max(op.ret.unwrap_or(op.call));
    }
    for r in &capture.rows {
        start = start.min(r.time_us);
        end = end.max(r.time_us);
    }
    if start == u64::MAX {
        start = 0;
    }
    let span = (end.saturating_sub(start)).max(1) as f64;
    let x = |t: u64| LEFT + (t.saturating_sub(start)) as f64 / span * (WIDTH - LEFT - 16.0);
    let height = TOP + LANE * capture.clients as f64 + 26.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = write!(
        s,
        r#"<text x="8" y="18" class="title">{}</text>"#,
        escape(title)
    );
    for c in 0..capture.clients {
        let y = TOP + LANE * c as f64;
        let _ = write!(s, r#"<g class="lane" data-client="{c}">"#);
        let _ = write!(
            s,
            r#"<rect class="lane-bg" x="0" y="{y}" width="{WIDTH}" height="{LANE}"/>"#
        );
        let _ = write!(
            s,
            r#"<text x="8" y="{}" class="lane-label">client {c}</text>"#,
            y + LANE / 2.0 + 4.0
        );
        for (i, op) in capture
            .history
            .ops
            .iter()
            .enumerate()
            .filter(|(_, op)| op.client == c as u64)
        {
            let x0 = x(op.call);
            let x1 = x(op.ret.unwrap_or(end)).max(x0 + 3.0);
            let bad = capture.verdict.violating.contains(&i);
            let class = if bad {
                "op bad"
            } else if op.ret.is_none() {
                "op unknown"
            } else {
                "op"
            };
            let result = op
                .result
                .as_ref()
                .map(super::capture::compact_reply)
                .unwrap_or_else(|| "?".into());
            let _ = write!(
                s,
                r#"<rect class="{class}" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="4"><title>{} → {}</title></rect>"#,
                y + 10.0,
                x1 - x0,
                LANE - 20.0,
                escape(&op_label(&op.op)),
                escape(&result)
            );
        }
        for r in capture.rows.iter().filter(|r| r.client == Some(c as u32)) {
            let tx = x(r.time_us);
            let class = if r.crash { "tick crash" } else { "tick" };
            let _ = write!(
                s,
                r#"<line class="{class}" x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}"><title>{} → {}</title></line>"#,
                y + 6.0,
                y + LANE - 6.0,
                escape(&r.command),
                escape(&r.reply)
            );
        }
        s.push_str("</g>");
    }
    let axis = TOP + LANE * capture.clients as f64 + 16.0;
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="{axis}" class="axis">t+0 µs</text><text x="{}" y="{axis}" class="axis" text-anchor="end">t+{} µs (server time)</text>"#,
        WIDTH - 16.0,
        end.saturating_sub(start)
    );
    s.push_str("</svg>");
    s
}
