//! The TCP server behind `redsim serve`: Redis's single-threaded model on tokio.
//!
//! Connections are tokio tasks on one worker thread, as Redis serves every client from
//! one thread: each reads bytes, cuts them into requests with the
//! [`RequestParser`](crate::resp::parse::RequestParser), takes the engine lock, runs the
//! requests it has in order and writes their replies in one go (pipelining). The lock
//! makes the engine behave exactly as Redis's single thread — one command at a time, each
//! atomic — without a thread hop per request (an executor thread fed by channels measured
//! at about half of Redis's requests per second without pipelining: two wake-ups per
//! request). RESP2/RESP3 is per connection (HELLO sets it on the engine session). QUIT
//! closes the connection after its reply; a protocol error gets Redis's error reply and
//! closes only that connection.
//!
//! Scripts run inline like any command. One that is still running after a millisecond
//! hands the worker to another thread from its hook (`sync::release_worker`) and goes on
//! where it is; past `busy-reply-threshold` the other connections answer `-BUSY` and pass
//! SCRIPT KILL on to it, as Redis serves them from inside its script hook. A blocking
//! command (BLPOP…) parks its connection in a FIFO queue; the command that writes what it
//! waits for serves it at once (`blocking.rs`). Expired keys are also removed in the
//! background, ten times a second (`expiry.rs`).
//!
//! This is the only place in the engine crate that reads the wall clock and OS
//! randomness ([`RealHost`]).

// Under loom only the cross-thread parts are built and checked; the socket side is not.
#![cfg_attr(loom, allow(dead_code, unused_imports))]

mod auth;
mod blocking;
mod connection;
mod engine_lock;
#[cfg(not(loom))]
mod expiry;
mod host;
#[cfg(all(test, loom))]
mod loom_tests;
mod migrate;
mod peers;
mod shutdown;
mod sync;

pub use host::RealHost;

use crate::Engine;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Where `redsim serve` listens.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address to bind; loopback by default, as Redis's protected mode expects.
    pub bind: String,
    /// TCP port; 0 picks a free one (tests).
    pub port: u16,
    /// `requirepass`: clients must AUTH with this password (the default user's).
    pub requirepass: Option<Vec<u8>>,
    /// `protected-mode`: without a password, accept only loopback peers (Redis's default).
    pub protected_mode: bool,
    /// `maxclients`: connections beyond this many are refused.
    pub maxclients: usize,
    /// `enable-debug-command`: `no` (Redis's default: DEBUG is refused), `yes`, or
    /// `local` (loopback clients only).
    pub enable_debug_command: String,
    /// `dir`: where the RDB file is read at start and written by SAVE (the working
    /// directory when `None`).
    pub dir: Option<String>,
    /// `dbfilename`: the RDB file's name.
    pub dbfilename: String,
    /// `cluster-enabled`: the server is a Redis Cluster node of its own.
    pub cluster_enabled: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: "127.0.0.1".into(),
            port: 6379,
            requirepass: None,
            protected_mode: true,
            maxclients: 10000,
            enable_debug_command: "no".into(),
            dir: None,
            dbfilename: "dump.rdb".into(),
            cluster_enabled: false,
        }
    }
}

/// Loads `dir`/`dbfilename` when it exists, as Redis does at start; a file that cannot
/// be read stops the server, with Redis's reason.
#[cfg(not(loom))]
fn load_rdb_file(engine: &mut Engine) -> std::io::Result<()> {
    let path = crate::cmd::persist::rdb_path(&engine.store.config);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let now_ms = engine.host.now_us() / 1000;
    engine
        .load_rdb(&bytes)
        .map_err(|reason| std::io::Error::new(std::io::ErrorKind::InvalidData, reason))?;
    engine.store.process.last_save_ms = Some(now_ms);
    Ok(())
}

/// Tells the engine what INFO and CONFIG GET say of this process: pid, run id, port,
/// directory, and the options it was started with (as a config file would set them).
#[cfg(not(loom))]
fn describe_process(engine: &mut Engine, opts: &ServeOptions, addr: SocketAddr) {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    engine.store.process = crate::stats::Process {
        process_id: std::process::id(),
        run_id: random_hex40(),
        replid: random_hex40(),
        executable: std::env::current_exe()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
        started_ms: Some(now_ms),
        ..Default::default()
    };
    let config = &mut engine.store.config;
    config.set_startup("port", &addr.port().to_string());
    config.set_startup("bind", &opts.bind);
    let dir = match &opts.dir {
        Some(dir) => std::fs::canonicalize(dir).map(|d| d.to_string_lossy().into_owned()),
        None => std::env::current_dir().map(|d| d.to_string_lossy().into_owned()),
    };
    if let Ok(dir) = dir {
        config.set_startup("dir", &dir);
    }
    config.set_startup("dbfilename", &opts.dbfilename);
    config.set_startup("maxclients", &opts.maxclients.to_string());
    config.set_startup(
        "protected-mode",
        if opts.protected_mode { "yes" } else { "no" },
    );
    config.set_startup("enable-debug-command", &opts.enable_debug_command);
    if opts.cluster_enabled {
        config.set_startup("cluster-enabled", "yes");
    }
    if let Some(password) = &opts.requirepass {
        config.set_startup("requirepass", &String::from_utf8_lossy(password));
        engine.store.acl.set_default_password(password);
    }
}

/// 40 hex digits from the OS's per-process hash keys, as Redis's run ids.
#[cfg(not(loom))]
fn random_hex40() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    while out.len() < 40 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(out.len());
        out.push_str(&format!("{:016x}", hasher.finish()));
    }
    out.truncate(40);
    out
}

/// Runs the server until the process ends.
#[cfg(not(loom))]
pub fn serve(opts: ServeOptions) -> std::io::Result<()> {
    let server = Server::start(opts)?;
    eprintln!(
        "redsim: ready to accept connections on {}",
        server.local_addr()
    );
    server.wait();
    Ok(())
}

/// What every connection shares: the engine behind its lock, the busy-script board and
/// the blocked clients.
pub(crate) struct Core {
    pub(crate) engine: sync::EngineLock<Engine>,
    pub(crate) busy: Arc<host::BusyBoard>,
    /// Clients waiting in a blocking command, first blocked first.
    pub(crate) blocked: blocking::BlockedClients,
    pub(crate) options: ServeOptions,
    /// Open connections, for `maxclients`.
    pub(crate) clients: std::sync::atomic::AtomicUsize,
    /// Fired by the SHUTDOWN command.
    pub(crate) shutdown: tokio::sync::Notify,
    /// Each connection's signals, for CLIENT KILL and MONITOR.
    pub(crate) peers: peers::Peers,
}

/// A running server: its address, and a way to stop it (tests start it in-process).
/// (Not built under loom, whose tokio has no sockets.)
#[cfg(not(loom))]
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    network: Option<JoinHandle<()>>,
}

#[cfg(not(loom))]
impl Server {
    /// Binds `opts.bind:opts.port` and starts serving on background threads.
    pub fn start(opts: ServeOptions) -> std::io::Result<Server> {
        let listener = std::net::TcpListener::bind((opts.bind.as_str(), opts.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let busy = Arc::new(host::BusyBoard::new());
        let mut engine = Engine::new(RealHost::new(busy.clone()));
        describe_process(&mut engine, &opts, addr);
        if opts.cluster_enabled {
            // The node starts with the server (its id, the start of its writable delay).
            engine.cluster_before_command();
        }
        load_rdb_file(&mut engine)?;
        let core = Arc::new(Core {
            engine: sync::EngineLock::new(engine),
            busy,
            blocked: Default::default(),
            options: opts,
            clients: Default::default(),
            shutdown: tokio::sync::Notify::new(),
            peers: Default::default(),
        });
        // One worker, as Redis has one thread: no lock hand-offs between workers for
        // ordinary commands. A long script moves it to another thread (`release_worker`).
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("redsim-net")
            .enable_io()
            .enable_time()
            .build()?;
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        let network = std::thread::Builder::new()
            .name("redsim-accept".into())
            .spawn(move || {
                runtime.spawn(expiry::expire_cycles(core.clone()));
                runtime.block_on(connection::accept_loop(listener, core, shutdown_rx));
                // Dropping the runtime cancels every connection task.
                runtime.shutdown_background();
            })?;
        Ok(Server {
            addr,
            shutdown: Some(shutdown_tx),
            network: Some(network),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks until the server stops ([`Server::shutdown`] or a client's SHUTDOWN).
    pub fn wait(mut self) {
        if let Some(network) = self.network.take() {
            let _ = network.join();
        }
    }

    /// Stops accepting and drops every connection.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(network) = self.network.take() {
            let _ = network.join();
        }
    }
}

#[cfg(not(loom))]
impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
