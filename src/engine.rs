//! `Engine`: the store, the script engine and the host, behind one entry point that runs
//! one command for one client atomically — what a Redis server is, minus the network.

use crate::cmd::{self, flags, maxmemory, transaction, Caller, Ctx, Resolved};
use crate::host::Host;
use crate::resp::{encode, Reply};
use crate::script::Scripting;
use crate::session::{ClientId, CommandName};
use crate::store::Store;

pub struct Engine {
    pub store: Store,
    pub scripts: Scripting,
    pub host: Box<dyn Host + Send>,
}

impl Engine {
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

    /// Runs one command for `client` and returns its reply. Inside MULTI, commands are
    /// queued (`+QUEUED`) and run by EXEC.
    pub fn execute(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Reply {
        if argv.is_empty() {
            return Reply::error("ERR empty command");
        }
        let (spec, sub) = match cmd::resolve(argv) {
            Resolved::Found(spec, sub) => (spec, sub),
            Resolved::Refused(error) => {
                if let Some(multi) = self.store.session_mut(client).multi.as_mut() {
                    multi.aborted = true;
                }
                if let Some(spec) = cmd::lookup(&argv[0]) {
                    let entry = self.store.stats.commands.get_or_insert((spec.name, None));
                    entry.rejected_calls += 1;
                }
                self.store
                    .stats
                    .count_error(error.error_text().unwrap_or_default());
                return error;
            }
        };
        let session = self.store.session_mut(client);
        session.last_command = CommandName(spec.name, sub.map(|s| s.name));
        let in_multi = session.multi.is_some();
        let queues = in_multi && !transaction::controls_transaction(spec.name);
        if queues && spec.has(flags::NO_MULTI) {
            if let Some(multi) = session.multi.as_mut() {
                multi.aborted = true;
            }
            let error = Reply::error("ERR Command not allowed inside a transaction");
            self.store
                .stats
                .count_error(error.error_text().unwrap_or_default());
            return error;
        }
        if in_multi || self.store.config.maxmemory != 0 {
            let target = sub.unwrap_or(spec);
            let flags = maxmemory::command_flags(target, argv, &self.scripts);
            let refusal = maxmemory::admit(
                &mut self.store,
                &self.scripts,
                &mut *self.host,
                client,
                (spec, sub),
                flags,
            );
            if let Some(refusal) = refusal {
                return refusal;
            }
            if queues {
                if let Some(multi) = self.store.session_mut(client).multi.as_mut() {
                    multi.flags |= flags;
                    multi.queued.push(argv.to_vec());
                }
                return Reply::simple("QUEUED");
            }
        }
        let started_us = self.host.now_us();
        let mut ctx = Ctx {
            store: &mut self.store,
            host: &mut *self.host,
            scripts: Some(&mut self.scripts),
            client,
            now_ms: started_us / 1000,
            caller: Caller::Client,
        };
        cmd::run_started_at(&mut ctx, spec, sub, argv, started_us)
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
        const KEYS_PER_LOOP: usize = 20;
        const TIME_LIMIT_US: u64 = 25_000;
        if !self.store.config.active_expire_enabled {
            return 0;
        }
        let started_us = self.host.now_us();
        let now_ms = started_us / 1000;
        let mut removed = 0;
        for db in 0..self.store.dbs.len() {
            loop {
                let (keys, looked) = self.store.dbs[db].expire_some(now_ms, KEYS_PER_LOOP);
                let expired = keys.len();
                for key in keys {
                    self.store.touch(db, &key);
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
    /// statistics as they were.
    pub fn retry_blocked(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Reply {
        let stats = self.store.stats.clone();
        let reply = self.execute(client, argv);
        self.store.stats = stats;
        reply
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
