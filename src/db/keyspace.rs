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
//!
//! It also keeps the memory its keys take (`used_memory`'s dataset part), incrementally:
//! each entry remembers the bytes counted for it ([`super::footprint`], computed without
//! walking the value), and the total changes by the difference whenever an entry is
//! stored, removed, or handed out to be changed in place. Entries handed out with
//! `get_mut`/`entry_mut` are re-measured later, when the total is read ([`Db::used_bytes`])
//! or before a removal moves entries around.

use super::footprint::entry_bytes;
use super::{StrEnc, Value};
use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

/// A value and its object header.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// How a string was made (its encoding follows); `Auto` for other types.
    pub enc: StrEnc,
    /// Last access, in seconds of the host clock (Redis's LRU clock has 1 s resolution).
    pub access_s: u64,
    /// The bytes counted for this key in its database's total, as last measured.
    mem: u32,
}

impl Entry {
    /// An entry holding `value` encoded as `enc`, last accessed at `access_s`.
    pub fn with(value: Value, enc: StrEnc, access_s: u64) -> Self {
        Entry {
            value,
            enc,
            access_s,
            mem: 0,
        }
    }

    fn new(value: Value, now_ms: u64) -> Self {
        Entry::with(value, StrEnc::Auto, now_ms / 1000)
    }

    /// The bytes this entry costs under a key of `key_len` bytes, counted from its value
    /// now (see [`super::footprint`]).
    pub fn bytes(&self, key_len: usize) -> usize {
        entry_bytes(key_len, &self.value, self.enc)
    }
}

/// Entries handed out for change in place are re-measured at least this often.
const UNSETTLED_MAX: usize = 1024;

/// One database: keys, values and expiry times.
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
    /// While set (the `n` class of `notify-keyspace-events` is on), keys created since
    /// the last drain are logged for their `new` keyspace event (Redis's `dbAdd`).
    pub(crate) log_new: bool,
    pub(crate) new_log: Vec<Vec<u8>>,
    /// The sum of the entries' `mem`.
    used: usize,
    /// Positions of entries handed out to be changed in place since they were measured.
    unsettled: Vec<usize>,
    /// Set while CLIENT PAUSE is in force: expired keys read as missing but stay stored
    /// (Redis keeps the dataset constant during a pause and expires them after it).
    pub keep_expired: bool,
    /// How expired keys are treated on a replica (set before each command).
    pub(crate) replica_expiry: ReplicaExpiry,
}

/// What a lookup of an expired key does on a replica: Redis's `masterhost` branch of
/// `expireIfNeeded` (db.c). A replica leaves expiry to its primary, which sends a DEL;
/// until then the key stays stored (DBSIZE counts it) but reads as missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ReplicaExpiry {
    /// Not a replica, or a write on a writable replica (`EXPIRE_FORCE_DELETE_EXPIRED`):
    /// expired keys are removed on access.
    #[default]
    Delete,
    /// A client of a replica: expired keys read as missing and stay stored.
    Hide,
    /// The primary's own commands on its replica: nothing is expired for them
    /// (`server.current_client == server.master`), its DEL decides.
    Ignore,
}

impl Db {
    /// An empty database.
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
    pub(crate) fn stored_entry(&self, key: &[u8]) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Removes `key` if it has expired; returns whether it had, that is whether it
    /// reads as missing (during a pause, and on a replica, it stays stored: see
    /// `keep_expired` and [`ReplicaExpiry`]).
    pub fn expire_if_needed(&mut self, key: &[u8], now_ms: u64) -> bool {
        if self.is_expired(key, now_ms) {
            match self.replica_expiry {
                ReplicaExpiry::Ignore => return false,
                ReplicaExpiry::Hide => return true,
                ReplicaExpiry::Delete => {}
            }
            if self.keep_expired {
                return true;
            }
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
        if !self.expires.is_empty() && self.expire_if_needed(key, now_ms) {
            return None;
        }
        self.clock_ms = now_ms;
        let entry = self.entries.get_mut(key)?;
        entry.access_s = now_ms / 1000;
        Some(&entry.value)
    }

    /// The live value of `key`, to change in place (its expiry is kept).
    pub fn get_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Value> {
        self.entry_mut(key, now_ms).map(|e| &mut e.value)
    }

    /// The live entry of `key` with its header, refreshing its LRU clock.
    pub fn entry_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        if !self.expires.is_empty() && self.expire_if_needed(key, now_ms) {
            return None;
        }
        self.clock_ms = now_ms;
        let (index, _, _) = self.entries.get_full(key)?;
        if self.unsettled.last() != Some(&index) {
            if self.unsettled.len() >= UNSETTLED_MAX {
                self.settle();
            }
            self.unsettled.push(index);
        }
        let (_, entry) = self.entries.get_index_mut(index)?;
        entry.access_s = now_ms / 1000;
        Some(entry)
    }

    /// Measures the entry at `index` again and corrects the total.
    fn measure(&mut self, index: usize) {
        if let Some((key, entry)) = self.entries.get_index_mut(index) {
            let bytes = u32::try_from(entry.bytes(key.len())).unwrap_or(u32::MAX);
            self.used = self.used - entry.mem as usize + bytes as usize;
            entry.mem = bytes;
        }
    }

    /// Measures every entry handed out for change since the last time.
    fn settle(&mut self) {
        let mut unsettled = std::mem::take(&mut self.unsettled);
        for &index in &unsettled {
            self.measure(index);
        }
        unsettled.clear();
        self.unsettled = unsettled;
    }

    /// The bytes of every key and value (see [`super::footprint`]).
    pub fn used_bytes(&mut self) -> usize {
        self.settle();
        self.used
    }

    /// The bytes of every key and value as last measured: [`used_bytes`](Self::used_bytes)
    /// without measuring again the entries changed since, for an estimate where the
    /// database cannot be changed (a snapshot measured before it was taken).
    pub fn measured_bytes(&self) -> usize {
        self.used
    }

    /// The bytes counted for `key`, measured now (MEMORY USAGE).
    pub fn key_bytes(&mut self, key: &[u8]) -> Option<usize> {
        let (index, _, _) = self.entries.get_full(key)?;
        self.measure(index);
        self.entries.get_index(index).map(|(_, e)| e.mem as usize)
    }

    /// The live entry of `key` without refreshing its LRU clock (OBJECT, as Redis's
    /// `LOOKUP_NOTOUCH`). Expired keys are still removed.
    pub fn peek(&mut self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        if !self.expires.is_empty() && self.expire_if_needed(key, now_ms) {
            return None;
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
        self.put_entry(key, Entry::new(value, self.clock_ms));
    }

    /// Stores the string `bytes` under `key` as a plain SET does (any old value and
    /// expiry are dropped, an expired key counts as expired first). Overwriting a
    /// string reuses its buffer, so a SET on an existing key allocates nothing.
    pub(crate) fn set_string(&mut self, key: &[u8], bytes: &[u8], now_ms: u64) {
        if !self.expires.is_empty() {
            self.expire_if_needed(key, now_ms);
            self.expires.swap_remove(key);
        }
        self.clock_ms = now_ms;
        let access_s = now_ms / 1000;
        let index = match self.entries.get_full_mut(key) {
            Some((index, _, entry)) => {
                match &mut entry.value {
                    Value::Str(s) => {
                        s.clear();
                        s.extend_from_slice(bytes);
                    }
                    other => *other = Value::Str(bytes.to_vec()),
                }
                entry.enc = StrEnc::Auto;
                entry.access_s = access_s;
                index
            }
            None => {
                let entry = Entry::with(Value::Str(bytes.to_vec()), StrEnc::Auto, access_s);
                if self.log_new {
                    self.new_log.push(key.to_vec());
                }
                self.entries.insert_full(key.to_vec(), entry).0
            }
        };
        self.measure(index);
    }

    /// Stores a whole entry (header included) under `key`, keeping any expiry of `key`.
    pub fn put_entry(&mut self, key: &[u8], mut entry: Entry) {
        let index = match self.entries.get_full_mut(key) {
            Some((index, _, slot)) => {
                // The old value's bytes leave the total with it.
                entry.mem = slot.mem;
                *slot = entry;
                index
            }
            None => {
                entry.mem = 0;
                if self.log_new {
                    self.new_log.push(key.to_vec());
                }
                self.entries.insert_full(key.to_vec(), entry).0
            }
        };
        self.measure(index);
    }

    /// Removes `key` and its expiry; returns the value it held.
    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        self.take_entry(key).map(|(e, _)| e.value)
    }

    /// Removes `key` with its header and expiry, and returns both.
    pub(crate) fn take_entry(&mut self, key: &[u8]) -> Option<(Entry, Option<u64>)> {
        let expire = if self.expires.is_empty() {
            None
        } else {
            self.expires.swap_remove(key)
        };
        // Removal moves the last entry into the hole: positions waiting to be measured
        // would then name the wrong entry.
        self.settle();
        let entry = self.entries.swap_remove(key)?;
        self.used -= entry.mem as usize;
        Some((entry, expire))
    }

    /// The absolute expiry time of `key` in Unix ms, if it has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        if self.expires.is_empty() {
            return None;
        }
        self.expires.get(key).copied()
    }

    /// Sets the absolute expiry of an existing key.
    pub(crate) fn set_expire_at(&mut self, key: &[u8], at_ms: u64) {
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

    /// Whether the database has no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of keys with an expiry (INFO keyspace's `expires`).
    pub(crate) fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.expires.clear();
        self.unsettled.clear();
        self.used = 0;
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

    /// The key at position `index` of the keys with an expiry (random eviction).
    pub fn expiring_key_at(&self, index: usize) -> Option<&Vec<u8>> {
        self.expires.get_index(index).map(|(k, _)| k)
    }

    /// When `key` was last accessed, in seconds (LRU eviction), without touching it.
    pub fn access_s(&self, key: &[u8]) -> Option<u64> {
        self.entries.get(key).map(|e| e.access_s)
    }

    /// The key and value at position `index`, without touching them.
    pub fn at(&self, index: usize) -> Option<(&Vec<u8>, &Value)> {
        self.entries.get_index(index).map(|(k, e)| (k, &e.value))
    }

    /// The keys removed on access since the last call, if any.
    pub(crate) fn take_expired(&mut self) -> Option<Vec<Vec<u8>>> {
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
    pub(crate) fn expire_some(&mut self, now_ms: u64, count: usize) -> (Vec<Vec<u8>>, usize) {
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
