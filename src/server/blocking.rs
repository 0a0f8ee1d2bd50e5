//! Blocked clients (BLPOP, BRPOP, BLMOVE, BZPOPMIN, BZPOPMAX).
//!
//! A blocking command that finds nothing to pop leaves a block request on its session
//! instead of a reply. The server parks the connection — its later requests wait behind
//! it, as in Redis — and re-runs the command after every command that changed the
//! dataset, oldest parked client first, until it answers; when its timeout passes first,
//! the client gets the command's timeout reply (a null). This is simpler than Redis's
//! per-key ready lists but gives the same replies: a client is served as soon as a write
//! makes its command succeed.

use super::executor::{ConnId, Executor};
use crate::resp::{encode_into, Reply};
use crate::session::ClientId;
use crate::Engine;
use std::time::{Duration, Instant};

/// What a command asked for when it could not be served at once.
pub(crate) struct Parked {
    /// When to give up; `None` waits forever (timeout 0).
    pub(crate) deadline: Option<Instant>,
    /// What the client gets on timeout.
    pub(crate) timeout_reply: Reply,
}

/// Takes the block request a command left on the session, if any.
///
/// The session's block request is added with the blocking list and sorted-set commands;
/// until then no command blocks and this finds none.
pub(crate) fn block_request(_engine: &mut Engine, _client: ClientId) -> Option<Parked> {
    None
}

#[allow(dead_code)]
fn deadline_in(timeout_ms: Option<u64>) -> Option<Instant> {
    timeout_ms.map(|ms| Instant::now() + Duration::from_millis(ms))
}

struct Waiting {
    conn: ConnId,
    argv: Vec<Vec<u8>>,
    parked: Parked,
}

/// Parked connections, oldest first.
#[derive(Default)]
pub(crate) struct Blocked {
    waiting: Vec<Waiting>,
}

impl Blocked {
    pub(crate) fn park(&mut self, conn: ConnId, argv: Vec<Vec<u8>>, parked: Parked) {
        self.waiting.push(Waiting { conn, argv, parked });
    }

    pub(crate) fn contains(&self, conn: ConnId) -> bool {
        self.waiting.iter().any(|w| w.conn == conn)
    }

    pub(crate) fn remove(&mut self, conn: ConnId) {
        self.waiting.retain(|w| w.conn != conn);
    }

    /// The earliest timeout, for the executor's wait.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.waiting.iter().filter_map(|w| w.parked.deadline).min()
    }
}

impl Executor {
    /// Re-runs parked commands after a write, until none can make progress.
    pub(crate) fn wake_blocked(&mut self) {
        // Each round either serves a client or stops; the bound guards against a command
        // that keeps writing and blocking again.
        for _ in 0..1024 {
            if self.blocked.waiting.is_empty() || !self.serve_one_blocked() {
                return;
            }
        }
    }

    /// Serves the oldest parked client whose command now succeeds; false if none does.
    fn serve_one_blocked(&mut self) -> bool {
        let mut index = 0;
        while index < self.blocked.waiting.len() {
            let conn = self.blocked.waiting[index].conn;
            let Some(state) = self.conns.get(&conn) else {
                self.blocked.waiting.remove(index);
                continue;
            };
            let client = state.client;
            let argv = self.blocked.waiting[index].argv.clone();
            let reply = self.engine.execute(client, &argv);
            if block_request(&mut self.engine, client).is_some() {
                index += 1;
                continue;
            }
            self.blocked.waiting.remove(index);
            self.reply_and_resume(conn, client, reply);
            return true;
        }
        false
    }

    /// Answers clients whose timeout has passed.
    pub(crate) fn expire_blocked(&mut self) {
        let now = Instant::now();
        let mut index = 0;
        while index < self.blocked.waiting.len() {
            if self.blocked.waiting[index].parked.deadline.is_some_and(|d| d <= now) {
                let waiting = self.blocked.waiting.remove(index);
                if let Some(state) = self.conns.get(&waiting.conn) {
                    let client = state.client;
                    self.reply_and_resume(waiting.conn, client, waiting.parked.timeout_reply);
                }
            } else {
                index += 1;
            }
        }
    }

    /// Sends a blocked command's reply, then runs the requests that queued behind it.
    fn reply_and_resume(&mut self, conn: ConnId, client: ClientId, reply: Reply) {
        let mut bytes = Vec::new();
        encode_into(&reply, self.engine.store.session(client).protocol, &mut bytes);
        self.send(conn, bytes);
        let pending = match self.conns.get_mut(&conn) {
            Some(state) => std::mem::take(&mut state.pending),
            None => return,
        };
        if !pending.is_empty() {
            self.run_requests(conn, pending);
        }
    }
}
