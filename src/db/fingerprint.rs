//! A fast digest of a dataset, for the linearizability checker: two stores holding the
//! same keys, values and expiry times get the same fingerprint, whatever order their
//! keys were inserted in (like Redis's `DEBUG DIGEST`, which XORs per-key digests).
//!
//! Each entry is hashed with FxHasher (seedless, so the value is the same in every
//! process), passed through a 64-bit finalizer so that the weak Fx mixing does not make
//! entries cancel out, and the per-entry hashes are summed — addition is independent of
//! iteration order. Unordered containers (hashes, sets) are digested the same way.

use super::{Db, Value};
use crate::store::Store;
use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};

/// splitmix64's finalizer: spreads every input bit over the whole word.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn hash_of(parts: impl FnOnce(&mut FxHasher)) -> u64 {
    let mut h = FxHasher::default();
    parts(&mut h);
    mix(h.finish())
}

/// Order-independent digest of a collection of already-mixed item hashes.
fn unordered(items: impl Iterator<Item = u64>) -> u64 {
    items.fold(0u64, |acc, h| acc.wrapping_add(h))
}

fn value_fingerprint(value: &Value) -> u64 {
    match value {
        Value::Str(s) => hash_of(|h| {
            0u8.hash(h);
            s.hash(h);
        }),
        Value::List(l) => hash_of(|h| {
            1u8.hash(h);
            l.len().hash(h);
            for item in l {
                item.hash(h);
            }
        }),
        Value::Hash(m) => {
            let body = unordered(m.iter().map(|(f, v)| hash_of(|h| (f, v).hash(h))));
            hash_of(|h| (2u8, m.len(), body).hash(h))
        }
        Value::Set(s) => {
            let body = unordered(s.iter().map(|m| hash_of(|h| m.hash(h))));
            hash_of(|h| (3u8, s.len(), body).hash(h))
        }
        Value::ZSet(z) => hash_of(|h| {
            4u8.hash(h);
            z.len().hash(h);
            // `iter` goes by (score, member): a canonical order.
            for (member, score) in z.iter() {
                score.to_bits().hash(h);
                member.hash(h);
            }
        }),
        // Entries, groups and counters: the whole value (Stream's own `Hash` would be
        // costly to keep; its Debug form is canonical, BTreeMaps in order).
        Value::Stream(s) => hash_of(|h| {
            5u8.hash(h);
            format!("{s:?}").hash(h);
        }),
    }
}

impl Db {
    /// Digest of every key, value and expiry time, independent of iteration order.
    pub fn fingerprint(&self) -> u64 {
        unordered(self.entries().map(|(key, value)| {
            let v = value_fingerprint(value);
            let at = self.expire_at(key);
            hash_of(|h| (key, v, at).hash(h))
        }))
    }

    /// Whether two databases hold exactly the same keys, values and expiry times.
    pub fn same_data(&self, other: &Db) -> bool {
        self.len() == other.len()
            && self.entries().all(|(key, value)| {
                other.stored(key) == Some(value) && self.expire_at(key) == other.expire_at(key)
            })
    }
}

impl Store {
    /// Digest of the data in every database (not sessions, statistics or configuration).
    pub fn fingerprint(&self) -> u64 {
        self.dbs.iter().enumerate().fold(0u64, |acc, (index, db)| {
            if db.is_empty() {
                acc
            } else {
                acc.wrapping_add(mix(db.fingerprint() ^ mix(index as u64 + 1)))
            }
        })
    }

    /// Whether two stores hold the same data in every database.
    pub fn same_data(&self, other: &Store) -> bool {
        self.dbs.len() == other.dbs.len()
            && self.dbs.iter().zip(&other.dbs).all(|(a, b)| a.same_data(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::Str(text.as_bytes().to_vec())
    }

    #[test]
    fn insertion_order_does_not_change_the_fingerprint() {
        let mut a = Db::new();
        a.set(b"x", s("1"));
        a.set(b"y", s("2"));
        let mut b = Db::new();
        b.set(b"y", s("2"));
        b.set(b"x", s("1"));
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert!(a.same_data(&b));
    }

    #[test]
    fn a_changed_value_or_expiry_changes_the_fingerprint() {
        let mut a = Db::new();
        a.set(b"x", s("1"));
        let mut b = a.clone();
        b.set(b"x", s("2"));
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert!(!a.same_data(&b));
        let mut c = a.clone();
        c.set_expire_at(b"x", 10);
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert!(!a.same_data(&c));
    }

    #[test]
    fn the_same_data_in_another_database_differs() {
        let mut a = Store::new();
        a.dbs[0].set(b"x", s("1"));
        let mut b = Store::new();
        b.dbs[1].set(b"x", s("1"));
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert!(!a.same_data(&b));
        assert_eq!(Store::new().fingerprint(), 0);
    }
}
