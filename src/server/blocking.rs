//! Blocked clients (BLPOP, BRPOP, BLMOVE, BZPOPMIN, BZPOPMAX).
//!
//! A blocking command that finds nothing to pop leaves a block request on its session
//! instead of a reply. Its connection then waits — its later requests stay unread behind
//! it, as in Redis — and re-runs the command each time another command changes the
//! dataset, until the command answers (a key of another type does not: the client stays
//! blocked, as in Redis); when its timeout passes first, the client gets the
//! command's timeout reply (a null). This is simpler than Redis's per-key ready lists (all
//! waiting clients retry after any write, in no guaranteed order) but gives the same
//! replies to a single waiter.

use super::Core;
use crate::resp::Reply;
use crate::session::ClientId;
use crate::Engine;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// What a command asked for when it could not be served at once.
pub(crate) struct Parked {
    /// When to give up; `None` waits forever (timeout 0).
    pub(crate) deadline: Option<Instant>,
    /// What the client gets on timeout.
    pub(crate) timeout_reply: Reply,
}

/// Takes the block request a command left on the session, if any; `reply` is what the
/// command answered, which is its timeout reply when it asks to block.
pub(crate) fn block_request(
    engine: &mut Engine,
    client: ClientId,
    reply: &Reply,
) -> Option<Parked> {
    let request = engine.store.session_mut(client).block.take()?;
    Some(Parked {
        deadline: deadline_in(request.timeout_ms),
        timeout_reply: reply.clone(),
    })
}

/// A timeout of 0 waits forever.
fn deadline_in(timeout_ms: u64) -> Option<Instant> {
    (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms))
}

type Wakeup<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A future that completes at the next write; registered at once, so that a write made
/// after this call (and before it is awaited) is not missed.
pub(crate) fn next_write(core: &Core) -> Wakeup<'_> {
    let mut notified = Box::pin(core.writes.notified());
    notified.as_mut().enable();
    notified
}

/// Waits until the parked command answers or times out; returns its reply. `wakeup` was
/// registered while the engine lock was still held.
pub(crate) async fn wait_until_served(
    core: &Core,
    client: ClientId,
    argv: &[Vec<u8>],
    parked: Parked,
    mut wakeup: Wakeup<'_>,
) -> Reply {
    loop {
        let timed_out = match parked.deadline {
            Some(deadline) => {
                tokio::select! {
                    _ = &mut wakeup => false,
                    _ = tokio::time::sleep_until(deadline.into()) => true,
                }
            }
            None => {
                wakeup.await;
                false
            }
        };
        if timed_out {
            return parked.timeout_reply;
        }
        let mut engine = super::engine_lock::lock(core).await;
        if !engine.store.is_connected(client) {
            return parked.timeout_reply;
        }
        let dirty = engine.store.dirty;
        let reply = engine.execute(client, argv);
        if engine.store.dirty != dirty {
            core.writes.notify_waiters();
        }
        let blocked_again = block_request(&mut engine, client, &reply).is_some();
        // Redis serves a blocked client only from a key of the type it waits for: a key
        // that became another type leaves it blocked rather than answering WRONGTYPE.
        let wrong_type = reply
            .error_text()
            .is_some_and(|e| e.starts_with(b"WRONGTYPE"));
        if !blocked_again && !wrong_type {
            return reply;
        }
        wakeup = next_write(core);
    }
}
