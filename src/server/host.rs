//! The server's [`Host`]: the wall clock, OS-seeded randomness, and what other connections
//! get while a script runs.
//!
//! Redis runs a script to its end before serving anyone else. Past
//! `busy-reply-threshold` it serves other clients again from inside the script's hook,
//! answering every command with `-BUSY …` except SCRIPT KILL (FUNCTION KILL for a
//! function), which stops a script that has not written. Here the engine calls
//! [`Host::script_tick`] every few thousand Lua instructions; past the threshold the host
//! posts the running script on the [`BusyBoard`] and wakes the connections waiting for the
//! engine, which then answer their requests from the board instead of waiting. A SCRIPT
//! KILL they receive is left on the board and judged by the script's next tick, as Redis
//! judges it inside the script's hook; the connection waits for that verdict.

use super::sync::{release_worker, AtomicBool, AtomicU64, Mutex, MutexGuard, Notify};
use crate::cmd::{resolve, Resolved};
use crate::host::{BusyScript, Host, ScriptTick};
use crate::resp::Reply;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) const BUSY_EVAL: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
pub(crate) const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
pub(crate) const NOTBUSY: &str = "NOTBUSY No scripts in execution right now.";
pub(crate) const UNKILLABLE: &str = "UNKILLABLE Sorry the script already executed write commands against the dataset. \
You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";

/// Locks a std mutex, ignoring poisoning: the data stays usable after a panic.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a kill request came to, judged by the script's tick or its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// The tick stopped the script.
    Killed,
    /// The script had written by its tick.
    Unkillable,
    /// The script ended before a tick judged the request.
    NotBusy,
}

/// The board's state, all behind one lock so that a kill request always belongs to the
/// script on the board: [`BusyBoard::clear`] judges what is pending before the next
/// script can post itself.
#[derive(Default)]
struct Board {
    /// The script running past the threshold, as of its last tick.
    script: Option<BusyScript>,
    /// Kill requests by ticket: unjudged (`None`), or judged and not yet read.
    kills: Vec<(u64, Option<Verdict>)>,
    next_ticket: u64,
}

impl Board {
    /// Judges every pending request; returns whether there was one.
    fn judge(&mut self, verdict: Verdict) -> bool {
        let mut any = false;
        for (_, judged) in self.kills.iter_mut().filter(|(_, v)| v.is_none()) {
            *judged = Some(verdict);
            any = true;
        }
        any
    }
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
    /// Woken when a script becomes busy, when a tick judges kill requests, and when the
    /// script ends.
    pub(crate) changed: Notify,
}

/// How a connection answers a request during a busy script.
pub(crate) enum BusyAnswer {
    Reply(Reply),
    /// A SCRIPT KILL / FUNCTION KILL the script's next tick (or its end) will judge:
    /// wait for it with [`BusyBoard::kill_verdict`].
    Kill(KillTicket),
}

/// A kill request on the board.
#[derive(Debug)]
pub(crate) struct KillTicket(u64);

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

    /// The engine finished the command that ran the script. Kill requests no tick judged
    /// get NOTBUSY, as Redis, serving them after the script, answers.
    pub(crate) fn clear(&self) {
        {
            let mut board = lock(&self.board);
            board.script = None;
            board.judge(Verdict::NotBusy);
        }
        self.worker_released.store(false, Ordering::Relaxed);
        self.script_running.store(false, Ordering::Release);
        self.changed.notify_waiters();
    }

    /// What a command that arrives during a busy script gets.
    ///
    /// Redis judges SCRIPT KILL / FUNCTION KILL inside the script's hook: OK means the
    /// script stops there. Here the request is checked against the board as it is now
    /// (under its lock: the script the connection saw may have ended — then NOTBUSY), and
    /// a killable script's next tick judges it — stopped (OK), or written meanwhile
    /// (UNKILLABLE) — or its end does (NOTBUSY). Granting at once instead answered OK to
    /// scripts that then ran to their end, and a grant landing after the script's end
    /// stopped the next script (loom found both: `server::loom_tests`).
    pub(crate) fn answer(&self, argv: &[Vec<u8>], busy: &BusyScript) -> BusyAnswer {
        // Unknown commands and wrong arity are refused before the busy check, as in Redis.
        let (spec, sub) = match resolve(argv) {
            Resolved::Found(spec, sub) => (spec, sub),
            Resolved::Refused(error) => return BusyAnswer::Reply(error),
        };
        let busy_error = |is_function: bool| {
            Reply::error(if is_function {
                BUSY_FUNCTION
            } else {
                BUSY_EVAL
            })
        };
        match (spec.name, sub.map(|s| s.name)) {
            ("script", Some("kill")) | ("function", Some("kill")) => {
                let by_eval = spec.name == "script";
                let mut board = lock(&self.board);
                let Some(current) = board.script.as_ref() else {
                    return BusyAnswer::Reply(Reply::error(NOTBUSY));
                };
                if current.has_written {
                    BusyAnswer::Reply(Reply::error(UNKILLABLE))
                } else if by_eval == current.is_function {
                    // SCRIPT KILL cannot stop a function, nor FUNCTION KILL an EVAL.
                    BusyAnswer::Reply(busy_error(current.is_function))
                } else {
                    let ticket = board.next_ticket;
                    board.next_ticket += 1;
                    board.kills.push((ticket, None));
                    BusyAnswer::Kill(KillTicket(ticket))
                }
            }
            _ => BusyAnswer::Reply(busy_error(busy.is_function)),
        }
    }

    /// The reply to a kill request, once a tick or the script's end has judged it.
    pub(crate) async fn kill_verdict(&self, ticket: KillTicket) -> Reply {
        loop {
            // Created before looking: a judgement made after the look still wakes us.
            let mut changed = std::pin::pin!(self.changed.notified());
            changed.as_mut().enable();
            if let Some(reply) = self.take_verdict(&ticket) {
                return reply;
            }
            changed.await;
        }
    }

    /// The reply to a judged kill request (which leaves the board), or `None` if no tick
    /// or end has judged it yet.
    fn take_verdict(&self, ticket: &KillTicket) -> Option<Reply> {
        let mut board = lock(&self.board);
        let at = board
            .kills
            .iter()
            .position(|(t, v)| *t == ticket.0 && v.is_some())?;
        let (_, verdict) = board.kills.swap_remove(at);
        Some(match verdict? {
            Verdict::Killed => Reply::ok(),
            Verdict::Unkillable => Reply::error(UNKILLABLE),
            Verdict::NotBusy => Reply::error(NOTBUSY),
        })
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
        if busy.elapsed_ms < threshold_ms {
            return ScriptTick::Continue;
        }
        let (became_busy, verdict) = {
            let mut board = lock(&self.board.board);
            let became_busy = board.script.replace(busy.clone()).is_none();
            // A pending kill was checked against this script when it was asked for.
            let verdict = if busy.has_written {
                Verdict::Unkillable
            } else {
                Verdict::Killed
            };
            (became_busy, board.judge(verdict).then_some(verdict))
        };
        if became_busy || verdict.is_some() {
            self.board.changed.notify_waiters();
        }
        if verdict == Some(Verdict::Killed) {
            ScriptTick::Kill
        } else {
            ScriptTick::Continue
        }
    }
}

// Plain tests: under loom the board's primitives only work inside a model.
#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn script(elapsed_ms: u64, has_written: bool, is_function: bool) -> BusyScript {
        BusyScript {
            elapsed_ms,
            instructions: 1000,
            has_written,
            is_function,
        }
    }

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn reply(answer: BusyAnswer) -> Reply {
        match answer {
            BusyAnswer::Reply(reply) => reply,
            BusyAnswer::Kill(ticket) => panic!("a kill request: {ticket:?}"),
        }
    }

    fn ticket(answer: BusyAnswer) -> KillTicket {
        match answer {
            BusyAnswer::Kill(ticket) => ticket,
            BusyAnswer::Reply(reply) => panic!("not a kill request: {reply:?}"),
        }
    }

    #[test]
    fn a_script_under_the_threshold_is_not_posted() {
        let board = Arc::new(BusyBoard::new());
        let mut host = RealHost::new(board.clone());
        assert_eq!(
            host.script_tick(&script(4999, false, false)),
            ScriptTick::Continue
        );
        assert!(board.current().is_none());
    }

    #[test]
    fn a_script_past_the_threshold_makes_others_busy() {
        let board = Arc::new(BusyBoard::new());
        board.threshold_ms.store(100, Ordering::Relaxed);
        let mut host = RealHost::new(board.clone());
        assert_eq!(
            host.script_tick(&script(150, false, false)),
            ScriptTick::Continue
        );
        let busy = board.current().expect("posted");
        assert_eq!(
            reply(board.answer(&argv(&["GET", "k"]), &busy)),
            Reply::error(BUSY_EVAL)
        );
        let function = script(150, false, true);
        assert_eq!(
            reply(board.answer(&argv(&["PING"]), &function)),
            Reply::error(BUSY_FUNCTION)
        );
        board.clear();
        assert!(board.current().is_none());
    }

    #[test]
    fn a_kill_is_judged_by_the_next_tick_which_stops_the_script() {
        let board = Arc::new(BusyBoard::new());
        board.threshold_ms.store(100, Ordering::Relaxed);
        let mut host = RealHost::new(board.clone());
        host.script_tick(&script(150, false, false));
        let busy = board.current().expect("posted");
        let kill = ticket(board.answer(&argv(&["SCRIPT", "KILL"]), &busy));
        assert_eq!(board.take_verdict(&kill), None, "not judged before a tick");
        assert_eq!(
            host.script_tick(&script(160, false, false)),
            ScriptTick::Kill
        );
        assert_eq!(board.take_verdict(&kill), Some(Reply::ok()));
        board.clear();
    }

    #[test]
    fn a_kill_the_script_outran_is_notbusy_and_spares_the_next_script() {
        let board = Arc::new(BusyBoard::new());
        board.threshold_ms.store(100, Ordering::Relaxed);
        let mut host = RealHost::new(board.clone());
        host.script_tick(&script(150, false, false));
        let busy = board.current().expect("posted");
        let kill = ticket(board.answer(&argv(&["SCRIPT", "KILL"]), &busy));
        // The script ends before its next tick.
        board.clear();
        assert_eq!(board.take_verdict(&kill), Some(Reply::error(NOTBUSY)));
        // The next script runs past the threshold and is not killed.
        assert_eq!(
            host.script_tick(&script(150, false, false)),
            ScriptTick::Continue
        );
    }

    /// The interleaving loom found: a connection saw the busy script, the script ended,
    /// then the connection's SCRIPT KILL arrived.
    #[test]
    fn a_kill_arriving_after_the_script_ended_is_notbusy() {
        let board = Arc::new(BusyBoard::new());
        board.threshold_ms.store(100, Ordering::Relaxed);
        let mut host = RealHost::new(board.clone());
        host.script_tick(&script(150, false, false));
        let seen = board.current().expect("posted");
        board.clear();
        assert_eq!(
            reply(board.answer(&argv(&["SCRIPT", "KILL"]), &seen)),
            Reply::error(NOTBUSY)
        );
    }

    #[test]
    fn a_script_that_writes_before_the_tick_is_unkillable() {
        let board = Arc::new(BusyBoard::new());
        board.threshold_ms.store(100, Ordering::Relaxed);
        let mut host = RealHost::new(board.clone());
        host.script_tick(&script(150, false, false));
        let busy = board.current().expect("posted");
        let kill = ticket(board.answer(&argv(&["SCRIPT", "KILL"]), &busy));
        assert_eq!(
            host.script_tick(&script(160, true, false)),
            ScriptTick::Continue
        );
        assert_eq!(board.take_verdict(&kill), Some(Reply::error(UNKILLABLE)));
        // Later requests see the write at once.
        assert_eq!(
            reply(board.answer(&argv(&["SCRIPT", "KILL"]), &busy)),
            Reply::error(UNKILLABLE)
        );
        board.clear();
    }

    #[test]
    fn unknown_commands_and_bad_arity_are_refused_before_busy() {
        let board = BusyBoard::new();
        let busy = script(6000, false, false);
        let unknown = reply(board.answer(&argv(&["NOPE"]), &busy));
        assert_eq!(
            unknown,
            Reply::error("ERR unknown command 'NOPE', with args beginning with: ")
        );
        let arity = reply(board.answer(&argv(&["GET"]), &busy));
        assert_eq!(
            arity,
            Reply::error("ERR wrong number of arguments for 'get' command")
        );
    }

    #[test]
    fn the_wall_clock_moves_and_random_numbers_differ() {
        let mut host = RealHost::new(Arc::new(BusyBoard::new()));
        assert!(host.now_us() > 1_600_000_000_000_000);
        assert_ne!(host.random_u64(), host.random_u64());
    }
}
