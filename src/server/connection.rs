//! One task per connection: read bytes, cut requests, run them on the engine in order,
//! write their replies back.

use super::auth;
use super::blocking::{wait_until_served, Parked};
use super::engine_lock::{acquire, lock, Acquired};
use super::host::{Answered, Ticket};
use super::shutdown;
use super::Core;
use crate::resp::parse::{Parsed, ProtocolError, RequestParser};
use crate::resp::{encode_into, Protocol, Reply};
use crate::session::ClientId;
use crate::Engine;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
#[cfg(not(loom))]
use tokio::net::{TcpListener, TcpStream};

/// Accepts connections until `shutdown` fires.
// tokio has no sockets under loom: the models drive `run_batch` directly.
#[cfg(not(loom))]
pub(crate) async fn accept_loop(
    listener: std::net::TcpListener,
    core: Arc<Core>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("redsim: cannot listen: {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = core.shutdown.notified() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let options = &core.options;
                    let refusal = if auth::protected_mode_refuses(options.protected_mode, options.requirepass.as_deref(), peer.ip()) {
                        Some(auth::DENIED)
                    } else if core.clients.load(Ordering::Relaxed) >= options.maxclients {
                        Some(auth::MAX_CLIENTS)
                    } else {
                        None
                    };
                    match refusal {
                        Some(text) => {
                            tokio::spawn(refuse(stream, text));
                        }
                        None => {
                            core.clients.fetch_add(1, Ordering::Relaxed);
                            tokio::spawn(connection(stream, peer.to_string(), core.clone()));
                        }
                    }
                }
                // Out of file descriptors and the like: keep serving the others.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            },
        }
    }
}

/// Answers a connection that may not stay with an error, and closes it.
#[cfg(not(loom))]
async fn refuse(mut stream: TcpStream, text: &'static str) {
    let _ = stream.write_all(format!("-{text}\r\n").as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// A connection's identity on the engine. The session opens when the engine is first
/// free: during a busy script a new connection is answered from the busy board.
pub(super) struct Peer {
    addr: String,
    /// The server's side of the socket (CLIENT LIST's `laddr`).
    laddr: Option<String>,
    client: Option<ClientId>,
    /// Kill and MONITOR signals from other connections (`peers.rs`).
    pub(super) signals: Arc<super::peers::Signals>,
    /// False until AUTH succeeds when the server has a password.
    authenticated: bool,
    /// The session was opened by a busy script serving this connection's request: its
    /// address and registration wait for the engine.
    adopted: bool,
}

impl Peer {
    /// A connection from `addr`, not yet authenticated when the server has a password.
    pub(super) fn new(addr: String, core: &Core) -> Self {
        Peer {
            addr,
            laddr: None,
            client: None,
            signals: Default::default(),
            authenticated: core.options.requirepass.is_none(),
            adopted: false,
        }
    }

    fn client(&mut self, engine: &mut Engine, core: &Core) -> ClientId {
        if let (Some(client), false) = (self.client, self.adopted) {
            return client;
        }
        let client = match self.client {
            Some(client) if engine.store.is_connected(client) => client,
            _ => engine.connect(),
        };
        let session = engine.store.session_mut(client);
        session.addr = Some(self.addr.clone());
        session.laddr = self.laddr.clone();
        core.peers.register(client.id, self.signals.clone());
        self.client = Some(client);
        self.adopted = false;
        client
    }
}

#[cfg(not(loom))]
async fn connection(mut stream: TcpStream, addr: String, core: Arc<Core>) {
    let mut peer = Peer::new(addr, &core);
    peer.laddr = stream.local_addr().ok().map(|a| a.to_string());
    if let Acquired::Engine(mut engine) = acquire(&core, true).await {
        peer.client(&mut engine, &core);
    }
    let _ = serve(&mut stream, &mut peer, &core).await;
    if let Some(client) = peer.client {
        core.peers.unregister(client.id);
        lock(&core).await.disconnect(client);
    }
    core.clients.fetch_sub(1, Ordering::Relaxed);
}

/// Reads and answers requests until the client leaves, sends QUIT or breaks the protocol.
#[cfg(not(loom))]
async fn serve(stream: &mut TcpStream, peer: &mut Peer, core: &Core) -> std::io::Result<()> {
    let mut parser = RequestParser::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut out = Vec::with_capacity(16 * 1024);
    let mut batch = Batch::default();
    loop {
        let n = tokio::select! {
            biased;
            read = stream.read(&mut chunk) => read?,
            _ = peer.signals.killed.notified() => return Ok(()),
            _ = peer.signals.mail.notified() => {
                let mail = std::mem::take(&mut *super::host::lock(&peer.signals.outbox));
                stream.write_all(&mail).await?;
                continue;
            }
        };
        if n == 0 {
            return Ok(());
        }
        parser.feed(&chunk[..n]);
        loop {
            let failure = next_batch(&mut parser, peer.authenticated, &mut batch.requests);
            if batch.requests.is_empty() && failure.is_none() {
                break;
            }
            let open = run_batch(core, peer, &mut batch, stream, &mut out).await?;
            for argv in batch.spent.drain(..) {
                parser.recycle(argv);
            }
            if let (true, Some(error)) = (open, &failure) {
                // Requests before the bad one ran; then the error, then the connection closes.
                lock(core)
                    .await
                    .store
                    .stats
                    .count_error(error.text().as_bytes());
                encode_into(&Reply::error(error.text()), Protocol::Resp2, &mut out);
            }
            if !open || failure.is_some() {
                stream.write_all(&out).await?;
                let _ = stream.shutdown().await;
                return Ok(());
            }
        }
        if !out.is_empty() {
            stream.write_all(&out).await?;
            out.clear();
        }
    }
}

/// The requests of one read, in order, and those already run: their buffers go back to
/// the parser for the next requests.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) requests: VecDeque<Vec<Vec<u8>>>,
    pub(super) spent: Vec<Vec<Vec<u8>>>,
    /// The next request waits for CLIENT PAUSE to end.
    pub(super) paused: bool,
}

/// Moves the requests the parser holds into `batch`; returns the protocol error that ends
/// them if any. Before AUTH, one request at a time: its outcome changes the limits for
/// the next.
fn next_batch(
    parser: &mut RequestParser,
    authenticated: bool,
    batch: &mut VecDeque<Vec<Vec<u8>>>,
) -> Option<ProtocolError> {
    parser.set_unauthenticated(!authenticated);
    loop {
        match parser.next_request() {
            Parsed::Request(argv) => {
                batch.push_back(argv);
                if !authenticated {
                    return None;
                }
            }
            Parsed::NeedMore => return None,
            Parsed::Error(e) => return Some(e),
        }
    }
}

/// Replies are written out once this many bytes are pending, even mid-batch.
const OUTPUT_FLUSH_BYTES: usize = 1 << 20;

/// Commands that may run a script (and so keep the engine for long).
fn may_run_script(name: &[u8]) -> bool {
    const NAMES: [&[u8]; 7] = [
        b"eval",
        b"evalsha",
        b"eval_ro",
        b"evalsha_ro",
        b"fcall",
        b"fcall_ro",
        b"exec",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// What running the requests of a batch came to.
enum Outcome {
    /// Every request answered.
    Done,
    /// The replies so far must be written before going on (they are large).
    Flush,
    /// The connection must close after the replies (QUIT).
    Close,
    /// A blocking command must wait for a write to serve it.
    Blocked(Parked),
    /// CLIENT PAUSE holds the next request back: wait, then try again.
    Paused,
}

/// Runs one read's worth of requests in order, appending their replies to `out`.
/// Returns `false` when the connection must close (QUIT).
pub(super) async fn run_batch(
    core: &Core,
    peer: &mut Peer,
    batch: &mut Batch,
    stream: &mut (impl AsyncWrite + Unpin),
    out: &mut Vec<u8>,
) -> std::io::Result<bool> {
    // A request posted for the busy script, waiting for its tick to serve it.
    let mut pending: Option<(Ticket, Vec<Vec<u8>>)> = None;
    while !batch.requests.is_empty() || pending.is_some() {
        if let Some((ticket, argv)) = pending.take() {
            match core.busy.answer(ticket).await {
                Answered::Reply(answer) => {
                    if answer.opened.is_some() {
                        peer.client = answer.opened;
                        peer.adopted = true;
                    }
                    encode_into(&answer.reply, answer.protocol, out);
                }
                // The script ended first: the request runs as usual.
                Answered::Retry => batch.requests.push_front(argv),
            }
            continue;
        }
        // The guard stays inside this block: it must not live across an await.
        let blocked = {
            let mut engine = match acquire(core, true).await {
                Acquired::Engine(engine) => engine,
                Acquired::Busy => {
                    let argv = batch.requests.pop_front().unwrap_or_default();
                    if argv
                        .first()
                        .is_some_and(|name| name.eq_ignore_ascii_case(b"quit"))
                    {
                        encode_into(&Reply::ok(), Protocol::Resp2, out);
                        return Ok(false);
                    }
                    let refusal = match shutdown::request(&argv) {
                        // A busy script holds the engine: no save is possible.
                        Some(Ok(_)) => {
                            core.shutdown.notify_one();
                            return Ok(false);
                        }
                        Some(Err(refusal)) => Some(refusal),
                        None => None,
                    };
                    if let Some(reply) = refusal {
                        // Error and +OK replies read the same in RESP2 and RESP3.
                        encode_into(&reply, Protocol::Resp2, out);
                        continue;
                    }
                    // Served by the script's next tick; awaited at the top of the loop,
                    // out of this block: a guard's type here would make the task not
                    // `Send`.
                    let ticket = core.busy.post(peer.client, argv.clone());
                    pending = Some((ticket, argv));
                    continue;
                }
            };
            let client = peer.client(&mut engine, core);
            match run_locked(
                core,
                &mut engine,
                &peer.signals,
                client,
                &mut peer.authenticated,
                batch,
                out,
            ) {
                Outcome::Done => continue,
                Outcome::Close => return Ok(false),
                Outcome::Flush | Outcome::Paused => None,
                Outcome::Blocked(parked) => Some((client, parked)),
            }
        };
        let Some((client, parked)) = blocked else {
            // A client that does not read its replies waits here, on its own socket,
            // holding at most this much of them in memory.
            stream.write_all(out).await?;
            out.clear();
            if batch.paused {
                // Redis re-checks paused clients on its next event-loop turn; 5 ms here.
                // (`batch.paused` stays set until the held request runs.)
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            continue;
        };
        // Replies before the blocking command go out now: the client may be waiting on them.
        if !out.is_empty() {
            stream.write_all(out).await?;
            out.clear();
        }
        // `biased`: the branches are polled in order, not at random, so that the loom
        // models stay deterministic. Messages published meanwhile (a RESP3 subscriber
        // may block) are written as they come, as Redis writes them to a blocked client.
        let mut waiting = std::pin::pin!(wait_until_served(core, client, parked));
        let reply = loop {
            tokio::select! {
                biased;
                reply = &mut waiting => break reply,
                _ = peer.signals.killed.notified() => return Ok(false),
                _ = peer.signals.mail.notified() => {
                    let mail = std::mem::take(&mut *super::host::lock(&peer.signals.outbox));
                    stream.write_all(&mail).await?;
                }
            }
        };
        let mut engine = lock(core).await;
        out.append(&mut super::host::lock(&peer.signals.outbox));
        let session = engine.store.session_mut(client);
        if session.killed {
            return Ok(false);
        }
        if session.replies.reply_goes_out() {
            encode_into(&reply, session.protocol, out);
        }
    }
    Ok(true)
}

/// Runs requests while holding the engine, until the batch ends, a command blocks or the
/// client quits.
fn run_locked(
    core: &Core,
    engine: &mut Engine,
    peer_signals: &super::peers::Signals,
    client: ClientId,
    authenticated: &mut bool,
    batch: &mut Batch,
    out: &mut Vec<u8>,
) -> Outcome {
    core.busy.threshold_ms.store(
        engine.store.config.busy_reply_threshold_ms,
        Ordering::Relaxed,
    );
    while let Some(argv) = batch.requests.pop_front() {
        let session = engine.store.session(client);
        if session.killed || session.closing {
            return Outcome::Close;
        }
        if engine.paused(client, &argv) {
            // Redis blocks a paused client (BLOCKED_POSTPONE): INFO counts it blocked.
            engine.store.session_mut(client).blocked = Some(false);
            batch.requests.push_front(argv);
            batch.paused = true;
            return Outcome::Paused;
        }
        if std::mem::take(&mut batch.paused) {
            engine.store.session_mut(client).blocked = None;
        }
        // Messages published to this client before this command come before its reply.
        out.append(&mut super::host::lock(&peer_signals.outbox));
        if let Some(request) = shutdown::request(&argv) {
            let in_multi = engine.store.session(client).multi.is_some();
            let reply = match request {
                _ if in_multi => {
                    if let Some(multi) = engine.store.session_mut(client).multi.as_mut() {
                        multi.aborted = true;
                    }
                    Reply::error("ERR Command not allowed inside a transaction")
                }
                Ok(save) => {
                    let points = engine.store.config.get("save").unwrap_or_default();
                    let saved = !save.wanted(&points)
                        || engine.execute(client, &[b"SAVE".to_vec()]) == Reply::ok();
                    if saved {
                        core.shutdown.notify_one();
                        return Outcome::Close;
                    }
                    Reply::error("ERR Errors trying to SHUTDOWN. Check logs.")
                }
                Err(refusal) => refusal,
            };
            encode_into(&reply, engine.store.session(client).protocol, out);
            continue;
        }
        let dirty = engine.store.dirty;
        let reply = if argv.first().is_some_and(|name| may_run_script(name)) {
            // A script may run for long: waiting connections must sleep rather than spin.
            // It runs here, inline; one that runs long hands this thread's other work to
            // another thread from its tick (`RealHost::script_tick`), so that the others
            // can answer BUSY meanwhile.
            core.busy.script_running.store(true, Ordering::Release);
            let reply = engine.execute(client, &argv);
            core.busy.clear();
            reply
        } else {
            engine.execute(client, &argv)
        };
        if let Some(parked) = core.blocked.block(engine, client, &argv, &reply) {
            return Outcome::Blocked(parked);
        }
        if let Some(parked) = core.blocked.block_wait(engine, client, &reply) {
            return Outcome::Blocked(parked);
        }
        // As Redis after every command: clients blocked on what this one wrote are
        // served now, before anything else runs.
        if engine.store.dirty != dirty {
            core.blocked.serve(engine);
        }
        // CLIENT KILL and CLIENT UNBLOCK act on the other connections now.
        if !engine.store.killed_clients.is_empty() {
            let killed = std::mem::take(&mut engine.store.killed_clients);
            core.peers.kill(killed.iter().map(|c| c.id));
        }
        if !engine.store.monitor_feed.is_empty() {
            let lines = std::mem::take(&mut engine.store.monitor_feed);
            core.peers
                .feed_monitors(engine.store.monitors.iter().map(|c| c.id), &lines);
        }
        if !engine.store.deliveries.is_empty() {
            core.peers.deliver(&mut engine.store);
        }
        if argv[0].eq_ignore_ascii_case(b"client") {
            core.blocked.release_unblocked(engine);
        }
        batch.spent.push(argv);
        let session = engine.store.session_mut(client);
        // AUTH, HELLO AUTH and RESET change the request limits for what follows.
        *authenticated = session.authenticated;
        if session.replies.reply_goes_out() {
            encode_into(&reply, session.protocol, out);
        }
        if session.closing {
            return Outcome::Close;
        }
        if out.len() >= OUTPUT_FLUSH_BYTES && !batch.requests.is_empty() {
            return Outcome::Flush;
        }
    }
    Outcome::Done
}
