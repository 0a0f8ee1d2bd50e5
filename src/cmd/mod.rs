//! The command table and dispatch. One file per command family; each family exports a
//! `COMMANDS` slice that the table below gathers.
//!
//! A network client, EXEC and a script's `redis.call` all run a command through
//! `run`, so statistics, WATCH signalling and errors are the same on every path.

mod acl;
pub(crate) mod acl_check;
pub mod args;
mod args_range;
pub mod flags;
mod spec;

mod bitfield;
mod bitops;
mod blocking;
mod client;
mod client_control;
mod client_list;
mod client_tracking;
mod cluster;
mod cluster_view;
mod command_info;
mod command_meta;
mod config_cmd;
pub(crate) mod connection;
mod debug_digest;
mod dump;
mod evict;
mod expire;
mod geo;
mod geo_search;
mod geohash;
pub mod glob;
mod hash;
mod hyperloglog;
mod hyperloglog_debug;
mod info;
mod info_sections;
mod key_events;
pub(crate) mod key_spec;
mod keys;
pub(crate) mod latency;
pub(crate) mod latency_histogram;
mod lcs;
mod list;
mod list_move;
mod lolwut;
mod lolwut_art;
mod long_double;
pub mod maxmemory;
pub mod monitor;
mod reach;
mod redact;
pub(crate) mod replicas;
mod replication;
pub use reach::keys_of;
mod memory;
mod migrate;
mod module;
mod object;
pub(crate) mod persist;
mod pqsort;
pub(crate) mod pubsub;
mod scan;
mod server;
mod set;
pub(crate) mod slowlog;
mod sort;
mod sparkline;
mod stream;
mod stream_args;
mod stream_claim;
mod stream_group;
mod stream_info;
mod stream_read;
mod string;
mod string_counter;
pub mod transaction;
mod typed;
mod zset;
mod zset_range;
mod zset_store;

pub use blocking::BlockRequest;
pub(crate) use command_info::keys_for_acl;
pub use spec::CommandSpec;

use crate::db::Db;
use crate::host::Host;
use crate::resp::Reply;
use crate::script::Scripting;
use crate::session::{ClientId, Session};
use crate::store::Store;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Who is running a command; some commands behave differently inside a script or EXEC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Caller {
    Client,
    Exec,
    Script,
}

/// What a command handler can reach.
pub struct Ctx<'a> {
    /// The databases and server state.
    pub store: &'a mut Store,
    /// Time, randomness and busy-script ticks.
    pub host: &'a mut dyn Host,
    /// The script engine; `None` while a script runs (scripting commands are `noscript`).
    pub scripts: Option<&'a mut Scripting>,
    /// The client running the command.
    pub client: ClientId,
    /// The time keys expire at, Unix ms: the command's start, and inside a script the
    /// script's start (Redis 7.0's `scriptTimeSnapshot`, so that a key cannot expire in
    /// the middle of a script). Everything else reads [`Ctx::live_ms`].
    pub now_ms: u64,
    pub(crate) caller: Caller,
}

impl<'a> Ctx<'a> {
    /// The selected database.
    pub fn db(&mut self) -> &mut Db {
        self.store.db_of(self.client)
    }

    /// The clock as Redis's `mstime()` reads it, for TTL / PTTL and the base of relative
    /// expiries (SET PX, EXPIRE…). Inside a script it moves on while `now_ms` stays at
    /// the script's start; elsewhere the two are the same instant.
    pub fn live_ms(&mut self) -> u64 {
        if self.caller == Caller::Script {
            self.host.now_us() / 1000
        } else {
            self.now_ms
        }
    }

    /// Index of the selected database.
    pub(crate) fn db_index(&self) -> usize {
        self.store.session(self.client).db
    }

    /// The running client's session.
    pub fn session(&mut self) -> &mut Session {
        self.store.session_mut(self.client)
    }

    /// Records one change to the dataset (Redis's `server.dirty++`).
    pub fn dirty(&mut self, changes: u64) {
        self.store.dirty += changes;
    }

    /// Signals a modified key to WATCH in the selected database.
    pub fn touch(&mut self, key: &[u8]) {
        let db = self.db_index();
        self.store.touch(db, key);
    }

    /// A random choice among `n` (SPOP, SRANDMEMBER…) from the host, recorded as a use
    /// of the server's random stream: two commands that draw do not commute.
    pub fn random_below(&mut self, n: u64) -> u64 {
        if let Some(access) = self.store.access.as_mut() {
            access.touch(crate::access::Resource::Random, crate::access::Mode::Write);
        }
        self.host.random_below(n)
    }

    /// Publishes a keyspace event for `key` of the selected database, when
    /// `notify-keyspace-events` selects `class` (Redis's `notifyKeyspaceEvent`); see
    /// [`crate::store::notify`] for the classes. Keys that expired on access during the
    /// command are announced first, as Redis announces them when it looks them up.
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        if self.store.config.notify_keyspace_events == 0 {
            return;
        }
        expire::signal_lazy_expiries(self);
        let db = self.db_index();
        self.store.notify(class, event, key, db);
    }

    /// [`Ctx::notify`] for the events Redis publishes after it has written the command's
    /// reply (LPUSH, GETSET, GETDEL…): a message to the running client itself goes after
    /// its reply rather than before. Other receivers see no difference.
    pub(crate) fn notify_after_reply(&mut self, class: u32, event: &str, key: &[u8]) {
        if self.store.config.notify_keyspace_events == 0 {
            return;
        }
        expire::signal_lazy_expiries(self);
        let db = self.db_index();
        // Keys the command created were announced before its reply (Redis's dbAdd).
        self.store.notify_new_keys(db);
        let before = self.store.deliveries.len();
        self.store.notify(class, event, key, db);
        if self.caller == Caller::Script {
            return; // a script's reply comes after all of them anyway
        }
        let mut at = before;
        while at < self.store.deliveries.len() {
            if self.store.deliveries[at].0 == self.client {
                let (_, frame) = self.store.deliveries.remove(at);
                self.store.own_after_reply.push(frame);
            } else {
                at += 1;
            }
        }
    }

    /// Whether a blocking command must answer at once (inside MULTI or a script).
    pub fn cannot_block(&self) -> bool {
        self.caller != Caller::Client
    }
}

/// Every family's commands (the scripting commands are gathered apart).
static FAMILIES: &[&[CommandSpec]] = &[
    expire::COMMANDS,
    client::COMMANDS,
    info::COMMANDS,
    config_cmd::COMMANDS,
    cluster::COMMANDS,
    command_info::COMMANDS,
    acl::COMMANDS,
    object::COMMANDS,
    memory::COMMANDS,
    transaction::COMMANDS,
    connection::COMMANDS,
    server::COMMANDS,
    replication::COMMANDS,
    lolwut::COMMANDS,
    keys::COMMANDS,
    string::COMMANDS,
    list::COMMANDS,
    list_move::COMMANDS,
    hash::COMMANDS,
    set::COMMANDS,
    zset::COMMANDS,
    zset_range::COMMANDS,
    zset_store::COMMANDS,
    geo::COMMANDS,
    blocking::COMMANDS,
    dump::COMMANDS,
    migrate::COMMANDS,
    persist::COMMANDS,
    slowlog::COMMANDS,
    module::COMMANDS,
    latency::COMMANDS,
    bitops::COMMANDS,
    sort::COMMANDS,
    stream::COMMANDS,
    stream_read::COMMANDS,
    stream_group::COMMANDS,
    stream_claim::COMMANDS,
    stream_info::COMMANDS,
    pubsub::COMMANDS,
    hyperloglog::COMMANDS,
];

fn table() -> &'static FxHashMap<&'static [u8], &'static CommandSpec> {
    static TABLE: OnceLock<FxHashMap<&'static [u8], &'static CommandSpec>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = FxHashMap::default();
        let families = FAMILIES.iter().copied().chain([crate::script::COMMANDS]);
        for spec in families.flatten() {
            let previous = table.insert(spec.name.as_bytes(), spec);
            assert!(previous.is_none(), "command {} registered twice", spec.name);
        }
        table
    })
}

/// Whether `argv` runs a script on the server (EVAL, EVALSHA, FCALL and their _RO forms):
/// the table's `RUNS_SCRIPT` flag.
pub fn runs_script(argv: &[Vec<u8>]) -> bool {
    argv.first()
        .and_then(|name| lookup(name))
        .is_some_and(|spec| spec.has(flags::RUNS_SCRIPT))
}

/// Every top-level command (COMMAND COUNT, COMMAND INFO with no names).
pub fn all_commands() -> impl Iterator<Item = &'static CommandSpec> {
    table().values().copied()
}

/// The command table for [`lookup`]: open addressing on a cheap case-folded hash of the
/// name, probed linearly. Built once beside `table()` (which keeps its iteration order for
/// COMMAND); every command runs through here, so it avoids copying and lowercasing the
/// name and hashing it byte by byte.
struct FastTable {
    slots: Box<[Option<&'static CommandSpec>]>,
    shift: u32,
}

const FOLD: u64 = 0x2020_2020_2020_2020;

/// Up to 8 bytes as a little-endian word, zero padded.
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    if bytes.len() >= 8 {
        u64::from_le_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
        ])
    } else {
        let mut buf = [0u8; 8];
        buf[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(buf)
    }
}

/// A hash equal for names that differ only in ASCII case: setting bit 5 of every byte
/// maps `A`..`Z` to `a`..`z` and leaves each other byte as a function of itself.
#[inline(always)]
fn name_hash(name: &[u8]) -> u64 {
    let n = name.len();
    let head = word(&name[..n.min(8)]) | FOLD;
    let tail = if n > 8 {
        word(&name[n - 8..]) | FOLD
    } else {
        0
    };
    (head ^ tail.rotate_left(31) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn fast_table() -> &'static FastTable {
    static FAST: OnceLock<FastTable> = OnceLock::new();
    FAST.get_or_init(|| {
        let specs: Vec<&'static CommandSpec> = table().values().copied().collect();
        let bits = (specs.len() * 4)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        let mut slots = vec![None; 1 << bits].into_boxed_slice();
        let shift = 64 - bits;
        let mask = (1usize << bits) - 1;
        for spec in specs {
            let mut i = (name_hash(spec.name.as_bytes()) >> shift) as usize;
            while slots[i].is_some() {
                i = (i + 1) & mask;
            }
            slots[i] = Some(spec);
        }
        FastTable { slots, shift }
    })
}

/// Finds a command by name, case-insensitively.
#[inline]
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    let fast = fast_table();
    let mask = fast.slots.len() - 1;
    let mut i = (name_hash(name) >> fast.shift) as usize;
    loop {
        let spec = fast.slots[i]?;
        if spec.name.len() == name.len() && spec.name.as_bytes().eq_ignore_ascii_case(name) {
            return Some(spec);
        }
        i = (i + 1) & mask;
    }
}

/// Finds the subcommand named by `argv[1]` of a container command.
pub(crate) fn lookup_subcommand(
    parent: &'static CommandSpec,
    name: &[u8],
) -> Option<&'static CommandSpec> {
    parent
        .subcommands
        .iter()
        .find(|s| s.name.as_bytes().eq_ignore_ascii_case(name))
}

/// What resolving argv against the table gave.
pub enum Resolved {
    /// The command and, for a container command, its subcommand.
    Found(&'static CommandSpec, Option<&'static CommandSpec>),
    /// Refused before running, with this reply.
    Refused(Reply),
}

/// Looks argv up and checks its arity, answering with Redis's errors for unknown
/// commands, unknown subcommands and wrong argument counts (as `processCommand`).
pub fn resolve(argv: &[Vec<u8>]) -> Resolved {
    let Some(spec) = lookup(&argv[0]) else {
        return Resolved::Refused(unknown_command(argv));
    };
    if spec.subcommands.is_empty() || argv.len() < 2 {
        if !spec.arity_ok(argv.len()) {
            return Resolved::Refused(wrong_arity(spec.name));
        }
        return Resolved::Found(spec, None);
    }
    let Some(sub) = lookup_subcommand(spec, &argv[1]) else {
        let mut text = b"ERR unknown subcommand '".to_vec();
        text.extend_from_slice(c_str(&argv[1], 128));
        text.extend_from_slice(
            format!("'. Try {} HELP.", spec.name.to_ascii_uppercase()).as_bytes(),
        );
        return Resolved::Refused(Reply::error(text));
    };
    if !sub.arity_ok(argv.len()) {
        return Resolved::Refused(wrong_arity(&format!("{}|{}", spec.name, sub.name)));
    }
    Resolved::Found(spec, Some(sub))
}

/// Redis's `addReplySubcommandSyntaxError`: a subcommand given wrong arguments by a
/// command that checks them itself (DEBUG, FUNCTION FLUSH / RESTORE…). The command is
/// named as typed, in capitals.
pub fn subcommand_syntax_error(argv: &[Vec<u8>]) -> Reply {
    let mut text = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
    text.extend_from_slice(c_str(argv.get(1).map_or(&[][..], |a| a), 128));
    text.extend_from_slice(b"'. Try ");
    text.extend_from_slice(&c_str(&argv[0], usize::MAX).to_ascii_uppercase());
    text.extend_from_slice(b" HELP.");
    Reply::error(text)
}

/// `ERR unknown command 'x', with args beginning with: 'a' 'b' ` (Redis 7.0's text): the
/// arguments are quoted while fewer than 128 bytes of them were written, each cut to what
/// is left of the 128; bytes are kept as they are.
pub(crate) fn unknown_command(argv: &[Vec<u8>]) -> Reply {
    let mut args = Vec::new();
    for arg in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push(b'\'');
        args.extend_from_slice(c_str(arg, room));
        args.extend_from_slice(b"' ");
    }
    let mut text = b"ERR unknown command '".to_vec();
    text.extend_from_slice(c_str(&argv[0], 128));
    text.extend_from_slice(b"', with args beginning with: ");
    text.extend_from_slice(&args);
    Reply::error(text)
}

pub(crate) fn wrong_arity(full_name: &str) -> Reply {
    Reply::error(format!(
        "ERR wrong number of arguments for '{full_name}' command"
    ))
}

/// An argument as Redis quotes it in error texts (`%.128s`).
pub fn truncated(arg: &[u8]) -> String {
    String::from_utf8_lossy(c_str(arg, 128)).into_owned()
}

/// What C's `%.Ns` prints of an argument: at most `max` bytes, up to a NUL byte.
pub(crate) fn c_str(arg: &[u8], max: usize) -> &[u8] {
    let end = arg
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(arg.len())
        .min(max);
    &arg[..end]
}

/// Runs a resolved command: the handler, then WATCH signalling and statistics.
pub(crate) fn run(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
    argv: &[Vec<u8>],
) -> Reply {
    let started_us = ctx.host.now_us();
    run_started_at(ctx, spec, sub, argv, started_us)
}

/// [`run`] for a caller that has just read the clock (`started_us`): a command costs two
/// clock reads, its start and its end, as in Redis's `call()` — the clock is a measurable
/// part of a pipelined GET.
pub(crate) fn run_started_at(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
    argv: &[Vec<u8>],
    started_us: u64,
) -> Reply {
    let target = sub.unwrap_or(spec);
    let dirty_before = ctx.store.dirty;
    let reach = reach::before(ctx, target, argv);
    let monitored = !ctx.store.monitors.is_empty();
    if monitored && target.has(flags::RUNS_SCRIPT) {
        // Scripts are shown before the commands they run.
        monitor::feed(ctx, argv);
    }
    ctx.store.stats.reply_counted = None;
    // `dbs[0].log_new` also turns the log off once the `n` class is switched off.
    let announce_new_keys = (ctx.store.config.notify_keyspace_events != 0
        || ctx.store.dbs[0].log_new)
        && ctx.store.log_new_keys();
    let reply = (target.handler)(ctx, argv);
    expire::signal_lazy_expiries(ctx);
    if ctx.store.repl.feeding() && !ctx.store.repl.is_replica() {
        crate::repl::propagate::after_command(ctx, target, argv, &reply, dirty_before);
    }
    if announce_new_keys {
        // Keys created by a command that announced no event of its own.
        for db in 0..ctx.store.dbs.len() {
            ctx.store.notify_new_keys(db);
        }
    }
    if let Some(before) = reach {
        reach::after(ctx, spec, sub, argv, before);
    }
    if ctx.store.dirty != dirty_before && ctx.store.config.maxmemory != 0 {
        if let Some(access) = ctx.store.access.as_mut() {
            access.touch(crate::access::Resource::Memory, crate::access::Mode::Write);
        }
    }
    let elapsed_us = ctx.host.now_us().saturating_sub(started_us);
    if !target.has(flags::SKIP_SLOWLOG) {
        latency::observe(ctx, target.has(flags::FAST), elapsed_us);
        slowlog::observe(ctx, argv, elapsed_us);
    }
    if target.has(flags::WRITE)
        && !target.has(flags::SIGNALS_OWN_KEYS)
        && ctx.store.dirty != dirty_before
        && ctx.store.has_watchers()
    {
        let db = ctx.db_index();
        if target.has(flags::TOUCHES_REPLIED_KEY) {
            if let Reply::Array(items) = &reply {
                if let Some(Reply::Bulk(key)) = items.first() {
                    ctx.store.touch(db, key);
                }
            }
        } else {
            for pos in key_spec::written_keys(spec, sub, argv) {
                ctx.store.touch(db, &argv[pos]);
            }
        }
    }
    if monitored && monitor::shown_after_run(target) {
        monitor::feed(ctx, argv);
    }
    let stats = &mut ctx.store.stats;
    stats.total_commands_processed += 1;
    let entry = stats
        .commands
        .get_or_insert((spec.name, sub.map(|s| s.name)));
    entry.calls += 1;
    entry.usec += elapsed_us;
    entry.latency.record(elapsed_us as i64 * 1000);
    match stats.reply_counted.take() {
        Some(failed) => entry.failed_calls += failed,
        None => {
            if let Reply::Error(text) = &reply {
                entry.failed_calls += 1;
                stats.count_error(text);
            }
        }
    }
    with_own_messages(ctx, reply)
}

/// Pub/sub messages addressed to the running client itself (a RESP3 subscriber that
/// publishes, or that changes a key it listens to) were written to its output by Redis
/// as they were published, before the command's reply: they go in front of it. A
/// script's are held until its EVAL's reply; inside EXEC they stand among the replies.
fn with_own_messages(ctx: &mut Ctx<'_>, reply: Reply) -> Reply {
    if ctx.caller == Caller::Script
        || (ctx.store.deliveries.is_empty() && ctx.store.own_after_reply.is_empty())
    {
        return reply;
    }
    let mut frames = ctx.store.take_deliveries_to(ctx.client);
    let after = std::mem::take(&mut ctx.store.own_after_reply);
    if frames.is_empty() && after.is_empty() {
        return reply;
    }
    frames.push(reply);
    frames.extend(after);
    Reply::Frames(frames)
}
