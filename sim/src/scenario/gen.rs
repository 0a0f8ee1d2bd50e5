//! Small generated scenarios for testing the explorer against itself: 2–3 clients of
//! 1–4 commands each over shared and private keys, with the situations where a reduction
//! is easy to get wrong — scripts that reach keys they did not declare, keys that expire
//! in virtual time, a busy script, the script cache, random picks, MULTI/WATCH, other
//! databases — and each kind of fault.
//!
//! [`outcome`] is what a run is judged by: the final keyspace (every database, expired
//! keys left out) and every operation's status and result. Exploring with and without
//! reduction must reach the same set of outcomes (`sim/tests/por_soundness.rs`).

use super::{Program, Scenario};
use crate::client::commands::CommandsMode;
use crate::fault::{AdminAt, ClockJump, CrashAt, Faults, Fsync, Persistence, RestartAt};
use crate::options::Strategy as Exploration;
use crate::world::World;
use proptest::prelude::*;
use std::fmt::Write;

/// A loop long enough to pass a 1 ms busy threshold at 10 ns an instruction.
const BUSY_LOOP: &str = "local i = 0 while i < 60000 do i = i + 1 end ";

/// A script that reaches keys it does not declare.
const UNDECLARED: &str = "redis.call('INCR', 'a') return redis.call('GET', 'b')";

/// The script SCRIPT LOAD loads and EVALSHA calls.
pub(crate) const CACHED_SCRIPT: &str = "return redis.call('INCR', 'a')";

/// One command of a generated client, `key` being `a`, `b` or the client's own key.
fn command(kind: u8, key: &str, client: usize) -> Vec<String> {
    let v = format!("{}", client + 1);
    let s = |parts: &[&str]| parts.iter().map(|p| p.to_string()).collect();
    match kind {
        0 => s(&["SET", key, &v]),
        1 => s(&["GET", key]),
        2 => s(&["INCR", key]),
        3 => s(&["DEL", key]),
        // Expires after two or three more commands (command_cost_us = 400).
        4 => s(&["SET", key, &v, "PX", "1"]),
        5 => s(&["PTTL", key]),
        // Declares only the client's own key, reaches `a` and `b`.
        6 => s(&["EVAL", UNDECLARED, "1", &format!("p{client}")]),
        7 => s(&["EVAL", "return redis.call('INCR', KEYS[1])", "1", key]),
        8 => {
            let source = format!("{BUSY_LOOP}return redis.call('INCR', KEYS[1])");
            s(&["EVAL", &source, "1", key])
        }
        9 => s(&["SCRIPT", "KILL"]),
        10 => s(&["SCRIPT", "LOAD", CACHED_SCRIPT]),
        11 => {
            let sha = redsim::script::sha1_hex(CACHED_SCRIPT.as_bytes());
            s(&["EVALSHA", &sha, "0"])
        }
        12 => s(&["SADD", "s", "x", "y", "z"]),
        13 => s(&["SPOP", "s"]),
        14 => s(&["MULTI"]),
        15 => s(&["EXEC"]),
        16 => s(&["WATCH", key]),
        17 => s(&["MOVE", key, "1"]),
        18 => s(&["COPY", key, "b", "DB", "1"]),
        19 => s(&["SELECT", "1"]),
        20 => s(&[
            "EVAL",
            "return redis.call('SET', 'p9', math.random(1000))",
            "0",
        ]),
        _ => s(&["FLUSHDB"]),
    }
}

const KINDS: u8 = 22;

/// Admin commands a fault can send.
const ADMIN: [&[&str]; 4] = [
    &["FLUSHALL"],
    &["SCRIPT", "FLUSH"],
    &["SET", "a", "100"],
    &["CONFIG", "SET", "busy-reply-threshold", "1000"],
];

/// What a generated client does: its commands, each one operation.
#[derive(Clone, Debug)]
pub struct GenClient {
    /// The client's commands, as (kind, key) codes.
    pub commands: Vec<(u8, u8)>,
}

/// A generated scenario before it is built.
#[derive(Clone, Debug)]
pub struct GenScenario {
    /// The clients.
    pub clients: Vec<GenClient>,
    /// 0 none, 1 crash at random, 2 a planned crash, 3 an admin command at a step,
    /// 4 SCRIPT FLUSH at random steps, 5 client timeouts with retries (requests delayed
    /// past the timeout now and then), 6 a server restart, 7 lost connections at random,
    /// 8 a slow server (stalls past the clients' timeouts, with retries), 9 a clock jump.
    pub fault: u8,
    /// For a planned crash: the client (arg mod clients) and after how many replies
    /// (arg mod 3); for an admin command: the step (arg mod 3) and which command
    /// (arg / 3 mod 4: FLUSHALL, SCRIPT FLUSH, SET a 100, CONFIG SET); for timeouts: the
    /// timeout in commands (1 + arg mod 3) and the retries (1 + arg / 3 mod 2); for a
    /// restart: the step (arg mod 3), a power loss (arg odd) and the persistence (arg / 3
    /// mod 4: none, an RDB snapshot before step 1, AOF always, AOF everysec); for a slow
    /// server: the stall in commands (1 + arg mod 3); for a clock jump: the step (arg mod
    /// 3) and how far (arg / 3 mod 4: back 2 s, back 1 ms, forward 1 ms, forward 100 s).
    pub fault_arg: u8,
}

/// Scenarios of 2–3 clients with 1–4 commands each, at most `commands_max` in all (the
/// naive exploration runs (sum)! / Π(n_i!) interleavings).
pub fn scenarios(commands_max: usize) -> impl Strategy<Value = GenScenario> {
    let client = prop::collection::vec((0..KINDS, 0u8..3), 1..=4)
        .prop_map(|commands| GenClient { commands });
    (prop::collection::vec(client, 2..=3), 0u8..10, 0u8..12).prop_map(
        move |(mut clients, fault, fault_arg)| {
            // Keep the naive exploration small.
            while clients.iter().map(|c| c.commands.len()).sum::<usize>() > commands_max {
                let longest = (0..clients.len())
                    .max_by_key(|&i| clients[i].commands.len())
                    .unwrap_or(0);
                clients[longest].commands.pop();
            }
            GenScenario {
                clients,
                fault,
                fault_arg,
            }
        },
    )
}

impl GenScenario {
    /// The scenario, explored exhaustively with or without reduction.
    pub fn build(&self, reduce: bool) -> Scenario {
        let mut scenario = Scenario::new("generated");
        for (i, client) in self.clients.iter().enumerate() {
            let commands: Vec<Vec<String>> = client
                .commands
                .iter()
                .map(|&(kind, key)| {
                    let own = format!("p{i}");
                    let key = match key {
                        0 => "a",
                        1 => "b",
                        _ => own.as_str(),
                    };
                    command(kind, key, i)
                })
                .collect();
            let refs: Vec<Vec<&str>> = commands
                .iter()
                .map(|c| c.iter().map(String::as_str).collect())
                .collect();
            let refs: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
            scenario = scenario.clients(
                1,
                commands.len() as u32,
                Program::commands(&refs, CommandsMode::Each),
            );
        }
        let arg = self.fault_arg as u64;
        let faults = match self.fault {
            1 => Faults {
                crash_rate: 0.25,
                ..Faults::default()
            },
            2 => Faults {
                crashes: vec![CrashAt {
                    client: (arg % self.clients.len() as u64) as u32,
                    after_commands: (arg % 3) as u32,
                }],
                ..Faults::default()
            },
            3 => Faults {
                admin: vec![AdminAt {
                    step: arg % 3,
                    argv: ADMIN[(arg / 3 % 4) as usize]
                        .iter()
                        .map(|a| a.as_bytes().to_vec())
                        .collect(),
                }],
                ..Faults::default()
            },
            4 => Faults {
                script_flush_rate: 0.3,
                ..Faults::default()
            },
            // In units of command_cost_us (400): a request may arrive after its timeout.
            5 => Faults {
                timeout_us: 400 * (1 + arg % 3),
                retries_max: 1 + (arg / 3 % 2) as u32,
                delay_max_us: 1200,
                ..Faults::default()
            },
            6 => Faults {
                restarts: vec![RestartAt {
                    step: arg % 3,
                    power_loss: arg % 2 == 1,
                }],
                persistence: match arg / 3 % 4 {
                    0 => Persistence::None,
                    1 => Persistence::Rdb {
                        save_steps: vec![1],
                    },
                    2 => Persistence::Aof(Fsync::Always),
                    _ => Persistence::Aof(Fsync::EverySec),
                },
                ..Faults::default()
            },
            7 => Faults {
                disconnect_rate: 0.25,
                ..Faults::default()
            },
            8 => Faults {
                slow_rate: 0.3,
                slow_us: 400 * (1 + arg % 3),
                timeout_us: 600,
                retries_max: 1,
                ..Faults::default()
            },
            9 => Faults {
                clock_jumps: vec![ClockJump {
                    step: arg % 3,
                    by_ms: [-2000, -1, 1, 100_000][(arg / 3 % 4) as usize],
                }],
                ..Faults::default()
            },
            _ => Faults::default(),
        };
        scenario.options.command_cost_us = 400;
        scenario.options.busy_threshold_ms = 1;
        scenario
            .faults(faults)
            .strategy(Exploration::Exhaustive { reduce })
            .trace(false)
    }
}

/// What a run is judged by: the final keyspace of every database (keys that have expired
/// by the end left out, expiry deadlines kept) and every operation's client, status and
/// result, in history order per client.
pub fn outcome(world: &World) -> String {
    let mut out = String::new();
    let now_ms = world.clock.now_us() / 1000;
    for (n, node) in world.nodes.iter().enumerate() {
        // Node 0's keys unprefixed, as in a world of one server.
        let prefix = if n == 0 {
            String::new()
        } else {
            format!("n{n} ")
        };
        for (index, db) in node.engine.store.dbs.iter().enumerate() {
            let mut keys: Vec<&Vec<u8>> = db.keys().filter(|k| !db.is_expired(k, now_ms)).collect();
            keys.sort();
            for key in keys {
                let _ = write!(
                    out,
                    "{prefix}db{index} {} = {:?} ttl {:?}; ",
                    String::from_utf8_lossy(key),
                    db.stored(key),
                    db.expire_at(key)
                );
            }
        }
    }
    for client in 0..world.clients() {
        let _ = write!(out, "| c{client}:");
        for op in world
            .history
            .ops
            .iter()
            .filter(|op| op.client == client as u64)
        {
            let _ = write!(out, " {:?} {:?};", op.status, op.result);
        }
    }
    out
}
