//! Live differential test: proptest-generated command sequences over a small keyspace run
//! on a real redis-server and on the engine; every reply must match byte for byte
//! (replies of unordered collections compared sorted).
//!
//! Runs when `redis-server` is on PATH (otherwise it says it skipped and passes).
//! `REDSIM_DIFF_CASES=500 cargo test --test differential` runs more cases (default 32).
//!
//! Only commands the engine's command table knows are generated, so the test grows as
//! command families land; keys are few and shared between types, so WRONGTYPE, missing
//! keys and overflow happen often.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use redsim::{Engine, ManualHost, Protocol};
use support::{escape, normalize, parse_frame, Compare, Frame, RawConn, RedisServer};

/// What an argument slot of a command template draws from.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Key,
    Value,
    Int,
    Score,
    Field,
    /// An expiry: long enough never to pass during a case (the engine's clock stands
    /// still, the server's does not), or invalid, or zero / negative.
    Ttl,
    Lit(&'static str),
}

/// A command shape: name, argument slots and how its reply is compared.
#[derive(Clone, Copy, Debug)]
struct Template {
    name: &'static str,
    slots: &'static [Slot],
    compare: Compare,
}

const fn t(name: &'static str, slots: &'static [Slot]) -> Template {
    Template {
        name,
        slots,
        compare: Compare::Exact,
    }
}

const fn unordered(name: &'static str, slots: &'static [Slot]) -> Template {
    Template {
        name,
        slots,
        compare: Compare::Unordered,
    }
}

const fn pairs(name: &'static str, slots: &'static [Slot]) -> Template {
    Template {
        name,
        slots,
        compare: Compare::Pairs,
    }
}

use Slot::*;

/// Deterministic commands with their usual argument shapes. Random and time-dependent
/// commands (SPOP, RANDOMKEY, TTL, TIME…) are left out: they cannot match byte for byte.
const TEMPLATES: &[Template] = &[
    t("PING", &[]),
    t("ECHO", &[Value]),
    t("SELECT", &[Lit("1")]),
    t("SELECT", &[Lit("0")]),
    t("DBSIZE", &[]),
    // strings
    t("SET", &[Key, Value]),
    t("SET", &[Key, Value, Lit("NX")]),
    t("SET", &[Key, Value, Lit("XX"), Lit("GET")]),
    t("GET", &[Key]),
    t("SETNX", &[Key, Value]),
    t("GETSET", &[Key, Value]),
    t("GETDEL", &[Key]),
    t("MGET", &[Key, Key, Key]),
    t("MSET", &[Key, Value, Key, Value]),
    t("MSETNX", &[Key, Value, Key, Value]),
    t("INCR", &[Key]),
    t("DECR", &[Key]),
    t("INCRBY", &[Key, Int]),
    t("DECRBY", &[Key, Int]),
    t("INCRBYFLOAT", &[Key, Score]),
    t("APPEND", &[Key, Value]),
    t("STRLEN", &[Key]),
    t("GETRANGE", &[Key, Int, Int]),
    t("SUBSTR", &[Key, Int, Int]),
    t("LCS", &[Key, Key]),
    t("SET", &[Key, Value, Lit("EX"), Ttl]),
    t("SET", &[Key, Value, Lit("KEEPTTL")]),
    t("SETEX", &[Key, Ttl, Value]),
    t("PSETEX", &[Key, Ttl, Value]),
    t("GETEX", &[Key, Lit("PERSIST")]),
    t("GETEX", &[Key, Lit("EX"), Ttl]),
    t("OBJECT", &[Lit("ENCODING"), Key]),
    t("SETRANGE", &[Key, Int, Value]),
    // keys
    t("DEL", &[Key]),
    t("DEL", &[Key, Key]),
    t("EXISTS", &[Key, Key]),
    t("TYPE", &[Key]),
    t("RENAME", &[Key, Key]),
    t("RENAMENX", &[Key, Key]),
    t("PERSIST", &[Key]),
    t("EXPIRE", &[Key, Ttl]),
    t("EXPIRE", &[Key, Ttl, Lit("NX")]),
    // LT, not GT: re-applying the same TTL is "greater" on the server, whose clock moved
    // on, but not on the engine's standing clock; "less" is false on both.
    t("EXPIRE", &[Key, Ttl, Lit("LT")]),
    t("PEXPIRE", &[Key, Ttl, Lit("XX")]),
    t("MOVE", &[Key, Lit("1")]),
    t("SWAPDB", &[Lit("0"), Lit("1")]),
    t("COPY", &[Key, Key]),
    t("TOUCH", &[Key, Key]),
    unordered("KEYS", &[Lit("*")]),
    // lists
    t("LPUSH", &[Key, Value]),
    t("RPUSH", &[Key, Value, Value]),
    t("LPUSHX", &[Key, Value]),
    t("RPUSHX", &[Key, Value]),
    t("LPOP", &[Key]),
    t("RPOP", &[Key]),
    t("LPOP", &[Key, Int]),
    t("LRANGE", &[Key, Int, Int]),
    t("LLEN", &[Key]),
    t("LINDEX", &[Key, Int]),
    t("LSET", &[Key, Int, Value]),
    t("LREM", &[Key, Int, Value]),
    t("LTRIM", &[Key, Int, Int]),
    t("LINSERT", &[Key, Lit("BEFORE"), Value, Value]),
    t("LPOS", &[Key, Value]),
    t("LMOVE", &[Key, Key, Lit("LEFT"), Lit("RIGHT")]),
    t("RPOPLPUSH", &[Key, Key]),
    // hashes
    t("HSET", &[Key, Field, Value]),
    t("HSETNX", &[Key, Field, Value]),
    t("HGET", &[Key, Field]),
    t("HMGET", &[Key, Field, Field]),
    t("HDEL", &[Key, Field]),
    t("HEXISTS", &[Key, Field]),
    t("HLEN", &[Key]),
    t("HSTRLEN", &[Key, Field]),
    t("HINCRBY", &[Key, Field, Int]),
    t("HINCRBYFLOAT", &[Key, Field, Score]),
    pairs("HGETALL", &[Key]),
    unordered("HKEYS", &[Key]),
    unordered("HVALS", &[Key]),
    // sets
    t("SADD", &[Key, Value]),
    t("SADD", &[Key, Value, Value, Value]),
    t("SREM", &[Key, Value]),
    unordered("SMEMBERS", &[Key]),
    t("SISMEMBER", &[Key, Value]),
    t("SMISMEMBER", &[Key, Value, Value]),
    t("SCARD", &[Key]),
    unordered("SINTER", &[Key, Key]),
    unordered("SUNION", &[Key, Key]),
    unordered("SDIFF", &[Key, Key]),
    t("SINTERCARD", &[Lit("2"), Key, Key]),
    t("SUNIONSTORE", &[Key, Key, Key]),
    t("SMOVE", &[Key, Key, Value]),
    // sorted sets
    t("ZADD", &[Key, Score, Value]),
    t("ZADD", &[Key, Lit("NX"), Score, Value]),
    t("ZADD", &[Key, Lit("XX"), Lit("CH"), Score, Value]),
    t("ZADD", &[Key, Lit("INCR"), Score, Value]),
    t("ZINCRBY", &[Key, Score, Value]),
    t("ZSCORE", &[Key, Value]),
    t("ZMSCORE", &[Key, Value, Value]),
    t("ZCARD", &[Key]),
    t("ZRANK", &[Key, Value]),
    t("ZREVRANK", &[Key, Value]),
    t("ZREM", &[Key, Value]),
    t("ZRANGE", &[Key, Int, Int]),
    t("ZRANGE", &[Key, Int, Int, Lit("WITHSCORES")]),
    t("ZRANGE", &[Key, Lit("-inf"), Lit("+inf"), Lit("BYSCORE")]),
    t("ZREVRANGE", &[Key, Int, Int]),
    t("ZRANGEBYSCORE", &[Key, Score, Lit("+inf")]),
    t("ZCOUNT", &[Key, Score, Score]),
    t("ZPOPMIN", &[Key]),
    t("ZPOPMAX", &[Key, Int]),
    t("ZUNIONSTORE", &[Key, Lit("2"), Key, Key]),
    t("ZINTER", &[Lit("2"), Key, Key, Lit("WITHSCORES")]),
    // transactions
    t("MULTI", &[]),
    t("EXEC", &[]),
    t("DISCARD", &[]),
    t("WATCH", &[Key]),
    t("UNWATCH", &[]),
];

const KEYS: &[&str] = &["k1", "k2", "k3", "k4"];
/// Values: short, numeric, binary, and one past the 64-byte listpack limit of hashes and
/// sorted sets (so that OBJECT ENCODING sees conversions).
const VALUES: &[&str] = &[
    "a",
    "b",
    "c",
    "1",
    "-2",
    "10",
    "3.5",
    "",
    "x y",
    "\u{0}\u{ff}",
    "9223372036854775807",
    "-0",
    " 1",
    "a-value-of-sixty-five-bytes-which-is-just-past-the-listpack-limit",
];
const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "-3",
    "5",
    "100",
    "x",
    "9223372036854775807",
];
const SCORES: &[&str] = &["0", "1", "1.5", "-2", "inf", "-inf", "nan", "1e3", "abc"];
const FIELDS: &[&str] = &["f1", "f2", "f3"];
const TTLS: &[&str] = &["100000", "3600000", "0", "-5", "x", "9223372036854775807"];

/// Templates the engine knows (its command table grows as families land).
fn available() -> Vec<Template> {
    TEMPLATES
        .iter()
        .copied()
        .filter(|t| redsim::cmd::lookup(t.name.as_bytes()).is_some())
        .collect()
}

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(options).prop_map(|s| s.as_bytes().to_vec())
}

fn command(templates: Vec<Template>) -> impl Strategy<Value = (Vec<Vec<u8>>, Compare)> {
    prop::sample::select(templates).prop_flat_map(|template| {
        let slots: Vec<BoxedStrategy<Vec<u8>>> = template
            .slots
            .iter()
            .map(|slot| match slot {
                Key => pick(KEYS).boxed(),
                Value => pick(VALUES).boxed(),
                Int => pick(INTS).boxed(),
                Score => pick(SCORES).boxed(),
                Field => pick(FIELDS).boxed(),
                Ttl => pick(TTLS).boxed(),
                Lit(s) => Just(s.as_bytes().to_vec()).boxed(),
            })
            .collect();
        slots.prop_map(move |args| {
            let mut argv = vec![template.name.as_bytes().to_vec()];
            argv.extend(args);
            (argv, template.compare)
        })
    })
}

/// The reply in the form that is compared: sorted where the command's reply is
/// unordered, and inside EXEC each queued command's reply by its own rule.
fn comparable(reply: &[u8], compare: Compare, queued: &[Compare], is_exec: bool) -> Vec<u8> {
    if !is_exec {
        return normalize(reply, compare);
    }
    match parse_frame(reply) {
        Ok(Some((Frame::Aggregate { header, children }, _))) if children.len() == queued.len() => {
            let mut out = header;
            for (child, mode) in children.iter().zip(queued) {
                out.extend_from_slice(&normalize(&child.bytes(), *mode));
            }
            out
        }
        _ => reply.to_vec(),
    }
}

fn show(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|a| format!("\"{}\"", escape(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One generated step: which of the two clients sends which command.
type Step = (bool, (Vec<Vec<u8>>, Compare));

fn run_case(redis: &RedisServer, resp3: bool, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut admin = redis.connect();
    admin.call(&[b"FLUSHALL".to_vec()]);
    let mut engine = Engine::new(ManualHost::default());
    // Two clients, so that WATCH, MULTI and SELECT meet another client's writes.
    let mut real: Vec<RawConn> = vec![redis.connect(), redis.connect()];
    let clients = [engine.connect(), engine.connect()];
    if resp3 {
        for (conn, client) in real.iter_mut().zip(clients) {
            conn.call(&[b"HELLO".to_vec(), b"3".to_vec()]);
            engine.store.session_mut(client).protocol = Protocol::Resp3;
        }
    }
    let mut queued: [Vec<Compare>; 2] = [Vec::new(), Vec::new()];
    let mut transcript = String::new();
    for (second, (argv, compare)) in steps {
        let who = usize::from(*second);
        let expected = real[who].call(argv);
        let got = engine.execute_encoded(clients[who], argv);
        let name = argv[0].to_ascii_uppercase();
        let is_exec = name == b"EXEC";
        let queue = &mut queued[who];
        let same = comparable(&expected, *compare, queue, is_exec)
            == comparable(&got, *compare, queue, is_exec);
        transcript.push_str(&format!(
            "  c{}: {} -> {}\n",
            who + 1,
            show(argv),
            escape(&expected)
        ));
        if !same {
            return Err(TestCaseError::fail(format!(
                "replies differ (resp3: {resp3})\n{transcript}  redis:  {}\n  engine: {}",
                escape(&expected),
                escape(&got)
            )));
        }
        match name.as_slice() {
            b"MULTI" if expected == b"+OK\r\n" => queue.clear(),
            b"EXEC" | b"DISCARD" => queue.clear(),
            _ if expected == b"+QUEUED\r\n" => queue.push(*compare),
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn engine_replies_match_a_real_redis_server() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let cases = std::env::var("REDSIM_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let templates = available();
    eprintln!(
        "differential: {cases} cases over {} command shapes the engine knows",
        templates.len()
    );
    let hello = redsim::cmd::lookup(b"hello").is_some();
    let redis = RedisServer::start();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let step = (prop::bool::weighted(0.25), command(templates));
    let strategy = (any::<bool>(), prop::collection::vec(step, 1..40));
    let result = runner.run(&strategy, |(resp3, steps)| {
        run_case(&redis, resp3 && hello, &steps)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
