//! The TCP server behind `redsim serve`: Redis's single-threaded model on tokio.
//!
//! Connections are tokio tasks that read bytes, cut them into requests with the
//! [`RequestParser`](crate::resp::parse::RequestParser) and send them to one executor
//! thread, which owns the [`Engine`] and runs every command — one at a time, in arrival
//! order, as Redis's event loop does. Each connection gets its replies back in order over
//! its own channel, so pipelining works; RESP2/RESP3 is per connection (HELLO sets it on
//! the engine session). QUIT closes the connection after its reply; a protocol error gets
//! Redis's error reply and closes only that connection.
//!
//! This is the only place in the engine crate that reads the wall clock and OS
//! randomness ([`RealHost`]); while a script runs past `busy-reply-threshold` the host
//! answers other connections with `-BUSY` and lets SCRIPT KILL stop the script.

mod blocking;
mod connection;
mod executor;
mod host;

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
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions { bind: "127.0.0.1".into(), port: 6379 }
    }
}

/// Runs the server until the process ends.
pub fn serve(opts: ServeOptions) -> std::io::Result<()> {
    let server = Server::start(opts)?;
    eprintln!("redsim: ready to accept connections on {}", server.local_addr());
    server.wait();
    Ok(())
}

/// A running server: its address, and a way to stop it (tests start it in-process).
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    network: Option<JoinHandle<()>>,
    executor: Option<JoinHandle<()>>,
    inbox: Arc<executor::Inbox>,
}

impl Server {
    /// Binds `opts.bind:opts.port` and starts serving on background threads.
    pub fn start(opts: ServeOptions) -> std::io::Result<Server> {
        let listener = std::net::TcpListener::bind((opts.bind.as_str(), opts.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (inbox, sender) = executor::Inbox::new();
        let engine = Engine::new(RealHost::new(inbox.clone()));
        let executor = {
            let inbox = inbox.clone();
            std::thread::Builder::new()
                .name("redsim-executor".into())
                .spawn(move || executor::run(engine, inbox))?
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("redsim-net")
            .enable_io()
            .enable_time()
            .build()?;
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        let network = {
            let inbox = inbox.clone();
            std::thread::Builder::new().name("redsim-accept".into()).spawn(move || {
                runtime.block_on(connection::accept_loop(listener, sender, inbox, shutdown_rx));
                // Dropping the runtime cancels every connection task.
                runtime.shutdown_background();
            })?
        };
        Ok(Server { addr, shutdown: Some(shutdown_tx), network: Some(network), executor: Some(executor), inbox })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks until the server stops (it stops only through [`Server::shutdown`]).
    pub fn wait(mut self) {
        if let Some(network) = self.network.take() {
            let _ = network.join();
        }
        self.stop_executor();
    }

    /// Stops accepting, drops every connection and ends the executor.
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
        self.stop_executor();
    }

    fn stop_executor(&mut self) {
        self.inbox.request_shutdown();
        if let Some(executor) = self.executor.take() {
            let _ = executor.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
