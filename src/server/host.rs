//! The server's [`Host`]: the wall clock, OS-seeded randomness, and what other connections
//! get while a script runs.
//!
//! Redis runs a script to its end before serving anyone else. Past
//! `busy-reply-threshold` it serves other clients again from inside the script's hook,
//! with the busy policy (`crate::busy`: `-BUSY` for most commands; MULTI, WATCH, HELLO,
//! SCRIPT KILL… run). Here the engine calls [`Host::script_tick`] every few thousand Lua
//! instructions; past the threshold the host posts the running script on the
//! [`BusyBoard`] and wakes the connections waiting for the engine. They post their
//! requests on the board instead of waiting, and the script's next tick takes them
//! ([`Host::busy_requests`]), serves them with the engine's policy and posts the answers
//! back ([`Host::busy_reply`]). Requests the script ended before serving are run as usual,
//! after it.

use super::sync::{release_worker, AtomicBool, AtomicU64, Mutex, MutexGuard, Notify};
use crate::host::{BusyReply, BusyRequest, BusyScript, Host, MigrateTransfer, ScriptTick};
use crate::session::ClientId;
use std::collections::hash_map::RandomState;
use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[cfg(all(test, loom))]
pub(crate) use crate::busy::{NOTBUSY, UNKILLABLE};

/// Locks a std mutex, ignoring poisoning: the data stays usable after a panic.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What became of a request posted on the board.
#[derive(Debug)]
pub(crate) enum Answered {
    /// The busy script served it.
    Reply(BusyReply),
    /// The script ended first: run the request as usual.
    Retry,
}

/// The board's state, all behind one lock so that a request always belongs to the script
/// on the board: [`BusyBoard::clear`] answers what is pending before the next script can
/// post itself.
#[derive(Default)]
struct Board {
    /// The script running past the threshold, as of its last tick.
    script: Option<BusyScript>,
    /// Requests no tick has taken yet.
    requests: VecDeque<BusyRequest>,
    /// Answers not yet read, by ticket.
    answers: Vec<(u64, Answered)>,
    next_ticket: u64,
}

/// What connections know about a script running past the busy threshold.
#[derive(Default)]
pub(crate) struct BusyBoard {
    board: Mutex<Board>,
    /// A command that may run a script holds the engine: waiters must not block a worker.
    pub(crate) script_running: AtomicBool,
    /// `busy-reply-threshold`, copied from the configuration before each batch.
    pub(crate) threshold_ms: AtomicU64,
    /// Whether the running script has handed its thread's other work to another thread.
    worker_released: AtomicBool,
    /// Woken when a script becomes busy, when a tick answers requests, and when the
    /// script ends.
    pub(crate) changed: Notify,
}

/// A request on the board, to wait for with [`BusyBoard::answer`].
#[derive(Debug)]
pub(crate) struct Ticket(u64);

impl BusyBoard {
    pub(crate) fn new() -> Self {
        let board = BusyBoard::default();
        board.threshold_ms.store(5000, Ordering::Relaxed);
        board
    }

    /// The busy script, if one runs past the threshold now.
    pub(crate) fn current(&self) -> Option<BusyScript> {
        lock(&self.board).script.clone()
    }

    /// The engine finished the command that ran the script. Requests no tick took are
    /// answered [`Answered::Retry`]: Redis, serving them after the script, runs them.
    pub(crate) fn clear(&self) {
        {
            let mut board = lock(&self.board);
            board.script = None;
            let pending: Vec<u64> = board.requests.drain(..).map(|r| r.ticket).collect();
            for ticket in pending {
                board.answers.push((ticket, Answered::Retry));
            }
        }
        self.worker_released.store(false, Ordering::Relaxed);
        self.script_running.store(false, Ordering::Release);
        self.changed.notify_waiters();
    }

    /// Posts `argv` of `client` for the busy script to serve at its next tick. Checked
    /// against the board under its lock: if the script the connection saw has ended, the
    /// answer is [`Answered::Retry`] at once.
    pub(crate) fn post(&self, client: Option<ClientId>, argv: Vec<Vec<u8>>) -> Ticket {
        let mut board = lock(&self.board);
        let ticket = board.next_ticket;
        board.next_ticket += 1;
        if board.script.is_some() {
            board.requests.push_back(BusyRequest {
                ticket,
                client,
                argv,
            });
        } else {
            board.answers.push((ticket, Answered::Retry));
        }
        Ticket(ticket)
    }

    /// The answer to a posted request, once a tick or the script's end has given it.
    pub(crate) async fn answer(&self, ticket: Ticket) -> Answered {
        loop {
            // Created before looking: an answer given after the look still wakes us.
            let mut changed = std::pin::pin!(self.changed.notified());
            changed.as_mut().enable();
            if let Some(answered) = self.take_answer(&ticket) {
                return answered;
            }
            changed.await;
        }
    }

    /// The answer to `ticket` (which leaves the board), or `None` if there is none yet.
    fn take_answer(&self, ticket: &Ticket) -> Option<Answered> {
        let mut board = lock(&self.board);
        let at = board.answers.iter().position(|(t, _)| *t == ticket.0)?;
        Some(board.answers.swap_remove(at).1)
    }
}

/// A script that has run this long hands its thread's other connections to another
/// thread (see [`release_worker`]); shorter ones never pay for that.
const RELEASE_WORKER_AFTER_MS: u64 = 1;
/// How long a script waits for another thread to take over; it tries again at its next
/// tick if none did.
const RELEASE_WORKER_WAIT: Duration = Duration::from_millis(50);

/// Real time and randomness for `redsim serve`.
pub struct RealHost {
    board: Arc<BusyBoard>,
    rng: u64,
}

impl RealHost {
    pub(crate) fn new(board: Arc<BusyBoard>) -> Self {
        // std's RandomState is seeded from the OS: the one place redsim wants that.
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(0x5eed);
        RealHost {
            board,
            rng: hasher.finish() | 1,
        }
    }
}

impl Host for RealHost {
    /// Writes a temporary file next to the target and renames it over, as Redis's
    /// `rdbSave` does, so a crash never leaves half a file.
    fn persist(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let temp = format!("{path}.temp-{}", std::process::id());
        std::fs::write(&temp, bytes)
            .and_then(|()| std::fs::rename(&temp, path))
            .map_err(|e| e.to_string())
    }

    fn sleep_us(&mut self, us: u64) {
        std::thread::sleep(std::time::Duration::from_micros(us));
    }

    fn migrate(
        &mut self,
        host: &[u8],
        port: &[u8],
        timeout_ms: u64,
        commands: &[Vec<Vec<u8>>],
    ) -> MigrateTransfer {
        super::migrate::transfer(host, port, timeout_ms, commands)
    }

    fn now_us(&mut self) -> u64 {
        // Whole seconds and microseconds apart: `as_micros` would go through u128.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() * 1_000_000 + u64::from(d.subsec_micros()))
            .unwrap_or(0)
    }

    fn random_u64(&mut self) -> u64 {
        // xorshift64*, seeded from the OS.
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn script_tick(&mut self, busy: &BusyScript) -> ScriptTick {
        let threshold_ms = self.board.threshold_ms.load(Ordering::Relaxed);
        if busy.elapsed_ms >= threshold_ms.min(RELEASE_WORKER_AFTER_MS)
            && !self.board.worker_released.load(Ordering::Relaxed)
            && release_worker(RELEASE_WORKER_WAIT)
        {
            self.board.worker_released.store(true, Ordering::Relaxed);
        }
        if busy.elapsed_ms >= threshold_ms {
            let became_busy = lock(&self.board.board)
                .script
                .replace(busy.clone())
                .is_none();
            if became_busy {
                self.board.changed.notify_waiters();
            }
        }
        ScriptTick::Continue
    }

    fn busy_requests(&mut self, busy: &BusyScript) -> Vec<BusyRequest> {
        if busy.elapsed_ms < self.board.threshold_ms.load(Ordering::Relaxed) {
            return Vec::new();
        }
        lock(&self.board.board).requests.drain(..).collect()
    }

    fn busy_reply(&mut self, ticket: u64, reply: BusyReply) {
        lock(&self.board.board)
            .answers
            .push((ticket, Answered::Reply(reply)));
        self.board.changed.notify_waiters();
    }
}

// Plain tests: under loom the board's primitives only work inside a model.
#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::resp::{Protocol, Reply};

    fn script(elapsed_ms: u64) -> BusyScript {
        BusyScript {
            elapsed_ms,
            instructions: 1000,
            has_written: false,
            is_function: false,
        }
    }

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn busy_host() -> (Arc<BusyBoard>, RealHost) {
        let board = Arc::new(BusyBoard::new());
        board.threshold_ms.store(100, Ordering::Relaxed);
        let host = RealHost::new(board.clone());
        (board, host)
    }

    #[test]
    fn a_script_under_the_threshold_is_not_posted_and_serves_nobody() {
        let (board, mut host) = busy_host();
        assert_eq!(host.script_tick(&script(99)), ScriptTick::Continue);
        assert!(board.current().is_none());
        assert!(host.busy_requests(&script(99)).is_empty());
    }

    #[test]
    fn a_request_is_served_by_the_next_tick_past_the_threshold() {
        let (board, mut host) = busy_host();
        host.script_tick(&script(150));
        assert!(board.current().is_some());
        let ticket = board.post(None, argv(&["PING"]));
        assert!(board.take_answer(&ticket).is_none(), "no tick has taken it");
        let requests = host.busy_requests(&script(160));
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].argv, argv(&["PING"]));
        let reply = BusyReply {
            reply: Reply::error("BUSY …"),
            protocol: Protocol::Resp2,
            opened: None,
        };
        host.busy_reply(requests[0].ticket, reply);
        match board.take_answer(&ticket) {
            Some(Answered::Reply(r)) => assert_eq!(r.reply, Reply::error("BUSY …")),
            other => panic!("{other:?}"),
        }
        board.clear();
    }

    #[test]
    fn a_request_the_script_outran_is_run_after_it() {
        let (board, mut host) = busy_host();
        host.script_tick(&script(150));
        let ticket = board.post(None, argv(&["SCRIPT", "KILL"]));
        // The script ends before its next tick.
        board.clear();
        assert!(matches!(board.take_answer(&ticket), Some(Answered::Retry)));
        // Posted after the end (the connection saw the script before it ended).
        let late = board.post(None, argv(&["SCRIPT", "KILL"]));
        assert!(matches!(board.take_answer(&late), Some(Answered::Retry)));
        // The next script past the threshold finds nothing left to serve.
        host.script_tick(&script(150));
        assert!(host.busy_requests(&script(150)).is_empty());
        board.clear();
    }

    #[test]
    fn the_wall_clock_moves_and_random_numbers_differ() {
        let mut host = RealHost::new(Arc::new(BusyBoard::new()));
        assert!(host.now_us() > 1_600_000_000_000_000);
        assert_ne!(host.random_u64(), host.random_u64());
    }
}
