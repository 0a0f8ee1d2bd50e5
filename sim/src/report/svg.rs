//! The timeline picture of one run: one lane per client, each operation a bar from its
//! invoke to its return (to the end of the run when it never returned), each command a
//! tick at the moment the server ran it, labelled with its name (the whole command and
//! reply on hover), violating operations in red. When the explanation names commands
//! that ran inside another client's sequence (`explain::intrusion`), the span of that sequence is
//! shaded across the lanes, bracketed in its lane, and the intruding ticks are marked and
//! joined to the bracket by an arrow: "this happened in between".

use super::analysis::op_label;
use super::capture::Capture;
use super::explain::{intrusion, Intrusion};
use super::html::escape;
use std::fmt::Write;

const LANE: f64 = 58.0;
const LEFT: f64 = 78.0;
const TOP: f64 = 34.0;
const WIDTH: f64 = 640.0;

/// The run's time span mapped onto the picture's width.
struct Scale {
    start: u64,
    end: u64,
}

impl Scale {
    /// From the first to the last moment any operation or command happened.
    fn of(capture: &Capture) -> Scale {
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
        Scale { start, end }
    }

    /// The x coordinate of time `t`.
    fn x(&self, t: u64) -> f64 {
        let span = (self.end.saturating_sub(self.start)).max(1) as f64;
        LEFT + (t.saturating_sub(self.start)) as f64 / span * (WIDTH - LEFT - 40.0)
    }
}

/// The top of `client`'s lane (the admin connection's commands are drawn in lane 0).
fn lane_y(client: Option<u32>) -> f64 {
    TOP + LANE * client.unwrap_or(0) as f64
}

/// An `<svg>` element (no XML prolog: it is embedded in the report).
/// `id` makes the picture's element ids unique in a page that holds several.
pub fn timeline(capture: &Capture, title: &str, id: &str) -> String {
    let scale = Scale::of(capture);
    let height = TOP + LANE * capture.clients as f64 + 26.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = write!(
        s,
        r#"<defs><marker id="{id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>"#
    );
    let _ = write!(
        s,
        r#"<text x="8" y="18" class="title">{}</text>"#,
        escape(title)
    );
    let found = intrusion(capture);
    for c in 0..capture.clients {
        lane(&mut s, capture, &scale, found.as_ref(), c);
    }
    if let Some(f) = &found {
        s.push_str(&overlay(capture, &scale, f, id));
    }
    let axis = TOP + LANE * capture.clients as f64 + 16.0;
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="{axis}" class="axis">t+0 µs</text><text x="{}" y="{axis}" class="axis" text-anchor="end">t+{} µs (server time)</text>"#,
        WIDTH - 16.0,
        scale.end.saturating_sub(scale.start)
    );
    s.push_str("</svg>");
    s
}

/// The intrusion drawn over the lanes: the split sequence's span shaded, a bracket under
/// it in its lane, an arrow from each intruding tick to the bracket.
fn overlay(capture: &Capture, scale: &Scale, f: &Intrusion, id: &str) -> String {
    let mut overlay = String::new();
    let (first, last) = (
        &capture.rows[f.split[0]],
        &capture.rows[f.split[f.split.len() - 1]],
    );
    let (x0, x1) = (scale.x(first.time_us), scale.x(last.time_us));
    let _ = write!(
        overlay,
        r#"<rect class="between" x="{x0:.1}" y="{TOP}" width="{:.1}" height="{:.1}"/>"#,
        (x1 - x0).max(1.0),
        LANE * capture.clients as f64
    );
    // The bracket under the split sequence, in its lane, with its label.
    let yb = lane_y(first.client) + LANE - 12.0;
    let _ = write!(
        overlay,
        r#"<path class="bracket" d="M{x0:.1},{:.1} V{yb:.1} H{x1:.1} V{:.1}"/><text class="bracket-label" x="{:.1}" y="{:.1}" text-anchor="middle">in between</text>"#,
        yb - 5.0,
        yb - 5.0,
        (x0 + x1) / 2.0,
        yb + 10.0
    );
    for &i in &f.inside {
        let r = &capture.rows[i];
        let tx = scale.x(r.time_us);
        let from = lane_y(r.client) + LANE / 2.0;
        let to = if from < yb { yb - 2.0 } else { yb + 2.0 };
        let _ = write!(
            overlay,
            r#"<line class="arrow" x1="{tx:.1}" y1="{from:.1}" x2="{tx:.1}" y2="{to:.1}" marker-end="url(#{id}-arrow)"/>"#
        );
    }
    overlay
}

/// Client `c`'s lane: its operations as bars, its commands as ticks.
fn lane(s: &mut String, capture: &Capture, scale: &Scale, found: Option<&Intrusion>, c: usize) {
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
        let x0 = scale.x(op.call);
        let x1 = scale.x(op.ret.unwrap_or(scale.end)).max(x0 + 3.0);
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
            y + 8.0,
            x1 - x0,
            LANE - 30.0,
            escape(&op_label(&op.op)),
            escape(&result)
        );
    }
    for (i, r) in capture
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.client == Some(c as u32))
    {
        let tx = scale.x(r.time_us);
        let intruder = found.is_some_and(|f| f.inside.contains(&i));
        let class = match (r.crash, intruder) {
            (true, _) => "tick crash",
            (false, true) => "tick intruder",
            _ => "tick",
        };
        let hover = if r.crash {
            "CRASH".to_string()
        } else {
            format!("{} → {}", r.command, r.reply)
        };
        // The visible label: the step number and the command's name; the whole
        // command and its reply on hover.
        let name = r.command.split_whitespace().next().unwrap_or("");
        let _ = write!(
            s,
            r#"<g class="{class}" data-row="{i}"><title>step {}: {}</title><line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}"/><text class="tick-label" x="{tx:.1}" y="{:.1}" text-anchor="middle">{} {}</text></g>"#,
            i + 1,
            escape(&hover),
            y + 4.0,
            y + LANE - 26.0,
            y + LANE - 16.0,
            i + 1,
            escape(name)
        );
    }
    s.push_str("</g>");
}
