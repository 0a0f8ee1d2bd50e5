//! The server's [`Host`]: the wall clock, OS-seeded randomness, and the answers other
//! connections get while a script runs.
//!
//! Redis runs a script to its end before serving anyone else. Past
//! `busy-reply-threshold` it starts serving other clients again from inside the script's
//! hook, answering every command with `-BUSY …` except the few allowed then: SCRIPT KILL
//! (or FUNCTION KILL for a function) stops a script that has not written. The engine calls
//! [`Host::script_tick`] every few thousand Lua instructions; this host then drains the
//! executor's mailbox and answers what arrived.

use super::executor::{ConnId, Inbox, Msg, Out};
use crate::cmd::{resolve, Resolved};
use crate::host::{BusyScript, Host, ScriptTick};
use crate::resp::{encode, Protocol, Reply};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

const BUSY_EVAL: &str = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
const UNKILLABLE: &str = "UNKILLABLE Sorry the script already executed write commands against the dataset. \
You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";

/// Real time and randomness for `redsim serve`.
pub struct RealHost {
    inbox: Arc<Inbox>,
    rng: u64,
}

impl RealHost {
    pub(crate) fn new(inbox: Arc<Inbox>) -> Self {
        // std's RandomState is seeded from the OS: the one place redsim wants that.
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(0x5eed);
        RealHost { inbox, rng: hasher.finish() | 1 }
    }

    /// What a command that arrives during a busy script gets; `true` asks to kill it.
    fn answer_while_busy(argv: &[Vec<u8>], busy: &BusyScript) -> (Reply, bool) {
        if argv.is_empty() {
            return (Reply::error("ERR empty command"), false);
        }
        // Unknown commands and wrong arity are refused before the busy check, as in Redis.
        let (spec, sub) = match resolve(argv) {
            Resolved::Found(spec, sub) => (spec, sub),
            Resolved::Refused(error) => return (error, false),
        };
        let busy_error = if busy.is_function { BUSY_FUNCTION } else { BUSY_EVAL };
        match (spec.name, sub.map(|s| s.name)) {
            ("script", Some("kill")) | ("function", Some("kill")) => {
                let by_eval = spec.name == "script";
                if busy.has_written {
                    (Reply::error(UNKILLABLE), false)
                } else if by_eval == busy.is_function {
                    // SCRIPT KILL cannot stop a function, FUNCTION KILL not an EVAL.
                    (Reply::error(busy_error), false)
                } else {
                    (Reply::ok(), true)
                }
            }
            ("quit", _) => (Reply::ok(), false),
            _ => (Reply::error(busy_error), false),
        }
    }

    /// Answers one connection's requests; returns the ones left once a kill was granted
    /// (they run normally after the script stops).
    fn answer_batch(&self, conn: ConnId, batch: Vec<Vec<Vec<u8>>>, busy: &BusyScript) -> (bool, Vec<Vec<Vec<u8>>>) {
        let mut bytes = Vec::new();
        let mut requests = batch.into_iter();
        let mut killed = false;
        for argv in requests.by_ref() {
            let (reply, kill) = Self::answer_while_busy(&argv, busy);
            // Errors and +OK read the same in RESP2 and RESP3.
            bytes.extend_from_slice(&encode(&reply, Protocol::Resp2));
            if argv[0].eq_ignore_ascii_case(b"quit") {
                self.inbox.send_to(conn, Out::Bytes(std::mem::take(&mut bytes)));
                self.inbox.send_to(conn, Out::Close);
                self.inbox.defer(Msg::Disconnect { conn });
                return (false, Vec::new());
            }
            if kill {
                killed = true;
                break;
            }
        }
        if !bytes.is_empty() {
            self.inbox.send_to(conn, Out::Bytes(bytes));
        }
        (killed, requests.collect())
    }
}

impl Host for RealHost {
    fn now_us(&mut self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
    }

    fn random_u64(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn script_tick(&mut self, busy: &BusyScript) -> ScriptTick {
        if busy.elapsed_ms < self.inbox.busy_threshold_ms.load(Ordering::Relaxed) {
            return ScriptTick::Continue;
        }
        let mut verdict = ScriptTick::Continue;
        // Bounded: a flood of requests must not keep the script from running.
        for _ in 0..10_000 {
            let Some(msg) = self.inbox.try_next() else {
                break;
            };
            match msg {
                Msg::Requests { conn, batch } if verdict == ScriptTick::Continue => {
                    let (killed, rest) = self.answer_batch(conn, batch, busy);
                    if killed {
                        verdict = ScriptTick::Kill;
                    }
                    if !rest.is_empty() {
                        self.inbox.defer(Msg::Requests { conn, batch: rest });
                    }
                }
                // Connections, disconnections and protocol errors need the engine: they
                // wait until the script ends, in order.
                other => self.inbox.defer(other),
            }
            if verdict == ScriptTick::Kill {
                break;
            }
        }
        verdict
    }
}
