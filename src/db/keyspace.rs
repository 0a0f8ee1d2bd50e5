//! One database: keys, values and expiry times.
//!
//! Expired keys are removed lazily, when a command looks them up, with the time the
//! command runs at (the host's clock, frozen for the length of a script). Iteration
//! follows insertion order with swap-removal, which is deterministic for a given
//! history of commands.
//!
//! Beside each value the database keeps what Redis keeps in the `robj` header: the
//! LRU clock of the last access (OBJECT IDLETIME) and, for strings, whether the value
//! was forced to the `raw` encoding by an in-place change (APPEND, SETRANGE).

use super::{StrEnc, Value};
use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

/// A value and its object header.
#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Value,
    /// How a string was made (its encoding follows); `Auto` for other types.
    pub enc: StrEnc,
    /// Last access, in seconds of the host clock (Redis's LRU clock has 1 s resolution).
    pub access_s: u64,
}

impl Entry {
    fn new(value: Value, now_ms: u64) -> Self {
        Entry {
            value,
            enc: StrEnc::Auto,
            access_s: now_ms / 1000,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Db {
    entries: IndexMap<Vec<u8>, Entry, FxBuildHasher>,
    /// Absolute expiry time in Unix milliseconds. Indexed, so that active expiry can go
    /// round it a few keys at a time.
    expires: IndexMap<Vec<u8>, u64, FxBuildHasher>,
    /// Where active expiry looks next in `expires`.
    expire_cursor: usize,
    /// Keys removed because they had expired (INFO stats `expired_keys`).
    pub expired_keys: u64,
    /// The time of the last lookup; stores made without a clock use it for the LRU.
    clock_ms: u64,
    /// Keys removed on access because they had expired, not yet signalled to WATCH
    /// (`cmd::expire::signal_lazy_expiries` drains it after each command).
    expired_log: Vec<Vec<u8>>,
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

    /// Whether `key` is stored, expired or not (Redis's `dictFind` on the main dict).
    pub fn holds(&self, key: &[u8]) -> bool {
        self.entries.contains_key(key)
    }

    /// The stored entry of `key`, expired or not, untouched (DEBUG OBJECT reads the
    /// main dict directly).
    pub fn stored_entry(&self, key: &[u8]) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Removes `key` if it has expired; returns whether it did.
    pub fn expire_if_needed(&mut self, key: &[u8], now_ms: u64) -> bool {
        if self.is_expired(key, now_ms) {
            self.remove(key);
            self.expired_keys += 1;
            self.expired_log.push(key.to_vec());
            true
        } else {
            false
        }
    }

    /// The live value of `key` (an access: it refreshes the key's LRU clock).
    pub fn get(&mut self, key: &[u8], now_ms: u64) -> Option<&Value> {
        self.entry_mut(key, now_ms).map(|e| &e.value)
    }

    /// The live value of `key`, to change in place (its expiry is kept).
    pub fn get_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Value> {
        self.entry_mut(key, now_ms).map(|e| &mut e.value)
    }

    /// The live entry of `key` with its header, refreshing its LRU clock.
    pub fn entry_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        if !self.expires.is_empty() {
            self.expire_if_needed(key, now_ms);
        }
        self.clock_ms = now_ms;
        let entry = self.entries.get_mut(key)?;
        entry.access_s = now_ms / 1000;
        Some(entry)
    }

    /// The live entry of `key` without refreshing its LRU clock (OBJECT, as Redis's
    /// `LOOKUP_NOTOUCH`). Expired keys are still removed.
    pub fn peek(&mut self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        if !self.expires.is_empty() {
            self.expire_if_needed(key, now_ms);
        }
        self.entries.get(key)
    }

    /// Whether `key` exists at `now_ms`, without touching it.
    pub fn contains(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.peek(key, now_ms).is_some()
    }

    /// Stores `value` under `key` and clears any expiry (as SET does).
    pub fn set(&mut self, key: &[u8], value: Value) {
        if !self.expires.is_empty() {
            self.expires.swap_remove(key);
        }
        self.set_keep_ttl(key, value);
    }

    /// Stores `value` under `key`, keeping its expiry (as SET KEEPTTL does).
    pub fn set_keep_ttl(&mut self, key: &[u8], value: Value) {
        let entry = Entry::new(value, self.clock_ms);
        if let Some(slot) = self.entries.get_mut(key) {
            *slot = entry;
        } else {
            self.entries.insert(key.to_vec(), entry);
        }
    }

    /// Stores the string `bytes` under `key` as a plain SET does (any old value and
    /// expiry are dropped, an expired key counts as expired first). Overwriting a
    /// string reuses its buffer, so a SET on an existing key allocates nothing.
    pub fn set_string(&mut self, key: &[u8], bytes: &[u8], now_ms: u64) {
        if !self.expires.is_empty() {
            self.expire_if_needed(key, now_ms);
            self.expires.swap_remove(key);
        }
        self.clock_ms = now_ms;
        let access_s = now_ms / 1000;
        match self.entries.get_mut(key) {
            Some(Entry {
                value: Value::Str(s),
                enc,
                access_s: at,
            }) => {
                s.clear();
                s.extend_from_slice(bytes);
                *enc = StrEnc::Auto;
                *at = access_s;
            }
            Some(entry) => {
                *entry = Entry {
                    value: Value::Str(bytes.to_vec()),
                    enc: StrEnc::Auto,
                    access_s,
                }
            }
            None => {
                self.entries.insert(
                    key.to_vec(),
                    Entry {
                        value: Value::Str(bytes.to_vec()),
                        enc: StrEnc::Auto,
                        access_s,
                    },
                );
            }
        }
    }

    /// Stores a whole entry (header included) under `key`, keeping any expiry of `key`.
    pub fn put_entry(&mut self, key: &[u8], entry: Entry) {
        if let Some(slot) = self.entries.get_mut(key) {
            *slot = entry;
        } else {
            self.entries.insert(key.to_vec(), entry);
        }
    }

    /// Removes `key` and its expiry; returns the value it held.
    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        self.take_entry(key).map(|(e, _)| e.value)
    }

    /// Removes `key` with its header and expiry, and returns both.
    pub fn take_entry(&mut self, key: &[u8]) -> Option<(Entry, Option<u64>)> {
        let expire = if self.expires.is_empty() {
            None
        } else {
            self.expires.swap_remove(key)
        };
        self.entries.swap_remove(key).map(|e| (e, expire))
    }

    /// The absolute expiry time of `key` in Unix ms, if it has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        if self.expires.is_empty() {
            return None;
        }
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
        !self.expires.is_empty() && self.expires.swap_remove(key).is_some()
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
        self.entries.iter().map(|(k, e)| (k, &e.value))
    }

    /// Every entry with its metadata, without changing anything (INFO's memory estimate).
    pub fn entries_full(&self) -> impl Iterator<Item = (&Vec<u8>, &Entry)> {
        self.entries.iter()
    }

    /// The value of `key` as stored (expired or not), without changing anything.
    pub fn stored(&self, key: &[u8]) -> Option<&Value> {
        self.entries.get(key).map(|e| &e.value)
    }

    /// The key at position `index` of the iteration order (for SCAN and RANDOMKEY).
    pub fn key_at(&self, index: usize) -> Option<&Vec<u8>> {
        self.entries.get_index(index).map(|(k, _)| k)
    }

    /// The key and value at position `index`, without touching them.
    pub fn at(&self, index: usize) -> Option<(&Vec<u8>, &Value)> {
        self.entries.get_index(index).map(|(k, e)| (k, &e.value))
    }

    /// The keys removed on access since the last call, if any.
    pub fn take_expired(&mut self) -> Option<Vec<Vec<u8>>> {
        if self.expired_log.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.expired_log))
        }
    }

    /// Active expiry, a few keys at a time ([`crate::Engine::expire_cycle`]): looks at up
    /// to `count` keys with an expiry, going round from where the last call stopped, and
    /// removes those whose time has passed. Returns the keys removed and how many keys it
    /// looked at (fewer than `count` only when fewer have an expiry).
    pub fn expire_some(&mut self, now_ms: u64, count: usize) -> (Vec<Vec<u8>>, usize) {
        let count = count.min(self.expires.len());
        let mut removed = Vec::new();
        let mut looked = 0;
        while looked < count && !self.expires.is_empty() {
            let at = self.expire_cursor % self.expires.len();
            looked += 1;
            match self.expires.get_index(at) {
                Some((key, &when)) if when <= now_ms => {
                    let key = key.clone();
                    // The last key moves into this slot: the cursor stays to look at it.
                    self.remove(&key);
                    self.expired_keys += 1;
                    removed.push(key);
                    self.expire_cursor = at;
                }
                _ => self.expire_cursor = at + 1,
            }
        }
        (removed, looked)
    }
}
