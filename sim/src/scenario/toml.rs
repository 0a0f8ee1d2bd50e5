//! Scenarios as TOML files (`corpus/scenarios/*.toml`).
//!
//! ```toml
//! name = "counter_and_log_raw"
//! strategy = "random"          # random | pct | exhaustive | exhaustive-naive
//! pct_depth = 2                # pct (and `redsim run --strategy pct`); pct_steps estimates the run's length
//! command_cost_us = 1
//! busy_threshold_ms = 5000     # busy-reply-threshold
//! script_instructions_max = 1000000000  # past it a script is hung: SHUTDOWN NOSAVE
//! check_states_max = 500000    # the checker's budget per run; past it a run is inconclusive
//!
//! [[clients]]
//! count = 2                    # identical clients in this group
//! ops = 1                      # operations per client
//! program = "script"           # script | commands | multi | watch | subscriber
//! mode = "raw"                 # script: raw | eval | evalsha;
//!                              # commands: each | pipeline; multi: pipelined | stepwise
//! script = "../lua/counter_and_log.lua"   # relative to this file; or `source = "…"`
//! keys = ["counter", "ts_set"]
//! args = ["{ts}"]              # per-op templates: {ts} {client} {op} {seq}
//! # commands = [["INCR", "n"]]                       (commands, multi)
//! # watch = ["n"]  reads = [["GET", "n"]]  writes = [["SET", "n", "{r0+1}"]]  retries_max = 5
//! # channels = ["events"]  patterns = ["ev*"]        (subscriber)
//! # node = 1                   the node the clients connect to (1..: a replica; default 0)
//!
//! [faults]
//! crash_rate = 0.0
//! crashes = [{ client = 0, after_commands = 2 }]
//! delay_max_us = 0
//! think_max_us = 0
//! script_flush_rate = 0.0
//! admin = [{ step = 3, argv = ["SCRIPT", "FLUSH"] }]   # ["SHUTDOWN", "NOSAVE"] restarts empty
//! timeout_us = 0      # a client gives up on a reply after this long (virtual µs) …
//! retries_max = 0     # … and resends the request on a new connection, this many times
//! disconnect_rate = 0.0  # a client's connection drops (before a send, or reply lost)
//! persistence = "none"   # none | rdb | aof-always | aof-everysec: what a restart keeps
//! rdb_save_steps = [4]   # rdb: snapshots taken before these steps
//! restarts = [{ step = 6, power_loss = false }]   # the server restarts before step 6
//! slow_rate = 0.0     # a command stalls the server once it has run …
//! slow_us = 0         # … for this long (virtual µs): timeouts fire meanwhile
//! clock_jumps = [{ step = 4, by_ms = 30000 }]   # the server's wall clock jumps (±)
//! replicas = 1           # node 0 is the primary, nodes 1..=replicas its replicas
//! link_delay_us = 0      # each command of the stream reaches a replica this much later
//! partitions = [{ from_step = 4, to_step = 9 }]   # the links carry nothing meanwhile
//! failover_step = 8      # replica 1 is promoted; the primary's clients reconnect to it
//!
//! [[invariants]]
//! kind = "result_fields_equal"
//! fields = [0, 1]
//!
//! [[invariants]]
//! kind = "all_or_nothing"   # a crash must not leave an operation half applied
//!
//! [[invariants]]
//! kind = "last_message_is_current"   # subscribers' last message = the key's final value
//! channel = "events"
//! key = "state"
//! ```

use super::{ClientGroup, Invariant, Program, Scenario, ScriptRun};
use crate::client::commands::CommandsMode;
use crate::client::lua::ScriptSpec;
use crate::fault::{
    AdminAt, ClockJump, CrashAt, Faults, Fsync, Persistence, Replication, RestartAt,
};
use crate::options::Strategy;
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    #[serde(default)]
    description: String,
    /// The kind of anomaly the scenario teaches (`crate::report::lesson::KINDS`).
    #[serde(default)]
    anomaly: String,
    #[serde(default = "random")]
    strategy: String,
    #[serde(default = "two")]
    pct_depth: u32,
    #[serde(default = "hundred")]
    pct_steps: u32,
    command_cost_us: Option<u64>,
    busy_threshold_ms: Option<u64>,
    script_instructions_max: Option<u64>,
    check_states_max: Option<u64>,
    /// A Redis Cluster of this many masters.
    #[serde(default)]
    shards: u32,
    #[serde(default)]
    reshard: Vec<ReshardFile>,
    /// What a cluster client does with TRYAGAIN: "retry" (after 50 ms) or "fail".
    tryagain: Option<String>,
    clients: Vec<ClientFile>,
    #[serde(default)]
    faults: FaultsFile,
    #[serde(default)]
    invariants: Vec<InvariantFile>,
}

fn random() -> String {
    "random".into()
}
fn two() -> u32 {
    2
}
fn hundred() -> u32 {
    100
}
fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientFile {
    #[serde(default = "one")]
    count: u32,
    #[serde(default = "one")]
    ops: u32,
    program: String,
    mode: Option<String>,
    script: Option<String>,
    source: Option<String>,
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    commands: Vec<Vec<String>>,
    #[serde(default)]
    watch: Vec<String>,
    #[serde(default)]
    reads: Vec<Vec<String>>,
    #[serde(default)]
    writes: Vec<Vec<String>>,
    #[serde(default = "five")]
    retries_max: u32,
    #[serde(default)]
    channels: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    node: u32,
}

fn five() -> u32 {
    5
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FaultsFile {
    #[serde(default)]
    crash_rate: f64,
    #[serde(default)]
    crashes: Vec<CrashFile>,
    #[serde(default)]
    delay_max_us: u64,
    #[serde(default)]
    think_max_us: u64,
    #[serde(default)]
    script_flush_rate: f64,
    #[serde(default)]
    admin: Vec<AdminFile>,
    #[serde(default)]
    timeout_us: u64,
    #[serde(default)]
    retries_max: u32,
    #[serde(default)]
    disconnect_rate: f64,
    persistence: Option<String>,
    #[serde(default)]
    rdb_save_steps: Vec<u64>,
    #[serde(default)]
    restarts: Vec<RestartFile>,
    #[serde(default)]
    slow_rate: f64,
    #[serde(default)]
    slow_us: u64,
    #[serde(default)]
    clock_jumps: Vec<ClockJumpFile>,
    #[serde(default)]
    replicas: u32,
    #[serde(default)]
    link_delay_us: u64,
    #[serde(default)]
    partitions: Vec<PartitionFile>,
    failover_step: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockJumpFile {
    step: u64,
    by_ms: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartitionFile {
    from_step: u64,
    to_step: u64,
}

/// A slot's move: `slot`, or the slot of `key`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReshardFile {
    slot: Option<u16>,
    key: Option<String>,
    from: usize,
    to: usize,
    open_step: u64,
    migrate_step: u64,
    #[serde(default = "ten")]
    batch: u32,
    close_step: u64,
}

fn ten() -> u32 {
    10
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RestartFile {
    step: u64,
    #[serde(default)]
    power_loss: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrashFile {
    client: u32,
    after_commands: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdminFile {
    step: u64,
    argv: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvariantFile {
    kind: String,
    #[serde(default)]
    fields: Vec<usize>,
    channel: Option<String>,
    key: Option<String>,
}

fn bytes(items: &[String]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

/// Reads a scenario file; script paths are relative to the file's directory.
pub fn load(path: &Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base).map_err(|e| format!("{}: {e}", path.display()))
}

/// A scenario file's `pct_depth` and `pct_steps` (their defaults when absent), whatever
/// its `strategy`: `redsim run --strategy pct` uses them rather than fixed values.
pub fn pct_settings(path: &Path) -> Result<(u32, u32), String> {
    #[derive(Deserialize)]
    struct Pct {
        #[serde(default = "two")]
        pct_depth: u32,
        #[serde(default = "hundred")]
        pct_steps: u32,
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let pct: Pct = ::toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((pct.pct_depth, pct.pct_steps))
}

/// Parses a scenario from TOML text; `base` resolves script paths.
pub fn parse(text: &str, base: &Path) -> Result<Scenario, String> {
    let file: File = ::toml::from_str(text).map_err(|e| e.to_string())?;
    let mut scenario = Scenario::new(&file.name);
    scenario.options.strategy = match file.strategy.as_str() {
        "random" => Strategy::Random,
        "pct" => Strategy::Pct {
            depth: file.pct_depth,
            steps_hint: file.pct_steps,
        },
        "exhaustive" => Strategy::Exhaustive { reduce: true },
        "exhaustive-naive" => Strategy::Exhaustive { reduce: false },
        other => return Err(format!("unknown strategy '{other}'")),
    };
    if let Some(cost) = file.command_cost_us {
        scenario.options.command_cost_us = cost;
    }
    if let Some(ms) = file.busy_threshold_ms {
        scenario.options.busy_threshold_ms = ms;
    }
    if let Some(max) = file.script_instructions_max {
        scenario.options.script_instructions_max = max;
    }
    if let Some(states) = file.check_states_max {
        scenario.check_states_max = states;
    }
    scenario.options.shards = file.shards;
    scenario.options.tryagain_retry = match file.tryagain.as_deref() {
        None | Some("fail") => false,
        Some("retry") => true,
        Some(other) => return Err(format!("tryagain is \"retry\" or \"fail\", not '{other}'")),
    };
    for r in &file.reshard {
        let slot = match (r.slot, &r.key) {
            (Some(slot), None) if (slot as usize) < redsim::SLOTS => slot,
            (None, Some(key)) => redsim::key_hash_slot(key.as_bytes()),
            _ => return Err("a reshard names a slot (0..16383) or a key".into()),
        };
        let shards = file.shards as usize;
        if r.from >= shards || r.to >= shards || r.from == r.to {
            return Err(format!(
                "a reshard moves a slot between two of the {shards} shards"
            ));
        }
        scenario.options.reshards.push(crate::world::Reshard {
            slot,
            from: r.from,
            to: r.to,
            open_step: r.open_step,
            migrate_step: r.migrate_step,
            batch: r.batch,
            close_step: r.close_step,
        });
    }
    let _ = file.description;
    if !file.anomaly.is_empty() && crate::report::lesson::of_kind(&file.anomaly).is_none() {
        let known: Vec<&str> = crate::report::lesson::KINDS
            .iter()
            .map(|(k, _)| *k)
            .collect();
        return Err(format!(
            "unknown anomaly '{}' (one of: {})",
            file.anomaly,
            known.join(", ")
        ));
    }
    for client in &file.clients {
        let program = program(client, base)?;
        scenario.groups.push(ClientGroup {
            count: client.count,
            ops: client.ops,
            program,
            node: client.node,
        });
    }
    let f = &file.faults;
    scenario.options.faults = Faults {
        crash_rate: f.crash_rate,
        crashes: f
            .crashes
            .iter()
            .map(|c| CrashAt {
                client: c.client,
                after_commands: c.after_commands,
            })
            .collect(),
        delay_max_us: f.delay_max_us,
        think_max_us: f.think_max_us,
        admin: f
            .admin
            .iter()
            .map(|a| AdminAt {
                step: a.step,
                argv: bytes(&a.argv),
            })
            .collect(),
        script_flush_rate: f.script_flush_rate,
        timeout_us: f.timeout_us,
        retries_max: f.retries_max,
        disconnect_rate: f.disconnect_rate,
        persistence: match f.persistence.as_deref().unwrap_or("none") {
            "none" => Persistence::None,
            "rdb" => Persistence::Rdb {
                save_steps: f.rdb_save_steps.clone(),
            },
            "aof-always" => Persistence::Aof(Fsync::Always),
            "aof-everysec" => Persistence::Aof(Fsync::EverySec),
            other => {
                return Err(format!(
                    "unknown persistence '{other}' (none, rdb, aof-always, aof-everysec)"
                ))
            }
        },
        restarts: f
            .restarts
            .iter()
            .map(|r| RestartAt {
                step: r.step,
                power_loss: r.power_loss,
            })
            .collect(),
        slow_rate: f.slow_rate,
        slow_us: f.slow_us,
        clock_jumps: f
            .clock_jumps
            .iter()
            .map(|j| ClockJump {
                step: j.step,
                by_ms: j.by_ms,
            })
            .collect(),
        replication: Replication {
            replicas: f.replicas,
            link_delay_us: f.link_delay_us,
            partitions: f
                .partitions
                .iter()
                .map(|p| (p.from_step, p.to_step))
                .collect(),
            failover_step: f.failover_step,
        },
    };
    for client in &file.clients {
        if client.node > f.replicas {
            return Err(format!("node {} but {} replicas", client.node, f.replicas));
        }
    }
    if f.failover_step.is_some() && f.replicas == 0 {
        return Err("failover_step needs replicas".into());
    }
    if f.slow_rate > 0.0 && f.slow_us == 0 {
        return Err("slow_rate needs slow_us (how long a stall lasts)".into());
    }
    if !f.rdb_save_steps.is_empty() && f.persistence.as_deref() != Some("rdb") {
        return Err("rdb_save_steps needs persistence = \"rdb\"".into());
    }
    for inv in &file.invariants {
        match (inv.kind.as_str(), inv.fields.as_slice()) {
            ("result_fields_equal", [a, b]) => scenario
                .invariants
                .push(Invariant::ResultFieldsEqual(*a, *b)),
            ("all_or_nothing", []) => scenario.invariants.push(Invariant::AllOrNothing),
            ("last_message_is_current", []) => {
                let (Some(channel), Some(key)) = (&inv.channel, &inv.key) else {
                    return Err("last_message_is_current needs `channel` and `key`".into());
                };
                scenario.invariants.push(Invariant::LastMessageIsCurrent {
                    channel: channel.as_bytes().to_vec(),
                    key: key.as_bytes().to_vec(),
                });
            }
            (kind, _) => return Err(format!("unknown invariant '{kind}' (or wrong fields)")),
        }
    }
    Ok(scenario)
}

fn program(client: &ClientFile, base: &Path) -> Result<Program, String> {
    let mode = client.mode.as_deref();
    let commands = || client.commands.iter().map(|c| bytes(c)).collect::<Vec<_>>();
    Ok(match client.program.as_str() {
        "script" => {
            let source = match (&client.source, &client.script) {
                (Some(source), _) => source.clone(),
                (None, Some(path)) => {
                    let path = base.join(path);
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("{}: {e}", path.display()))?
                }
                (None, None) => return Err("a script client needs `script` or `source`".into()),
            };
            let run = match mode.unwrap_or("raw") {
                "raw" => ScriptRun::Raw,
                "eval" => ScriptRun::Eval,
                "evalsha" => ScriptRun::EvalSha,
                other => return Err(format!("unknown script mode '{other}'")),
            };
            let spec = ScriptSpec {
                source,
                keys: bytes(&client.keys),
                args: bytes(&client.args),
            };
            Program::Script {
                spec: Arc::new(spec),
                run,
            }
        }
        "commands" => {
            let mode = match mode.unwrap_or("each") {
                "each" => CommandsMode::Each,
                "pipeline" => CommandsMode::Pipeline,
                other => return Err(format!("unknown commands mode '{other}'")),
            };
            Program::Commands {
                commands: commands(),
                mode,
            }
        }
        "multi" => {
            let pipelined = match mode.unwrap_or("pipelined") {
                "pipelined" => true,
                "stepwise" => false,
                other => return Err(format!("unknown multi mode '{other}'")),
            };
            Program::Multi {
                commands: commands(),
                pipelined,
            }
        }
        "watch" => Program::Watch {
            watch: bytes(&client.watch),
            reads: client.reads.iter().map(|c| bytes(c)).collect(),
            writes: client.writes.iter().map(|c| bytes(c)).collect(),
            compute: None,
            retries_max: client.retries_max,
        },
        "subscriber" => Program::Subscriber {
            channels: bytes(&client.channels),
            patterns: bytes(&client.patterns),
        },
        other => return Err(format!("unknown program '{other}'")),
    })
}
