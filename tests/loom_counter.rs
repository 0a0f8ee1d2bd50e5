//! The seed's counter race, model-checked with loom on real threads and a real engine.
//!
//! Two threads play the two clients of `corpus/scenarios/counter_and_log_raw.toml`: each
//! runs `corpus/lua/counter_and_log.lua`'s commands — INCR counter, ZADD ts_set with its
//! own timestamp, then GET counter and ZCARD ts_set — against one [`redsim::Engine`]
//! shared through a (loom) mutex. loom runs the model once per distinct interleaving of
//! the lock operations, so the outcomes collected below are every outcome the threads can
//! produce, not a sample:
//!
//! - lock taken per command (the raw client, one round trip per `redis.call`): some
//!   interleaving gives a client a counter that disagrees with the set's cardinality;
//! - lock held for the whole script (EVAL, or the four commands under one lock): every
//!   interleaving gives both clients counter == ZCARD.
//!
//! The models run only with `--cfg loom` (README, "How it is tested"):
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p redsim --test loom_counter`.
//! A plain `cargo test` runs the same clients one after the other (std's mutex), which
//! checks the model's clients against the engine without exploring interleavings.

#[cfg(loom)]
use loom::sync::Mutex;
use redsim::{ClientId, Engine, ManualHost, Reply};
#[cfg(loom)]
use std::collections::BTreeSet;
#[cfg(loom)]
use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
use std::sync::Mutex;

const SCRIPT: &str = include_str!("../corpus/lua/counter_and_log.lua");

/// What one client read back: (counter from GET, cardinality from ZCARD).
type Reads = (i64, i64);

/// How a client sends the seed's script.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// One command per lock hold, as the raw client sends them.
    Raw,
    /// The same four commands, the lock held across them.
    RawUnderOneLock,
    /// EVAL of the script: one command, so one lock hold.
    Eval,
}

fn integer(reply: &Reply) -> i64 {
    match reply {
        Reply::Integer(n) => *n,
        Reply::Bulk(bytes) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not a number: {reply:?}")),
        other => panic!("not a number: {other:?}"),
    }
}

fn the_four_commands(mut call: impl FnMut(&[&str]) -> Reply, ts: &str) -> Reads {
    call(&["INCR", "counter"]);
    call(&["ZADD", "ts_set", ts, ts]);
    let counter = integer(&call(&["GET", "counter"]));
    let count = integer(&call(&["ZCARD", "ts_set"]));
    (counter, count)
}

/// One client's run of the script against the shared engine.
fn client(engine: &Mutex<Engine>, client: ClientId, ts: &str, mode: Mode) -> Reads {
    match mode {
        Mode::Raw => the_four_commands(|argv| engine.lock().unwrap().call(client, argv), ts),
        Mode::RawUnderOneLock => {
            let mut engine = engine.lock().unwrap();
            the_four_commands(|argv| engine.call(client, argv), ts)
        }
        Mode::Eval => {
            let reply = engine
                .lock()
                .unwrap()
                .call(client, &["EVAL", SCRIPT, "2", "counter", "ts_set", ts]);
            match reply {
                Reply::Array(fields) if fields.len() == 2 => {
                    (integer(&fields[0]), integer(&fields[1]))
                }
                other => panic!("unexpected EVAL reply {other:?}"),
            }
        }
    }
}

/// Without loom: the two clients one after the other, in both orders, on one thread.
#[cfg(not(loom))]
#[test]
fn the_model_clients_read_consistent_pairs_when_run_one_after_the_other() {
    for mode in [Mode::Raw, Mode::RawUnderOneLock, Mode::Eval] {
        for first_is_1 in [true, false] {
            let mut engine = Engine::new(ManualHost::default());
            let (c1, c2) = (engine.connect(), engine.connect());
            let engine = Mutex::new(engine);
            let (a, b) = if first_is_1 {
                let a = client(&engine, c1, "1678886401", mode);
                (a, client(&engine, c2, "1678886402", mode))
            } else {
                let b = client(&engine, c2, "1678886402", mode);
                (client(&engine, c1, "1678886401", mode), b)
            };
            let expected = if first_is_1 {
                ((1, 1), (2, 2))
            } else {
                ((2, 2), (1, 1))
            };
            assert_eq!((a, b), expected, "{mode:?}");
        }
    }
}

/// Every (client 1's reads, client 2's reads) some interleaving produces, and how many
/// executions loom ran to find them all.
#[cfg(loom)]
fn explore(mode: Mode) -> (BTreeSet<(Reads, Reads)>, usize) {
    let outcomes = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let executions = std::sync::Arc::new(AtomicUsize::new(0));
    let (seen, count) = (outcomes.clone(), executions.clone());
    let started = std::time::Instant::now();
    loom::model(move || {
        count.fetch_add(1, Ordering::Relaxed);
        // The engine is made, and the clients run, on threads with room for the Lua VM: the
        // model's own thread has loom's small default stack.
        let (engine, c1, c2) = on_big_stack(|| {
            let mut engine = Engine::new(ManualHost::default());
            let (c1, c2) = (engine.connect(), engine.connect());
            (engine, c1, c2)
        })
        .join()
        .unwrap();
        let engine = loom::sync::Arc::new(Mutex::new(engine));
        let other = engine.clone();
        // Distinct timestamps, as `{ts}` gives each run: with them an atomic run always
        // reads counter == ZCARD.
        let first = on_big_stack(move || client(&engine, c1, "1678886401", mode));
        let second = on_big_stack(move || client(&other, c2, "1678886402", mode));
        let reads = (first.join().unwrap(), second.join().unwrap());
        seen.lock().unwrap().insert(reads);
    });
    let n = executions.load(Ordering::Relaxed);
    let outcomes = outcomes.lock().unwrap().clone();
    eprintln!(
        "{mode:?}: loom explored {n} executions in {:?}; (client 1, client 2) read {outcomes:?}",
        started.elapsed()
    );
    (outcomes, n)
}

/// A loom thread with a stack the engine's Lua VM is comfortable on.
#[cfg(loom)]
fn on_big_stack<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> loom::thread::JoinHandle<T> {
    loom::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(f)
        .expect("spawn")
}

#[cfg(loom)]
fn consistent(reads: Reads) -> bool {
    reads.0 == reads.1
}

#[cfg(loom)]
#[test]
fn loom_finds_the_torn_read_when_the_lock_is_taken_per_command() {
    let (outcomes, _) = explore(Mode::Raw);
    let torn: Vec<_> = outcomes
        .iter()
        .filter(|(a, b)| !consistent(*a) || !consistent(*b))
        .collect();
    assert!(
        !torn.is_empty(),
        "loom found no interleaving with counter != zcard: {outcomes:?}"
    );
    // The bad interleaving the seed describes: one client's INCR and ZADD land between the
    // other's INCR and its reads, so it reads counter 2 with a set of 1 (or 1 with 2).
    assert!(
        torn.iter()
            .any(|(a, b)| [*a, *b].iter().any(|r| *r == (2, 1) || *r == (1, 2))),
        "{torn:?}"
    );
    // Exactly these outcomes: the two atomic ones, and each client alone reading a torn
    // pair (1 or 2 for either value) while the other reads (2, 2).
    let expected = BTreeSet::from([
        ((1, 1), (2, 2)),
        ((2, 2), (1, 1)),
        ((2, 2), (2, 2)),
        ((1, 2), (2, 2)),
        ((2, 1), (2, 2)),
        ((2, 2), (1, 2)),
        ((2, 2), (2, 1)),
    ]);
    assert_eq!(outcomes, expected);
}

#[cfg(loom)]
#[test]
fn loom_proves_every_interleaving_consistent_when_the_script_holds_the_lock() {
    let atomic = BTreeSet::from([((1, 1), (2, 2)), ((2, 2), (1, 1))]);
    for mode in [Mode::Eval, Mode::RawUnderOneLock] {
        let (outcomes, executions) = explore(mode);
        assert_eq!(outcomes, atomic, "{executions} executions");
    }
}
