//! Faults a run can suffer, chosen by the scenario and drawn from the run's seed.
//!
//! - **Crash**: a client dies between two commands of an operation, or after a command
//!   ran but before its reply arrived. The operation's
//!   outcome becomes unknown (status `Unknown`, no return time) and the commands it already
//!   ran stay applied — Redis has no rollback, and neither does a client that vanished.
//!   Its session is closed, so a MULTI in progress is discarded and its WATCHes dropped.
//! - **Delay**: each request reaches the server after a random latency, so a client that
//!   sent later may be served first.
//! - **Think time**: a pause before a client starts its next operation.
//! - **Admin commands**: a command from a separate connection at a chosen step or at a
//!   random rate — `SCRIPT FLUSH` in the middle of a run makes EVALSHA meet NOSCRIPT.
//! - **Busy scripts**: a long server-side script advances virtual time with its
//!   instructions (see `clock.rs`); past the threshold, a client may send SCRIPT KILL.
//! - **SHUTDOWN NOSAVE**: as an admin command, or when a script runs past
//!   `script_instructions_max` (one that wrote and loops cannot be killed in Redis): the
//!   server goes down and comes back empty; every connection closes, so every operation in
//!   progress has an unknown outcome and its client stops.
//!
//! - **Timeout and retry**: a client whose request has had no reply `timeout_us` of
//!   virtual time after it was sent gives up on that connection, opens a new one and sends
//!   the same command again, as client libraries with retries on do (redis-py's
//!   `Retry`, Jedis, Lettuce). The first request is already on the wire: it still reaches
//!   the server and runs (its reply lost with the old connection), before or after the
//!   retry. The history holds both attempts — the first with an unknown outcome. Only
//!   operations that are one request at a time retry (EVAL/EVALSHA scripts, one-command
//!   operations); a client in the middle of a multi-command operation, or out of retries,
//!   keeps waiting.
//!
//! - **Restart with persistence**: a planned restart (a process kill, or a power loss
//!   that also loses what the OS had not written to disk), or SHUTDOWN NOSAVE from the
//!   admin connection. The server comes back with what its persistence kept — nothing
//!   (`none`), the last RDB snapshot (`rdb`, taken at the steps the scenario names),
//!   every write (`aof`, `appendfsync always`; and `everysec` unless the power was lost),
//!   or what was fsynced at the last whole virtual second (`everysec` after a power loss).
//!   The script cache is always gone. Every connection closes: a client whose operation is
//!   one request reconnects and sends it again (a new attempt, the old one `unknown`), as
//!   client libraries do after a connection error; any other stops as after a crash. An
//!   acknowledged write that the restart lost is a named anomaly ("lost acknowledged
//!   write").
//!
//! - **Connection loss**: the client's connection drops — before a request reaches the
//!   server, or after a command ran but before its reply came back — and the client
//!   survives. The server closes the connection, discarding an unfinished MULTI and its
//!   WATCHes. A client whose operation is one request resends it on a new connection (a
//!   new attempt; the cut-off one is `unknown`, and may have run); other programs record
//!   the cut-off operation as a crash does and go on with the next one on a new
//!   connection.
//!
//! - **Slow server**: a command stalls the server once it has run (`slow_rate`,
//!   `slow_us`), and a server-side script costs virtual time with every Lua instruction
//!   (`Options::lua_ns_per_instruction`). A client whose timeout passes while the server
//!   works gives up at its deadline: the command still completes on the connection it
//!   left, and the client's retry goes out at the deadline — answered `-BUSY` when it
//!   reaches a script already past `busy-reply-threshold`, else run after it.
//!
//! - **Clock jumps**: the server's wall clock jumps forward or backward before a planned
//!   step. TIME, key expiry and scripts that read TIME see the jumped clock; keys whose
//!   time has come are removed at once by the active expiry cycle (Redis's `serverCron`
//!   would within 100 ms) or when next looked up. Inside a script the expiry clock stays
//!   at the script's start (`scriptTimeSnapshot`, 7.0), so a jump never shows half-way
//!   through one. Delays, timeouts and busy-script detection run on the monotonic clock
//!   and do not jump, as in Redis (`getMonotonicUs`) and the clients' libraries.
//!
//! Random draws (crashes, delays, think time) come from each client's own stream, so what
//! happens to a client depends on its own steps, not on how the others' are interleaved —
//! exploring another order of commuting steps never changes which client crashes.

use std::fmt;

/// A crash planned by the scenario: `client` dies once it has received `after_commands`
/// replies (counted over the whole run) and is about to send another command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrashAt {
    /// The client.
    pub client: u32,
    /// Replies it receives before it dies.
    pub after_commands: u32,
}

/// A command sent from the admin connection just before step `step`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminAt {
    /// The step before which it runs.
    pub step: u64,
    /// The command.
    pub argv: Vec<Vec<u8>>,
}

/// What the server keeps across a restart (Redis's `save` and `appendonly` settings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Persistence {
    /// Nothing: the server restarts empty.
    #[default]
    None,
    /// RDB snapshots (BGSAVE) just before each of these steps; a restart loads the last.
    Rdb {
        /// The steps before which a snapshot is taken.
        save_steps: Vec<u64>,
    },
    /// An append-only file with this `appendfsync` policy.
    Aof(Fsync),
}

/// `appendfsync`: when the append-only file reaches the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fsync {
    /// Before a write is acknowledged: nothing acknowledged is ever lost.
    Always,
    /// Once a second (of virtual time): a power loss loses the writes since the last one;
    /// a process crash does not (they were written to the OS already).
    EverySec,
}

/// A restart planned before step `step`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestartAt {
    /// The step before which the server goes down and comes back.
    pub step: u64,
    /// The machine lost power (else only the process died): what the OS had not
    /// written to disk is gone too.
    pub power_loss: bool,
}

impl fmt::Display for Persistence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Persistence::None => write!(f, "none"),
            Persistence::Rdb { save_steps } => {
                let steps: Vec<String> = save_steps.iter().map(u64::to_string).collect();
                write!(f, "rdb(save_steps={})", steps.join(";"))
            }
            Persistence::Aof(Fsync::Always) => write!(f, "aof(always)"),
            Persistence::Aof(Fsync::EverySec) => write!(f, "aof(everysec)"),
        }
    }
}

/// The server's wall clock jumps before step `step` (an NTP step, a VM resumed, an
/// operator's `date -s`): TIME, expiry and scripts see it; the run's own clock (network
/// delays, timeouts, busy-script detection, which Redis measures on a monotonic clock)
/// does not jump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockJump {
    /// The step before which it jumps.
    pub step: u64,
    /// How far, ms; negative jumps backwards.
    pub by_ms: i64,
}

/// Every fault knob of a run. All zero means a fault-free run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability, at each point between two commands of an operation and after each
    /// command runs (its reply then never arrives), that the client crashes there.
    pub crash_rate: f64,
    /// Crashes at planned points.
    pub crashes: Vec<CrashAt>,
    /// Each request is delivered after a latency drawn uniformly from `0..=delay_max_us`.
    pub delay_max_us: u64,
    /// Before each operation but the first, a pause drawn from `0..=think_max_us`.
    pub think_max_us: u64,
    /// Commands from the admin connection at planned steps.
    pub admin: Vec<AdminAt>,
    /// Probability, before each step, that the admin connection sends SCRIPT FLUSH.
    pub script_flush_rate: f64,
    /// A client gives up waiting for a reply this long (virtual µs) after sending the
    /// request, and retries; 0: it waits for ever.
    pub timeout_us: u64,
    /// Retries of one operation after timeouts (the last attempt is waited for).
    pub retries_max: u32,
    /// Probability, at each point a client sends and after each command runs (its reply
    /// then lost), that the client's connection drops (the client survives).
    pub disconnect_rate: f64,
    /// What the server keeps across a restart.
    pub persistence: Persistence,
    /// Restarts at planned steps.
    pub restarts: Vec<RestartAt>,
    /// Probability that a command stalls the server for `slow_us` more of virtual time
    /// once it has run (a fork for BGSAVE, a big DEL, a swapped page): its reply, and
    /// every other client, wait.
    pub slow_rate: f64,
    /// How long a stall lasts (virtual µs).
    pub slow_us: u64,
    /// Jumps of the server's wall clock at planned steps.
    pub clock_jumps: Vec<ClockJump>,
    /// Replicas of the primary (node 0) and what happens to their links.
    pub replication: Replication,
}

/// Replicas in the world (`world/replication.rs`): node 0 is the primary, nodes
/// `1..=replicas` replicate it over links that carry its stream one command a step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Replication {
    /// How many replicas.
    pub replicas: u32,
    /// How long a command of the stream takes to reach a replica (virtual µs).
    pub link_delay_us: u64,
    /// Steps before which the links carry nothing (a partition between the primary and
    /// its replicas): `[from, to)`.
    pub partitions: Vec<(u64, u64)>,
    /// Before this step the operator promotes replica 1 (REPLICAOF NO ONE, as Sentinel
    /// would) and the clients of the old primary reconnect to it.
    pub failover_step: Option<u64>,
}

impl Faults {
    /// Whether the run is fault-free.
    pub fn is_none(&self) -> bool {
        *self == Faults::default()
    }

    /// Whether any client may crash in this run.
    pub(crate) fn may_crash(&self) -> bool {
        self.crash_rate > 0.0 || !self.crashes.is_empty()
    }

    /// Whether clients give up waiting and retry.
    pub(crate) fn may_retry(&self) -> bool {
        self.timeout_us > 0 && self.retries_max > 0
    }

    /// Whether an operation may be sent more than once (timeouts with retries, or lost
    /// connections), so the world tracks what each attempt wrote.
    pub(crate) fn may_resend(&self) -> bool {
        self.may_retry() || self.disconnect_rate > 0.0
    }

    /// Whether a planned crash hits `client` after `replies` replies.
    pub(crate) fn planned_crash(&self, client: u32, replies: u32) -> bool {
        self.crashes
            .iter()
            .any(|c| c.client == client && c.after_commands == replies)
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            return write!(f, "none");
        }
        let mut parts = Vec::new();
        if self.crash_rate > 0.0 {
            parts.push(format!("crash_rate={}", self.crash_rate));
        }
        for c in &self.crashes {
            parts.push(format!(
                "crash(client={},after={})",
                c.client, c.after_commands
            ));
        }
        if self.delay_max_us > 0 {
            parts.push(format!("delay_max_us={}", self.delay_max_us));
        }
        if self.think_max_us > 0 {
            parts.push(format!("think_max_us={}", self.think_max_us));
        }
        for a in &self.admin {
            let argv: Vec<String> = a
                .argv
                .iter()
                .map(|x| String::from_utf8_lossy(x).into_owned())
                .collect();
            parts.push(format!("admin(step={},{})", a.step, argv.join(" ")));
        }
        if self.script_flush_rate > 0.0 {
            parts.push(format!("script_flush_rate={}", self.script_flush_rate));
        }
        if self.timeout_us > 0 {
            parts.push(format!("timeout_us={}", self.timeout_us));
        }
        if self.retries_max > 0 {
            parts.push(format!("retries_max={}", self.retries_max));
        }
        if self.disconnect_rate > 0.0 {
            parts.push(format!("disconnect_rate={}", self.disconnect_rate));
        }
        if self.persistence != Persistence::None {
            parts.push(format!("persistence={}", self.persistence));
        }
        for r in &self.restarts {
            let how = if r.power_loss { "power_loss" } else { "kill" };
            parts.push(format!("restart(step={},{how})", r.step));
        }
        for j in &self.clock_jumps {
            parts.push(format!("clock_jump(step={},by_ms={})", j.step, j.by_ms));
        }
        if self.slow_rate > 0.0 {
            parts.push(format!(
                "slow_rate={},slow_us={}",
                self.slow_rate, self.slow_us
            ));
        }
        let repl = &self.replication;
        if repl.replicas > 0 {
            parts.push(format!("replicas={}", repl.replicas));
        }
        if repl.link_delay_us > 0 {
            parts.push(format!("link_delay_us={}", repl.link_delay_us));
        }
        for (from, to) in &repl.partitions {
            parts.push(format!("partition(steps={from}..{to})"));
        }
        if let Some(step) = repl.failover_step {
            parts.push(format!("failover(step={step})"));
        }
        write!(f, "{}", parts.join(","))
    }
}
