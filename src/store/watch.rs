//! WATCH bookkeeping, as Redis 7.0's `multi.c` keeps it.
//!
//! A client that WATCHes a key which has already expired (but is still stored, because
//! nothing has looked it up) is flagged: the stale key's later removal is no change, so
//! it must not fail the EXEC. The rules below follow `watchForKey`, `touchWatchedKey`,
//! `touchAllWatchedKeysInDb` and `isWatchedKeyExpired`, including the order in which they
//! look at the watchers of one key.

use super::Store;
use crate::session::ClientId;

/// One client watching one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Watcher {
    pub client: ClientId,
    /// The key had expired when WATCH was called (Redis's `watchedKey.expired`).
    pub expired: bool,
}

impl Store {
    /// WATCH `key` of `db` for `client` (once; a second WATCH of the same key is a no-op).
    pub fn watch(&mut self, client: ClientId, db: usize, key: &[u8], now_ms: u64) {
        let expired = self.dbs[db].is_expired(key, now_ms);
        let watchers = self.watched.entry((db, key.to_vec())).or_default();
        if !watchers.iter().any(|w| w.client == client) {
            watchers.push(Watcher { client, expired });
            self.session_mut(client).watched.push((db, key.to_vec()));
        }
    }

    /// Forgets everything `client` watches and clears its dirty flag (EXEC, DISCARD,
    /// UNWATCH, RESET, disconnection).
    pub fn unwatch_all(&mut self, client: ClientId) {
        self.watch_dirty.remove(&client);
        self.forget_watches(client);
    }

    /// Removes `client` from the watchers of every key it watches, keeping its dirty flag.
    fn forget_watches(&mut self, client: ClientId) {
        if !self.is_connected(client) {
            return;
        }
        let keys = std::mem::take(&mut self.session_mut(client).watched);
        for key in keys {
            if let Some(watchers) = self.watched.get_mut(&key) {
                watchers.retain(|w| w.client != client);
                if watchers.is_empty() {
                    self.watched.remove(&key);
                }
            }
        }
    }

    /// Whether any client watches anything (the fast path skips touching when not).
    pub(crate) fn has_watchers(&self) -> bool {
        !self.watched.is_empty()
    }

    /// A key was modified: every client watching it will have its EXEC fail
    /// (Redis's `touchWatchedKey`).
    pub fn touch(&mut self, db: usize, key: &[u8]) {
        let stored = self.dbs[db].holds(key);
        self.touch_watchers(db, key, stored);
    }

    /// An expired key was removed on access or by active expiry: a touch of a key that
    /// is no longer stored, whatever the command does with the key afterwards.
    /// It is announced as the keyspace event `expired` (Redis's
    /// `deleteExpiredKeyAndPropagate`).
    pub(crate) fn touch_expired(&mut self, db: usize, key: &[u8]) {
        self.touch_watchers(db, key, false);
        self.notify(super::notify::EXPIRED, "expired", key, db);
    }

    fn touch_watchers(&mut self, db: usize, key: &[u8], stored: bool) {
        if self.watched.is_empty() {
            return;
        }
        let Some(watchers) = self.watched.get_mut(&(db, key.to_vec())) else {
            return;
        };
        let mut dirtied = Vec::new();
        for watcher in watchers.iter_mut() {
            if watcher.expired {
                if !stored {
                    // The stale key is gone: logically no change.
                    watcher.expired = false;
                    continue;
                }
                // Redis 7.0 stops at the first stale watcher of a key still stored,
                // leaving the watchers after it untouched.
                break;
            }
            dirtied.push(watcher.client);
        }
        for client in dirtied {
            self.watch_dirty.insert(client);
            // As Redis: a dirty client has nothing left to watch.
            self.forget_watches(client);
        }
    }

    /// Every watched key of `emptied` is touched, as FLUSHDB, FLUSHALL and SWAPDB do
    /// before they change the database (Redis's `touchAllWatchedKeysInDb`). With
    /// `replaced_with` (SWAPDB), a key is touched if it is stored on either side, and a
    /// stale key that stays stale (or becomes stale) is no change.
    pub(crate) fn touch_all_in_db(
        &mut self,
        emptied: usize,
        replaced_with: Option<usize>,
        now_ms: u64,
    ) {
        let mut keys: Vec<Vec<u8>> = self
            .watched
            .keys()
            .filter(|(d, _)| *d == emptied)
            .map(|(_, k)| k.clone())
            .collect();
        keys.sort_unstable();
        let mut dirtied = Vec::new();
        for key in keys {
            let in_emptied = self.dbs[emptied].holds(&key);
            let in_replacement = replaced_with.is_some_and(|r| self.dbs[r].holds(&key));
            if !in_emptied && !in_replacement {
                continue;
            }
            let replacement_expired =
                replaced_with.is_some_and(|r| self.dbs[r].is_expired(&key, now_ms));
            let watchers = self.watched.get_mut(&(emptied, key)).expect("listed above");
            for watcher in watchers.iter_mut() {
                if watcher.expired {
                    if !in_replacement {
                        watcher.expired = false;
                        continue;
                    }
                    if replacement_expired {
                        continue;
                    }
                } else if !in_emptied && replacement_expired {
                    // A missing key replaced by a stale one.
                    watcher.expired = true;
                    continue;
                }
                dirtied.push(watcher.client);
            }
        }
        // Unlike touchWatchedKey, Redis leaves these clients' watches in place.
        self.watch_dirty.extend(dirtied);
    }

    /// Whether a watched key of `client` was touched since WATCH (CLIENT LIST's `d`).
    pub(crate) fn watch_is_dirty(&self, client: ClientId) -> bool {
        self.watch_dirty.contains(&client)
    }

    /// Whether a watched key of `client` was touched since WATCH, or has expired since
    /// (keys already expired at WATCH time do not count: `isWatchedKeyExpired`).
    pub(crate) fn watch_fails_exec(&self, client: ClientId, now_ms: u64) -> bool {
        if self.watch_dirty.contains(&client) {
            return true;
        }
        self.session(client).watched.iter().any(|(db, key)| {
            let stale_at_watch = self.watched[&(*db, key.clone())]
                .iter()
                .any(|w| w.client == client && w.expired);
            !stale_at_watch && self.dbs[*db].is_expired(key, now_ms)
        })
    }
}
