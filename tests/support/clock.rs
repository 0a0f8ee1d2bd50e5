//! An engine whose clock the test moves while the engine owns the host.

use redsim::{Engine, Host, ManualHost};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A host reading its time from a shared counter; randomness from a `ManualHost`.
pub struct TestHost {
    now_us: Arc<AtomicU64>,
    rng: ManualHost,
}

impl Host for TestHost {
    fn now_us(&mut self) -> u64 {
        self.now_us.load(Ordering::SeqCst)
    }
    fn random_u64(&mut self) -> u64 {
        self.rng.random_u64()
    }
}

/// An engine whose clock starts at a fixed instant (Unix time 1678886400 s), and that clock.
pub fn engine_with_clock(rng: ManualHost) -> (Engine, Arc<AtomicU64>) {
    let clock = Arc::new(AtomicU64::new(1_678_886_400_000_000));
    let host = TestHost {
        now_us: clock.clone(),
        rng,
    };
    (Engine::new(host), clock)
}

/// Moves the clock forward by `ms` milliseconds.
pub fn advance_ms(clock: &Arc<AtomicU64>, ms: u64) {
    clock.fetch_add(ms * 1000, Ordering::SeqCst);
}
