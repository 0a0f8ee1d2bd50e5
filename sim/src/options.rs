//! A run's options: everything besides the seed and the clients' programs that decides
//! what happens. They are printed once at the start of a run (`Display`), so that the
//! printed line plus the seed (plus the schedule, for a replay) reproduces the run.

use crate::fault::Faults;
use std::fmt;

/// How the scheduler picks the next event.
#[derive(Clone, Debug, PartialEq)]
pub enum Strategy {
    /// Uniformly among the enabled events.
    Random,
    /// Probabilistic concurrency testing with bug depth `depth`; `steps_hint` estimates the
    /// run's length (the change points are drawn below it).
    Pct {
        /// Preemptions the bug needs.
        depth: u32,
        /// About how many steps a run takes.
        steps_hint: u32,
    },
    /// Every distinct interleaving; with `reduce`, sleep-set partial-order reduction explores
    /// one interleaving per class of equivalent ones (commands on disjoint keys commute).
    Exhaustive {
        /// With partial-order reduction.
        reduce: bool,
    },
    /// The recorded schedule: client indices, one per step.
    Replay(Vec<u32>),
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Random => write!(f, "random"),
            Strategy::Pct { depth, steps_hint } => {
                write!(f, "pct(depth={depth},steps={steps_hint})")
            }
            Strategy::Exhaustive { reduce: true } => write!(f, "exhaustive(por)"),
            Strategy::Exhaustive { reduce: false } => write!(f, "exhaustive(naive)"),
            Strategy::Replay(s) => {
                let s: Vec<String> = s.iter().map(u32::to_string).collect();
                write!(f, "replay({})", s.join(","))
            }
        }
    }
}

/// A run's options (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The seed of the run.
    pub seed: u64,
    /// The scheduler.
    pub strategy: Strategy,
    /// Virtual time one command takes on the server.
    pub command_cost_us: u64,
    /// Virtual nanoseconds per Lua instruction of a server-side script.
    pub lua_ns_per_instruction: u64,
    /// `busy-reply-threshold` for the engine, ms.
    pub busy_threshold_ms: u64,
    /// The faults the run suffers.
    pub faults: Faults,
    /// Keep the per-command trace (off for benchmarks; the history is always kept).
    pub trace: bool,
    /// Upper bound on steps per run, so that no run can loop forever.
    pub steps_max: u64,
    /// A server-side script that runs this many Lua instructions never finishes: the
    /// server is taken down with SHUTDOWN NOSAVE (as Redis needs for a script that wrote
    /// and loops), restarts empty, and the run ends with the script reported as hung.
    pub script_instructions_max: u64,
    /// A Redis Cluster of this many masters (0: one server, not a cluster), and the
    /// slots it reshards during each run (see `world/shards.rs`).
    pub shards: u32,
    /// The resharding of a sharded world.
    pub reshards: Vec<crate::world::Reshard>,
    /// Whether a sharded world's clients send a command refused with TRYAGAIN again
    /// after 50 ms, as redis-py and redis-rs do; if not, the error is the reply.
    pub tryagain_retry: bool,
}

/// The default [`Options::script_instructions_max`]: 10 s of virtual time at the default
/// 10 ns an instruction, twice Redis's default busy threshold.
pub(crate) const SCRIPT_INSTRUCTIONS_MAX: u64 = 1_000_000_000;

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 0,
            strategy: Strategy::Random,
            command_cost_us: 1,
            lua_ns_per_instruction: 10,
            busy_threshold_ms: 5000,
            faults: Faults::default(),
            trace: true,
            steps_max: 1_000_000,
            script_instructions_max: SCRIPT_INSTRUCTIONS_MAX,
            shards: 0,
            reshards: Vec::new(),
            tryagain_retry: false,
        }
    }
}

impl fmt::Display for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seed={} strategy={} command_cost_us={} lua_ns_per_instruction={} busy_threshold_ms={} faults={} steps_max={} script_instructions_max={}",
            self.seed,
            self.strategy,
            self.command_cost_us,
            self.lua_ns_per_instruction,
            self.busy_threshold_ms,
            self.faults,
            self.steps_max,
            self.script_instructions_max
        )?;
        // Printed only for a cluster, so that a one-server run's line is as it was.
        if self.shards > 0 {
            write!(f, " shards={}", self.shards)?;
            if self.tryagain_retry {
                write!(f, " tryagain=retry")?;
            }
            for r in &self.reshards {
                write!(
                    f,
                    " reshard={}:{}->{}@{},{}x{},{}",
                    r.slot, r.from, r.to, r.open_step, r.migrate_step, r.batch, r.close_step
                )?;
            }
        }
        Ok(())
    }
}
