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
use redsim::{BusyReply, BusyRequest, BusyScript, ClientId, Host, ScriptTick};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// 2023-03-15 13:20:00 UTC in µs: the timestamp of the seed's example, where every run
/// starts so that TIME replies look like real ones.
pub(crate) const EPOCH_US: u64 = 1_678_886_400_000_000;

/// The clock and the busy-script state, shared by the world and the host.
#[derive(Debug)]
pub struct SimClock {
    now_us: AtomicU64,
    /// How far the server's wall clock is from `now_us` after clock jumps, µs.
    wall_offset_us: AtomicI64,
    /// Virtual nanoseconds one Lua instruction costs in a server-side script.
    pub(crate) ns_per_instruction: AtomicU64,
    /// Requests of other clients in flight while a script runs, and the answers the host
    /// gave them once the script was busy.
    pub(crate) board: Mutex<BusyBoard>,
    /// Instructions seen at the previous tick of the running script.
    last_instructions: AtomicU64,
    /// Longest elapsed time a script was seen busy in this run (ms).
    pub(crate) busy_max_ms: AtomicU64,
    /// Instructions after which a script is taken as never finishing.
    pub instructions_max: AtomicU64,
    /// Set when a script hit `instructions_max` (the world then shuts the server down).
    pub hung: AtomicBool,
    /// While a node of a sharded world runs a command, the other nodes by port: where
    /// its MIGRATE delivers (`world/shards.rs`).
    pub(crate) peers: Peers,
}

/// The nodes a MIGRATE can reach, by port (see [`SimClock::peers`]).
#[derive(Default)]
pub(crate) struct Peers(pub(crate) Mutex<Vec<(u16, crate::world::Node)>>);

impl std::fmt::Debug for Peers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Peers")
    }
}

impl SimClock {
    /// A clock at `start_us`.
    pub fn new(start_us: u64) -> Arc<SimClock> {
        Arc::new(SimClock {
            now_us: AtomicU64::new(start_us),
            wall_offset_us: AtomicI64::new(0),
            ns_per_instruction: AtomicU64::new(10),
            board: Mutex::new(BusyBoard::default()),
            last_instructions: AtomicU64::new(0),
            busy_max_ms: AtomicU64::new(0),
            instructions_max: AtomicU64::new(u64::MAX),
            hung: AtomicBool::new(false),
            peers: Peers::default(),
        })
    }

    /// The virtual time, µs.
    #[inline]
    pub fn now_us(&self) -> u64 {
        self.now_us.load(Ordering::Relaxed)
    }

    /// The server's wall clock, µs: what TIME and expiry read. It is the virtual time
    /// moved by the clock jumps so far; the virtual time itself never jumps.
    #[inline]
    pub fn wall_us(&self) -> u64 {
        let offset = self.wall_offset_us.load(Ordering::Relaxed);
        self.now_us().saturating_add_signed(offset)
    }

    /// The wall clock jumps by `by_us` (negative: backwards).
    pub(crate) fn jump_wall(&self, by_us: i64) {
        self.wall_offset_us.fetch_add(by_us, Ordering::Relaxed);
    }

    #[inline]
    pub(crate) fn advance_us(&self, us: u64) -> u64 {
        self.now_us.fetch_add(us, Ordering::Relaxed) + us
    }

    /// Moves the clock forward to `t` (never backwards).
    pub(crate) fn advance_to(&self, t: u64) {
        self.now_us.fetch_max(t, Ordering::Relaxed);
    }

    /// Puts the clock back to `start_us`.
    pub fn reset(&self, start_us: u64) {
        self.now_us.store(start_us, Ordering::Relaxed);
        self.wall_offset_us.store(0, Ordering::Relaxed);
        if let Ok(mut board) = self.board.lock() {
            board.waiting.clear();
            board.answered.clear();
        }
        self.last_instructions.store(0, Ordering::Relaxed);
        self.busy_max_ms.store(0, Ordering::Relaxed);
        self.hung.store(false, Ordering::Relaxed);
    }
}

/// A request of another client, in flight while a script runs.
#[derive(Clone, Debug)]
pub(crate) struct Waiting {
    pub client: u32,
    /// The client's session on the engine; `None`: a connection the client opens when it
    /// gives up on the running script's reply (its retry, see `world/slow.rs`).
    pub session: Option<ClientId>,
    pub argv: Vec<Vec<u8>>,
    pub(crate) ready_at_us: u64,
}

/// What other clients get while a script runs past the busy threshold.
///
/// Redis serves other clients from inside a busy script's hook; the engine does the same
/// with its busy policy (`redsim::busy`: `-BUSY` for most commands, MULTI, WATCH,
/// SCRIPT KILL… run). The world lists the requests in flight when a script starts; at
/// each tick past the threshold the host hands the engine those that have arrived, in
/// order per client, and keeps the answers for the world.
#[derive(Debug, Default)]
pub(crate) struct BusyBoard {
    pub(crate) threshold_ms: u64,
    pub waiting: Vec<Waiting>,
    /// (ticket, reply, time) in the order given (see [`ticket`]).
    pub answered: Vec<(u64, redsim::Reply, u64)>,
}

impl BusyBoard {
    /// Starts a script: `waiting` are the other clients' requests in flight.
    pub fn start(&mut self, waiting: Vec<Waiting>) {
        self.waiting = waiting;
        self.answered.clear();
    }

    /// Takes the requests that have arrived by `now_us`, in order per client (a client's
    /// later request waits for its earlier one). Tickets: see [`ticket`].
    fn take_arrived(&mut self, now_us: u64) -> Vec<BusyRequest> {
        let mut taken = Vec::new();
        let mut blocked: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < self.waiting.len() {
            let w = &self.waiting[i];
            if blocked.contains(&w.client) || w.ready_at_us > now_us {
                blocked.push(w.client);
                i += 1;
                continue;
            }
            let w = self.waiting.remove(i);
            taken.push(BusyRequest {
                ticket: ticket(w.client, w.session.is_none()),
                client: w.session,
                argv: w.argv,
            });
        }
        taken
    }
}

/// The ticket of a request on the board: the client's number, with bit 32 set for the
/// retry of the client whose script is running.
pub(crate) fn ticket(client: u32, own_retry: bool) -> u64 {
    u64::from(client) | (u64::from(own_retry) << 32)
}

/// The engine's host in a simulation: virtual clock, seeded randomness, and time that
/// passes while a script runs.
pub(crate) struct SimHost {
    clock: Arc<SimClock>,
    rng: Arc<Mutex<ChaCha8Rng>>,
}

impl SimHost {
    /// A host reading `clock`, with random numbers from `seed` (its own ChaCha stream, so
    /// the engine's draws never shift the scheduler's).
    pub fn new(clock: Arc<SimClock>, seed: u64) -> (SimHost, Arc<Mutex<ChaCha8Rng>>) {
        let rng = Arc::new(Mutex::new(engine_rng(seed, 0)));
        (
            SimHost {
                clock,
                rng: rng.clone(),
            },
            rng,
        )
    }
}

/// The random stream of node `node`'s engine for `seed`: node 0 has stream 3 (what a
/// world of one server always used); the others streams far from the clients' (16 + c).
pub(crate) fn engine_rng(seed: u64, node: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(if node == 0 {
        3
    } else {
        (1 << 32) + node as u64
    });
    rng
}

impl Host for SimHost {
    fn now_us(&mut self) -> u64 {
        self.clock.wall_us()
    }

    /// MIGRATE to another node of the world: its requests run there at once, on a
    /// connection of their own (the migrating node is blocked meanwhile, as Redis's).
    /// The world's nodes answer on 127.0.0.1; another address does not resolve.
    fn migrate(
        &mut self,
        host: &[u8],
        port: &[u8],
        _timeout_ms: u64,
        commands: &[Vec<Vec<u8>>],
    ) -> redsim::MigrateTransfer {
        let failed = |failure| redsim::MigrateTransfer {
            replies: Vec::new(),
            failure: Some(failure),
        };
        if host != b"127.0.0.1" {
            return failed(redsim::MigrateFailure::Connect);
        }
        let port: Option<u16> = std::str::from_utf8(port).ok().and_then(|p| p.parse().ok());
        let Ok(mut peers) = self.clock.peers.0.lock() else {
            return failed(redsim::MigrateFailure::Write);
        };
        // Nobody listening (or the node itself, busy with this very MIGRATE): Redis's
        // connect "succeeds" and the write fails.
        let Some((_, node)) = peers.iter_mut().find(|(p, _)| Some(*p) == port) else {
            return failed(redsim::MigrateFailure::Write);
        };
        node.engine.serve_transfer(commands)
    }

    fn random_u64(&mut self) -> u64 {
        match self.rng.lock() {
            Ok(mut rng) => rng.next_u64(),
            Err(poisoned) => poisoned.into_inner().next_u64(),
        }
    }

    /// Virtual time advances with the instructions the script executed since the last
    /// tick.
    fn script_tick(&mut self, busy: &BusyScript) -> ScriptTick {
        let clock = &self.clock;
        let before = clock
            .last_instructions
            .swap(busy.instructions, Ordering::Relaxed);
        // A new script restarts the count.
        let executed = if busy.instructions >= before {
            busy.instructions - before
        } else {
            busy.instructions
        };
        let ns = executed * clock.ns_per_instruction.load(Ordering::Relaxed);
        clock.advance_us(ns / 1000);
        clock
            .busy_max_ms
            .fetch_max(busy.elapsed_ms, Ordering::Relaxed);
        if busy.instructions >= clock.instructions_max.load(Ordering::Relaxed) {
            // It would run for ever: only SHUTDOWN NOSAVE ends it (the world does that).
            clock.hung.store(true, Ordering::Relaxed);
            return ScriptTick::Abort;
        }
        ScriptTick::Continue
    }

    fn busy_requests(&mut self, busy: &BusyScript) -> Vec<BusyRequest> {
        let now_us = self.clock.now_us();
        let mut board = self.board();
        if busy.elapsed_ms < board.threshold_ms {
            return Vec::new();
        }
        board.take_arrived(now_us)
    }

    fn busy_reply(&mut self, ticket: u64, reply: BusyReply) {
        let now_us = self.clock.now_us();
        self.board().answered.push((ticket, reply.reply, now_us));
    }
}

impl SimHost {
    fn board(&self) -> std::sync::MutexGuard<'_, BusyBoard> {
        self.clock
            .board
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
