//! `Engine`: the store, the script engine and the host, behind one entry point that runs
//! one command for one client atomically — what a Redis server is, minus the network.

use crate::cmd::{self, flags, maxmemory, transaction, Caller, Ctx, Resolved};
use crate::db::ReplicaExpiry;
use crate::host::Host;
use crate::resp::{encode, Protocol, Reply};
use crate::script::Scripting;
use crate::session::{ClientId, CommandName};
use crate::store::Store;

const DEBUG_NOT_ALLOWED: &str = "ERR DEBUG command not allowed. If the enable-debug-command \
    option is set to \"local\", you can run it from a local connection, otherwise you need to \
    set this option in the configuration file, and then restart the server.";

/// A Redis server without the network: databases, scripting and client sessions.
/// [`Engine::execute`] runs one command for one client, atomically.
pub struct Engine {
    /// The databases and the server's state.
    pub store: Store,
    /// The Lua VMs, the script cache and the function libraries.
    pub scripts: Scripting,
    /// Time, randomness and the busy-script policy the engine runs under.
    pub host: Box<dyn Host + Send>,
}

impl Engine {
    /// An engine on `host` (its time, randomness and busy-script policy).
    pub fn new(host: impl Host + Send + 'static) -> Self {
        Engine {
            store: Store::new(),
            scripts: Scripting::new(),
            host: Box::new(host),
        }
    }

    /// Opens a client session (a new connection).
    pub fn connect(&mut self) -> ClientId {
        let now_ms = self.host.now_us() / 1000;
        self.store.stats.total_connections_received += 1;
        self.store.connect(now_ms)
    }

    /// Closes a client session.
    pub fn disconnect(&mut self, client: ClientId) {
        self.store.disconnect(client);
    }

    /// The server's state as an RDB file (what SAVE would write now), without recording
    /// a save: the image a simulator keeps as what a restarted server loads.
    pub fn rdb_image(&mut self) -> Vec<u8> {
        let now_ms = self.host.now_us() / 1000;
        crate::cmd::persist::image(&mut self.store, Some(&self.scripts), now_ms)
    }

    /// Loads an RDB file as a starting server does: its function libraries, then its
    /// keys in place of every database's (keys expired by now are skipped, except on a
    /// replica). The error is
    /// the reason Redis would log.
    pub fn load_rdb(&mut self, bytes: &[u8]) -> Result<(), String> {
        let now_ms = self.host.now_us() / 1000;
        // A replica keeps the keys that expired (Redis skips them only when `iAmMaster()`):
        // its primary's DEL removes them. Nothing expired before time 0.
        let expired_before = if self.store.repl.is_replica() {
            0
        } else {
            now_ms
        };
        let snapshot = crate::rdb::file::read(bytes, &self.store.config, expired_before)?;
        for code in &snapshot.libraries {
            self.scripts.load_saved_library(code).map_err(|e| {
                String::from_utf8_lossy(e.error_text().unwrap_or_default()).into_owned()
            })?;
        }
        crate::cmd::persist::load_into(&mut self.store, snapshot, now_ms);
        Ok(())
    }

    /// Runs one command for `client` and returns its reply. Inside MULTI, commands are
    /// queued (`+QUEUED`) and run by EXEC.
    pub fn execute(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Reply {
        if !self.store.config.cluster_enabled {
            return self.execute_command(client, argv);
        }
        let now_ms = self.cluster_before_command();
        let reply = self.execute_command(client, argv);
        self.cluster_after_command(client, argv, now_ms);
        reply
    }

    /// Tells the databases how the command `client` runs now treats expired keys
    /// (`lookupKey` + `expireIfNeeded` on a replica): the primary's commands see no key
    /// expired, a client's see them missing without removing them, except a write on a
    /// writable replica (`replica-read-only no`), which removes them.
    fn set_replica_expiry(&mut self, client: ClientId, writes: bool) {
        let mode = if !self.store.repl.is_replica() {
            ReplicaExpiry::Delete
        } else if self.store.repl.master_client == Some(client) {
            ReplicaExpiry::Ignore
        } else if writes && !cmd::replicas::read_only_replica(&self.store, client) {
            ReplicaExpiry::Delete
        } else {
            ReplicaExpiry::Hide
        };
        // Only a replica (or a server that just stopped being one) changes anything.
        if self.store.dbs[0].replica_expiry != mode {
            for db in &mut self.store.dbs {
                db.replica_expiry = mode;
            }
        }
    }

    fn execute_command(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Reply {
        if argv.is_empty() {
            return Reply::error("ERR empty command");
        }
        let (spec, sub) = match cmd::resolve(argv) {
            Resolved::Found(spec, sub) => (spec, sub),
            Resolved::Refused(error) => {
                return self.reject(client, cmd::lookup(&argv[0]), argv, error)
            }
        };
        if self.store.session(client).monitor {
            // A monitor is a replica to Redis: it may not touch the keyspace.
            let target = sub.unwrap_or(spec);
            if target.has(flags::READONLY | flags::WRITE | flags::MAY_REPLICATE) {
                let error = Reply::error("ERR Replica can't interact with the keyspace");
                return self.reject(client, Some(spec), argv, error);
            }
        }
        if spec.has(flags::PROTECTED) && !self.debug_allowed(client) {
            return self.reject(client, Some(spec), argv, Reply::error(DEBUG_NOT_ALLOWED));
        }
        self.set_replica_expiry(client, sub.unwrap_or(spec).has(flags::WRITE));
        if let Some(error) = cmd::connection::auth_wall(&self.store, client, sub.unwrap_or(spec)) {
            return self.reject(client, Some(spec), argv, error);
        }
        let session = self.store.session_mut(client);
        session.last_command = CommandName(spec.name, sub.map(|s| s.name));
        let in_multi = session.multi.is_some();
        let queues = in_multi && !transaction::controls_transaction(spec.name);
        if queues && spec.has(flags::NO_MULTI) {
            let error = Reply::error("ERR Command not allowed inside a transaction");
            return self.reject(client, Some(spec), argv, error);
        }
        if let Some(error) = self.acl_refusal(client, spec, sub, argv) {
            return self.reject(client, Some(spec), argv, error);
        }
        if let Some(error) = self.cluster_redirect(client, spec, sub, argv) {
            if spec.name == "exec" {
                // Redis discards the transaction and answers the redirection itself.
                self.store.session_mut(client).multi = None;
                self.store.unwatch_all(client);
            }
            return self
                .store
                .reject(Some(client), Some((spec.name, None)), false, error);
        }
        // The replication checks cost nothing on a server that neither is a replica nor
        // has min-replicas-to-write set.
        let no_replicas = self.store.repl.is_replica() || !self.store.config.stored.is_empty();
        if in_multi || self.store.config.maxmemory != 0 || no_replicas {
            let target = sub.unwrap_or(spec);
            let flags = maxmemory::command_flags(target, argv, &self.scripts);
            let oom = maxmemory::admit(
                &mut self.store,
                &self.scripts,
                &mut *self.host,
                client,
                spec,
                flags,
            );
            if let Some(error) = oom {
                return self.reject(client, Some(spec), argv, error);
            }
            if no_replicas {
                let multi = self.store.session(client).multi.as_ref();
                let now_ms = self.host.now_us() / 1000;
                let is_exec = spec.name == "exec";
                let refusal =
                    cmd::replicas::admit(&self.store, client, now_ms, is_exec, multi, flags);
                if let Some(error) = refusal {
                    return self.reject(client, Some(spec), argv, error);
                }
            }
            if queues {
                // Redis queues nothing more once the transaction is bound to fail (a
                // refused command, a touched WATCHed key): what EXEC holds counts for its
                // routing in cluster mode and for its deny-oom check.
                let doomed = self.store.watch_is_dirty(client);
                if let Some(multi) = self.store.session_mut(client).multi.as_mut() {
                    if !multi.aborted && !doomed {
                        multi.flags |= flags;
                        multi.queued.push(argv.to_vec());
                    }
                }
                return Reply::simple("QUEUED");
            }
        }
        if self.store.session(client).protocol == Protocol::Resp2
            && self.store.pubsub.is_subscriber(client)
            && !cmd::pubsub::allowed_in_subscriber_mode(spec.name)
        {
            let full_name = match sub {
                Some(sub) => format!("{}|{}", spec.name, sub.name),
                None => spec.name.to_string(),
            };
            let error = cmd::pubsub::subscriber_mode_error(&full_name);
            return self.reject(client, Some(spec), argv, error);
        }
        let started_us = self.host.now_us();
        self.store.session_mut(client).last_interaction_ms = started_us / 1000;
        let mut ctx = Ctx {
            store: &mut self.store,
            host: &mut *self.host,
            scripts: Some(&mut self.scripts),
            client,
            now_ms: started_us / 1000,
            caller: Caller::Client,
        };
        let reply = cmd::run_started_at(&mut ctx, spec, sub, argv, started_us);
        if self.store.repl.feeding() {
            self.end_of_unit(client);
        }
        if spec.name != "client" {
            // CLIENT CACHING applies to the one command after it (or the EXEC after it).
            let session = self.store.session_mut(client);
            if let (Some(tracking), None) = (session.tracking.as_mut(), &session.multi) {
                tracking.caching = false;
            }
        }
        reply
    }

    /// Whether CLIENT PAUSE holds `argv` back for now (Redis's `processCommand` blocks
    /// the client until the pause ends): every command in ALL mode, those that may
    /// write in WRITE mode (EXEC when it would run one). An expired pause is lifted.
    pub fn paused(&mut self, client: ClientId, argv: &[Vec<u8>]) -> bool {
        // Every command of `redsim serve` passes here: no clock read unless paused.
        if self.store.pause.is_none() {
            return false;
        }
        let now_ms = (self.host.now_us() / 1000) as i64;
        let Some(pause) = self.store.pause_in_force(now_ms) else {
            return false;
        };
        if !pause.writes_only {
            return true;
        }
        let Resolved::Found(spec, sub) = cmd::resolve(argv) else {
            return false;
        };
        let target = sub.unwrap_or(spec);
        // A script's declared flags decide (a `no-writes` script runs during a WRITE
        // pause); EXEC counts the commands it queued.
        let mut command_flags = cmd::maxmemory::command_flags(target, argv, &self.scripts);
        if spec.name == "exec" {
            if let Some(multi) = &self.store.session(client).multi {
                command_flags |= multi.flags;
            }
        }
        command_flags & (flags::WRITE | flags::MAY_REPLICATE) != 0
    }

    /// Whether `client` may run DEBUG (Redis's `allowProtectedAction`): `yes`, or `local`
    /// and a loopback peer or an in-process client (Redis counts unix sockets as local).
    fn debug_allowed(&self, client: ClientId) -> bool {
        match self.store.config.get("enable-debug-command").as_deref() {
            Some("yes") => true,
            Some("local") => match &self.store.session(client).addr {
                None => true,
                Some(addr) => addr.starts_with("127.0.0.1:") || addr.starts_with("[::1]:"),
            },
            _ => false,
        }
    }

    /// Whether the client's ACL user may not run `argv`: the NOPERM error (logged).
    fn acl_refusal(
        &mut self,
        client: ClientId,
        spec: &'static cmd::CommandSpec,
        sub: Option<&'static cmd::CommandSpec>,
        argv: &[Vec<u8>],
    ) -> Option<Reply> {
        if cmd::acl_check::allowed(&self.store, client, spec, sub, argv) {
            return None;
        }
        let now_ms = self.host.now_us() / 1000;
        let mut ctx = Ctx {
            store: &mut self.store,
            host: &mut *self.host,
            scripts: None,
            client,
            now_ms,
            caller: Caller::Client,
        };
        cmd::acl_check::command_refusal(&mut ctx, spec, sub, argv)
    }

    /// Refuses a command before it runs: see [`Store::reject`].
    pub(crate) fn reject(
        &mut self,
        client: ClientId,
        spec: Option<&'static cmd::CommandSpec>,
        argv: &[Vec<u8>],
        error: Reply,
    ) -> Reply {
        let is_exec = spec.is_some_and(|s| s.name == "exec");
        let command = spec.map(|s| (s.name, None));
        let reply = self.store.reject(Some(client), command, is_exec, error);
        if is_exec {
            // Monitors saw the MULTI: they are told the transaction is over.
            let now_us = self.host.now_us();
            cmd::monitor::feed_store(&mut self.store, client, now_us, false, argv);
        }
        reply
    }

    /// Redis's active expiry (`activeExpireCycle`, run by `serverCron` ten times a
    /// second): removes keys whose time has passed without waiting for a command to look
    /// them up, so that DBSIZE and INFO keyspace drop as they do in Redis. As Redis, it
    /// looks at 20 keys with an expiry at a time and goes on while more than a tenth of
    /// them had expired, for at most 25 ms. WATCH sees each removal as a write, as Redis
    /// signals it. Off after `DEBUG SET-ACTIVE-EXPIRE 0`. `redsim serve` calls it; the
    /// simulator does not: there keys expire when looked up, at the virtual time of the
    /// command. Returns how many keys it removed.
    pub fn expire_cycle(&mut self) -> usize {
        // A replica leaves expiry to its primary (`databasesCron` runs `activeExpireCycle`
        // only on a master).
        if self.store.repl.is_replica() {
            return 0;
        }
        const KEYS_PER_LOOP: usize = 20;
        const TIME_LIMIT_US: u64 = 25_000;
        let started_us = self.host.now_us();
        let paused = self
            .store
            .pause_in_force((started_us / 1000) as i64)
            .is_some();
        if !self.store.config.active_expire_enabled || paused {
            return 0;
        }
        let now_ms = started_us / 1000;
        let mut removed = 0;
        for db in 0..self.store.dbs.len() {
            loop {
                let (keys, looked) = self.store.dbs[db].expire_some(now_ms, KEYS_PER_LOOP);
                let expired = keys.len();
                for key in keys {
                    self.store.touch_expired(db, &key);
                }
                removed += expired;
                let mostly_alive = expired * 10 <= looked;
                if looked < KEYS_PER_LOOP
                    || mostly_alive
                    || self.host.now_us().saturating_sub(started_us) > TIME_LIMIT_US
                {
                    break;
                }
            }
        }
        removed
    }

    /// Runs a blocked client's command again, to see whether a write has made it
    /// answerable. Redis does not run a blocked command until it can answer, and counts
    /// it once in INFO whether it is served or times out: the retry leaves the
    /// statistics (and the MONITOR feed) as they were.
    pub fn retry_blocked(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Reply {
        let stats = self.store.stats.clone();
        let fed = self.store.monitor_feed.len();
        let reply = self.execute(client, argv);
        self.store.stats = stats;
        // Monitors saw the command when it blocked; its retries are not shown again.
        self.store.monitor_feed.truncate(fed);
        reply
    }

    /// A blocked command answered with an error when it was served (XREADGROUP whose
    /// group was destroyed): counted as Redis's `updateStatsOnUnblock` counts it, in
    /// INFO errorstats and as a failed call of the command.
    pub(crate) fn count_served_error(&mut self, argv: &[Vec<u8>], text: &[u8]) {
        let Some(spec) = crate::cmd::lookup(&argv[0]) else {
            return;
        };
        let stats = &mut self.store.stats;
        stats.count_error(text);
        stats.commands.get_or_insert((spec.name, None)).failed_calls += 1;
    }

    /// Under `cluster-enabled yes`, this node's id (made by its first command).
    pub fn cluster_node_id(&self) -> Option<String> {
        self.store.cluster.as_ref().map(|c| c.id.clone())
    }

    /// Convenience for tests and examples: `engine.call(c, &["SET", "k", "v"])`.
    pub fn call<S: AsRef<[u8]>>(&mut self, client: ClientId, argv: &[S]) -> Reply {
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_ref().to_vec()).collect();
        self.execute(client, &argv)
    }

    /// Runs a command and encodes its reply for the client's protocol.
    pub fn execute_encoded(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Vec<u8> {
        let reply = self.execute(client, argv);
        encode(&reply, self.store.session(client).protocol)
    }
}
