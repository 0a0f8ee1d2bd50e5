//! Scenarios: which clients run which programs, how many operations, with which options,
//! faults and invariants. Written as TOML files (`corpus/scenarios/*.toml`, see
//! [`toml`]) or with the Rust builder — both produce a [`Scenario`].
//!
//! ```
//! use redsim_sim::scenario::{Program, Scenario, ScriptRun};
//! let scenario = Scenario::new("two_counters")
//!     .clients(2, 1, Program::script("redis.call('INCR', KEYS[1]) return redis.call('GET', KEYS[1])", &["n"], &[], ScriptRun::Raw));
//! let mut world = scenario.world(7);
//! world.run_seed(7);
//! assert_eq!(world.history.ops.len(), 2);
//! ```

mod build;
pub mod gen;
pub mod toml;

pub use build::{Script, Watch, WatchWrites};

use crate::client::commands::{Commands, CommandsMode};
use crate::client::eval::{EvalClient, EvalKind};
use crate::client::lua::{LuaClient, ScriptSpec};
use crate::client::multi::{Multi, WatchRetry};
use crate::client::rust::{Body, Conn, RustClient};
use crate::client::straight::{self, StraightClient};
use crate::client::subscriber::{messages_on, Subscriber};
use crate::client::{Argv, Program as ClientProgram};
use crate::fault::Faults;
use crate::history::Status;
use crate::options::{Options, Strategy};
use crate::world::World;
use redsim::Reply;
use std::sync::Arc;

/// How a script runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptRun {
    /// Client-side, each `redis.call` a round trip.
    Raw,
    /// Sent as `EVAL`: the server runs it atomically.
    Eval,
    /// Sent as `EVALSHA`, loading it with `SCRIPT LOAD` after a `NOSCRIPT` reply.
    EvalSha,
}

/// What the clients of a group run.
#[derive(Clone)]
pub enum Program {
    /// A Lua script (build it with [`Script`]).
    Script {
        /// The source, `KEYS` and `ARGV`.
        spec: Arc<ScriptSpec>,
        /// How clients send it.
        run: ScriptRun,
    },
    /// A list of commands, one operation each or all as one.
    Commands {
        /// The commands, with per-operation templates (`{ts}`, `{client}`…).
        commands: Vec<Argv>,
        /// How the list is sent and recorded.
        mode: CommandsMode,
    },
    /// `MULTI`, the commands, `EXEC`: one atomic operation.
    Multi {
        /// The queued commands.
        commands: Vec<Argv>,
        /// Sent at once (one round trip) rather than one command per round trip.
        pipelined: bool,
    },
    /// A WATCH-retry transaction (build it with [`Watch`]).
    Watch {
        /// The watched keys.
        watch: Vec<Vec<u8>>,
        /// The reads between `WATCH` and `MULTI`.
        reads: Vec<Argv>,
        /// The queued writes, as templates (`{rN}`: read `N`'s reply).
        writes: Vec<Argv>,
        /// Writes computed from the reads' replies (replaces `writes` when set).
        compute: Option<WatchWrites>,
        /// Retries after a conflict (a nil `EXEC`) before the operation fails.
        retries_max: u32,
    },
    /// A Rust closure: each `conn.call` is one operation.
    Rust(Body),
    /// A pub/sub subscriber: one operation, SUBSCRIBE (and PSUBSCRIBE), then it receives
    /// what is published ([`World::received`]).
    Subscriber {
        /// The channels it subscribes to.
        channels: Vec<Vec<u8>>,
        /// The patterns it subscribes to.
        patterns: Vec<Vec<u8>>,
    },
}

fn bytes(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

impl Program {
    /// A script with its keys and arguments, sent as `run` (the builder [`Script`] names
    /// the parts).
    pub fn script(source: &str, keys: &[&str], args: &[&str], run: ScriptRun) -> Program {
        Program::Script {
            spec: Arc::new(ScriptSpec {
                source: source.into(),
                keys: bytes(keys),
                args: bytes(args),
            }),
            run,
        }
    }

    /// A list of commands, sent as `mode` says.
    pub fn commands(commands: &[&[&str]], mode: CommandsMode) -> Program {
        Program::Commands {
            commands: commands.iter().map(|c| bytes(c)).collect(),
            mode,
        }
    }

    /// A `MULTI` … `EXEC` block of `commands`, pipelined or one command per round trip.
    pub fn multi(commands: &[&[&str]], pipelined: bool) -> Program {
        Program::Multi {
            commands: commands.iter().map(|c| bytes(c)).collect(),
            pipelined,
        }
    }

    /// A WATCH-retry transaction with write templates (the builder [`Watch`] names the
    /// parts and can compute the writes).
    pub fn watch(
        watch: &[&str],
        reads: &[&[&str]],
        writes: &[&[&str]],
        retries_max: u32,
    ) -> Program {
        Program::Watch {
            watch: bytes(watch),
            reads: reads.iter().map(|c| bytes(c)).collect(),
            writes: writes.iter().map(|c| bytes(c)).collect(),
            compute: None,
            retries_max,
        }
    }

    /// A client written in Rust: `body` runs once per run, and each `conn.call` is one
    /// operation the simulator interleaves with the other clients'.
    pub fn rust(body: impl Fn(&mut Conn) + Send + Sync + 'static) -> Program {
        Program::Rust(Arc::new(body))
    }

    /// A subscriber to `channels` and `patterns`.
    pub fn subscriber(channels: &[&str], patterns: &[&str]) -> Program {
        Program::Subscriber {
            channels: bytes(channels),
            patterns: bytes(patterns),
        }
    }

    /// The same program with its script run another way (other programs unchanged).
    pub fn run_as(&self, run: ScriptRun) -> Program {
        match self {
            Program::Script { spec, .. } => Program::Script {
                spec: spec.clone(),
                run,
            },
            other => other.clone(),
        }
    }

    fn instantiate(&self, client: u32, clients: u32, ops: u32) -> Box<dyn ClientProgram> {
        self.try_instantiate(client, clients, ops)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The client program for client `client` of `clients`, running `ops` operations; an
    /// error when a client-side script does not compile.
    pub fn try_instantiate(
        &self,
        client: u32,
        clients: u32,
        ops: u32,
    ) -> Result<Box<dyn ClientProgram>, String> {
        Ok(match self {
            // A script of plain commands runs without a Lua VM (the same history: see
            // `client::straight`); any other runs in the client's own Lua VM.
            Program::Script {
                spec,
                run: ScriptRun::Raw,
            } => match straight::compile(spec) {
                Some(code) => Box::new(StraightClient::new(
                    Arc::new(code),
                    spec.clone(),
                    client,
                    clients,
                    ops,
                )),
                None => Box::new(
                    LuaClient::new(spec.clone(), client, clients, ops)
                        .map_err(|e| format!("the scenario's script does not compile: {e}"))?,
                ),
            },
            Program::Script { spec, run } => {
                let kind = if *run == ScriptRun::Eval {
                    EvalKind::Eval
                } else {
                    EvalKind::EvalSha
                };
                Box::new(EvalClient::new(spec.clone(), kind, client, clients, ops))
            }
            Program::Commands { commands, mode } => {
                Box::new(Commands::new(commands.clone(), *mode, client, clients, ops))
            }
            Program::Multi {
                commands,
                pipelined,
            } => Box::new(Multi::new(
                commands.clone(),
                *pipelined,
                client,
                clients,
                ops,
            )),
            Program::Watch {
                watch,
                reads,
                writes,
                compute,
                retries_max,
            } => {
                let client = WatchRetry::new(
                    watch.clone(),
                    reads.clone(),
                    writes.clone(),
                    *retries_max,
                    client,
                    clients,
                    ops,
                );
                Box::new(match compute {
                    Some(compute) => client.computing(compute.clone()),
                    None => client,
                })
            }
            Program::Rust(body) => Box::new(RustClient::new(body.clone(), client)),
            Program::Subscriber { channels, patterns } => {
                Box::new(Subscriber::new(channels.clone(), patterns.clone()))
            }
        })
    }
}

/// A property every completed operation's result must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invariant {
    /// In each `Ok` result that is an array, elements `a` and `b` hold the same integer
    /// (bulk "3" equals integer 3). The seed's scenario: with unique timestamps, the
    /// counter a script reads equals the number of timestamps it reads.
    ResultFieldsEqual(usize, usize),
    /// Each operation takes effect whole or not at all: a run in which a crash cut an
    /// operation short after some of its writes ran ("partial effects") fails.
    AllOrNothing,
    /// The last message each subscriber received on `channel` carries the value `key`
    /// holds at the end of the run: messages announce writes in the order they were
    /// made, so a subscriber that keeps the last announced value is up to date. (A
    /// subscriber that received nothing there says nothing.)
    LastMessageIsCurrent {
        /// The channel the writers announce on.
        channel: Vec<u8>,
        /// The string key they write.
        key: Vec<u8>,
    },
}

impl Invariant {
    /// For [`Invariant::LastMessageIsCurrent`]: why the run at its end breaks it, if it
    /// does (the first subscriber whose last message is stale).
    pub fn stale_message(&self, world: &World) -> Option<String> {
        let Invariant::LastMessageIsCurrent { channel, key } = self else {
            return None;
        };
        let now_ms = world.clock.now_us() / 1000;
        let db = &world.primary().engine.store.dbs[0];
        let stored = db.stored(key).filter(|_| !db.is_expired(key, now_ms));
        let current = match stored {
            Some(redsim::db::Value::Str(s)) => Some(s.clone()),
            _ => None,
        };
        for (client, received) in world.received.iter().enumerate() {
            let Some(last) = messages_on(received, channel).last().copied() else {
                continue;
            };
            if current.as_deref() != Some(last) {
                let show = |b: Option<&[u8]>| {
                    b.map_or("nil".to_string(), |b| {
                        String::from_utf8_lossy(b).into_owned()
                    })
                };
                return Some(format!(
                    "client {client}'s last message on {} announces {} but {} holds {}: a stale announcement",
                    String::from_utf8_lossy(channel),
                    show(Some(last)),
                    String::from_utf8_lossy(key),
                    show(current.as_deref())
                ));
            }
        }
        None
    }
}

/// Closures print as their kind: what they do is code.
impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = |items: &[Vec<u8>]| -> Vec<String> {
            items
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        };
        let commands = |c: &[Argv]| -> Vec<Vec<String>> { c.iter().map(|a| text(a)).collect() };
        match self {
            Program::Script { spec, run } => f
                .debug_struct("Script")
                .field("source", &spec.source)
                .field("keys", &text(&spec.keys))
                .field("args", &text(&spec.args))
                .field("run", run)
                .finish(),
            Program::Commands { commands: c, mode } => f
                .debug_struct("Commands")
                .field("commands", &commands(c))
                .field("mode", mode)
                .finish(),
            Program::Multi {
                commands: c,
                pipelined,
            } => f
                .debug_struct("Multi")
                .field("commands", &commands(c))
                .field("pipelined", pipelined)
                .finish(),
            Program::Watch {
                watch,
                reads,
                writes,
                compute,
                retries_max,
            } => f
                .debug_struct("Watch")
                .field("watch", &text(watch))
                .field("reads", &commands(reads))
                .field("writes", &commands(writes))
                .field("computed", &compute.is_some())
                .field("retries_max", retries_max)
                .finish(),
            Program::Rust(_) => f.write_str("Rust(closure)"),
            Program::Subscriber { channels, patterns } => f
                .debug_struct("Subscriber")
                .field("channels", &text(channels))
                .field("patterns", &text(patterns))
                .finish(),
        }
    }
}

/// A group of identical clients.
#[derive(Clone, Debug)]
pub struct ClientGroup {
    /// How many clients.
    pub count: u32,
    /// Operations each client runs.
    pub ops: u32,
    /// What each of them runs.
    pub program: Program,
    /// The node they connect to (0: the primary; `1..`: a replica).
    pub node: u32,
}

/// A workload: groups of clients, the options of a run (scheduler, faults…) and the
/// invariants the judge checks. The seed is given per run ([`Scenario::world`]).
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Its name, in reports.
    pub name: String,
    /// The clients, group by group (client numbers follow this order).
    pub groups: Vec<ClientGroup>,
    /// The options of a run; its seed is replaced by each run's.
    pub options: Options,
    /// What the judge checks on every result.
    pub invariants: Vec<Invariant>,
    /// Most states the linearizability checker may explore to judge one run; past it the
    /// run is inconclusive. A count, not a time, so a seed gets the same verdict on any
    /// machine.
    pub check_states_max: u64,
}

/// The checker's default budget for one run: a few seconds at worst in a debug build.
pub const CHECK_STATES_MAX: u64 = 500_000;

impl Scenario {
    /// An empty scenario named `name`: no client, default options.
    pub fn new(name: &str) -> Scenario {
        Scenario {
            name: name.into(),
            groups: Vec::new(),
            options: Options::default(),
            invariants: Vec::new(),
            check_states_max: CHECK_STATES_MAX,
        }
    }

    /// Adds `count` clients, each running `ops` operations of `program`.
    pub fn clients(mut self, count: u32, ops: u32, program: Program) -> Scenario {
        self.groups.push(ClientGroup {
            node: 0,
            count,
            ops,
            program,
        });
        self
    }

    /// The scheduler.
    pub fn strategy(mut self, strategy: Strategy) -> Scenario {
        self.options.strategy = strategy;
        self
    }

    /// The faults every run suffers.
    pub fn faults(mut self, faults: Faults) -> Scenario {
        self.options.faults = faults;
        self
    }

    /// Whether runs keep the per-command trace (the history is always kept).
    pub fn trace(mut self, on: bool) -> Scenario {
        self.options.trace = on;
        self
    }

    /// The checker's budget for one run, in states (see [`Scenario::check_states_max`]).
    pub fn check_states_max(mut self, states: u64) -> Scenario {
        self.check_states_max = states;
        self
    }

    /// Adds an invariant the judge checks on every result.
    pub fn invariant(mut self, invariant: Invariant) -> Scenario {
        self.invariants.push(invariant);
        self
    }

    /// The same scenario with every script run another way.
    pub fn run_as(mut self, run: ScriptRun) -> Scenario {
        for group in &mut self.groups {
            group.program = group.program.run_as(run);
        }
        self
    }

    /// How many clients in all.
    pub fn client_count(&self) -> u32 {
        self.groups.iter().map(|g| g.count).sum()
    }

    /// A world for this scenario, reset for `seed`.
    pub fn world(&self, seed: u64) -> World {
        let clients = self.client_count();
        let mut programs = Vec::with_capacity(clients as usize);
        let mut index = 0;
        for group in &self.groups {
            for _ in 0..group.count {
                programs.push(group.program.instantiate(index, clients, group.ops));
                index += 1;
            }
        }
        let options = Options {
            seed,
            ..self.options.clone()
        };
        let mut world = World::new(options, programs);
        let mut index = 0;
        for group in &self.groups {
            for _ in 0..group.count {
                // (A shrunk scenario without its replicas reads from the primary.)
                if group.node != 0 && (group.node as usize) < world.node_count() {
                    world.set_home_node(index, group.node as usize);
                }
                index += 1;
            }
        }
        if self.groups.iter().any(|g| g.node != 0) {
            let seed = world.seed();
            world.reset(seed);
        }
        world
    }

    /// Checks the invariants on the world's history; the error names the operation.
    pub fn check(&self, world: &World) -> Result<(), String> {
        for invariant in &self.invariants {
            match invariant {
                Invariant::LastMessageIsCurrent { .. } => {
                    if let Some(why) = invariant.stale_message(world) {
                        return Err(why);
                    }
                }
                Invariant::AllOrNothing => {
                    if let Some(&i) = world.partial_ops.first() {
                        let op = &world.history.ops[i];
                        return Err(format!(
                            "client {} crashed after part of its operation had run (invoked at {}): partial effects",
                            op.client, op.call
                        ));
                    }
                }
                Invariant::ResultFieldsEqual(a, b) => {
                    for op in &world.history.ops {
                        if op.status != Status::Ok {
                            continue;
                        }
                        if let Some(Reply::Array(items)) = &op.result {
                            let (x, y) = (
                                items.get(*a).and_then(as_int),
                                items.get(*b).and_then(as_int),
                            );
                            if x != y {
                                return Err(format!(
                                    "client {} observed field {a} = {x:?} but field {b} = {y:?} (invoked at {})",
                                    op.client, op.call
                                ));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// An integer reply, or a bulk holding one.
pub fn as_int(reply: &Reply) -> Option<i64> {
    match reply {
        Reply::Integer(n) => Some(*n),
        Reply::Bulk(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        _ => None,
    }
}
