//! The executor: one thread that owns the engine and runs every command, one at a time,
//! in the order requests arrive — Redis's single-threaded event loop.

use super::blocking::Blocked;
use crate::resp::{encode_into, Reply};
use crate::session::ClientId;
use crate::Engine;
use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// Connection number given by the accept loop.
pub(crate) type ConnId = u64;

/// What connections tell the executor.
pub(crate) enum Msg {
    Connect { conn: ConnId, addr: String, out: UnboundedSender<Out> },
    /// Requests read in one go from a connection, in order.
    Requests { conn: ConnId, batch: Vec<Vec<Vec<u8>>> },
    /// The connection broke the protocol: reply this error and close it.
    ProtocolError { conn: ConnId, text: String },
    Disconnect { conn: ConnId },
    Shutdown,
}

/// What the executor tells a connection.
pub(crate) enum Out {
    Bytes(Vec<u8>),
    /// Close after writing what came before.
    Close,
}

/// The executor's mailbox, shared with the host so that a busy script can answer other
/// connections while it runs.
pub(crate) struct Inbox {
    rx: Mutex<Receiver<Msg>>,
    tx: Mutex<Sender<Msg>>,
    /// Messages the host took off the channel during a script but left for the executor.
    deferred: Mutex<VecDeque<Msg>>,
    /// Every connection's reply channel (the host answers BUSY through it).
    outs: Mutex<FxHashMap<ConnId, UnboundedSender<Out>>>,
    /// `busy-reply-threshold`, copied from the configuration before each command.
    pub(crate) busy_threshold_ms: AtomicU64,
}

/// Locks a mutex, ignoring poisoning: the data stays usable after a panicking command.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Inbox {
    pub(crate) fn new() -> (Arc<Inbox>, Sender<Msg>) {
        let (tx, rx) = std::sync::mpsc::channel();
        let inbox = Inbox {
            rx: Mutex::new(rx),
            tx: Mutex::new(tx.clone()),
            deferred: Mutex::new(VecDeque::new()),
            outs: Mutex::new(FxHashMap::default()),
            busy_threshold_ms: AtomicU64::new(5000),
        };
        (Arc::new(inbox), tx)
    }

    pub(crate) fn request_shutdown(&self) {
        let _ = lock(&self.tx).send(Msg::Shutdown);
    }

    pub(crate) fn register(&self, conn: ConnId, out: UnboundedSender<Out>) {
        lock(&self.outs).insert(conn, out);
    }

    pub(crate) fn unregister(&self, conn: ConnId) {
        lock(&self.outs).remove(&conn);
    }

    pub(crate) fn send_to(&self, conn: ConnId, out: Out) {
        if let Some(tx) = lock(&self.outs).get(&conn) {
            let _ = tx.send(out);
        }
    }

    pub(crate) fn defer(&self, msg: Msg) {
        lock(&self.deferred).push_back(msg);
    }

    /// A message that is already waiting, without blocking.
    pub(crate) fn try_next(&self) -> Option<Msg> {
        lock(&self.rx).try_recv().ok()
    }

    /// The next message; `Err(true)` on timeout, `Err(false)` when every sender is gone.
    fn next(&self, deadline: Option<Instant>) -> Result<Msg, bool> {
        if let Some(msg) = lock(&self.deferred).pop_front() {
            return Ok(msg);
        }
        let rx = lock(&self.rx);
        match deadline {
            None => rx.recv().map_err(|_| false),
            Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(msg) => Ok(msg),
                Err(RecvTimeoutError::Timeout) => Err(true),
                Err(RecvTimeoutError::Disconnected) => Err(false),
            },
        }
    }
}

/// A connection as the executor knows it.
pub(crate) struct Conn {
    pub(crate) client: ClientId,
    pub(crate) out: UnboundedSender<Out>,
    /// Requests that arrived while the client was blocked (BLPOP…): run after it wakes.
    pub(crate) pending: VecDeque<Vec<Vec<u8>>>,
}

/// The executor's state besides the engine.
pub(crate) struct Executor {
    pub(crate) engine: Engine,
    pub(crate) inbox: Arc<Inbox>,
    pub(crate) conns: FxHashMap<ConnId, Conn>,
    pub(crate) blocked: Blocked,
}

/// Runs until shutdown.
pub(crate) fn run(engine: Engine, inbox: Arc<Inbox>) {
    let mut ex = Executor { engine, inbox, conns: FxHashMap::default(), blocked: Blocked::default() };
    loop {
        let msg = match ex.inbox.next(ex.blocked.next_deadline()) {
            Ok(msg) => msg,
            Err(true) => {
                ex.expire_blocked();
                continue;
            }
            Err(false) => return,
        };
        match msg {
            Msg::Connect { conn, addr, out } => {
                let client = ex.engine.connect();
                ex.engine.store.session_mut(client).addr = Some(addr);
                ex.conns.insert(conn, Conn { client, out, pending: VecDeque::new() });
            }
            Msg::Requests { conn, batch } => ex.run_requests(conn, batch.into()),
            Msg::ProtocolError { conn, text } => {
                if let Some(state) = ex.conns.get(&conn) {
                    ex.engine.store.stats.count_error(text.as_bytes());
                    let mut bytes = Vec::with_capacity(text.len() + 3);
                    encode_into(&Reply::Error(text.into_bytes()), crate::Protocol::Resp2, &mut bytes);
                    let _ = state.out.send(Out::Bytes(bytes));
                    let _ = state.out.send(Out::Close);
                }
                ex.drop_conn(conn);
            }
            Msg::Disconnect { conn } => ex.drop_conn(conn),
            Msg::Shutdown => return,
        }
        ex.expire_blocked();
    }
}

impl Executor {
    /// Runs a connection's requests in order; stops early when the client blocks (the
    /// rest wait in `pending`) or asks to close.
    pub(crate) fn run_requests(&mut self, conn: ConnId, mut batch: VecDeque<Vec<Vec<u8>>>) {
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        if !state.pending.is_empty() || self.blocked.contains(conn) {
            state.pending.extend(batch);
            return;
        }
        let client = state.client;
        let mut out = Vec::new();
        while let Some(argv) = batch.pop_front() {
            self.inbox.busy_threshold_ms.store(self.engine.store.config.busy_reply_threshold_ms, Ordering::Relaxed);
            let dirty_before = self.engine.store.dirty;
            let reply = self.engine.execute(client, &argv);
            if let Some(deadline) = super::blocking::block_request(&mut self.engine, client) {
                // The command must wait: its reply comes when it can be served.
                self.blocked.park(conn, argv, deadline);
                if let Some(state) = self.conns.get_mut(&conn) {
                    state.pending.extend(batch);
                }
                break;
            }
            let session = self.engine.store.session(client);
            encode_into(&reply, session.protocol, &mut out);
            if session.closing {
                self.send(conn, out);
                if let Some(state) = self.conns.get(&conn) {
                    let _ = state.out.send(Out::Close);
                }
                self.drop_conn(conn);
                return;
            }
            if self.engine.store.dirty != dirty_before {
                self.wake_blocked();
            }
        }
        self.send(conn, out);
    }

    pub(crate) fn send(&self, conn: ConnId, bytes: Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        if let Some(state) = self.conns.get(&conn) {
            let _ = state.out.send(Out::Bytes(bytes));
        }
    }

    pub(crate) fn drop_conn(&mut self, conn: ConnId) {
        self.blocked.remove(conn);
        if let Some(state) = self.conns.remove(&conn) {
            self.engine.disconnect(state.client);
        }
    }
}
