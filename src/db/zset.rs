//! Sorted sets: members ordered by (score, member), with a member → score index, and the
//! encoding Redis 7.0 would report (listpack until more than `zset-max-listpack-entries`
//! members or a member longer than `zset-max-listpack-value`, then skiplist for good).

use super::footprint::{zset_member, Tally};
use crate::config::Config;
use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound;

/// A score that orders as Redis compares scores: numerically, with `-0` equal to `0`
/// (ties are then broken by member). NaN is never stored.
#[derive(Clone, Copy, Debug)]
pub struct Score(pub f64);

impl PartialEq for Score {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Score {}
impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.partial_cmp(&other.0).unwrap_or(Ordering::Equal)
    }
}

/// A score interval as ZRANGEBYSCORE takes it (`(` makes a bound exclusive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub(crate) min_exclusive: bool,
    pub(crate) max_exclusive: bool,
}

impl ScoreRange {
    pub(crate) fn above_min(&self, score: f64) -> bool {
        if self.min_exclusive {
            score > self.min
        } else {
            score >= self.min
        }
    }

    pub(crate) fn below_max(&self, score: f64) -> bool {
        if self.max_exclusive {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// Whether no score can be in the range (Redis's `zslIsInRange` precheck).
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_exclusive || self.max_exclusive))
    }
}

/// One end of a lexicographic range (ZRANGEBYLEX's `-`, `+`, `[x`, `(x`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum LexBound {
    NegInf,
    PosInf,
    Inclusive(Vec<u8>),
    Exclusive(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    pub(crate) fn above_min(&self, member: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Inclusive(m) => member >= m.as_slice(),
            LexBound::Exclusive(m) => member > m.as_slice(),
        }
    }

    pub(crate) fn below_max(&self, member: &[u8]) -> bool {
        match &self.max {
            LexBound::NegInf => false,
            LexBound::PosInf => true,
            LexBound::Inclusive(m) => member <= m.as_slice(),
            LexBound::Exclusive(m) => member < m.as_slice(),
        }
    }

    /// Whether no member can be in the range (Redis's `zslIsInLexRange` precheck).
    pub fn is_empty(&self) -> bool {
        use LexBound::*;
        match (&self.min, &self.max) {
            (PosInf, _) | (_, NegInf) => true,
            (NegInf, _) | (_, PosInf) => false,
            (Inclusive(a), Inclusive(b)) => a > b,
            (Inclusive(a) | Exclusive(a), Exclusive(b)) | (Exclusive(a), Inclusive(b)) => a >= b,
        }
    }
}

/// A sorted set: members ordered by score, then by member.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZSet {
    /// member → score. Readable by other code (MEMORY USAGE, fingerprints); change a
    /// sorted set only through `insert`/`remove`/`pop`, which keep both indexes in step.
    pub scores: IndexMap<Vec<u8>, f64, FxBuildHasher>,
    /// (score, member) in Redis's order.
    pub ordered: BTreeSet<(Score, Vec<u8>)>,
    skiplist: bool,
    /// What the members and scores cost (see `db::footprint`).
    tally: Tally,
}

impl ZSet {
    /// An empty sorted set.
    pub fn new() -> Self {
        ZSet::default()
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether it has no member.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// Whether Redis would store this sorted set as a skiplist (else a listpack).
    pub(crate) fn is_skiplist(&self) -> bool {
        self.skiplist
    }

    /// Sets the encoding outright: a sorted set loaded from a listpack payload stays a
    /// listpack whatever the length of its members, as in Redis's `rdbLoadObject`.
    pub(crate) fn set_skiplist(&mut self, skiplist: bool) {
        self.skiplist = skiplist;
    }

    /// The score of `member`, if it is one.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// A listpack stores an integral score as an integer, so `-0` comes back as `0`; a
    /// skiplist keeps the double as is.
    fn stored_score(&self, score: f64, member: &[u8], config: &Config) -> f64 {
        // Called for a new member only.
        let will_be_listpack = !self.skiplist
            && member.len() <= config.zset_max_listpack_value
            && self.scores.len() < config.zset_max_listpack_entries;
        if score == 0.0 && will_be_listpack {
            0.0
        } else {
            score
        }
    }

    /// Sets `member`'s score; returns its previous score. Converts to a skiplist as
    /// Redis's `zsetAdd` does.
    pub fn insert(&mut self, member: &[u8], score: f64, config: &Config) -> Option<f64> {
        match self.scores.get_mut(member) {
            Some(slot) => {
                let score = if score == 0.0 && !self.skiplist {
                    0.0
                } else {
                    score
                };
                let old = *slot;
                if Score(old) != Score(score) || old.to_bits() != score.to_bits() {
                    *slot = score;
                    self.count(member, score, true);
                    self.count(member, old, false);
                    let entry = self.ordered.take(&(Score(old), member.to_vec()));
                    let mut key = entry.expect("ordered index holds every member");
                    key.0 = Score(score);
                    self.ordered.insert(key);
                }
                Some(old)
            }
            None => {
                let score = self.stored_score(score, member, config);
                if !self.skiplist
                    && (member.len() > config.zset_max_listpack_value
                        || self.scores.len() + 1 > config.zset_max_listpack_entries)
                {
                    self.skiplist = true;
                }
                self.count(member, score, true);
                self.scores.insert(member.to_vec(), score);
                self.ordered.insert((Score(score), member.to_vec()));
                None
            }
        }
    }

    /// Adds a member known not to be present (ZADD's hot path: one lookup fewer).
    pub(crate) fn insert_new(&mut self, member: &[u8], score: f64, config: &Config) {
        debug_assert!(!self.scores.contains_key(member));
        let score = self.stored_score(score, member, config);
        if !self.skiplist
            && (member.len() > config.zset_max_listpack_value
                || self.scores.len() + 1 > config.zset_max_listpack_entries)
        {
            self.skiplist = true;
        }
        self.count(member, score, true);
        self.scores.insert(member.to_vec(), score);
        self.ordered.insert((Score(score), member.to_vec()));
    }

    /// Removes `member`; its score, if it was one.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.scores.swap_remove(member)?;
        self.ordered.remove(&(Score(score), member.to_vec()));
        self.count(member, score, false);
        Some(score)
    }

    /// Adds (or takes away) what `member` with `score` costs to the tally.
    fn count(&mut self, member: &[u8], score: f64, add: bool) {
        let (listpack, table) = zset_member(member, score);
        if add {
            self.tally.add(listpack, table);
        } else {
            self.tally.remove(listpack, table);
        }
    }

    /// The listpack and table bytes its members take.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// Turns a listpack into a skiplist for good (Redis's `zsetConvert`, which SORT
    /// applies to the sorted set it sorts).
    pub(crate) fn convert_to_skiplist(&mut self) {
        self.skiplist = true;
    }

    /// Chooses the encoding from scratch, as Redis does for a sorted set built by a store
    /// command (`zsetConvertToListpackIfNeeded`).
    pub(crate) fn settle_encoding(&mut self, config: &Config) {
        let longest = self.scores.keys().map(Vec::len).max().unwrap_or(0);
        self.skiplist = self.len() > config.zset_max_listpack_entries
            || longest > config.zset_max_listpack_value;
    }

    /// 0-based position of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.score(member)?;
        Some(
            self.ordered
                .range(..(Score(score), member.to_vec()))
                .count(),
        )
    }

    /// Members with their scores in ascending order (reverse it for descending).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&[u8], f64)> + '_ {
        self.ordered.iter().map(|(s, m)| (m.as_slice(), s.0))
    }

    /// The member/score pair at `index` of the storage order (random picks).
    pub(crate) fn get_index(&self, index: usize) -> Option<(&Vec<u8>, f64)> {
        self.scores.get_index(index).map(|(m, s)| (m, *s))
    }

    /// Removes and returns the lowest (or, with `max`, highest) member.
    pub fn pop(&mut self, max: bool) -> Option<(Vec<u8>, f64)> {
        let (score, member) = if max {
            self.ordered.pop_last()?
        } else {
            self.ordered.pop_first()?
        };
        self.scores.swap_remove(&member);
        self.count(&member, score.0, false);
        Some((member, score.0))
    }

    /// Members whose score is in `range`, ascending.
    pub(crate) fn range_by_score<'a>(
        &'a self,
        range: &ScoreRange,
    ) -> Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a> {
        if range.is_empty() {
            return Box::new(std::iter::empty());
        }
        let r = *range;
        let start = if range.min_exclusive {
            if range.min == f64::INFINITY {
                return Box::new(std::iter::empty());
            }
            range.min.next_up()
        } else {
            range.min
        };
        let iter = self
            .ordered
            .range((Score(start), Vec::new())..)
            .map(|(s, m)| (m.as_slice(), s.0))
            .skip_while(move |(_, s)| !r.above_min(*s))
            .take_while(move |(_, s)| r.below_max(*s));
        Box::new(iter)
    }

    /// Members whose score is in `range`, descending.
    pub(crate) fn range_by_score_rev<'a>(
        &'a self,
        range: &ScoreRange,
    ) -> Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a> {
        if range.is_empty() {
            return Box::new(std::iter::empty());
        }
        let r = *range;
        let end = if range.max_exclusive || range.max == f64::INFINITY {
            range.max
        } else {
            range.max.next_up()
        };
        let upper = if !range.max_exclusive && range.max == f64::INFINITY {
            Bound::Unbounded
        } else {
            Bound::Excluded((Score(end), Vec::new()))
        };
        let iter = self
            .ordered
            .range((Bound::Unbounded, upper))
            .rev()
            .map(|(s, m)| (m.as_slice(), s.0))
            .skip_while(move |(_, s)| !r.below_max(*s))
            .take_while(move |(_, s)| r.above_min(*s));
        Box::new(iter)
    }

    /// Redis's `zslIsInLexRange` precheck: the last member must reach the minimum and the
    /// first must not pass the maximum (with mixed scores this can refuse a range that a
    /// walk would find members in, and Redis refuses it too).
    fn may_hold_lex_range(&self, range: &LexRange) -> bool {
        match (self.ordered.first(), self.ordered.last()) {
            (Some((_, first)), Some((_, last))) => {
                !range.is_empty() && range.above_min(last) && range.below_max(first)
            }
            _ => false,
        }
    }

    /// Members in the lexicographic `range`, ascending: from the first member at or above
    /// the minimum while members stay below the maximum (the listpack walk; with mixed
    /// scores the result is as unspecified as Redis documents it).
    pub(crate) fn range_by_lex<'a>(
        &'a self,
        range: &'a LexRange,
    ) -> Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a> {
        if !self.may_hold_lex_range(range) {
            return Box::new(std::iter::empty());
        }
        Box::new(
            self.iter()
                .skip_while(move |(m, _)| !range.above_min(m))
                .take_while(move |(m, _)| range.below_max(m)),
        )
    }

    /// Members in the lexicographic `range`, descending.
    pub(crate) fn range_by_lex_rev<'a>(
        &'a self,
        range: &'a LexRange,
    ) -> Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a> {
        if !self.may_hold_lex_range(range) {
            return Box::new(std::iter::empty());
        }
        Box::new(
            self.iter()
                .rev()
                .skip_while(move |(m, _)| !range.below_max(m))
                .take_while(move |(m, _)| range.above_min(m)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_ties_with_zero_and_orders_by_member() {
        let config = Config::default();
        let mut z = ZSet::new();
        z.insert(b"b", -0.0, &config);
        z.insert(b"a", 0.0, &config);
        let members: Vec<&[u8]> = z.iter().map(|(m, _)| m).collect();
        assert_eq!(members, vec![b"a".as_slice(), b"b".as_slice()]);
        assert_eq!(z.rank(b"b"), Some(1));
    }

    #[test]
    fn score_ranges_honour_exclusive_bounds_both_ways() {
        let config = Config::default();
        let mut z = ZSet::new();
        for (m, s) in [("a", 1.0), ("b", 2.0), ("c", 3.0)] {
            z.insert(m.as_bytes(), s, &config);
        }
        let r = ScoreRange {
            min: 1.0,
            max: 3.0,
            min_exclusive: true,
            max_exclusive: false,
        };
        let up: Vec<&[u8]> = z.range_by_score(&r).map(|(m, _)| m).collect();
        assert_eq!(up, vec![b"b".as_slice(), b"c".as_slice()]);
        let down: Vec<&[u8]> = z.range_by_score_rev(&r).map(|(m, _)| m).collect();
        assert_eq!(down, vec![b"c".as_slice(), b"b".as_slice()]);
    }

    #[test]
    fn growing_past_the_listpack_limit_converts_for_good() {
        let config = Config {
            zset_max_listpack_entries: 2,
            ..Config::default()
        };
        let mut z = ZSet::new();
        for m in ["a", "b", "c"] {
            z.insert(m.as_bytes(), 1.0, &config);
        }
        assert!(z.is_skiplist());
        z.remove(b"a");
        z.remove(b"b");
        assert!(z.is_skiplist());
    }
}
