//! Taking the engine lock from a connection task.
//!
//! Commands hold the engine for microseconds, so a connection that finds it taken spins
//! briefly and yields rather than queueing (a fair async mutex hands the lock over through
//! a task wake-up and idles it meanwhile). A script may hold it for seconds: then waiters
//! sleep on the busy board instead, and once the script is past `busy-reply-threshold`
//! they answer their requests from the board.

use super::Core;
use crate::host::BusyScript;
use crate::Engine;
use std::sync::atomic::Ordering;
use std::sync::{MutexGuard, TryLockError};

pub(crate) type EngineGuard<'a> = MutexGuard<'a, Engine>;

/// The engine, or the busy script that keeps it.
pub(crate) enum Acquired<'a> {
    Engine(EngineGuard<'a>),
    Busy(BusyScript),
}

fn try_take(core: &Core) -> Option<EngineGuard<'_>> {
    match core.engine.try_lock() {
        Ok(guard) => Some(guard),
        // A command panicked: the engine is still usable, as Redis keeps running.
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Waits for the engine; with `answer_busy`, returns the busy script instead as soon as
/// one runs past the threshold.
pub(crate) async fn acquire(core: &Core, answer_busy: bool) -> Acquired<'_> {
    loop {
        if let Some(guard) = try_take(core) {
            return Acquired::Engine(guard);
        }
        if core.busy.script_running.load(Ordering::Acquire) {
            let mut changed = std::pin::pin!(core.busy.changed.notified());
            changed.as_mut().enable();
            if answer_busy {
                if let Some(busy) = core.busy.current() {
                    return Acquired::Busy(busy);
                }
            }
            if core.busy.script_running.load(Ordering::Acquire) {
                changed.await;
            }
            continue;
        }
        for _ in 0..128 {
            std::hint::spin_loop();
        }
        if let Some(guard) = try_take(core) {
            return Acquired::Engine(guard);
        }
        tokio::task::yield_now().await;
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
