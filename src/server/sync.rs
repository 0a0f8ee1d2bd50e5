//! The server's cross-thread primitives, under one set of names so that loom can check
//! the real server code.
//!
//! Normal builds use what the server always used: parking_lot's mutex for the engine
//! (brief spinning, then parking, and a timed wait), std's mutex and atomics for the
//! busy board, tokio's `Notify` and task helpers — the names below are plain re-exports,
//! so nothing changes at run time. Built with `RUSTFLAGS="--cfg loom"`, the same names
//! are loom's primitives, or small models of tokio's built on them, and the loom tests in
//! `server::loom_tests` drive the unchanged connection code (`engine_lock::acquire`,
//! `connection::run_batch`, the busy board) through every interleaving.

#[cfg(not(loom))]
mod imp {
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64};
    pub(crate) use std::sync::{Mutex, MutexGuard};
    pub(crate) use tokio::sync::Notify;

    /// The engine's lock: parking_lot's, for `try_lock_for`.
    pub(crate) type EngineLock<T> = parking_lot::Mutex<T>;
    pub(crate) type EngineGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    /// Called from inside a script that has run for a while: hands the runtime's worker
    /// (its queued tasks and the I/O driver) to another thread, so that the rest of the
    /// script runs on this thread while other connections are served — as Redis serves
    /// them from its script hook. Returns whether the hand-off is known to be done.
    ///
    /// `block_in_place` moves the worker to a new thread and, when its closure returns,
    /// takes it back if that thread has not picked it up yet. The closure therefore waits
    /// until a task spawned from it has run: with the server's single worker, only the
    /// moved worker can run it, so from then on this thread is no longer the worker and
    /// keeps running the script while the moved worker serves everyone else. Each script
    /// pays this once, and only a script that runs long: a short one runs inline, which is
    /// what keeps EVALSHA as cheap as a plain command.
    pub(crate) fn release_worker(wait: std::time::Duration) -> bool {
        use tokio::runtime::{Handle, RuntimeFlavor};
        let Ok(handle) = Handle::try_current() else {
            return true; // not on a runtime: nobody else to serve
        };
        if handle.runtime_flavor() != RuntimeFlavor::MultiThread {
            return false; // block_in_place needs a multi-thread runtime
        }
        tokio::task::block_in_place(|| {
            let (picked_up, wait_for_it) = std::sync::mpsc::sync_channel(1);
            handle.spawn(async move {
                let _ = picked_up.send(());
            });
            wait_for_it.recv_timeout(wait).is_ok()
        })
    }

    /// Lets the runtime's other tasks run before this one goes on.
    pub(crate) async fn yield_now() {
        tokio::task::yield_now().await
    }
}

#[cfg(loom)]
mod imp {
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64};
    pub(crate) use loom::sync::{Mutex, MutexGuard};
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    /// loom's mutex with parking_lot's methods. A timed wait has no time under loom: it
    /// is modelled as "try, let the others run, try again", which gives loom both of its
    /// outcomes (the lock freed meanwhile, or the wait timing out).
    pub(crate) struct EngineLock<T>(loom::sync::Mutex<T>);
    pub(crate) type EngineGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> EngineLock<T> {
        pub(crate) fn new(value: T) -> Self {
            EngineLock(loom::sync::Mutex::new(value))
        }

        pub(crate) fn try_lock(&self) -> Option<EngineGuard<'_, T>> {
            self.0.try_lock().ok()
        }

        pub(crate) fn try_lock_for(&self, _wait: Duration) -> Option<EngineGuard<'_, T>> {
            if let Some(guard) = self.try_lock() {
                return Some(guard);
            }
            loom::thread::yield_now();
            self.try_lock()
        }

        pub(crate) fn lock(&self) -> EngineGuard<'_, T> {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    /// Under loom the caller's thread is the model's thread: nothing to move.
    pub(crate) fn release_worker(_wait: std::time::Duration) -> bool {
        true
    }

    pub(crate) async fn yield_now() {
        loom::thread::yield_now();
    }

    /// A model of the part of `tokio::sync::Notify` the server uses: `notify_waiters`
    /// wakes every `Notified` future created before the call — as tokio documents, from
    /// its creation on, whether or not it has been polled or enabled yet — and is not
    /// remembered for futures created after it. `notify_one` leaves a permit that the
    /// next completing `Notified` takes (the server has one waiter per such `Notify`: a
    /// connection waiting to be killed).
    pub(crate) struct Notify {
        /// (number of `notify_waiters` calls so far, the wakers of pending futures).
        state: loom::sync::Mutex<(u64, Vec<Waker>)>,
        permit: loom::sync::atomic::AtomicBool,
    }

    impl Default for Notify {
        fn default() -> Self {
            Notify::new()
        }
    }

    impl Notify {
        pub(crate) fn new() -> Self {
            Notify {
                state: loom::sync::Mutex::new((0, Vec::new())),
                permit: loom::sync::atomic::AtomicBool::new(false),
            }
        }

        pub(crate) fn notify_one(&self) {
            self.permit.store(true, std::sync::atomic::Ordering::SeqCst);
            let wakers = std::mem::take(&mut self.state.lock().unwrap().1);
            for waker in wakers {
                waker.wake();
            }
        }

        pub(crate) fn notified(&self) -> Notified<'_> {
            let calls = self.state.lock().unwrap().0;
            Notified {
                notify: self,
                calls,
            }
        }

        pub(crate) fn notify_waiters(&self) {
            let wakers = {
                let mut state = self.state.lock().unwrap();
                state.0 += 1;
                std::mem::take(&mut state.1)
            };
            for waker in wakers {
                waker.wake();
            }
        }
    }

    pub(crate) struct Notified<'a> {
        notify: &'a Notify,
        /// `notify_waiters` calls when this future was created.
        calls: u64,
    }

    impl Notified<'_> {
        /// tokio's `enable` also readies the future for `notify_one`; the server only
        /// wakes with `notify_waiters`, which a `Notified` receives from its creation.
        pub(crate) fn enable(self: Pin<&mut Self>) -> bool {
            false
        }
    }

    impl Future for Notified<'_> {
        type Output = ();

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let mut state = self.notify.state.lock().unwrap();
            if state.0 != self.calls
                || self
                    .notify
                    .permit
                    .swap(false, std::sync::atomic::Ordering::SeqCst)
            {
                return Poll::Ready(());
            }
            state.1.push(cx.waker().clone());
            Poll::Pending
        }
    }
}

pub(crate) use imp::*;
