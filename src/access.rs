//! What the commands of one step really touched, for a simulator that reorders steps.
//!
//! Two steps of different clients commute when neither can see the other's effects. The
//! simulator cannot know that from a request alone — a script reaches keys it never
//! declared, a key's expiry makes a read depend on the clock, SCRIPT FLUSH changes what
//! EVALSHA answers — so the engine records, while it runs, every resource each command
//! reaches through the one dispatch all commands share (a network client, EXEC and a
//! script's `redis.call` alike). The record is off by default (`Store::access` is `None`)
//! and costs one branch per command when off.
//!
//! What counts, from the command table (the one place that knows about commands):
//! - keyed commands reach their keys in the client's current database (MOVE and COPY … DB
//!   also the destination database), writing them when the command has the `write` flag;
//! - EXEC reads its WATCHed keys (another client's write decides whether it runs);
//! - EVAL adds its script to the cache and EVALSHA reads it; FCALL reads the function
//!   libraries; a script that draws from `math.random` writes the shared generator;
//! - commands marked `session_only` in the table (PING, SELECT, MULTI…) touch only the
//!   caller's own connection;
//! - a command that looks at a key with an expiry, sets one, or is about time (TTL,
//!   EXPIREAT, OBJECT IDLETIME…) reads the clock, which every step moves forward;
//! - anything else (FLUSHALL, SCRIPT FLUSH, CONFIG SET, KEYS, INFO, TIME…) is `global`:
//!   it conflicts with every other step. Whatever is not known is global.

use rustc_hash::FxHasher;
use std::hash::Hasher;

/// How a step used one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// It read the resource.
    Read,
    /// An insertion that is the same whoever does it first (EVAL caching its script):
    /// two additions commute with each other, not with a read or a write.
    Add,
    /// It changed the resource.
    Write,
}

impl Mode {
    fn conflicts_with(self, other: Mode) -> bool {
        !matches!(
            (self, other),
            (Mode::Read, Mode::Read) | (Mode::Add, Mode::Add)
        )
    }
}

/// A resource a step can reach, hashed with its kind so that different kinds never meet.
/// A collision of two hashes only makes two steps look dependent: never unsound.
#[derive(Clone, Copy, Debug)]
pub enum Resource<'a> {
    /// A key of database `db`.
    Key(usize, &'a [u8]),
    /// A script of the EVAL cache, by SHA1.
    Script(&'a [u8]),
    /// The function libraries.
    Functions,
    /// The generator behind `math.random`, shared by every script.
    LuaRandom,
    /// The server's random stream (SPOP, SRANDMEMBER…).
    Random,
    /// Used memory, while `maxmemory` is set: every command is admitted by it, every
    /// change moves it.
    Memory,
}

/// The low bits of a resource id name its kind (0: a key).
const KIND_BITS: u32 = 3;

impl Resource<'_> {
    fn id(self) -> u64 {
        let mut h = FxHasher::default();
        let kind = match self {
            Resource::Key(db, key) => {
                h.write_usize(db);
                h.write(key);
                0
            }
            Resource::Script(sha) => {
                h.write(&sha.to_ascii_lowercase());
                1
            }
            Resource::Functions => 2,
            Resource::LuaRandom => 3,
            Resource::Random => 4,
            Resource::Memory => 5,
        };
        (h.finish() << KIND_BITS) | kind
    }
}

/// Everything one step touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Reached something outside the resources below: conflicts with every step.
    pub global: bool,
    /// Depended on the time. Every step moves the clock, so this too conflicts with every
    /// step of another client.
    pub clock: bool,
    /// Resource ids with how they were used (sorted and merged by [`Access::normalise`]).
    pub resources: Vec<(u64, Mode)>,
}

impl Access {
    /// Records that the step used `resource` as `mode`.
    pub fn touch(&mut self, resource: Resource<'_>, mode: Mode) {
        self.resources.push((resource.id(), mode));
    }

    /// Adds everything `other` touched.
    pub fn merge(&mut self, other: &Access) {
        self.global |= other.global;
        self.clock |= other.clock;
        self.resources.extend_from_slice(&other.resources);
    }

    /// Sorts the resources and keeps one entry per resource, with the strongest use
    /// (a read and an addition of one script together count as a write).
    pub fn normalise(&mut self) {
        self.resources.sort_unstable();
        let mut merged: Vec<(u64, Mode)> = Vec::with_capacity(self.resources.len());
        for &(id, mode) in &self.resources {
            match merged.last_mut() {
                Some((last, m)) if *last == id => {
                    if *m != mode {
                        *m = Mode::Write;
                    }
                }
                _ => merged.push((id, mode)),
            }
        }
        self.resources = merged;
    }

    /// Whether a key other than `keys` was reached (a script reaching keys it did not
    /// declare, a command reaching another database).
    pub fn reaches_keys_outside(&self, keys: &[(usize, &[u8])]) -> bool {
        let allowed: Vec<u64> = keys
            .iter()
            .map(|&(db, key)| Resource::Key(db, key).id())
            .collect();
        self.resources
            .iter()
            .any(|(id, _)| id & ((1 << KIND_BITS) - 1) == 0 && !allowed.contains(id))
    }

    /// Whether two steps of different clients give the same result in either order:
    /// neither is global or about time, and every resource both touch is only read (or
    /// only added to) by both. Both must be [normalised](Access::normalise).
    pub fn commutes_with(&self, other: &Access) -> bool {
        if self.global || other.global || self.clock || other.clock {
            return false;
        }
        let (mut i, mut j) = (0, 0);
        let (a, b) = (&self.resources, &other.resources);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if a[i].1.conflicts_with(b[j].1) {
                        return false;
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(items: &[(Resource<'_>, Mode)]) -> Access {
        let mut a = Access::default();
        for &(r, m) in items {
            a.touch(r, m);
        }
        a.normalise();
        a
    }

    #[test]
    fn reads_commute_writes_do_not() {
        let read = of(&[(Resource::Key(0, b"k"), Mode::Read)]);
        let write = of(&[(Resource::Key(0, b"k"), Mode::Write)]);
        let other_db = of(&[(Resource::Key(1, b"k"), Mode::Write)]);
        assert!(read.commutes_with(&read));
        assert!(!read.commutes_with(&write));
        assert!(!write.commutes_with(&write));
        assert!(write.commutes_with(&other_db));
    }

    #[test]
    fn script_cache_additions_commute_but_not_with_a_lookup() {
        let add = of(&[(Resource::Script(b"abc"), Mode::Add)]);
        let lookup = of(&[(Resource::Script(b"ABC"), Mode::Read)]);
        assert!(add.commutes_with(&add));
        assert!(!add.commutes_with(&lookup));
    }

    #[test]
    fn global_and_clock_conflict_with_everything() {
        let empty = Access::default();
        let global = Access {
            global: true,
            ..Access::default()
        };
        let clock = Access {
            clock: true,
            ..Access::default()
        };
        assert!(empty.commutes_with(&empty));
        assert!(!global.commutes_with(&empty));
        assert!(!empty.commutes_with(&clock));
    }

    #[test]
    fn keys_outside_a_declared_set_are_told_apart_from_other_resources() {
        let a = of(&[
            (Resource::Key(0, b"a"), Mode::Write),
            (Resource::Script(b"abc"), Mode::Add),
            (Resource::LuaRandom, Mode::Write),
        ]);
        assert!(!a.reaches_keys_outside(&[(0, b"a")]));
        assert!(a.reaches_keys_outside(&[(0, b"b")]));
        assert!(a.reaches_keys_outside(&[(1, b"a")]));
    }

    #[test]
    fn a_read_and_a_write_of_one_resource_merge_into_a_write() {
        let mut a = of(&[
            (Resource::Key(0, b"k"), Mode::Read),
            (Resource::Key(0, b"k"), Mode::Add),
        ]);
        a.normalise();
        assert_eq!(a.resources.len(), 1);
        assert_eq!(a.resources[0].1, Mode::Write);
    }
}
