//! Sorted sets: members ordered by (score, member), with a member → score index.
//! Owned by the collections work (issue 2, step 3).

use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// A score that orders as Redis orders scores (NaN is never stored).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score(pub f64);

impl Eq for Score {}
impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZSet {
    pub scores: FxHashMap<Vec<u8>, f64>,
    pub ordered: BTreeSet<(Score, Vec<u8>)>,
}

impl ZSet {
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }
}
