//! One database: keys, values and expiry times.
//!
//! Expired keys are removed lazily, when a command looks them up, with the time the
//! command runs at (the host's clock, frozen for the length of a script). Iteration
//! follows insertion order with swap-removal, which is deterministic for a given
//! history of commands.

use super::Value;
use indexmap::IndexMap;
use rustc_hash::{FxBuildHasher, FxHashMap};

#[derive(Clone, Debug, Default)]
pub struct Db {
    entries: IndexMap<Vec<u8>, Value, FxBuildHasher>,
    /// Absolute expiry time in Unix milliseconds.
    expires: FxHashMap<Vec<u8>, u64>,
}

impl Db {
    pub fn new() -> Self {
        Db::default()
    }

    /// Whether `key` has an expiry time that has passed at `now_ms`.
    pub fn is_expired(&self, key: &[u8], now_ms: u64) -> bool {
        match self.expires.get(key) {
            Some(&at) => at <= now_ms,
            None => false,
        }
    }

    /// Removes `key` if it has expired; returns whether it did.
    pub fn expire_if_needed(&mut self, key: &[u8], now_ms: u64) -> bool {
        if self.is_expired(key, now_ms) {
            self.remove(key);
            true
        } else {
            false
        }
    }

    /// The live value of `key`.
    pub fn get(&mut self, key: &[u8], now_ms: u64) -> Option<&Value> {
        if !self.expires.is_empty() {
            self.expire_if_needed(key, now_ms);
        }
        self.entries.get(key)
    }

    /// The live value of `key`, to change in place (its expiry is kept).
    pub fn get_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Value> {
        if !self.expires.is_empty() {
            self.expire_if_needed(key, now_ms);
        }
        self.entries.get_mut(key)
    }

    /// Whether `key` exists at `now_ms`, without touching it.
    pub fn contains(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.get(key, now_ms).is_some()
    }

    /// Stores `value` under `key` and clears any expiry (as SET does).
    pub fn set(&mut self, key: &[u8], value: Value) {
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        self.set_keep_ttl(key, value);
    }

    /// Stores `value` under `key`, keeping its expiry (as SET KEEPTTL does).
    pub fn set_keep_ttl(&mut self, key: &[u8], value: Value) {
        if let Some(slot) = self.entries.get_mut(key) {
            *slot = value;
        } else {
            self.entries.insert(key.to_vec(), value);
        }
    }

    /// Removes `key` and its expiry; returns the value it held.
    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        self.entries.swap_remove(key)
    }

    /// The absolute expiry time of `key` in Unix ms, if it has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        self.expires.get(key).copied()
    }

    /// Sets the absolute expiry of an existing key.
    pub fn set_expire_at(&mut self, key: &[u8], at_ms: u64) {
        if self.entries.contains_key(key) {
            self.expires.insert(key.to_vec(), at_ms);
        }
    }

    /// Removes the expiry of `key`; returns whether it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    /// Number of keys, counting expired keys not yet removed (as DBSIZE does).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of keys with an expiry (INFO keyspace's `expires`).
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.expires.clear();
    }

    /// Keys in iteration order (may include expired keys not yet removed).
    pub fn keys(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.entries.keys()
    }

    /// Every entry as stored (expired or not), without changing anything: for digests
    /// and snapshot comparison (`fingerprint.rs`).
    pub fn entries(&self) -> impl Iterator<Item = (&Vec<u8>, &Value)> {
        self.entries.iter()
    }

    /// The value of `key` as stored (expired or not), without changing anything.
    pub fn peek(&self, key: &[u8]) -> Option<&Value> {
        self.entries.get(key)
    }

    /// The key at position `index` of the iteration order (for SCAN and RANDOMKEY).
    pub fn key_at(&self, index: usize) -> Option<&Vec<u8>> {
        self.entries.get_index(index).map(|(k, _)| k)
    }

    /// Removes every expired key (active expiry; also what a full scan does).
    pub fn purge_expired(&mut self, now_ms: u64) -> usize {
        let dead: Vec<Vec<u8>> = self
            .expires
            .iter()
            .filter(|(_, &at)| at <= now_ms)
            .map(|(k, _)| k.clone())
            .collect();
        for key in &dead {
            self.remove(key);
        }
        dead.len()
    }
}
