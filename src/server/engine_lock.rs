//! Taking the engine lock from a connection task.
//!
//! Commands hold the engine for microseconds, so a connection that finds it taken waits
//! on the lock itself — parking_lot spins briefly, then parks the thread, which also lets a
//! preempted holder run on a busy machine — rather than queueing on a fair async mutex,
//! which hands the lock over through a task wake-up and idles it meanwhile. The wait is
//! bounded (1 ms at a time) because a script may hold the engine for seconds: then waiters
//! sleep on the busy board instead, and once the script is past `busy-reply-threshold`
//! they answer their requests from the board.

use super::Core;
use crate::Engine;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub(crate) type EngineGuard<'a> = super::sync::EngineGuard<'a, Engine>;

/// The engine, or word that a busy script keeps it (requests then go on the board).
pub(crate) enum Acquired<'a> {
    Engine(EngineGuard<'a>),
    Busy,
}

/// How long a connection blocks its worker thread on the lock before looking again
/// whether a script holds it.
const LOCK_WAIT: Duration = Duration::from_millis(1);

/// Waits for the engine; with `answer_busy`, returns the busy script instead as soon as
/// one runs past the threshold.
pub(crate) async fn acquire(core: &Core, answer_busy: bool) -> Acquired<'_> {
    loop {
        if let Some(guard) = core.engine.try_lock() {
            return Acquired::Engine(guard);
        }
        if core.busy.script_running.load(Ordering::Acquire) {
            let mut changed = std::pin::pin!(core.busy.changed.notified());
            changed.as_mut().enable();
            if answer_busy && core.busy.current().is_some() {
                return Acquired::Busy;
            }
            if core.busy.script_running.load(Ordering::Acquire) {
                changed.await;
            }
            continue;
        }
        if let Some(guard) = core.engine.try_lock_for(LOCK_WAIT) {
            return Acquired::Engine(guard);
        }
        // Held for long: most likely a script started; let the other tasks run meanwhile.
        super::sync::yield_now().await;
    }
}

/// Waits for the engine, however long a script keeps it.
pub(crate) async fn lock(core: &Core) -> EngineGuard<'_> {
    loop {
        if let Acquired::Engine(guard) = acquire(core, false).await {
            return guard;
        }
    }
}
