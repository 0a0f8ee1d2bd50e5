//! Virtual time and the simulator's [`Host`].
//!
//! The engine reads the time (TIME, expiry, busy detection) and draws random numbers only
//! through its `Host`. The simulator's host reads a clock that moves only when the
//! simulation says so — with each event, with think time and delays, and with the Lua
//! instructions a server-side script executes — and draws random numbers from a ChaCha
//! stream derived from the run's seed. So a run's every reply is a function of its seed
//! and schedule.
//!
//! The host lives inside the engine (`Box<dyn Host + Send>`), so the clock is shared with
//! the world through an `Arc` of atomics: reading it costs one relaxed load.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use redsim::{BusyScript, Host, ScriptTick};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// 2023-03-15 13:20:00 UTC in µs: the timestamp of the seed's example, where every run
/// starts so that TIME replies look like real ones.
pub const EPOCH_US: u64 = 1_678_886_400_000_000;

/// The clock and the busy-script state, shared by the world and the host.
#[derive(Debug)]
pub struct SimClock {
    now_us: AtomicU64,
    /// Virtual nanoseconds one Lua instruction costs in a server-side script.
    pub ns_per_instruction: AtomicU64,
    /// Set by the world to make the running script's next tick answer `Kill`
    /// (a SCRIPT KILL delivered while the script was busy).
    kill_requested: AtomicBool,
    /// Instructions seen at the previous tick of the running script.
    last_instructions: AtomicU64,
    /// Longest elapsed time a script was seen busy in this run (ms).
    pub busy_max_ms: AtomicU64,
}

impl SimClock {
    pub fn new(start_us: u64) -> Arc<SimClock> {
        Arc::new(SimClock {
            now_us: AtomicU64::new(start_us),
            ns_per_instruction: AtomicU64::new(10),
            kill_requested: AtomicBool::new(false),
            last_instructions: AtomicU64::new(0),
            busy_max_ms: AtomicU64::new(0),
        })
    }

    #[inline]
    pub fn now_us(&self) -> u64 {
        self.now_us.load(Ordering::Relaxed)
    }

    #[inline]
    pub fn advance_us(&self, us: u64) -> u64 {
        self.now_us.fetch_add(us, Ordering::Relaxed) + us
    }

    /// Moves the clock forward to `t` (never backwards).
    pub fn advance_to(&self, t: u64) {
        self.now_us.fetch_max(t, Ordering::Relaxed);
    }

    pub fn reset(&self, start_us: u64) {
        self.now_us.store(start_us, Ordering::Relaxed);
        self.kill_requested.store(false, Ordering::Relaxed);
        self.last_instructions.store(0, Ordering::Relaxed);
        self.busy_max_ms.store(0, Ordering::Relaxed);
    }

    pub fn request_kill(&self) {
        self.kill_requested.store(true, Ordering::Relaxed);
    }
}

/// The engine's host in a simulation: virtual clock, seeded randomness, and time that
/// passes while a script runs.
pub struct SimHost {
    clock: Arc<SimClock>,
    rng: Arc<Mutex<ChaCha8Rng>>,
}

impl SimHost {
    /// A host reading `clock`, with random numbers from `seed` (its own ChaCha stream, so
    /// the engine's draws never shift the scheduler's).
    pub fn new(clock: Arc<SimClock>, seed: u64) -> (SimHost, Arc<Mutex<ChaCha8Rng>>) {
        let rng = Arc::new(Mutex::new(engine_rng(seed)));
        (SimHost { clock, rng: rng.clone() }, rng)
    }
}

/// The engine's random stream for `seed`.
pub fn engine_rng(seed: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(3);
    rng
}

impl Host for SimHost {
    fn now_us(&mut self) -> u64 {
        self.clock.now_us()
    }

    fn random_u64(&mut self) -> u64 {
        match self.rng.lock() {
            Ok(mut rng) => rng.next_u64(),
            Err(poisoned) => poisoned.into_inner().next_u64(),
        }
    }

    /// Virtual time advances with the instructions the script executed since the last
    /// tick; past the busy threshold a pending SCRIPT KILL is answered with `Kill`.
    fn script_tick(&mut self, busy: &BusyScript) -> ScriptTick {
        let clock = &self.clock;
        let before = clock.last_instructions.swap(busy.instructions, Ordering::Relaxed);
        // A new script restarts the count.
        let executed = if busy.instructions >= before { busy.instructions - before } else { busy.instructions };
        let ns = executed * clock.ns_per_instruction.load(Ordering::Relaxed);
        clock.advance_us(ns / 1000);
        clock.busy_max_ms.fetch_max(busy.elapsed_ms, Ordering::Relaxed);
        if clock.kill_requested.swap(false, Ordering::Relaxed) && !busy.has_written {
            return ScriptTick::Kill;
        }
        ScriptTick::Continue
    }
}
