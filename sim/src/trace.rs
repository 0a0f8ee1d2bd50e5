//! The per-command trace of a run — step, virtual time, client, command, reply — and the
//! text form two processes compare byte for byte.
//!
//! Times are µs since the run's start (`t+N`). Replies are written the way redis-cli shows them, on one line:
//! `(integer) 1`, `"bulk"`, `(nil)`, `OK`, `(error) ERR …`, `[a, b]`.

use crate::client::Argv;
use crate::clock::EPOCH_US;
use crate::history::{History, Operation, Status};
use redsim::Reply;
use std::fmt::Write;

/// One event of a run.
#[derive(Clone, Debug, PartialEq)]
pub enum TraceEvent {
    /// A command ran on the server. `client` is `None` for the admin connection (faults).
    Command {
        /// The step.
        step: u64,
        /// Virtual time, µs.
        time_us: u64,
        /// The client; `None` for the admin connection.
        client: Option<u32>,
        /// The command.
        argv: Argv,
        /// Its reply.
        reply: Reply,
    },
    /// A client crashed between two commands.
    Crash {
        /// Virtual time, µs.
        time_us: u64,
        /// The client.
        client: u32,
    },
    /// A client's connection dropped (see [`crate::fault::Faults::disconnect_rate`]).
    Disconnect {
        /// Virtual time, µs.
        time_us: u64,
        /// The client.
        client: u32,
    },
    /// A client gave up waiting for a reply (see [`crate::fault::Faults::timeout_us`]).
    Timeout {
        /// Virtual time, µs.
        time_us: u64,
        /// The client.
        client: u32,
        /// It sent the request again on a new connection (else it keeps waiting).
        retry: bool,
    },
    /// The server's wall clock jumped (see [`crate::fault::Faults::clock_jumps`]).
    ClockJump {
        /// Virtual time, µs (the run's own clock, which never jumps).
        time_us: u64,
        /// How far, ms (negative: backwards).
        by_ms: i64,
    },
}

/// The events of a run, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// The events.
    pub events: Vec<TraceEvent>,
}

impl Trace {
    /// Forgets every event.
    pub fn clear(&mut self) {
        self.events.clear();
    }

    /// One line per event.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for event in &self.events {
            match event {
                TraceEvent::Command {
                    step,
                    time_us,
                    client,
                    argv,
                    reply,
                } => {
                    let who = match client {
                        Some(c) => format!("c{c}"),
                        None => "admin".to_string(),
                    };
                    let t = time_us.saturating_sub(EPOCH_US);
                    let _ = writeln!(
                        out,
                        "{step:>6} t+{t:<8} {who:<5} {} -> {}",
                        fmt_argv(argv),
                        fmt_reply(reply)
                    );
                }
                TraceEvent::Crash { time_us, client } => {
                    let t = time_us.saturating_sub(EPOCH_US);
                    let _ = writeln!(out, "     - t+{t:<8} c{client:<4} CRASH");
                }
                TraceEvent::Disconnect { time_us, client } => {
                    let t = time_us.saturating_sub(EPOCH_US);
                    let _ = writeln!(out, "     - t+{t:<8} c{client:<4} CONNECTION LOST");
                }
                TraceEvent::ClockJump { time_us, by_ms } => {
                    let t = time_us.saturating_sub(EPOCH_US);
                    let _ = writeln!(out, "     - t+{t:<8} {:<5} CLOCK JUMP {by_ms:+} ms", "");
                }
                TraceEvent::Timeout {
                    time_us,
                    client,
                    retry,
                } => {
                    let t = time_us.saturating_sub(EPOCH_US);
                    let what = if *retry {
                        "TIMEOUT, retry"
                    } else {
                        "TIMEOUT, wait"
                    };
                    let _ = writeln!(out, "     - t+{t:<8} c{client:<4} {what}");
                }
            }
        }
        out
    }
}

/// Arguments separated by spaces, quoted when they hold spaces or are not printable.
pub(crate) fn fmt_argv(argv: &[Vec<u8>]) -> String {
    let parts: Vec<String> = argv.iter().map(|a| fmt_arg(a)).collect();
    parts.join(" ")
}

fn fmt_arg(arg: &[u8]) -> String {
    let plain = !arg.is_empty() && arg.iter().all(|b| b.is_ascii_graphic() && *b != b'"');
    if plain {
        String::from_utf8_lossy(arg).into_owned()
    } else {
        quoted(arg)
    }
}

fn quoted(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s.push('"');
    s
}

/// A reply on one line, as redis-cli would show it.
pub(crate) fn fmt_reply(reply: &Reply) -> String {
    match reply {
        Reply::Simple(s) => String::from_utf8_lossy(s).into_owned(),
        Reply::Error(e) => format!("(error) {}", String::from_utf8_lossy(e)),
        Reply::Integer(n) => format!("(integer) {n}"),
        Reply::Bulk(b) => quoted(b),
        Reply::Null | Reply::NullArray => "(nil)".into(),
        Reply::Bool(b) => format!("({b})"),
        Reply::Double(d) => format!("(double) {}", redsim::resp::format_double(*d)),
        Reply::HumanDouble(d) => format!("(double) {}", redsim::resp::format_human(*d)),
        Reply::BigNumber(b) => format!("(big number) {}", String::from_utf8_lossy(b)),
        Reply::Verbatim { text, .. } => quoted(text),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            let items: Vec<String> = items.iter().map(fmt_reply).collect();
            format!("[{}]", items.join(", "))
        }
        Reply::Preceded { frame, reply } => format!("{} {}", fmt_reply(frame), fmt_reply(reply)),
        Reply::Frames(frames) => {
            let frames: Vec<String> = frames.iter().map(fmt_reply).collect();
            frames.join(" ")
        }
        Reply::Map(pairs) | Reply::Attribute(pairs) => {
            let items: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{} => {}", fmt_reply(k), fmt_reply(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// The history in one line per operation: client, times, status, what and result.
pub fn render_history(history: &History) -> String {
    let mut out = String::new();
    for op in &history.ops {
        let what = match &op.op {
            Operation::Command(argv) => fmt_argv(argv),
            Operation::Script {
                keys, args, mode, ..
            } => {
                format!(
                    "script({mode:?}) keys=[{}] args=[{}]",
                    fmt_argv(keys),
                    fmt_argv(args)
                )
            }
            Operation::Multi(cmds) => {
                let cmds: Vec<String> = cmds.iter().map(|c| fmt_argv(c)).collect();
                format!("multi[{}]", cmds.join("; "))
            }
        };
        let ret = op.ret.map(|r| r.to_string()).unwrap_or_else(|| "?".into());
        let status = match op.status {
            Status::Ok => "ok",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
        };
        let result = op
            .result
            .as_ref()
            .map(fmt_reply)
            .unwrap_or_else(|| "?".into());
        let _ = writeln!(
            out,
            "c{} [{}, {}] {status} {what} -> {result}",
            op.client, op.call, ret
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_print_as_redis_cli_shows_them() {
        let r = Reply::Array(vec![Reply::bulk("1"), Reply::Integer(1), Reply::Null]);
        assert_eq!(fmt_reply(&r), "[\"1\", (integer) 1, (nil)]");
        assert_eq!(fmt_reply(&Reply::error("ERR x")), "(error) ERR x");
        assert_eq!(fmt_argv(&[b"SET".to_vec(), b"a b".to_vec()]), "SET \"a b\"");
    }
}
