//! A real run shown the way the simulator shows one: the operations around the first
//! anomaly as the interleaving table (one column per client, one row per operation in
//! invoke order, the violating rows marked `!`), the timeline picture, and a
//! self-contained HTML report.
//!
//! A real server does not say in which order it ran the commands of different clients;
//! what the history does say is when each operation was invoked and when it returned. The
//! operations whose intervals overlap the violating one are the ones that could have run
//! in between its commands, so those are the rows shown.

use super::verdict::RealVerdict;
use crate::check::Verdict as CheckVerdict;
use crate::history::History;
use crate::report::analysis::{op_label, Probe, Verdict};
use crate::report::capture::{compact_reply, Capture, Row};
use crate::report::html::{escape, page_start, table};
use crate::report::svg;
use crate::scenario::Scenario;
use std::fmt::Write;

/// Most operations the table shows.
pub(crate) const WINDOW_MAX: usize = 24;
/// Operations shown from the start of a run without any anomaly.
const QUIET_WINDOW: usize = 12;

/// Indices (ascending) of the operations to show: the first violating one and those whose
/// interval overlaps it, the nearest first when there are too many; without a violation,
/// the first few operations.
fn window_indices(history: &History, verdict: &RealVerdict) -> Vec<usize> {
    let Some(&bad) = verdict.violating.first() else {
        return (0..history.ops.len().min(QUIET_WINDOW)).collect();
    };
    let target = &history.ops[bad];
    let end = |t: Option<u64>| t.unwrap_or(u64::MAX);
    let mut picked: Vec<usize> = (0..history.ops.len())
        .filter(|&j| {
            let op = &history.ops[j];
            op.call <= end(target.ret) && target.call <= end(op.ret)
        })
        .collect();
    picked.sort_by_key(|&j| j.abs_diff(bad));
    picked.truncate(WINDOW_MAX);
    picked.sort_unstable();
    picked
}

/// The part of a real run the table and the picture show, as a [`Capture`].
pub fn window(
    scenario: &Scenario,
    mode: &str,
    server: &str,
    history: &History,
    verdict: &RealVerdict,
) -> Capture {
    let picked = window_indices(history, verdict);
    let mut shown = History::default();
    let mut rows = Vec::with_capacity(picked.len());
    for (at, &i) in picked.iter().enumerate() {
        let op = history.ops[i].clone();
        let returned = op.ret.map_or("no reply".to_string(), |r| r.to_string());
        rows.push(Row {
            step: at as u64,
            time_us: op.call,
            client: Some(op.client as u32),
            command: op_label(&op.op),
            reply: op.result.as_ref().map_or("?".into(), compact_reply),
            crash: false,
            op: Some(at),
            state: format!("{}–{returned}", op.call),
            values: Vec::new(),
        });
        shown.ops.push(op);
    }
    let violating: Vec<usize> = picked
        .iter()
        .enumerate()
        .filter(|(_, i)| verdict.violating.contains(i))
        .map(|(at, _)| at)
        .collect();
    let not_linearizable = match &verdict.check {
        Ok(o) if o.verdict == CheckVerdict::Unknown => None,
        Ok(o) => Some(o.verdict == CheckVerdict::NotLinearizable),
        Err(_) => None,
    };
    let clients = shown
        .ops
        .iter()
        .map(|op| op.client as usize + 1)
        .max()
        .unwrap_or(0);
    Capture {
        scenario: scenario.name.clone(),
        mode: mode.to_string(),
        seed: 0,
        clients,
        rows,
        history: shown,
        verdict: Verdict {
            not_linearizable,
            mismatch: !violating.is_empty(),
            violating,
            findings: verdict.findings.iter().take(1).cloned().collect(),
            ..Verdict::default()
        },
        schedule: Vec::new(),
        probe: Probe::of(scenario),
        options: format!("real run against {server}"),
        steps_max_hit: false,
        hung_script: false,
        state_heading: "invoked–returned (µs since start)".into(),
    }
}

/// The heading over the table: which operations it shows.
pub fn window_heading(capture: &Capture, total: usize) -> String {
    if capture.verdict.violating.is_empty() {
        format!(
            "the first {} of {total} operations (no invariant broken):",
            capture.rows.len()
        )
    } else {
        format!(
            "the first violating operation and those overlapping it in time ({} of {total} operations):",
            capture.rows.len()
        )
    }
}

/// The HTML report of a real run: the summary (verdict, rates), the timeline and the table
/// of the window, and the command that runs it again.
pub fn html(title: &str, summary: &str, capture: &Capture, total: usize, rerun: &str) -> String {
    let mut s = page_start(title);
    let _ = write!(
        s,
        "<h1>{}</h1><pre>{}</pre>",
        escape(title),
        escape(summary)
    );
    let heading = window_heading(capture, total);
    let picture = format!("{} — mode {}", capture.scenario, capture.mode);
    let _ = write!(
        s,
        "<h2>{}</h2>{}{}",
        escape(&heading),
        svg::timeline(capture, &picture, "real"),
        table(capture, None)
    );
    let _ = write!(
        s,
        "<h2>Run it again</h2><pre>{}</pre><p>A run on a real server is not \
         reproducible by seed: threads interleave by timing. Its history is judged by the \
         same checker as a simulated run.</p></body></html>",
        escape(rerun)
    );
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Op, Operation, Status};
    use crate::report::colour::Style;
    use redsim::Reply;

    fn op(client: u64, call: u64, ret: u64) -> Op {
        Op {
            client,
            call,
            ret: Some(ret),
            status: Status::Ok,
            op: Operation::Command(vec![b"INCR".to_vec(), b"counter".to_vec()]),
            result: Some(Reply::Integer(client as i64)),
            node: 0,
        }
    }

    fn verdict(violating: Vec<usize>) -> RealVerdict {
        RealVerdict {
            ops: 4,
            ok: 4,
            unknown: 0,
            failed: 0,
            errors: 0,
            violating,
            findings: vec!["client 1 read field 0 = 2 but field 1 = 1".into()],
            check: Err("not checked".into()),
        }
    }

    fn scenario() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus/scenarios/counter-race.toml");
        crate::scenario::toml::load(&path).expect("counter-race.toml loads")
    }

    #[test]
    fn the_window_is_the_violating_operation_and_those_overlapping_it() {
        let history = History {
            ops: vec![op(0, 0, 15), op(1, 10, 30), op(2, 25, 40), op(0, 31, 50)],
        };
        let shown = window(&scenario(), "raw", "test", &history, &verdict(vec![1]));
        assert_eq!(shown.history.ops, history.ops[..3].to_vec());
        assert_eq!(shown.verdict.violating, vec![1]);
        assert_eq!(shown.clients, 3);
        let text = crate::report::table::render(&shown, Style::PLAIN);
        let marked: Vec<&str> = text.lines().filter(|l| l.starts_with('!')).collect();
        assert_eq!(marked.len(), 1, "{text}");
        assert!(
            marked[0].contains("INCR counter → 1") && marked[0].contains("10–30"),
            "{text}"
        );
        assert!(text.contains("invoked–returned"), "{text}");
    }

    #[test]
    fn without_a_violation_the_window_is_the_start_of_the_run() {
        let history = History {
            ops: (0..20).map(|i| op(i % 2, i * 10, i * 10 + 5)).collect(),
        };
        let shown = window(&scenario(), "eval", "test", &history, &verdict(vec![]));
        assert_eq!(shown.rows.len(), QUIET_WINDOW);
        assert!(window_heading(&shown, 20).starts_with("the first 12 of 20 operations"));
    }

    #[test]
    fn a_large_overlap_is_cut_to_the_nearest_operations() {
        // Every operation overlaps every other: only WINDOW_MAX around the violating one.
        let history = History {
            ops: (0..100).map(|i| op(i % 4, i, 1_000)).collect(),
        };
        let shown = window(&scenario(), "raw", "test", &history, &verdict(vec![50]));
        assert_eq!(shown.rows.len(), WINDOW_MAX);
        assert!(shown.history.ops.contains(&history.ops[50]));
        assert_eq!(shown.verdict.violating.len(), 1);
    }

    #[test]
    fn the_html_report_holds_the_summary_the_picture_and_the_table() {
        let history = History {
            ops: vec![op(0, 0, 15), op(1, 10, 30)],
        };
        let shown = window(&scenario(), "raw", "test", &history, &verdict(vec![1]));
        let page = html(
            "redsim real: <x>",
            "anomaly: yes",
            &shown,
            2,
            "redsim real a.toml",
        );
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<title>redsim real: &lt;x&gt;</title>"));
        assert!(page.contains("<svg") && page.contains("<table"));
        assert!(page.contains("op bad"), "the violating bar is red");
        assert!(page.contains("redsim real a.toml"));
    }
}
