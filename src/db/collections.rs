//! The container types behind lists, hashes and sets, remembering the encoding Redis 7.0
//! would have chosen for them.
//!
//! Redis converts a small encoding (listpack for hashes, intset for sets) to a hashtable
//! once a threshold from the configuration is crossed, and never converts back: the
//! `hashtable` flags below are one-way for the same reason. Lists are always quicklists
//! in 7.0, so a list is a plain deque.

use crate::config::Config;
use indexmap::{IndexMap, IndexSet};
use rustc_hash::FxBuildHasher;
use std::collections::VecDeque;
use std::ops::Deref;

pub type List = VecDeque<Vec<u8>>;

/// A hash: field → value, in insertion order while it is a listpack (as Redis's
/// listpack keeps it), with the listpack → hashtable conversion remembered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hash {
    map: IndexMap<Vec<u8>, Vec<u8>, FxBuildHasher>,
    hashtable: bool,
}

impl Hash {
    pub fn new() -> Self {
        Hash::default()
    }

    /// Whether Redis would store this hash as a hashtable (else a listpack).
    pub fn is_hashtable(&self) -> bool {
        self.hashtable
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
        let new = match self.map.get_mut(field) {
            Some(slot) => {
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
        if self.hashtable {
            self.map.swap_remove(field)
        } else {
            self.map.shift_remove(field)
        }
    }

    /// The field/value pair at `index` of the iteration order (random picks).
    pub fn get_index(&self, index: usize) -> Option<(&Vec<u8>, &Vec<u8>)> {
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
}

impl Set {
    pub fn new() -> Self {
        Set::default()
    }

    /// Whether Redis would store this set as a hashtable (else an intset).
    pub fn is_hashtable(&self) -> bool {
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
        self.members.insert(member.to_vec());
        if !self.hashtable && self.members.len() > config.set_max_intset_entries {
            self.hashtable = true;
        }
        true
    }

    pub fn remove(&mut self, member: &[u8]) -> bool {
        self.members.swap_remove(member)
    }

    /// Removes and returns the member at `index` of the storage order (SPOP).
    pub fn remove_index(&mut self, index: usize) -> Option<Vec<u8>> {
        self.members.swap_remove_index(index)
    }

    pub fn get_index(&self, index: usize) -> Option<&Vec<u8>> {
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
