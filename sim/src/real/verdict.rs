//! Judging a history recorded from a server: the scenario's invariants on every completed
//! operation (the counter a script read equals the set's cardinality), and the
//! linearizability checker over the whole history, with counts and the anomaly rate.

use crate::check::{self, ModelChoice};
use crate::history::{History, Status};
use crate::scenario::Scenario;
use redsim::Reply;

/// What a recorded history shows.
#[derive(Clone, Debug)]
pub struct RealVerdict {
    /// Operations in all.
    pub ops: usize,
    /// Operations that completed.
    pub ok: usize,
    /// Operations with an unknown outcome (a timeout).
    pub unknown: usize,
    /// Operations that failed.
    pub failed: usize,
    /// Completed operations whose reply is an error.
    pub errors: usize,
    /// Indices (into the history) of completed operations that break an invariant.
    pub violating: Vec<usize>,
    /// One line per violating operation (the first few).
    pub findings: Vec<String>,
    /// The checker's answer, or why it could not judge the history.
    pub check: Result<check::Outcome, String>,
}

/// Findings listed at most.
const FINDINGS_MAX: usize = 10;

impl RealVerdict {
    /// An invariant broken, or the checker found no linearization.
    pub fn is_anomalous(&self) -> bool {
        !self.violating.is_empty()
            || matches!(&self.check, Ok(o) if o.verdict == check::Verdict::NotLinearizable)
    }

    /// Violating operations per completed operation.
    pub fn anomaly_rate(&self) -> f64 {
        if self.ok == 0 {
            0.0
        } else {
            self.violating.len() as f64 / self.ok as f64
        }
    }

    /// The checker's verdict as `redsim check` prints it (`unknown` when it could not judge).
    pub fn check_verdict(&self) -> &'static str {
        match &self.check {
            Ok(o) => o.verdict.as_str(),
            Err(_) => check::Verdict::Unknown.as_str(),
        }
    }
}

/// The completed operations of `history` whose result breaks one of `scenario`'s
/// invariants (indices into the history), and a line for each of the first few.
pub(crate) fn invariant_violations(
    scenario: &Scenario,
    history: &History,
) -> (Vec<usize>, Vec<String>) {
    let mut violating = Vec::new();
    let mut findings = Vec::new();
    for (i, op) in history.ops.iter().enumerate() {
        let broken = scenario
            .invariants
            .iter()
            .find_map(|invariant| invariant.unequal_fields(op));
        if let Some(why) = broken {
            if findings.len() < FINDINGS_MAX {
                findings.push(format!("{why} (invoked at {} µs)", op.call));
            }
            violating.push(i);
        }
    }
    (violating, findings)
}

/// Judges `history` with `scenario`'s invariants and the checker (limited to `states_max`
/// states: a count, so the verdict on a recorded history does not depend on the machine
/// that judges it).
pub fn judge(scenario: &Scenario, history: &History, states_max: u64) -> RealVerdict {
    let count = |s: Status| history.ops.iter().filter(|op| op.status == s).count();
    let mut v = RealVerdict {
        ops: history.ops.len(),
        ok: count(Status::Ok),
        unknown: count(Status::Unknown),
        failed: count(Status::Fail),
        errors: history
            .ops
            .iter()
            .filter(|op| op.status == Status::Ok && matches!(op.result, Some(Reply::Error(_))))
            .count(),
        violating: Vec::new(),
        findings: Vec::new(),
        check: Err(String::new()),
    };
    (v.violating, v.findings) = invariant_violations(scenario, history);
    let options = check::Options {
        max_states: states_max,
        counterexample: false,
        ..check::Options::default()
    };
    v.check = check::check(history, ModelChoice::Auto, &options).map_err(|e| e.0);
    v
}

/// The verdict as text, ending with the checker's verdict line (as `redsim check`'s).
pub fn render(v: &RealVerdict) -> String {
    let mut s = format!(
        "operations: {} (ok {}, unknown {}, fail {}), error replies: {}\n",
        v.ops, v.ok, v.unknown, v.failed, v.errors
    );
    s += &format!(
        "invariant violations: {} of {} completed operations ({:.2}%)\n",
        v.violating.len(),
        v.ok,
        100.0 * v.anomaly_rate()
    );
    for f in &v.findings {
        s += &format!("  {f}\n");
    }
    if v.violating.len() > v.findings.len() {
        s += &format!("  … and {} more\n", v.violating.len() - v.findings.len());
    }
    match &v.check {
        Ok(o) => {
            s += &format!(
                "checker: {} model, {} part(s), {} states, {} steps{}\n",
                o.model,
                o.parts,
                o.states,
                o.steps,
                o.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            );
        }
        Err(e) => s += &format!("checker: cannot judge this history: {e}\n"),
    }
    s += if v.is_anomalous() {
        "anomaly: yes\n"
    } else {
        "anomaly: none seen\n"
    };
    s += v.check_verdict();
    s.push('\n');
    s
}
