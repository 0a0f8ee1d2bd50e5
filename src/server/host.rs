//! The server's [`Host`]: the wall clock, OS-seeded randomness, and what other connections
//! get while a script runs.
//!
//! Redis runs a script to its end before serving anyone else. Past
//! `busy-reply-threshold` it serves other clients again from inside the script's hook,
//! answering every command with `-BUSY …` except SCRIPT KILL (FUNCTION KILL for a
//! function), which stops a script that has not written. Here the engine calls
//! [`Host::script_tick`] every few thousand Lua instructions; past the threshold the host
//! posts the running script on the [`BusyBoard`] and wakes the connections waiting for the
//! engine, which then answer their requests from the board instead of waiting; a SCRIPT
//! KILL they receive is handed back to the script through the next tick.

use super::sync::{AtomicBool, AtomicU64, Mutex, MutexGuard, Notify};
use crate::cmd::{resolve, Resolved};
use crate::host::{BusyScript, Host, ScriptTick};
use crate::resp::Reply;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

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

/// What connections know about a script running past the busy threshold.
#[derive(Default)]
pub(crate) struct BusyBoard {
    running: Mutex<Option<BusyScript>>,
    kill_requested: AtomicBool,
    /// A command that may run a script holds the engine: waiters must not block a worker.
    pub(crate) script_running: AtomicBool,
    /// `busy-reply-threshold`, copied from the configuration before each batch.
    pub(crate) threshold_ms: AtomicU64,
    /// Woken when a script becomes busy, and when it ends.
    pub(crate) changed: Notify,
}

impl BusyBoard {
    pub(crate) fn new() -> Self {
        let board = BusyBoard::default();
        board.threshold_ms.store(5000, Ordering::Relaxed);
        board
    }

    /// The busy script, if one runs past the threshold now.
    pub(crate) fn current(&self) -> Option<BusyScript> {
        lock(&self.running).clone()
    }

    /// The engine finished the command that ran the script. A kill still pending was
    /// granted for this script: it is dropped with it, under the board's lock, so that it
    /// cannot stop the next script.
    pub(crate) fn clear(&self) {
        let mut running = lock(&self.running);
        *running = None;
        self.kill_requested.store(false, Ordering::Relaxed);
        drop(running);
        self.script_running.store(false, Ordering::Release);
        self.changed.notify_waiters();
    }

    /// What a command that arrives during a busy script gets. A granted SCRIPT KILL is
    /// recorded for the script's next tick.
    ///
    /// SCRIPT KILL / FUNCTION KILL are judged against the board as it is now, under its
    /// lock, not against `busy` (what the connection saw before): that script may have
    /// ended since — then Redis, serving the command after it, answers NOTBUSY — and a
    /// kill recorded after its end would stop whichever script next runs past the
    /// threshold (loom found that interleaving: `server::loom_tests`).
    pub(crate) fn answer(&self, argv: &[Vec<u8>], busy: &BusyScript) -> Reply {
        // Unknown commands and wrong arity are refused before the busy check, as in Redis.
        let (spec, sub) = match resolve(argv) {
            Resolved::Found(spec, sub) => (spec, sub),
            Resolved::Refused(error) => return error,
        };
        let busy_error = if busy.is_function {
            BUSY_FUNCTION
        } else {
            BUSY_EVAL
        };
        match (spec.name, sub.map(|s| s.name)) {
            ("script", Some("kill")) | ("function", Some("kill")) => {
                let by_eval = spec.name == "script";
                let running = lock(&self.running);
                let Some(current) = running.as_ref() else {
                    return Reply::error(NOTBUSY);
                };
                if current.has_written {
                    Reply::error(UNKILLABLE)
                } else if by_eval == current.is_function {
                    // SCRIPT KILL cannot stop a function, nor FUNCTION KILL an EVAL.
                    Reply::error(if current.is_function {
                        BUSY_FUNCTION
                    } else {
                        BUSY_EVAL
                    })
                } else {
                    self.kill_requested.store(true, Ordering::Relaxed);
                    Reply::ok()
                }
            }
            _ => Reply::error(busy_error),
        }
    }
}

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
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
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
        if busy.elapsed_ms < self.board.threshold_ms.load(Ordering::Relaxed) {
            return ScriptTick::Continue;
        }
        let became_busy = lock(&self.board.running).replace(busy.clone()).is_none();
        if became_busy {
            self.board.changed.notify_waiters();
        }
        if self.board.kill_requested.swap(false, Ordering::Relaxed) {
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
            board.answer(&argv(&["GET", "k"]), &busy),
            Reply::error(BUSY_EVAL)
        );
        let function = script(150, false, true);
        assert_eq!(
            board.answer(&argv(&["PING"]), &function),
            Reply::error(BUSY_FUNCTION)
        );
        board.clear();
        assert!(board.current().is_none());
    }

    #[test]
    fn a_kill_granted_while_busy_stops_the_script_at_its_next_tick() {
        let board = Arc::new(BusyBoard::new());
        board.threshold_ms.store(100, Ordering::Relaxed);
        let mut host = RealHost::new(board.clone());
        host.script_tick(&script(150, false, false));
        let busy = board.current().expect("posted");
        assert_eq!(board.answer(&argv(&["SCRIPT", "KILL"]), &busy), Reply::ok());
        assert_eq!(
            host.script_tick(&script(160, false, false)),
            ScriptTick::Kill
        );
    }

    /// The interleaving loom found: a connection saw the busy script, the script ended,
    /// then the connection's SCRIPT KILL arrived.
    #[test]
    fn a_kill_arriving_after_the_script_ended_is_notbusy_and_spares_the_next_script() {
        let board = Arc::new(BusyBoard::new());
        board.threshold_ms.store(100, Ordering::Relaxed);
        let mut host = RealHost::new(board.clone());
        host.script_tick(&script(150, false, false));
        let seen = board.current().expect("posted");
        board.clear();
        assert_eq!(
            board.answer(&argv(&["SCRIPT", "KILL"]), &seen),
            Reply::error(NOTBUSY)
        );
        // The next script runs past the threshold and is not killed.
        assert_eq!(
            host.script_tick(&script(150, false, true)),
            ScriptTick::Continue
        );
    }

    #[test]
    fn unknown_commands_and_bad_arity_are_refused_before_busy() {
        let board = BusyBoard::new();
        let busy = script(6000, false, false);
        let unknown = board.answer(&argv(&["NOPE"]), &busy);
        assert_eq!(
            unknown,
            Reply::error("ERR unknown command 'NOPE', with args beginning with: ")
        );
        let arity = board.answer(&argv(&["GET"]), &busy);
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
