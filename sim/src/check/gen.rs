//! Deterministic, seeded history generators shared by the checker's tests and benches.
//!
//! A history is made the way a linearizable system would make it: each client runs ops
//! one after another; each op gets an interval and an instant inside it at which it takes
//! effect; the ops are then executed atomically, one at a time, in the order of those
//! instants by a model, and each op observes that execution's reply. Such a history is
//! linearizable by construction. Ops of unknown outcome take effect at a random instant
//! after their call (possibly after the client gave up on them) or never, and their client
//! carries on under a new id, as a restarted process would.

use super::models::CAS_SCRIPT;
use super::SequentialSpec;
use crate::history::{History, Op, Operation, ScriptMode, Status};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use redsim::Reply;

/// One op before it has been executed.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The client that ran it.
    pub client: u64,
    /// Invoke time.
    pub call: u64,
    /// Return time; `None` when the outcome is unknown.
    pub ret: Option<u64>,
    /// How it ended.
    pub status: Status,
    /// When it takes effect; `None`: never.
    pub effect_at: Option<u64>,
    /// What it does.
    pub op: Operation,
}

/// The shape of a generated workload.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Concurrent clients.
    pub clients: usize,
    /// Operations in all.
    pub ops: usize,
    /// Probability that a write's outcome is unknown.
    pub unknown_writes: f64,
    /// Longest op duration and longest pause between a client's ops (clock ticks).
    pub duration_max: u64,
    /// Longest pause between a client's operations (clock ticks).
    pub pause_max: u64,
}

/// Plans `workload`, asking `pick` for each op (it gets the rng and the op's position).
/// `pick` returns the op and whether it writes (only writes may be of unknown outcome).
pub fn plan(
    rng: &mut ChaCha8Rng,
    workload: &Workload,
    mut pick: impl FnMut(&mut ChaCha8Rng, usize) -> (Operation, bool),
) -> Vec<Planned> {
    // Per client slot: (time it is free, its current client id).
    // Clients start staggered over one op-and-pause period, as in a running system
    // (not all at the same instant).
    let period = workload.duration_max + workload.pause_max;
    let mut slots: Vec<(u64, u64)> = (0..workload.clients)
        .map(|c| (rng.random_range(0..=period), c as u64))
        .collect();
    let mut next_id = workload.clients as u64;
    let mut out = Vec::with_capacity(workload.ops);
    for n in 0..workload.ops {
        let slot = (0..slots.len())
            .min_by_key(|&s| (slots[s].0, s))
            .unwrap_or(0);
        let (free, client) = slots[slot];
        let (op, writes) = pick(rng, n);
        let call = free;
        let ret = call + rng.random_range(1..=workload.duration_max.max(1));
        if writes && rng.random_bool(workload.unknown_writes.clamp(0.0, 1.0)) {
            // Timed out: it may land later than the client waited, or not at all.
            let effect_at = rng
                .random_bool(0.5)
                .then(|| rng.random_range(call..=ret + 2 * (ret - call)));
            out.push(Planned {
                client,
                call,
                ret: None,
                status: Status::Unknown,
                effect_at,
                op,
            });
            slots[slot] = (ret + rng.random_range(0..=workload.pause_max), next_id);
            next_id += 1;
        } else {
            let effect_at = Some(rng.random_range(call..=ret));
            out.push(Planned {
                client,
                call,
                ret: Some(ret),
                status: Status::Ok,
                effect_at,
                op,
            });
            // A client invokes its next op after the previous one returned (program
            // order in time, as the simulator records it), then pauses.
            slots[slot].0 = ret + 1 + rng.random_range(0..=workload.pause_max);
        }
    }
    out
}

/// Executes `planned` atomically in effect order with `model`, recording what each op
/// observed. The history is linearizable with respect to `model` by construction.
pub fn execute<M: SequentialSpec>(model: &mut M, planned: &[Planned]) -> History {
    let mut state = model.init();
    execute_by(planned, |op| {
        let (next, reply) = model.step(&state, op);
        if let Some(next) = next {
            state = next;
        }
        reply
    })
}

/// [`execute`] on one live engine instead of a model: for large workloads, where a model
/// that keeps the whole keyspace as its state would copy it at every write.
pub fn execute_on_engine(planned: &[Planned]) -> History {
    let mut engine = redsim::Engine::new(redsim::host::ManualHost::default());
    let client = engine.connect();
    execute_by(planned, |op| match op {
        Operation::Command(argv) => engine.execute(client, argv),
        Operation::Script {
            source, keys, args, ..
        } => {
            let mut argv = vec![
                b"EVAL".to_vec(),
                source.as_bytes().to_vec(),
                keys.len().to_string().into_bytes(),
            ];
            argv.extend(keys.iter().chain(args).cloned());
            engine.execute(client, &argv)
        }
        Operation::Multi(cmds) => {
            engine.execute(client, &[b"MULTI".to_vec()]);
            for argv in cmds {
                engine.execute(client, argv);
            }
            engine.execute(client, &[b"EXEC".to_vec()])
        }
    })
}

/// Runs the ops of `planned` that take effect, in effect order, with `run`, and records
/// each op's observed reply.
fn execute_by(planned: &[Planned], mut run: impl FnMut(&Operation) -> Reply) -> History {
    let mut order: Vec<usize> = (0..planned.len())
        .filter(|&i| planned[i].effect_at.is_some())
        .collect();
    order.sort_by_key(|&i| (planned[i].effect_at, i));
    let mut results: Vec<Option<Reply>> = vec![None; planned.len()];
    for i in order {
        results[i] = Some(run(&planned[i].op));
    }
    let ops = planned
        .iter()
        .zip(results)
        .map(|(p, result)| Op {
            client: p.client,
            call: p.call,
            ret: p.ret,
            status: p.status,
            op: p.op.clone(),
            result: if p.status == Status::Ok { result } else { None },
            node: 0,
        })
        .collect();
    History { ops }
}

fn command(words: &[&[u8]]) -> Operation {
    Operation::Command(words.iter().map(|w| w.to_vec()).collect())
}

/// A compare-and-set op running [`CAS_SCRIPT`].
pub fn cas(key: &str, expected: &str, new: &str) -> Operation {
    Operation::Script {
        source: CAS_SCRIPT.to_string(),
        keys: vec![key.as_bytes().to_vec()],
        args: vec![expected.as_bytes().to_vec(), new.as_bytes().to_vec()],
        mode: ScriptMode::Eval,
    }
}

/// The ops of the register benchmark: GET, SET and CAS on one key, values 0–4. Like a
/// Jepsen test's clients, each pauses between ops for longer than an op takes (about 3
/// ops in flight on average with 16 clients, up to ~10 at peaks); with every client
/// always busy the search space grows as 2^clients and no checker decides such
/// histories quickly.
pub fn register_plan(seed: u64, ops: usize, clients: usize, unknown_writes: f64) -> Vec<Planned> {
    let workload = Workload {
        clients,
        ops,
        unknown_writes,
        duration_max: 20,
        pause_max: 100,
    };
    register_workload(seed, &workload)
}

/// Register ops (GET, SET, CAS on one key, values 0–4) with any timing.
pub fn register_workload(seed: u64, workload: &Workload) -> Vec<Planned> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    plan(&mut rng, workload, |rng, _| {
        let v = |rng: &mut ChaCha8Rng| rng.random_range(0..5u32).to_string();
        match rng.random_range(0..10) {
            0..=3 => (command(&[b"GET", b"r"]), false),
            4..=6 => {
                let value = v(rng);
                (command(&[b"SET", b"r", value.as_bytes()]), true)
            }
            _ => {
                let (a, b) = (v(rng), v(rng));
                (cas("r", &a, &b), true)
            }
        }
    })
}

/// One register history of the benchmark: ~80 ops from 10–23 clients with unknown writes
/// and compare-and-sets, executed by `model`.
pub fn register_history<M: SequentialSpec>(model: &mut M, seed: u64) -> History {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED);
    let clients = rng.random_range(10..=23);
    let ops = rng.random_range(70..=90);
    execute(model, &register_plan(seed, ops, clients, 0.15))
}

/// A key-value workload: GET, SET and APPEND over `keys` keys, values unique per op so
/// that appends build distinct strings.
pub fn kv_plan(
    seed: u64,
    ops: usize,
    clients: usize,
    keys: usize,
    unknown_writes: f64,
) -> Vec<Planned> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let workload = Workload {
        clients,
        ops,
        unknown_writes,
        duration_max: 20,
        pause_max: 5,
    };
    plan(&mut rng, &workload, |rng, n| {
        let key = format!("k{}", rng.random_range(0..keys));
        let value = format!("{n:x};");
        match rng.random_range(0..10) {
            0..=3 => (command(&[b"GET", key.as_bytes()]), false),
            4..=6 => (
                command(&[b"APPEND", key.as_bytes(), value.as_bytes()]),
                true,
            ),
            _ => (command(&[b"SET", key.as_bytes(), value.as_bytes()]), true),
        }
    })
}

/// The linearizable kv benchmark history: ~1,700 ops from 50 clients over 10 keys.
pub fn kv_history<M: SequentialSpec>(model: &mut M, seed: u64) -> History {
    execute(model, &kv_plan(seed, 1700, 50, 10, 0.01))
}

/// A part that takes the search minutes alone: `n` concurrent appends whose replies were
/// not observed, then a read of the one order they ran in. Every order of the appends
/// must be tried, and the true order is far from the first ones tried.
pub fn hard_key_ops(key: &str, n: usize, start: u64, first_client: u64) -> Vec<Op> {
    let mut ops = Vec::with_capacity(n + 1);
    let mut text = Vec::new();
    for i in 0..n {
        // The true order runs them last-called first.
        let piece = format!("{};", n - 1 - i);
        text.extend_from_slice(piece.as_bytes());
    }
    for i in 0..n {
        let piece = format!("{i};");
        ops.push(Op {
            client: first_client + i as u64,
            call: start + i as u64,
            ret: Some(start + 10 * n as u64),
            status: Status::Ok,
            op: command(&[b"APPEND", key.as_bytes(), piece.as_bytes()]),
            result: None,
            node: 0,
        });
    }
    ops.push(Op {
        client: first_client,
        call: start + 10 * n as u64 + 1,
        ret: Some(start + 10 * n as u64 + 2),
        status: Status::Ok,
        op: command(&[b"GET", key.as_bytes()]),
        result: Some(Reply::Bulk(text)),
        node: 0,
    });
    ops
}

/// The non-linearizable kv benchmark history: ~2,000 ops, ten ordinary keys, one key
/// (`hard`) that alone takes minutes, and one stale read early on an ordinary key.
pub fn kv_violation_history<M: SequentialSpec>(model: &mut M, seed: u64) -> History {
    let mut history = execute(model, &kv_plan(seed, 1990, 50, 10, 0.01));
    plant_stale_read(&mut history);
    history.ops.extend(hard_key_ops("hard", 14, 0, 1_000_000));
    history
}

/// Changes the result of the earliest GET it can to a stale value: the value of a SET
/// on the same key that was certainly overwritten (another write to the key was called
/// after the SET returned and returned before the GET was called). Values are unique per
/// op, so nothing else could produce it. Returns the op changed.
pub fn plant_stale_read(history: &mut History) -> Option<usize> {
    let ops = &history.ops;
    let done = |w: &Op| w.status == Status::Ok && w.ret.is_some();
    let key_of = |o: &Op| match &o.op {
        Operation::Command(argv) if argv.len() >= 2 => {
            Some((argv[0].to_ascii_uppercase(), argv[1].clone()))
        }
        _ => None,
    };
    for (g, get) in ops.iter().enumerate() {
        let Some((name, key)) = key_of(get) else {
            continue;
        };
        if name != b"GET" || !done(get) {
            continue;
        }
        for set in ops.iter().filter(|w| done(w)) {
            let Operation::Command(argv) = &set.op else {
                continue;
            };
            if argv.len() != 3 || !argv[0].eq_ignore_ascii_case(b"SET") || argv[1] != key {
                continue;
            }
            let set_ret = set.ret.unwrap_or(u64::MAX);
            let overwritten = ops.iter().any(|w| {
                done(w)
                    && matches!(key_of(w), Some((n, k)) if n != b"GET" && k == key)
                    && w.call > set_ret
                    && w.ret.is_some_and(|r| r < get.call)
            });
            if overwritten {
                let stale = Reply::Bulk(argv[2].clone());
                history.ops[g].result = Some(stale);
                return Some(g);
            }
        }
    }
    None
}

/// A counter workload: GET, SET (small integers) and INCR over `keys` keys — commands the
/// engine, the counter model and (GET/SET) the register model all know.
pub fn counter_plan(
    seed: u64,
    ops: usize,
    clients: usize,
    keys: usize,
    unknown_writes: f64,
) -> Vec<Planned> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let workload = Workload {
        clients,
        ops,
        unknown_writes,
        duration_max: 20,
        pause_max: 5,
    };
    plan(&mut rng, &workload, |rng, _| {
        let key = format!("n{}", rng.random_range(0..keys));
        match rng.random_range(0..10) {
            0..=3 => (command(&[b"GET", key.as_bytes()]), false),
            4..=7 => (command(&[b"INCR", key.as_bytes()]), true),
            _ => {
                let value = rng.random_range(0..20u32).to_string();
                (command(&[b"SET", key.as_bytes(), value.as_bytes()]), true)
            }
        }
    })
}

/// A counter history: ~300 ops from 20 clients over 3 keys, a few unknown writes.
pub fn counter_history<M: SequentialSpec>(model: &mut M, seed: u64) -> History {
    execute(model, &counter_plan(seed, 300, 20, 3, 0.05))
}

/// Random single-command ops over a few keys for property tests: GET, SET, APPEND, DEL,
/// INCR on keys `a`, `b`, `c`, executed by `model`.
pub fn mixed_plan(seed: u64, ops: usize, clients: usize, unknown_writes: f64) -> Vec<Planned> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let workload = Workload {
        clients,
        ops,
        unknown_writes,
        duration_max: 12,
        pause_max: 4,
    };
    plan(&mut rng, &workload, |rng, n| {
        let key = ["a", "b", "c"][rng.random_range(0..3)];
        let value = if rng.random_bool(0.5) {
            format!("{}", n % 7)
        } else {
            format!("v{n}")
        };
        match rng.random_range(0..5) {
            0 => (command(&[b"GET", key.as_bytes()]), false),
            1 => (command(&[b"SET", key.as_bytes(), value.as_bytes()]), true),
            2 => (
                command(&[b"APPEND", key.as_bytes(), value.as_bytes()]),
                true,
            ),
            3 => (command(&[b"DEL", key.as_bytes()]), true),
            _ => (command(&[b"INCR", key.as_bytes()]), true),
        }
    })
}

/// The seed's script (`corpus/lua/counter_and_log.lua`): INCR a counter, ZADD a timestamp,
/// read both back.
pub const COUNTER_AND_LOG: &str = include_str!("../../../corpus/lua/counter_and_log.lua");

/// The seed's workload at scale: `pairs` (counter, log) key pairs; half of the ops run
/// the seed's script as EVAL on one pair, the other half one of its four commands raw
/// (INCR, ZADD, GET, ZCARD), as the racing clients of the demo send them. Timestamps are
/// the op's position, so every ZADD adds a new member.
pub fn seed_script_plan(
    seed: u64,
    ops: usize,
    clients: usize,
    pairs: usize,
    unknown_writes: f64,
) -> Vec<Planned> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let workload = Workload {
        clients,
        ops,
        unknown_writes,
        duration_max: 20,
        pause_max: 20,
    };
    plan(&mut rng, &workload, |rng, n| {
        let pair = rng.random_range(0..pairs.max(1));
        let (counter, log) = (format!("c{pair}"), format!("l{pair}"));
        let ts = n.to_string();
        match rng.random_range(0..8) {
            0..=3 => (
                Operation::Script {
                    source: COUNTER_AND_LOG.to_string(),
                    keys: vec![counter.into_bytes(), log.into_bytes()],
                    args: vec![ts.into_bytes()],
                    mode: ScriptMode::Eval,
                },
                true,
            ),
            4 => (command(&[b"INCR", counter.as_bytes()]), true),
            5 => (
                command(&[b"ZADD", log.as_bytes(), ts.as_bytes(), ts.as_bytes()]),
                true,
            ),
            6 => (command(&[b"GET", counter.as_bytes()]), false),
            _ => (command(&[b"ZCARD", log.as_bytes()]), false),
        }
    })
}
