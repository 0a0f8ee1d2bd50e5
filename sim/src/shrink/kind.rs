//! The kind of a failure: what shrinking must keep. A shrunk run that fails differently
//! (say, an update lost where the original read a counter that disagreed with the set)
//! is a different bug, so a candidate is kept only when it still shows every label of the
//! original's kind ([`FailureKind::includes`]). It may show more: removing a client can
//! let the judge check more (with one group of clients left it also counts lost updates),
//! and the original failure is still there.
//!
//! A kind is a set of labels: the anomalies the judge found (not the values, which
//! change as the run shrinks) and, for the Rust test API, the names of the failed checks.

use crate::report::analysis::Verdict;
use std::collections::BTreeSet;
use std::fmt;

pub(crate) const NOT_LINEARIZABLE: &str = "not linearizable";
pub(crate) const LOST_UPDATE: &str = "lost update";
pub(crate) const INVARIANT: &str = "result_fields_equal broken";
pub(crate) const PARTIAL_EFFECTS: &str = "partial effects";
pub(crate) const STALE_MESSAGE: &str = "stale announcement";
pub(crate) const DUPLICATE_EFFECT: &str = "duplicate effect";
pub(crate) const LOST_WRITE: &str = "lost acknowledged write";

/// The labels of a failure, sorted; empty when the run passed.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FailureKind(BTreeSet<String>);

impl FailureKind {
    /// The kind of the judge's verdict: its anomalies (empty if the run is not anomalous).
    pub fn of(verdict: &Verdict) -> FailureKind {
        let mut kind = FailureKind::default();
        if !verdict.is_anomalous() {
            return kind;
        }
        if verdict.not_linearizable == Some(true) {
            kind.add(NOT_LINEARIZABLE);
        }
        if verdict.lost_update {
            kind.add(LOST_UPDATE);
        }
        if verdict.mismatch {
            kind.add(INVARIANT);
        }
        if verdict.partial_effects && verdict.all_or_nothing {
            kind.add(PARTIAL_EFFECTS);
        }
        if verdict.stale_message {
            kind.add(STALE_MESSAGE);
        }
        if verdict.duplicate_effect {
            kind.add(DUPLICATE_EFFECT);
        }
        if verdict.lost_write {
            kind.add(LOST_WRITE);
        }
        kind
    }

    /// Adds a label.
    pub fn add(&mut self, label: &str) {
        self.0.insert(label.to_string());
    }

    /// Whether this failure shows every label of `original` (and `original` is a failure).
    pub fn includes(&self, original: &FailureKind) -> bool {
        !original.passed() && original.0.is_subset(&self.0)
    }

    /// Whether the run passed (no label).
    pub fn passed(&self) -> bool {
        self.0.is_empty()
    }

    /// The labels, sorted.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.passed() {
            return write!(f, "no failure");
        }
        let labels: Vec<&str> = self.labels().collect();
        write!(f, "{}", labels.join(" + "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mismatch_is_also_not_linearizable_and_the_values_do_not_count() {
        let v = Verdict {
            not_linearizable: Some(true),
            mismatch: true,
            findings: vec![
                "client 1's result breaks result_fields_equal(0, 1): field 0 is 2, field 1 is 1"
                    .into(),
            ],
            ..Verdict::default()
        };
        let w = Verdict {
            findings: vec![
                "client 0's result breaks result_fields_equal(0, 1): field 0 is 3, field 1 is 2"
                    .into(),
            ],
            ..v.clone()
        };
        assert_eq!(FailureKind::of(&v), FailureKind::of(&w));
        assert_eq!(
            FailureKind::of(&v).to_string(),
            "not linearizable + result_fields_equal broken"
        );
        assert!(FailureKind::of(&Verdict::default()).passed());
    }

    #[test]
    fn a_lost_update_is_another_kind_than_a_mismatch() {
        let lost = Verdict {
            not_linearizable: Some(true),
            lost_update: true,
            ..Verdict::default()
        };
        let mismatch = Verdict {
            not_linearizable: Some(true),
            mismatch: true,
            ..Verdict::default()
        };
        assert_ne!(FailureKind::of(&lost), FailureKind::of(&mismatch));
        assert!(!FailureKind::of(&lost).includes(&FailureKind::of(&mismatch)));
        let both = Verdict {
            mismatch: true,
            ..lost.clone()
        };
        assert!(FailureKind::of(&both).includes(&FailureKind::of(&mismatch)));
        assert!(!FailureKind::default().includes(&FailureKind::default()));
    }
}
