//! The bodies of the engine's fuzz targets, shared by the libFuzzer binaries in
//! `fuzz/fuzz_targets/` and the regression test `tests/fuzz_regressions.rs` (both include
//! this file with `#[path]`), so a crash input found by the fuzzer replays through exactly
//! the code that found it, in the normal test suite, without libFuzzer.
//!
//! Every target takes raw bytes. The structured ones read them with
//! `arbitrary::Unstructured`, which never fails: when the bytes run out it answers zeros,
//! so every input, including the empty one, is a valid (if short) run.

#![allow(dead_code)]

use arbitrary::Unstructured;
use redsim::resp::parse::{Parsed, RequestParser, INLINE_MAX_SIZE};
use redsim::resp::{encode, Protocol};
use redsim::{BusyScript, Engine, Host, Reply, ScriptTick};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Commands per dispatch input: enough for a few interacting writes and reads.
const MAX_COMMANDS: usize = 64;
/// Scripts per Lua input (they share one engine, so later scripts see earlier writes).
const MAX_SCRIPTS: usize = 4;
/// A script that has not written is killed after this many instructions (the hook sees
/// the count in steps of `TICK_INSTRUCTIONS`): the fuzzer's "busy script" limit.
const KILL_AFTER_INSTRUCTIONS: u64 = 200_000;
/// Each Lua VM's heap bound for the fuzz engines: small, so `string.rep` bombs and
/// table growth hit "not enough memory" quickly instead of slowing the fuzzer down.
const FUZZ_LUA_MEMORY: usize = 32 << 20;
/// Numeric arguments above this are skipped for the commands whose cost is
/// proportional to a number in their arguments (SETRANGE 500000000 allocates 500 MB, in
/// Redis too): such inputs are slow, not wrong.
const MAX_COSTLY_NUMBER: f64 = 4096.0;

// ---------------------------------------------------------------------------------------
// The RESP request parser.
// ---------------------------------------------------------------------------------------

/// Feeds `data` (after its first byte, which picks the chunk sizes and the
/// authentication state) to a [`RequestParser`] in pieces and all at once.
///
/// Claims: no panic; the pieces and the whole give the same requests and errors (for
/// inputs below the inline limit, where Redis is also independent of how bytes arrive);
/// every request, re-encoded as a multibulk request, parses back to itself.
pub fn resp_parser(data: &[u8]) {
    let Some((&control, bytes)) = data.split_first() else {
        return;
    };
    let unauthenticated = control & 0x80 != 0;
    let chunk = usize::from(control & 0x7f) + 1;
    let whole = parse_in_chunks(bytes, bytes.len().max(1), unauthenticated);
    let pieces = parse_in_chunks(bytes, chunk, unauthenticated);
    if bytes.len() <= INLINE_MAX_SIZE {
        assert_eq!(
            whole, pieces,
            "feeding in chunks of {chunk} changed the requests"
        );
    }
    for parsed in &whole {
        if let Parsed::Request(argv) = parsed {
            assert!(!argv.is_empty(), "an empty request was handed out");
            let again = parse_in_chunks(&multibulk(argv), 7, false);
            assert_eq!(again, vec![parsed.clone()], "re-encoded request differs");
        }
    }
}

/// Everything the parser hands back while `bytes` arrive `chunk` bytes at a time.
fn parse_in_chunks(bytes: &[u8], chunk: usize, unauthenticated: bool) -> Vec<Parsed> {
    let mut parser = RequestParser::new();
    parser.set_unauthenticated(unauthenticated);
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk) {
        parser.feed(piece);
        // Every Request or Continue consumes at least one byte, and an error stops the
        // parser, so this loop ends; the bound is a guard against a parser that loops.
        for _ in 0..=bytes.len() + 1 {
            match parser.next_request() {
                Parsed::NeedMore => break,
                other => out.push(other),
            }
        }
    }
    out
}

/// `argv` as a multibulk request.
pub fn multibulk(argv: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

// ---------------------------------------------------------------------------------------
// The engine under fuzzing.
// ---------------------------------------------------------------------------------------

/// A deterministic host whose clock the input can move, which kills busy scripts
/// after [`KILL_AFTER_INSTRUCTIONS`].
pub struct FuzzHost {
    now_us: Arc<AtomicU64>,
    state: u64,
}

impl Host for FuzzHost {
    fn now_us(&mut self) -> u64 {
        self.now_us.load(Ordering::Relaxed)
    }

    fn random_u64(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn script_tick(&mut self, busy: &BusyScript) -> ScriptTick {
        // Time moves while a script runs, as it would on a real server.
        self.now_us.fetch_add(1000, Ordering::Relaxed);
        if busy.instructions >= KILL_AFTER_INSTRUCTIONS {
            ScriptTick::Kill
        } else {
            ScriptTick::Continue
        }
    }
}

/// A fresh engine with the fuzzing limits, and the handle that moves its clock.
pub fn fuzz_engine() -> (Engine, Arc<AtomicU64>) {
    let clock = Arc::new(AtomicU64::new(1_678_886_400_000_000));
    let host = FuzzHost {
        now_us: clock.clone(),
        state: 0x9E37_79B9_7F4A_7C15,
    };
    let mut engine = Engine::new(host);
    engine.scripts.memory_limit = FUZZ_LUA_MEMORY;
    (engine, clock)
}

/// Claims about every reply: status and error lines hold no CR or LF (they would break
/// the frame), and the reply encodes in both protocols.
pub fn check_reply(reply: &Reply) {
    // Iterative: a self-containing Lua table comes back as ~8000 nested arrays (Redis's
    // Lua stack limit), deeper than a debug test thread's stack allows recursing.
    let mut pending = vec![reply];
    while let Some(reply) = pending.pop() {
        match reply {
            // An empty error is Redis's own answer to `return {err=''}` (`-\r\n`).
            Reply::Simple(s) | Reply::BigNumber(s) | Reply::Error(s) => {
                assert!(
                    !s.contains(&b'\r') && !s.contains(&b'\n'),
                    "CR/LF in {reply:?}"
                );
            }
            Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
                pending.extend(items.iter())
            }
            Reply::Map(pairs) | Reply::Attribute(pairs) => pairs.iter().for_each(|(k, v)| {
                pending.push(k);
                pending.push(v);
            }),
            Reply::Preceded { frame, reply } => {
                pending.push(frame);
                pending.push(reply);
            }
            _ => {}
        }
    }
    let _ = encode(reply, Protocol::Resp2);
    let _ = encode(reply, Protocol::Resp3);
}

/// The engine still serves: a new client's PING is answered PONG, and every key of the
/// selected database can be read back by its type.
pub fn check_still_serving(engine: &mut Engine) {
    let probe = engine.connect();
    assert_eq!(engine.call(probe, &["PING"]), Reply::simple("PONG"));
    let keys = match engine.call(probe, &["KEYS", "*"]) {
        Reply::Array(keys) => keys,
        other => panic!("KEYS * answered {other:?}"),
    };
    for key in keys.iter().take(64) {
        let Reply::Bulk(key) = key else {
            panic!("KEYS * listed {key:?}");
        };
        let kind = engine.call(probe, &[&b"TYPE"[..], key]);
        let read: &[&[u8]] = match &kind {
            Reply::Simple(t) if t == b"string" => &[b"GET"],
            Reply::Simple(t) if t == b"list" => &[b"LRANGE", b"0", b"-1"],
            Reply::Simple(t) if t == b"set" => &[b"SMEMBERS"],
            Reply::Simple(t) if t == b"zset" => &[b"ZRANGE", b"0", b"-1", b"WITHSCORES"],
            Reply::Simple(t) if t == b"hash" => &[b"HGETALL"],
            Reply::Simple(t) if t == b"stream" => &[b"XRANGE", b"-", b"+"],
            Reply::Simple(t) if t == b"none" => continue, // expired meanwhile
            other => panic!("TYPE answered {other:?}"),
        };
        let mut argv: Vec<Vec<u8>> = vec![read[0].to_vec(), key.clone()];
        argv.extend(read[1..].iter().map(|a| a.to_vec()));
        let reply = engine.execute(probe, &argv);
        assert!(
            !matches!(reply, Reply::Error(_)),
            "reading {key:?} ({kind:?}) failed: {reply:?}"
        );
        check_reply(&reply);
        check_reply(&engine.call(probe, &[&b"OBJECT"[..], b"ENCODING", key]));
    }
    engine.disconnect(probe);
}

// ---------------------------------------------------------------------------------------
// Command dispatch with arbitrary argv.
// ---------------------------------------------------------------------------------------

/// Arguments that commands give meaning to: keys, numbers at the edges, option words.
const WORDS: &[&str] = &[
    "k",
    "k2",
    "{k}3",
    "",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "5",
    "10",
    "-10",
    "100",
    "1.5",
    "-0",
    "0.0",
    "inf",
    "-inf",
    "+inf",
    "nan",
    "1e308",
    "-1e308",
    "4.9e-324",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "0x10",
    " 1",
    "01",
    "NX",
    "XX",
    "GT",
    "LT",
    "CH",
    "INCR",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "KEEPTTL",
    "GET",
    "WITHSCORES",
    "LIMIT",
    "BYSCORE",
    "BYLEX",
    "REV",
    "COUNT",
    "MATCH",
    "TYPE",
    "LEFT",
    "RIGHT",
    "BEFORE",
    "AFTER",
    "RANK",
    "MAXLEN",
    "AGGREGATE",
    "SUM",
    "MIN",
    "MAX",
    "WEIGHTS",
    "STORE",
    "IDX",
    "LEN",
    "MINMATCHLEN",
    "WITHMATCHLEN",
    "PERSIST",
    "ASYNC",
    "SYNC",
    "REPLACE",
    "DB",
    "ABSTTL",
    "IDLETIME",
    "FREQ",
    "WITHVALUES",
    "*",
    "?",
    "[a-z]",
    "(1",
    "[a",
    "-",
    "+",
    "(a",
    "RESETSTAT",
    "string",
    "list",
    "hash",
    "zset",
    "set",
    "HELP",
    "ID",
    "USER",
    "ADDR",
    "SKIPME",
    "maxmemory",
    "lua-time-limit",
    "busy-reply-threshold",
    "proto-max-bulk-len",
    "FLUSH",
    "LOAD",
    "EXISTS",
    "KILL",
    "DELETE",
    "RESTORE",
    "DUMP",
    "LIBRARYNAME",
    "WITHCODE",
    "APPEND",
    "FLUSHALL",
    "return 1",
    "return redis.call('incr', KEYS[1])",
    "return redis.pcall(ARGV[1], KEYS[1])",
    "return {1, 'a', {ok='x'}, {err='E y'}, 2.5, nil, false, true}",
    "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])",
    "#!lua name=lib\nredis.register_function('f', function(k, a) return #k end)",
    "#!lua flags=no-writes\nreturn redis.call('get', 'k')",
    "while true do end",
    "return redis.setresp(3)",
    "return {double=1.5}",
    "redis.setresp(3) return redis.call('hgetall', KEYS[1])",
];

/// The commands whose cost grows with a number in their arguments.
const COSTLY: &[&str] = &[
    "setrange",
    "setbit",
    "bitfield",
    "bitfield_ro",
    "srandmember",
    "zrandmember",
    "hrandfield",
    "debug",
    "getrange",
    "lpos",
    "lrange",
    "zrange",
    "lcs",
    "spop",
];

/// All command names, and for commands with subcommands their subcommand names.
fn dictionary() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut names: Vec<_> = redsim::cmd::all_commands()
        .map(|spec| (spec.name, spec.subcommands.iter().map(|s| s.name).collect()))
        .collect();
    names.sort();
    names.push(("multi", Vec::new()));
    names.push(("nosuchcommand", Vec::new()));
    names
}

fn word(u: &mut Unstructured) -> Vec<u8> {
    match u.int_in_range(0u8..=9).unwrap_or(0) {
        0..=1 => {
            let len = u.int_in_range(0usize..=24).unwrap_or(0);
            u.bytes(len).map(<[u8]>::to_vec).unwrap_or_default()
        }
        2 => u
            .int_in_range(-70_000i64..=70_000)
            .unwrap_or(0)
            .to_string()
            .into_bytes(),
        _ => u
            .choose(WORDS)
            .map(|w| w.as_bytes().to_vec())
            .unwrap_or_default(),
    }
}

fn command(u: &mut Unstructured, dict: &[(&'static str, Vec<&'static str>)]) -> Vec<Vec<u8>> {
    let Ok((name, subs)) = u.choose(dict) else {
        return vec![b"PING".to_vec()];
    };
    let mut argv = vec![if u.ratio(1u8, 4).unwrap_or(false) {
        name.to_ascii_uppercase().into_bytes()
    } else {
        name.as_bytes().to_vec()
    }];
    if !subs.is_empty() && u.ratio(7u8, 8).unwrap_or(false) {
        if let Ok(sub) = u.choose(subs) {
            argv.push(sub.as_bytes().to_vec());
        }
    }
    let extra = u.int_in_range(0usize..=8).unwrap_or(0);
    for _ in 0..extra {
        argv.push(word(u));
    }
    argv
}

/// Whether a command would only be slow: a costly command with a large number.
fn too_costly(argv: &[Vec<u8>]) -> bool {
    let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
    if !COSTLY.contains(&name.as_str()) {
        return false;
    }
    argv[1..].iter().any(|a| {
        std::str::from_utf8(a)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .is_some_and(|n| n.abs() > MAX_COSTLY_NUMBER || n.is_nan())
    })
}

/// Runs up to [`MAX_COMMANDS`] commands built from `data` on two clients of a fresh
/// engine (with clock jumps between them).
///
/// Claims: no panic; every reply is well-formed (see [`check_reply`]); afterwards the
/// engine answers a new client's PING and every key reads back by its type.
pub fn dispatch(data: &[u8]) {
    let dict = dictionary();
    let mut u = Unstructured::new(data);
    let (mut engine, clock) = fuzz_engine();
    let mut clients = [engine.connect(), engine.connect()];
    for _ in 0..MAX_COMMANDS {
        if u.is_empty() {
            break;
        }
        let which = usize::from(u.ratio(1u8, 3).unwrap_or(false));
        match u.int_in_range(0u8..=31).unwrap_or(0) {
            0 => {
                let ms = u.int_in_range(0u64..=20_000).unwrap_or(0);
                clock.fetch_add(ms * 1000, Ordering::Relaxed);
            }
            1 => {
                engine.disconnect(clients[which]);
                clients[which] = engine.connect();
            }
            _ => {
                let argv = command(&mut u, &dict);
                if too_costly(&argv) {
                    continue;
                }
                let reply = engine.execute(clients[which], &argv);
                check_reply(&reply);
            }
        }
    }
    check_still_serving(&mut engine);
}

// ---------------------------------------------------------------------------------------
// The Lua <-> reply conversion boundary: scripts from a small grammar.
// ---------------------------------------------------------------------------------------

#[path = "lua_grammar.rs"]
mod lua_grammar;
pub use lua_grammar::lua_script;

/// Runs up to [`MAX_SCRIPTS`] generated scripts through EVAL (a RESP2 or RESP3 client,
/// keys `k`/`k2`, arguments from the script's own strings), each with the busy-script
/// kill and the memory limit.
///
/// Claims: no panic; every reply is well-formed; the engine serves afterwards.
///
/// An input starting with `#` is instead one script's source (the rest of the input), run
/// with EVAL_RO so that it can never write and so can always be killed: this is how the
/// scripts of `corpus/lua` seed the target, and how the fuzzer mutates real scripts.
pub fn lua_scripts(data: &[u8]) {
    if let Some(source) = data.strip_prefix(b"#") {
        let (mut engine, _clock) = fuzz_engine();
        let client = engine.connect();
        let reply = engine.call(client, &[&b"EVAL_RO"[..], source, b"1", b"k", b"a"]);
        check_reply(&reply);
        check_still_serving(&mut engine);
        return;
    }
    let mut u = Unstructured::new(data);
    let (mut engine, _clock) = fuzz_engine();
    let client = engine.connect();
    if u.ratio(1u8, 3).unwrap_or(false) {
        check_reply(&engine.call(client, &["HELLO", "3"]));
    }
    let scripts = u.int_in_range(1..=MAX_SCRIPTS).unwrap_or(1);
    for _ in 0..scripts {
        let source = lua_script(&mut u);
        let reply = run_script(&mut engine, client, &source);
        check_reply(&reply);
    }
    check_still_serving(&mut engine);
}

/// EVAL `source` 2 k k2 with two arguments.
pub fn run_script(engine: &mut Engine, client: redsim::ClientId, source: &str) -> Reply {
    engine.call(client, &["EVAL", source, "2", "k", "k2", "set", "1"])
}

/// The scripts a Lua input generates, for reading a regression input.
pub fn lua_sources(data: &[u8]) -> Vec<String> {
    if let Some(source) = data.strip_prefix(b"#") {
        return vec![String::from_utf8_lossy(source).into_owned()];
    }
    let mut u = Unstructured::new(data);
    let _ = u.ratio(1u8, 3);
    let scripts = u.int_in_range(1..=MAX_SCRIPTS).unwrap_or(1);
    (0..scripts).map(|_| lua_script(&mut u)).collect()
}
