//! Everything a command can read or change: databases, client sessions, configuration,
//! statistics and WATCH bookkeeping. The script engine lives beside it (in `Engine`), so a
//! script can hold the Lua VM while its `redis.call`s borrow the store.

use crate::config::Config;
use crate::db::{Db, DB_COUNT};
use crate::resp::Reply;
use crate::session::{ClientId, Session};
use crate::stats::Stats;
use rustc_hash::{FxHashMap, FxHashSet};

pub(crate) mod notify;
mod pubsub;
mod watch;
pub(crate) use pubsub::Kind as ChannelKind;
pub use pubsub::PubSub;
pub(crate) use watch::Watcher;

/// CLIENT PAUSE: clients wait before running commands until `end_ms` (Unix ms), or
/// until CLIENT UNPAUSE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientPause {
    /// Unix ms; a signed C `long long` in Redis, which can wrap to the past.
    pub end_ms: i64,
    /// WRITE mode: only commands that may write (or replicate) wait; ALL: every command.
    pub(crate) writes_only: bool,
}

/// Everything a server holds: databases, settings, statistics, sessions.
#[derive(Clone, Debug)]
pub struct Store {
    /// The 16 databases.
    pub dbs: Vec<Db>,
    /// The settings.
    pub config: Config,
    /// The statistics.
    pub stats: Stats,
    /// What INFO says of the process: the server fills it at startup.
    pub(crate) process: crate::stats::Process,
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
    /// CLIENT PAUSE in force, if any.
    pub(crate) pause: Option<ClientPause>,
    /// Clients that CLIENT KILL closed, for the server to drop their connections.
    pub killed_clients: Vec<ClientId>,
    /// Clients in MONITOR mode, and the lines for them not yet sent (`cmd::monitor`).
    pub monitors: Vec<ClientId>,
    /// The lines of the MONITOR feed not yet sent.
    pub monitor_feed: Vec<Vec<u8>>,
    /// Who listens to which channels and patterns (`store/pubsub.rs`).
    pub pubsub: PubSub,
    /// ACL users and the ACL log (`acl/`).
    pub(crate) acl: crate::acl::Acl,
    /// Pub/sub messages (push frames) for other clients, not yet sent: the server (or the
    /// simulator) hands each to its client after the command. Those for the client that
    /// ran the command are moved into its reply stream by the dispatch.
    pub deliveries: Vec<(ClientId, Reply)>,
    /// Messages to the running client that Redis writes after its reply
    /// (`Ctx::notify_after_reply`), until the dispatch places them.
    pub(crate) own_after_reply: Vec<Reply>,
    /// The Redis Cluster node, under `cluster-enabled yes` (made on the first command).
    pub(crate) cluster: Option<Box<crate::cluster::Cluster>>,
    /// Role, replicas and the replication stream (`crate::repl`).
    pub(crate) repl: crate::repl::Replication,
    sessions: Vec<Option<Session>>,
    next_client_id: u64,
    /// (db, key) → the clients that WATCH it, in the order they began to.
    watched: FxHashMap<(usize, Vec<u8>), Vec<Watcher>>,
    /// Clients whose watched keys were touched: their EXEC fails.
    watch_dirty: FxHashSet<ClientId>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    /// A fresh server's state.
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
            pause: None,
            killed_clients: Vec::new(),
            monitors: Vec::new(),
            monitor_feed: Vec::new(),
            pubsub: PubSub::default(),
            acl: crate::acl::Acl::default(),
            deliveries: Vec::new(),
            own_after_reply: Vec::new(),
            cluster: None,
            repl: crate::repl::Replication::default(),
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
        let mut session = Session::new(id, now_ms);
        session.authenticated = self.acl.default_lets_in();
        self.sessions[slot] = Some(session);
        id
    }

    /// Closes a session and forgets what it watched.
    pub fn disconnect(&mut self, client: ClientId) {
        if !self.is_connected(client) {
            return; // already closed (a slot may have been reused since)
        }
        self.unwatch_all(client);
        self.monitors.retain(|c| *c != client);
        self.pubsub.forget(client);
        self.deliveries.retain(|(c, _)| *c != client);
        if let Some(slot) = self.sessions.get_mut(client.slot) {
            *slot = None;
        }
    }

    /// ACL DELUSER: clients logged in as `user` are closed, `current` (the one deleting
    /// it) after its reply, the others at once (`ACLFreeUserAndKillClients`).
    pub(crate) fn log_out_user(&mut self, user: &[u8], current: ClientId) {
        let mut others = Vec::new();
        for session in self.sessions.iter_mut().flatten() {
            if session.user != user {
                continue;
            }
            session.user = b"default".to_vec();
            if session.id == current {
                session.closing = true;
            } else {
                others.push(session.id);
            }
        }
        for victim in others {
            self.kill(victim);
        }
    }

    /// Closes another client as soon as the server can (CLIENT KILL, ACL DELUSER):
    /// Redis frees it at once, so its WATCHes and subscriptions go now.
    pub(crate) fn kill(&mut self, victim: ClientId) {
        self.session_mut(victim).killed = true;
        self.unwatch_all(victim);
        self.pubsub.forget(victim);
        self.killed_clients.push(victim);
    }

    /// The session of `client`.
    pub fn session(&self, client: ClientId) -> &Session {
        self.sessions[client.slot]
            .as_ref()
            .expect("session is open")
    }

    /// The session of `client`, to change.
    pub fn session_mut(&mut self, client: ClientId) -> &mut Session {
        self.sessions[client.slot]
            .as_mut()
            .expect("session is open")
    }

    /// Whether `client` is connected.
    pub fn is_connected(&self, client: ClientId) -> bool {
        matches!(self.sessions.get(client.slot), Some(Some(s)) if s.id == client)
    }

    /// Every open session, in slot order.
    pub fn sessions(&self) -> impl Iterator<Item = &Session> {
        self.sessions.iter().flatten()
    }

    /// The database `client` has selected.
    pub(crate) fn db_of(&mut self, client: ClientId) -> &mut Db {
        let index = self.session(client).db;
        &mut self.dbs[index]
    }

    /// Refuses a command before it runs (Redis's `rejectCommand`), for the engine and for
    /// a busy script's board alike: the command counts a rejected call, an open
    /// transaction is flagged so that EXEC answers EXECABORT, and a refused EXEC ends the
    /// transaction (and its WATCHes) at once, saying why (`execCommandAbort`), even
    /// outside MULTI. Error statistics count the reply sent.
    pub fn reject(
        &mut self,
        client: Option<ClientId>,
        command: Option<(&'static str, Option<&'static str>)>,
        is_exec: bool,
        error: Reply,
    ) -> Reply {
        if let Some(key) = command {
            self.stats.commands.get_or_insert(key).rejected_calls += 1;
        }
        if let Some(c) = client {
            if is_exec {
                self.session_mut(c).multi = None;
                self.unwatch_all(c);
            } else if let Some(multi) = self.session_mut(c).multi.as_mut() {
                multi.aborted = true;
            }
        }
        let reply = if is_exec {
            // Redis's own texts carry no "ERR " (it is added when sent); codes such as
            // BUSY are kept.
            let cause = error.error_text().unwrap_or_default();
            let mut text = b"EXECABORT Transaction discarded because of: ".to_vec();
            text.extend_from_slice(cause.strip_prefix(b"ERR ").unwrap_or(cause));
            Reply::error(text)
        } else {
            error
        };
        self.stats
            .count_error(reply.error_text().unwrap_or_default());
        reply
    }

    /// Starts (or, with `None`, ends) a CLIENT PAUSE. While one is in force expired keys
    /// stay stored (Redis keeps the dataset constant during a pause).
    pub fn set_pause(&mut self, pause: Option<ClientPause>) {
        self.pause = pause;
        for db in &mut self.dbs {
            db.keep_expired = pause.is_some();
        }
    }

    /// The pause in force at `now_ms`, lifting one whose time is over.
    pub fn pause_in_force(&mut self, now_ms: i64) -> Option<ClientPause> {
        if self.pause.is_some_and(|p| p.end_ms < now_ms) {
            self.set_pause(None);
        }
        self.pause
    }
}
