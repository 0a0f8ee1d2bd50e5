//! Everything a command can read or change: databases, client sessions, configuration,
//! statistics and WATCH bookkeeping. The script engine lives beside it (in `Engine`), so a
//! script can hold the Lua VM while its `redis.call`s borrow the store.

use crate::config::Config;
use crate::db::{Db, DB_COUNT};
use crate::session::{ClientId, Session};
use crate::stats::Stats;
use rustc_hash::{FxHashMap, FxHashSet};

#[derive(Clone, Debug)]
pub struct Store {
    pub dbs: Vec<Db>,
    pub config: Config,
    pub stats: Stats,
    /// What INFO says of the process: the server fills it at startup.
    pub process: crate::stats::Process,
    /// Changes made to the dataset (Redis's `server.dirty`); a command that leaves it
    /// unchanged made no change, so its keys are not signalled to WATCH.
    pub dirty: u64,
    /// When set, every command adds what it reached (see [`crate::access`]).
    pub access: Option<crate::access::Access>,
    /// Whether used memory was over `maxmemory` when the client's command began
    /// (Redis's `pre_command_oom_state`): scripts consult it, not the live figure.
    pub oom_at_start: bool,
    /// The database random eviction looks at next (Redis's `next_db` in `evict.c`).
    pub evict_next_db: usize,
    sessions: Vec<Option<Session>>,
    next_client_id: u64,
    /// (db, key) → clients that WATCH it.
    watched: FxHashMap<(usize, Vec<u8>), Vec<ClientId>>,
    /// Clients whose watched keys were touched: their EXEC fails.
    watch_dirty: FxHashSet<ClientId>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    pub fn new() -> Self {
        Store {
            dbs: (0..DB_COUNT).map(|_| Db::new()).collect(),
            config: Config::default(),
            stats: Stats::default(),
            process: crate::stats::Process::default(),
            dirty: 0,
            access: None,
            oom_at_start: false,
            evict_next_db: 0,
            sessions: Vec::new(),
            next_client_id: 1,
            watched: FxHashMap::default(),
            watch_dirty: FxHashSet::default(),
        }
    }

    /// Opens a session; client ids count up from 1 as in Redis.
    pub fn connect(&mut self, now_ms: u64) -> ClientId {
        // Uptime counts from the first client when the server did not say when it started.
        self.process.started_ms.get_or_insert(now_ms);
        let slot = match self.sessions.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                self.sessions.push(None);
                self.sessions.len() - 1
            }
        };
        let id = ClientId {
            slot,
            id: self.next_client_id,
        };
        self.next_client_id += 1;
        self.sessions[slot] = Some(Session::new(id, now_ms));
        id
    }

    /// Closes a session and forgets what it watched.
    pub fn disconnect(&mut self, client: ClientId) {
        self.unwatch_all(client);
        if let Some(slot) = self.sessions.get_mut(client.slot) {
            *slot = None;
        }
    }

    pub fn session(&self, client: ClientId) -> &Session {
        self.sessions[client.slot]
            .as_ref()
            .expect("session is open")
    }

    pub fn session_mut(&mut self, client: ClientId) -> &mut Session {
        self.sessions[client.slot]
            .as_mut()
            .expect("session is open")
    }

    pub fn is_connected(&self, client: ClientId) -> bool {
        matches!(self.sessions.get(client.slot), Some(Some(s)) if s.id == client)
    }

    /// Every open session, in slot order.
    pub fn sessions(&self) -> impl Iterator<Item = &Session> {
        self.sessions.iter().flatten()
    }

    /// The database `client` has selected.
    pub fn db_of(&mut self, client: ClientId) -> &mut Db {
        let index = self.session(client).db;
        &mut self.dbs[index]
    }

    // ---- WATCH -------------------------------------------------------------------------

    pub fn watch(&mut self, client: ClientId, db: usize, key: &[u8]) {
        let watchers = self.watched.entry((db, key.to_vec())).or_default();
        if !watchers.contains(&client) {
            watchers.push(client);
            self.session_mut(client).watched.push((db, key.to_vec()));
        }
    }

    pub fn unwatch_all(&mut self, client: ClientId) {
        self.watch_dirty.remove(&client);
        if !self.is_connected(client) {
            return;
        }
        let keys = std::mem::take(&mut self.session_mut(client).watched);
        for key in keys {
            if let Some(watchers) = self.watched.get_mut(&key) {
                watchers.retain(|c| *c != client);
                if watchers.is_empty() {
                    self.watched.remove(&key);
                }
            }
        }
    }

    /// Whether any client watches anything (the fast path skips touching when not).
    pub fn has_watchers(&self) -> bool {
        !self.watched.is_empty()
    }

    /// A key was modified: every client watching it will have its EXEC fail
    /// (Redis's `touchWatchedKey`).
    pub fn touch(&mut self, db: usize, key: &[u8]) {
        if self.watched.is_empty() {
            return;
        }
        if let Some(watchers) = self.watched.get(&(db, key.to_vec())) {
            self.watch_dirty.extend(watchers.iter().copied());
        }
    }

    /// Every watched key of `db` is touched (FLUSHDB, SWAPDB…). With `only_existing`,
    /// only keys that exist in `db` are (as Redis's `touchAllWatchedKeysInDb`).
    pub fn touch_all_in_db(&mut self, db: usize, only_existing: bool, now_ms: u64) {
        let keys: Vec<(usize, Vec<u8>)> = self
            .watched
            .keys()
            .filter(|(d, _)| *d == db)
            .cloned()
            .collect();
        for (d, key) in keys {
            if !only_existing || self.dbs[d].contains(&key, now_ms) {
                let watchers = self.watched[&(d, key)].clone();
                self.watch_dirty.extend(watchers);
            }
        }
    }

    /// Whether a watched key of `client` was touched since WATCH.
    pub fn watch_is_dirty(&self, client: ClientId) -> bool {
        self.watch_dirty.contains(&client)
    }

    /// Marks `client`'s transaction as failed (a watched key expired, …).
    pub fn mark_watch_dirty(&mut self, client: ClientId) {
        self.watch_dirty.insert(client);
    }
}
