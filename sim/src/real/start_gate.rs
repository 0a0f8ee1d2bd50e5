//! The gate where a real run's client threads wait until all of them are ready, so that
//! they start together.

use std::sync::{Condvar, Mutex};

/// Where the client threads wait until every one of them is ready, so that all start
/// together; unlike a `Barrier`, the run can be called off (a thread that could not be
/// spawned) without leaving the others waiting for ever.
#[derive(Default)]
pub(crate) struct StartGate {
    state: Mutex<(usize, Option<bool>)>,
    changed: Condvar,
}

impl StartGate {
    /// A client thread: counts itself ready, then waits for the verdict; `true` means go.
    pub(crate) fn ready_and_wait(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 += 1;
        self.changed.notify_all();
        loop {
            if let Some(go) = state.1 {
                return go;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The main thread: waits until `threads` are ready, then lets them go.
    pub(crate) fn open_when_ready(&self, threads: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while state.0 < threads {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.1 = Some(true);
        self.changed.notify_all();
    }

    /// The main thread: sends every waiting or future thread home.
    pub(crate) fn call_off(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.1 = Some(false);
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn waiters(gate: &Arc<StartGate>, n: usize) -> Vec<std::thread::JoinHandle<bool>> {
        (0..n)
            .map(|_| {
                let gate = gate.clone();
                std::thread::spawn(move || gate.ready_and_wait())
            })
            .collect()
    }

    #[test]
    fn the_start_gate_opens_once_every_thread_is_ready() {
        let gate = Arc::new(StartGate::default());
        let threads = waiters(&gate, 3);
        gate.open_when_ready(3);
        assert!(threads.into_iter().all(|t| t.join().unwrap()));
    }

    #[test]
    fn a_called_off_gate_sends_every_thread_home_instead_of_leaving_it_waiting() {
        let gate = Arc::new(StartGate::default());
        let threads = waiters(&gate, 2);
        gate.call_off();
        assert!(threads.into_iter().all(|t| !t.join().unwrap()));
        // A thread that arrives after the run was called off does not wait either.
        assert!(!gate.ready_and_wait());
    }
}
