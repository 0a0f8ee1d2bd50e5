//! Blocked clients (BLPOP, BRPOP, BLMOVE, BZPOPMIN, BZPOPMAX, and WAIT).
//!
//! A blocking command that finds nothing to pop leaves a block request on its session
//! instead of a reply. Its connection then waits — its later requests stay unread behind
//! it, as in Redis — until the command is served or its timeout passes (then it gets the
//! command's timeout reply, a null).
//!
//! Serving works as Redis's `handleClientsBlockedOnKeys`, which `processCommand` runs
//! right after every command: whoever runs a command that changed the dataset retries the
//! blocked clients' commands at once, still holding the engine, in the order they
//! blocked (first blocked, first served), and hands each answer to its waiting
//! connection. So no other client's command — not even the next one of the writer's own
//! pipeline — can take the pushed element before the blocked client gets it. A key of
//! another type does not serve a client (it stays blocked rather than answering
//! WRONGTYPE), as in Redis. One simplification: a client blocked on several keys is
//! retried with its command as written, so it pops from the first of its keys that has
//! data, where Redis pops from the key that became ready first.

use super::sync::{Mutex, MutexGuard, Notify};
use super::Core;
use crate::resp::Reply;
use crate::session::{ClientId, Unblock};
use crate::Engine;
use std::time::{Duration, Instant};

/// The clients waiting for a blocking command to be served, in the order they blocked.
pub(crate) struct BlockedClients {
    waiters: Mutex<Vec<Waiter>>,
    /// Woken when a write served some of them: each looks for its answer.
    served: Notify,
}

// By hand: loom's mutex has no `Default`.
impl Default for BlockedClients {
    fn default() -> Self {
        BlockedClients {
            waiters: Mutex::new(Vec::new()),
            served: Notify::new(),
        }
    }
}

struct Waiter {
    client: ClientId,
    argv: Vec<Vec<u8>>,
    /// What the command answers when its timeout passes (or CLIENT UNBLOCK TIMEOUT).
    timeout_reply: Reply,
    /// The command's answer, once a write served it.
    served: Option<Reply>,
    /// A write may serve it (not WAIT, which only its timeout or CLIENT UNBLOCK ends).
    retried: bool,
}

/// What a command asked for when it could not be served at once.
pub(crate) struct Parked {
    /// When to give up; `None` waits forever (timeout 0).
    pub(crate) deadline: Option<Instant>,
    /// What the client gets on timeout.
    pub(crate) timeout_reply: Reply,
}

impl BlockedClients {
    fn waiters(&self) -> MutexGuard<'_, Vec<Waiter>> {
        super::host::lock(&self.waiters)
    }

    /// Takes the block request a command left on the session, if any, and queues the
    /// client behind those already blocked; `reply` is what the command answered, which
    /// is its timeout reply when it asks to block. Called with the engine held.
    pub(crate) fn block(
        &self,
        engine: &mut Engine,
        client: ClientId,
        argv: &[Vec<u8>],
        reply: &Reply,
    ) -> Option<Parked> {
        let session = engine.store.session_mut(client);
        let request = session.block.take()?;
        session.blocked = Some(request.timeout_ms > 0);
        session.unblock = None;
        self.waiters().push(Waiter {
            client,
            argv: request.retry.unwrap_or_else(|| argv.to_vec()),
            timeout_reply: reply.clone(),
            served: None,
            retried: true,
        });
        Some(Parked {
            deadline: (request.timeout_ms > 0)
                .then(|| Instant::now() + Duration::from_millis(request.timeout_ms)),
            timeout_reply: reply.clone(),
        })
    }

    /// Takes the WAIT a command left on the session, if any, and queues the client; `reply`
    /// is the count WAIT answered now. `redsim serve` links no replicas, so no
    /// acknowledgement can come: the client is answered that count when its timeout
    /// passes (Redis: `replicationCountAcksByOffset` then), never for timeout 0 (until it
    /// disconnects), or when CLIENT UNBLOCK ends its wait. Called with the engine held.
    pub(crate) fn block_wait(
        &self,
        engine: &mut Engine,
        client: ClientId,
        reply: &Reply,
    ) -> Option<Parked> {
        let request = engine.take_wait(client)?;
        let now_ms = engine.host.now_us() / 1000;
        let session = engine.store.session_mut(client);
        session.blocked = Some(request.deadline_ms.is_some());
        session.unblock = None;
        self.waiters().push(Waiter {
            client,
            argv: Vec::new(),
            timeout_reply: reply.clone(),
            served: None,
            retried: false,
        });
        Some(Parked {
            deadline: request
                .deadline_ms
                .map(|at| Instant::now() + Duration::from_millis(at.saturating_sub(now_ms))),
            timeout_reply: reply.clone(),
        })
    }

    /// After a command that changed the dataset, with the engine still held: retries the
    /// blocked clients in the order they blocked, until a pass serves nobody who wrote
    /// (a served BLMOVE pushes, and may serve a client blocked on its destination), and
    /// wakes the connections it served.
    pub(crate) fn serve(&self, engine: &mut Engine) {
        let mut waiters = self.waiters();
        if waiters.is_empty() {
            return;
        }
        // A connection that closed (or was killed) while it waited has nobody to answer.
        waiters.retain(|w| {
            engine.store.is_connected(w.client) && !engine.store.session(w.client).killed
        });
        let mut served_any = false;
        loop {
            let mut wrote = false;
            for waiter in waiters
                .iter_mut()
                .filter(|w| w.served.is_none() && w.retried)
            {
                let dirty = engine.store.dirty;
                let reply = engine.retry_blocked(waiter.client, &waiter.argv);
                let still_blocked = engine.store.session_mut(waiter.client).block.take();
                // A source of another type leaves the client blocked; a BLMOVE whose
                // source got data but whose destination is not a list is answered
                // WRONGTYPE (Redis's serveClientBlockedOnList checks the destination).
                let wrong_type = reply
                    .error_text()
                    .is_some_and(|e| e.starts_with(b"WRONGTYPE"))
                    && !moves_from_a_list(engine, waiter.client, &waiter.argv);
                if still_blocked.is_none() && !wrong_type {
                    // Served: no longer counted in INFO's blocked_clients.
                    engine.store.session_mut(waiter.client).blocked = None;
                    if let Some(text) = reply.error_text() {
                        engine.count_served_error(&waiter.argv, text);
                    }
                    waiter.served = Some(reply);
                    served_any = true;
                    wrote |= engine.store.dirty != dirty;
                }
            }
            if !wrote {
                break;
            }
        }
        drop(waiters);
        if served_any {
            self.served.notify_waiters();
        }
    }

    /// After CLIENT UNBLOCK, with the engine held: ends the wait of the clients it named,
    /// with their command's timeout reply or an UNBLOCKED error, and wakes them.
    pub(crate) fn release_unblocked(&self, engine: &mut Engine) {
        let mut waiters = self.waiters();
        let mut released = false;
        for waiter in waiters.iter_mut().filter(|w| w.served.is_none()) {
            if !engine.store.is_connected(waiter.client) {
                continue;
            }
            let session = engine.store.session_mut(waiter.client);
            let Some(how) = session.unblock.take() else {
                continue;
            };
            session.blocked = None;
            waiter.served = Some(match how {
                Unblock::Timeout => waiter.timeout_reply.clone(),
                Unblock::Error => Reply::error("UNBLOCKED client unblocked via CLIENT UNBLOCK"),
            });
            released = true;
        }
        drop(waiters);
        if released {
            self.served.notify_waiters();
        }
    }

    /// The answer a write gave `client`, which leaves the queue; `None` while it waits.
    fn take_served(&self, client: ClientId) -> Option<Reply> {
        let mut waiters = self.waiters();
        let at = waiters
            .iter()
            .position(|w| w.client == client && w.served.is_some())?;
        waiters.remove(at).served
    }

    /// Leaves the queue on timeout: the answer if a write served the client meanwhile.
    fn leave(&self, client: ClientId) -> Option<Reply> {
        let mut waiters = self.waiters();
        let at = waiters.iter().position(|w| w.client == client)?;
        waiters.remove(at).served
    }
}

/// Whether `argv` is a BLMOVE / BRPOPLPUSH whose source is a list now.
fn moves_from_a_list(engine: &mut Engine, client: ClientId, argv: &[Vec<u8>]) -> bool {
    let name = &argv[0];
    if !(name.eq_ignore_ascii_case(b"blmove") || name.eq_ignore_ascii_case(b"brpoplpush")) {
        return false;
    }
    let db = engine.store.session(client).db;
    let now_ms = engine.host.now_us() / 1000;
    matches!(
        engine.store.dbs[db]
            .peek(&argv[1], now_ms)
            .map(|e| &e.value),
        Some(crate::db::Value::List(_))
    )
}

/// Waits until a write serves the parked command or its timeout passes; returns its reply.
pub(crate) async fn wait_until_served(core: &Core, client: ClientId, parked: Parked) -> Reply {
    loop {
        // Registered before looking: a client served after the look still wakes us.
        let mut served = std::pin::pin!(core.blocked.served.notified());
        served.as_mut().enable();
        if let Some(reply) = core.blocked.take_served(client) {
            return reply;
        }
        let timed_out = match parked.deadline {
            Some(deadline) => {
                tokio::select! {
                    _ = &mut served => false,
                    _ = tokio::time::sleep_until(deadline.into()) => true,
                }
            }
            None => {
                served.await;
                false
            }
        };
        if timed_out {
            // Under the engine, so that no write serves the client half-way.
            let mut engine = super::engine_lock::lock(core).await;
            if engine.store.is_connected(client) {
                engine.store.session_mut(client).blocked = None;
            }
            return core.blocked.leave(client).unwrap_or(parked.timeout_reply);
        }
    }
}
