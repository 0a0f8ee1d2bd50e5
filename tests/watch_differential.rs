//! Which writes fail a WATCHing client's EXEC, checked step by step against a real
//! redis-server 7.0.15: only the keys a command modified are signalled (not the sources
//! SINTERSTORE reads, not the missing keys DEL names, not the lists LMPOP did not pop
//! from, not SMOVE's destination when the member was already there); and keys that had
//! already expired when WATCH was called (stale keys, not yet removed because nothing
//! looked them up and active expiry is off), whose removal Redis's `watchedKey.expired`
//! flag makes no change, while a write after it still fails the EXEC.
//!
//! Each case runs on a fresh redis-server (DEBUG enabled, so that active expiry can be
//! turned off) and on a fresh engine whose clock moves by the same pauses.

mod support;

use support::clock::{advance_ms, engine_with_clock};
use support::{escape, redis_server_available, RawConn, RedisServer};

enum Step {
    /// (client 1 or 2, command words)
    Cmd(usize, &'static str),
    /// Let `ms` milliseconds pass.
    Pause(u64),
}
use Step::{Cmd, Pause};

/// Common start: active expiry off, `x` set with a 1 ms expiry in db 0, and time passes.
const STALE_X: &[Step] = &[
    Cmd(1, "DEBUG SET-ACTIVE-EXPIRE 0"),
    Cmd(1, "SET x foo PX 1"),
    Pause(5),
];

fn cases() -> Vec<(&'static str, Vec<Step>)> {
    let stale = || {
        STALE_X.iter().map(|s| match s {
            Cmd(c, t) => Cmd(*c, t),
            Pause(ms) => Pause(*ms),
        })
    };
    let with = |tail: Vec<Step>| stale().chain(tail).collect::<Vec<_>>();
    let exec = |c: usize| vec![Cmd(c, "MULTI"), Cmd(c, "PING"), Cmd(c, "EXEC")];
    let watch_then = |setup: &[&'static str], watched: &'static str, write: &'static str| {
        let mut steps: Vec<Step> = setup.iter().map(|t| Cmd(2, t)).collect();
        steps.push(Cmd(1, watched));
        steps.push(Cmd(2, write));
        steps.extend(exec(1));
        steps
    };
    vec![
        (
            "SINTERSTORE reads its sources",
            watch_then(&["SADD s a b", "SADD o a"], "WATCH s", "SINTERSTORE d s o"),
        ),
        (
            "SINTERSTORE writes its destination",
            watch_then(&["SADD s a b", "SADD o a"], "WATCH d", "SINTERSTORE d s o"),
        ),
        (
            "ZUNIONSTORE reads its sources",
            watch_then(&["ZADD z 1 a"], "WATCH z", "ZUNIONSTORE d 1 z"),
        ),
        (
            "LMOVE writes both lists",
            watch_then(&["RPUSH l a"], "WATCH l2", "LMOVE l l2 LEFT RIGHT"),
        ),
        (
            "COPY reads its source",
            watch_then(&["SET a 1"], "WATCH a", "COPY a b"),
        ),
        (
            "RENAME writes both keys",
            watch_then(&["SET a 1"], "WATCH a", "RENAME a b"),
        ),
        (
            "DEL of a missing watched key",
            watch_then(&["SET a 1"], "WATCH b", "DEL a b"),
        ),
        (
            "DEL of an existing watched key",
            watch_then(&["SET a 1"], "WATCH a", "DEL a b"),
        ),
        (
            "UNLINK of a missing watched key",
            watch_then(&["SET a 1"], "WATCH b", "UNLINK b a"),
        ),
        (
            "LMPOP from another list",
            watch_then(&["RPUSH l1 x"], "WATCH l2", "LMPOP 2 l1 l2 LEFT"),
        ),
        (
            "LMPOP from the watched list",
            watch_then(&["RPUSH l2 x"], "WATCH l2", "LMPOP 2 l1 l2 LEFT"),
        ),
        (
            "BLPOP from another list",
            watch_then(&["RPUSH l1 x"], "WATCH l2", "BLPOP l2 l1 1"),
        ),
        (
            "ZMPOP from another zset",
            watch_then(&["ZADD z1 1 a"], "WATCH z2", "ZMPOP 2 z1 z2 MIN"),
        ),
        (
            "BZPOPMIN from another zset",
            watch_then(&["ZADD z1 1 a"], "WATCH z2", "BZPOPMIN z2 z1 1"),
        ),
        (
            "SMOVE to a set that has the member",
            watch_then(
                &["SADD src a b", "SADD dst a"],
                "WATCH dst",
                "SMOVE src dst a",
            ),
        ),
        (
            "SMOVE to a set without the member",
            watch_then(
                &["SADD src a b", "SADD dst c"],
                "WATCH dst",
                "SMOVE src dst a",
            ),
        ),
        (
            "SMOVE from the watched source",
            watch_then(
                &["SADD src a b", "SADD dst a"],
                "WATCH src",
                "SMOVE src dst a",
            ),
        ),
        (
            "MSET writes every key",
            watch_then(&[], "WATCH b", "MSET a 1 b 2"),
        ),
        (
            "MSETNX that fails writes nothing",
            watch_then(&["SET b 0"], "WATCH a", "MSETNX a 1 b 2"),
        ),
        (
            "EXPIRE of a missing key",
            watch_then(&[], "WATCH a", "EXPIRE a 100"),
        ),
        (
            "stale key watched, nothing else",
            with(vec![
                Cmd(1, "WATCH x"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ]),
        ),
        (
            "stale key removed by a read",
            with(vec![
                Cmd(1, "WATCH x"),
                Cmd(2, "EXISTS x"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ]),
        ),
        (
            "stale key removed by DEL",
            with(vec![
                Cmd(1, "WATCH x"),
                Cmd(2, "DEL x"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ]),
        ),
        (
            "stale key overwritten by another client",
            with(vec![
                Cmd(1, "WATCH x"),
                Cmd(2, "SET x bar"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ]),
        ),
        (
            "stale key read, then written",
            with(vec![
                Cmd(1, "WATCH x"),
                Cmd(2, "GET x"),
                Cmd(2, "SET x bar"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ]),
        ),
        (
            "stale key overwritten by the watcher itself",
            with(vec![
                Cmd(1, "WATCH x"),
                Cmd(1, "SET x bar"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ]),
        ),
        (
            "FLUSHDB while watching a stale key",
            with(vec![
                Cmd(1, "WATCH x"),
                Cmd(2, "FLUSHDB"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ]),
        ),
        (
            "FLUSHDB while watching a live key",
            vec![
                Cmd(1, "SET y 1"),
                Cmd(1, "WATCH y"),
                Cmd(2, "FLUSHDB"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ],
        ),
        (
            "live key expires after WATCH",
            vec![
                Cmd(1, "DEBUG SET-ACTIVE-EXPIRE 0"),
                Cmd(1, "SET x foo PX 3"),
                Cmd(1, "WATCH x"),
                Pause(6),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ],
        ),
        (
            "live key expires after WATCH and is read",
            vec![
                Cmd(1, "DEBUG SET-ACTIVE-EXPIRE 0"),
                Cmd(1, "SET x foo PX 3"),
                Cmd(1, "WATCH x"),
                Pause(6),
                Cmd(2, "GET x"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ],
        ),
        (
            "SWAPDB: stale key replaced with no key",
            vec![
                Cmd(1, "DEBUG SET-ACTIVE-EXPIRE 0"),
                Cmd(1, "SELECT 1"),
                Cmd(1, "SET x foo PX 1"),
                Pause(5),
                Cmd(1, "WATCH x"),
                Cmd(2, "SWAPDB 0 1"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ],
        ),
        (
            "SWAPDB: no key replaced with a stale key",
            vec![
                Cmd(1, "DEBUG SET-ACTIVE-EXPIRE 0"),
                Cmd(1, "SET x foo PX 1"),
                Pause(5),
                Cmd(1, "SELECT 1"),
                Cmd(1, "WATCH x"),
                Cmd(2, "SWAPDB 0 1"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ],
        ),
        (
            "SWAPDB: stale key replaced with another stale key",
            vec![
                Cmd(1, "DEBUG SET-ACTIVE-EXPIRE 0"),
                Cmd(1, "SELECT 1"),
                Cmd(1, "SET x foo PX 1"),
                Cmd(1, "SELECT 0"),
                Cmd(1, "SET x bar PX 1"),
                Pause(5),
                Cmd(1, "SELECT 1"),
                Cmd(1, "WATCH x"),
                Cmd(2, "SWAPDB 0 1"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ],
        ),
        (
            "SWAPDB: stale key replaced with a live key",
            vec![
                Cmd(1, "DEBUG SET-ACTIVE-EXPIRE 0"),
                Cmd(1, "SELECT 1"),
                Cmd(1, "SET x foo PX 1"),
                Cmd(1, "SELECT 0"),
                Cmd(1, "SET x bar"),
                Pause(5),
                Cmd(1, "SELECT 1"),
                Cmd(1, "WATCH x"),
                Cmd(2, "SWAPDB 0 1"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ],
        ),
        (
            "two watchers, the first on a stale key",
            with(vec![
                Cmd(1, "WATCH x"),
                Cmd(2, "WATCH x"),
                Cmd(1, "DEBUG OBJECT x"),
                Cmd(2, "MULTI"),
                Cmd(2, "PING"),
                Cmd(2, "EXEC"),
                Cmd(1, "MULTI"),
                Cmd(1, "PING"),
                Cmd(1, "EXEC"),
            ]),
        ),
    ]
}

fn words(text: &str) -> Vec<Vec<u8>> {
    text.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

fn on_redis(steps: &[Step]) -> Vec<String> {
    let server = RedisServer::start_with(&["--enable-debug-command", "yes"]);
    let mut conns: Vec<RawConn> = (0..2).map(|_| server.connect()).collect();
    steps
        .iter()
        .filter_map(|step| match step {
            Cmd(c, text) => Some(escape(&conns[c - 1].call(&words(text)))),
            Pause(ms) => {
                std::thread::sleep(std::time::Duration::from_millis(*ms));
                None
            }
        })
        .collect()
}

fn on_engine(steps: &[Step]) -> Vec<String> {
    let (mut engine, clock) = engine_with_clock(redsim::ManualHost::default());
    engine
        .store
        .config
        .set_startup("enable-debug-command", "yes");
    let clients = [engine.connect(), engine.connect()];
    steps
        .iter()
        .filter_map(|step| match step {
            Cmd(c, text) => Some(escape(
                &engine.execute_encoded(clients[c - 1], &words(text)),
            )),
            Pause(ms) => {
                advance_ms(&clock, *ms);
                None
            }
        })
        .collect()
}

#[test]
fn watch_signals_match_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED watch_signals_match_redis: redis-server not found");
        return;
    }
    let mut failures = Vec::new();
    for (name, steps) in cases() {
        let (expected, got) = (on_redis(&steps), on_engine(&steps));
        // DEBUG OBJECT's reply names addresses and LRU values: compare its type only.
        let texts = steps.iter().filter_map(|s| match s {
            Cmd(_, t) => Some(*t),
            Pause(_) => None,
        });
        for ((text, e), g) in texts.zip(&expected).zip(&got) {
            let same = if text.starts_with("DEBUG OBJECT") {
                e[..1] == g[..1]
            } else {
                e == g
            };
            if !same {
                failures.push(format!("{name}: {text}\n  redis:  {e}\n  redsim: {g}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
