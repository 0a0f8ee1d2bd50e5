//! The container types behind lists, hashes and sets, remembering the encoding Redis 7.0
//! would have chosen for them.
//!
//! Redis converts a small encoding (listpack for hashes, intset for sets) to a hashtable
//! once a threshold from the configuration is crossed, and never converts back: the
//! `hashtable` flags below are one-way for the same reason. Lists are always quicklists
//! in 7.0, so a list is a plain deque.

use super::footprint::{hash_pair, listpack_entry, set_member, Tally};
use crate::config::Config;
use indexmap::{IndexMap, IndexSet};
use rustc_hash::FxBuildHasher;
use std::collections::VecDeque;
use std::ops::Deref;

/// A list: a deque of elements with the tally of their listpack bytes, so that its
/// memory is known without walking it. Read it as a `VecDeque`; change it through the
/// methods below, which keep the tally.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct List {
    items: VecDeque<Vec<u8>>,
    tally: Tally,
}

impl List {
    /// An empty list.
    pub fn new() -> Self {
        List::default()
    }

    /// The listpack and table bytes its elements take.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    fn counted(&mut self, item: &[u8]) {
        self.tally.add(listpack_entry(item), 0);
    }

    fn uncounted(&mut self, item: Option<Vec<u8>>) -> Option<Vec<u8>> {
        if let Some(item) = &item {
            self.tally.remove(listpack_entry(item), 0);
        }
        item
    }

    /// Adds `item` at the head.
    pub fn push_front(&mut self, item: Vec<u8>) {
        self.counted(&item);
        self.items.push_front(item);
    }

    /// Adds `item` at the tail.
    pub fn push_back(&mut self, item: Vec<u8>) {
        self.counted(&item);
        self.items.push_back(item);
    }

    /// Takes the head element.
    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        let item = self.items.pop_front();
        self.uncounted(item)
    }

    /// Takes the tail element.
    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        let item = self.items.pop_back();
        self.uncounted(item)
    }

    /// Inserts `item` at `index`.
    pub fn insert(&mut self, index: usize, item: Vec<u8>) {
        self.counted(&item);
        self.items.insert(index, item);
    }

    /// Removes the element at `index`.
    pub fn remove(&mut self, index: usize) -> Option<Vec<u8>> {
        let item = self.items.remove(index);
        self.uncounted(item)
    }

    /// Replaces the element at `index` (LSET).
    pub fn set(&mut self, index: usize, item: Vec<u8>) {
        self.counted(&item);
        let old = std::mem::replace(&mut self.items[index], item);
        self.uncounted(Some(old));
    }

    /// Keeps the elements `start..end` (LTRIM).
    pub fn keep(&mut self, start: usize, end: usize) {
        self.items.truncate(end);
        self.items.drain(..start.min(end));
        self.tally = Tally::default();
        for i in 0..self.items.len() {
            let bytes = listpack_entry(&self.items[i]);
            self.tally.add(bytes, 0);
        }
    }

    /// Removes and returns the first `n` elements.
    pub fn take_front(&mut self, n: usize) -> Vec<Vec<u8>> {
        (0..n).filter_map(|_| self.pop_front()).collect()
    }
}

impl Deref for List {
    type Target = VecDeque<Vec<u8>>;
    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

impl<'a> IntoIterator for &'a List {
    type Item = &'a Vec<u8>;
    type IntoIter = std::collections::vec_deque::Iter<'a, Vec<u8>>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A hash: field → value, in insertion order while it is a listpack (as Redis's
/// listpack keeps it), with the listpack → hashtable conversion remembered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hash {
    map: IndexMap<Vec<u8>, Vec<u8>, FxBuildHasher>,
    hashtable: bool,
    tally: Tally,
}

impl Hash {
    /// An empty hash.
    pub fn new() -> Self {
        Hash::default()
    }

    /// Whether Redis would store this hash as a hashtable (else a listpack).
    pub(crate) fn is_hashtable(&self) -> bool {
        self.hashtable
    }

    /// Sets the encoding outright: a hash loaded from a listpack payload stays a listpack
    /// whatever the length of its values, as in Redis's `rdbLoadObject`.
    pub(crate) fn set_hashtable(&mut self, hashtable: bool) {
        self.hashtable = hashtable;
    }

    /// Sets `field` to `value`; returns whether the field is new. Converts to a hashtable
    /// when a field or value is longer than `hash-max-listpack-value` or the hash grows past
    /// `hash-max-listpack-entries` (Redis's `hashTypeTryConversion` and `hashTypeSet`).
    pub fn insert(&mut self, field: &[u8], value: Vec<u8>, config: &Config) -> bool {
        if !self.hashtable
            && (field.len() > config.hash_max_listpack_value
                || value.len() > config.hash_max_listpack_value)
        {
            self.hashtable = true;
        }
        let (listpack, table) = hash_pair(field, &value);
        self.tally.add(listpack, table);
        let new = match self.map.get_mut(field) {
            Some(slot) => {
                let (listpack, table) = hash_pair(field, slot);
                self.tally.remove(listpack, table);
                *slot = value;
                false
            }
            None => {
                self.map.insert(field.to_vec(), value);
                true
            }
        };
        if !self.hashtable && self.map.len() > config.hash_max_listpack_entries {
            self.hashtable = true;
        }
        new
    }

    /// Removes `field`. A listpack keeps the order of the others; a hashtable's order is
    /// arbitrary anyway, so the cheaper swap-removal is used.
    pub fn remove(&mut self, field: &[u8]) -> Option<Vec<u8>> {
        let value = if self.hashtable {
            self.map.swap_remove(field)
        } else {
            self.map.shift_remove(field)
        }?;
        let (listpack, table) = hash_pair(field, &value);
        self.tally.remove(listpack, table);
        Some(value)
    }

    /// The listpack and table bytes its fields and values take.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// The field/value pair at `index` of the iteration order (random picks).
    pub(crate) fn get_index(&self, index: usize) -> Option<(&Vec<u8>, &Vec<u8>)> {
        self.map.get_index(index)
    }
}

impl Deref for Hash {
    type Target = IndexMap<Vec<u8>, Vec<u8>, FxBuildHasher>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

/// A set, as an intset (integers only, reported in ascending order) until a non-integer
/// member or more than `set-max-intset-entries` members turn it into a hashtable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Set {
    members: IndexSet<Vec<u8>, FxBuildHasher>,
    hashtable: bool,
    /// `listpack` counts the members that need 8 bytes in an intset, `table` their
    /// hashtable allocations.
    tally: Tally,
    /// Members that need 4 bytes in an intset.
    wide: usize,
}

impl Set {
    /// An empty set.
    pub fn new() -> Self {
        Set::default()
    }

    /// Whether Redis would store this set as a hashtable (else an intset).
    pub(crate) fn is_hashtable(&self) -> bool {
        self.hashtable
    }

    /// Adds `member`; returns whether it was new (Redis's `setTypeAdd`).
    pub fn insert(&mut self, member: &[u8], config: &Config) -> bool {
        if !self.hashtable && crate::cmd::args::parse_i64(member).is_none() {
            self.hashtable = true;
        }
        if self.members.contains(member) {
            return false;
        }
        self.count(member, true);
        self.members.insert(member.to_vec());
        if !self.hashtable && self.members.len() > config.set_max_intset_entries {
            self.hashtable = true;
        }
        true
    }

    /// Removes `member`; whether it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        let removed = self.members.swap_remove(member);
        if removed {
            self.count(member, false);
        }
        removed
    }

    /// Removes and returns the member at `index` of the storage order (SPOP).
    pub fn remove_index(&mut self, index: usize) -> Option<Vec<u8>> {
        let member = self.members.swap_remove_index(index)?;
        self.count(&member, false);
        Some(member)
    }

    /// Adds (or takes away) what `member` costs to the tally.
    fn count(&mut self, member: &[u8], add: bool) {
        let table = set_member(member);
        let (wide, widest) = match crate::cmd::args::parse_i64(member) {
            Some(n) if i16::try_from(n).is_ok() => (0, 0),
            Some(n) if i32::try_from(n).is_ok() => (1, 0),
            _ => (0, 1),
        };
        if add {
            self.tally.add(widest, table);
            self.wide += wide;
        } else {
            self.tally.remove(widest, table);
            self.wide -= wide;
        }
    }

    /// The listpack and table bytes its members take.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// The bytes of one intset element: the width of the widest member.
    pub fn intset_width(&self) -> usize {
        if self.tally.listpack > 0 {
            8
        } else if self.wide > 0 {
            4
        } else {
            2
        }
    }

    pub(crate) fn get_index(&self, index: usize) -> Option<&Vec<u8>> {
        self.members.get_index(index)
    }

    /// The members in the order Redis lists them where that order is defined: an intset
    /// is sorted by value; a hashtable's order is Redis's hash order, which redsim does
    /// not reproduce (insertion order stands in for it).
    pub fn ordered(&self) -> Vec<&Vec<u8>> {
        let mut members: Vec<&Vec<u8>> = self.members.iter().collect();
        if !self.hashtable {
            members.sort_by_key(|m| crate::cmd::args::parse_i64(m).unwrap_or(0));
        }
        members
    }
}

impl Deref for Set {
    type Target = IndexSet<Vec<u8>, FxBuildHasher>;
    fn deref(&self) -> &Self::Target {
        &self.members
    }
}
