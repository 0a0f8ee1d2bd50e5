//! SLOWLOG (Redis's `slowlog.c`): the commands that took at least
//! `slowlog-log-slower-than` microseconds (-1: none, 0: all), newest first, at most
//! `slowlog-max-len` of them. Every command is logged but those flagged `skip_slowlog`:
//! a client's, those EXEC runs, and those a script runs (from the script's client, with
//! the peer `?:0` and no name), before the script's own EVAL; passwords are redacted.
//!
//! Durations come from the host's clock: real time under `redsim serve`, virtual time in
//! the simulator (so a run's slowlog is the same on every machine).

use super::flags::{ADMIN, LOADING, STALE};
use super::spec::CommandSpec;
use super::{args, Ctx};
use crate::resp::Reply;
use std::collections::VecDeque;

const SUB: u32 = ADMIN | LOADING | STALE;
const SUB_ACL: &str = "admin slow dangerous";

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new("slowlog", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("get", -2, SUB, get).acl(SUB_ACL),
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow"),
        CommandSpec::new("len", 2, SUB, len).acl(SUB_ACL),
        CommandSpec::new("reset", 2, SUB, reset).acl(SUB_ACL),
    ])];

/// At most this many arguments are kept, the last one saying how many more there were.
const ENTRY_MAX_ARGC: usize = 32;
/// Arguments are cut to this many bytes, with a note of how many more there were.
const ENTRY_MAX_STRING: usize = 128;

/// One logged command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SlowEntry {
    id: u64,
    time_s: u64,
    duration_us: u64,
    argv: Vec<Vec<u8>>,
    peer: String,
    name: Vec<u8>,
}

/// The log, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SlowLog {
    entries: VecDeque<SlowEntry>,
    next_id: u64,
}

/// `slowlogPushEntryIfNeeded`: logs the command just run if it was slow enough.
pub(crate) fn observe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], duration_us: u64) {
    let threshold = ctx.store.config.slowlog_log_slower_than;
    if threshold < 0 || (duration_us as i64) < threshold {
        return;
    }
    let max_len = ctx.store.config.slowlog_max_len;
    let time_s = ctx.now_ms / 1000;
    let (peer, name) = if ctx.caller == super::Caller::Script {
        ("?:0".to_string(), Vec::new())
    } else {
        let session = ctx.store.session(ctx.client);
        (
            session.addr.clone().unwrap_or_default(),
            session.name.clone().unwrap_or_default(),
        )
    };
    let entry = SlowEntry {
        id: 0,
        time_s,
        duration_us,
        argv: logged_args(argv),
        peer,
        name,
    };
    let log = &mut ctx.store.process.slowlog;
    log.entries.push_front(SlowEntry {
        id: log.next_id,
        ..entry
    });
    log.next_id += 1;
    log.entries.truncate(max_len);
}

/// The arguments as the log keeps them: 32 at most, each cut to 128 bytes.
fn logged_args(argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let kept = argv.len().min(ENTRY_MAX_ARGC);
    let redacted = super::redact::redacted_positions(argv);
    (0..kept)
        .map(|j| {
            if kept != argv.len() && j == kept - 1 {
                format!("... ({} more arguments)", argv.len() - kept + 1).into_bytes()
            } else if redacted.contains(&j) {
                b"(redacted)".to_vec()
            } else if argv[j].len() > ENTRY_MAX_STRING {
                let mut cut = argv[j][..ENTRY_MAX_STRING].to_vec();
                let more = argv[j].len() - ENTRY_MAX_STRING;
                cut.extend_from_slice(format!("... ({more} more bytes)").as_bytes());
                cut
            } else {
                argv[j].clone()
            }
        })
        .collect()
}

/// SLOWLOG GET [count]: the newest `count` entries (10 by default, -1 for all).
fn get(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 3 {
        return super::subcommand_syntax_error(argv);
    }
    let log = &ctx.store.process.slowlog;
    let count = match argv.get(2) {
        None => 10,
        Some(arg) => match args::parse_i64(arg) {
            Some(-1) => log.entries.len(),
            Some(n) if n >= 0 => n as usize,
            // Redis's getRangeLongFromObjectOrReply answers both with this message.
            _ => return Reply::error("ERR count should be greater than or equal to -1"),
        },
    };
    Reply::Array(
        log.entries
            .iter()
            .take(count)
            .map(|e| {
                Reply::Array(vec![
                    Reply::Integer(e.id as i64),
                    Reply::Integer(e.time_s as i64),
                    Reply::Integer(e.duration_us as i64),
                    Reply::Array(e.argv.iter().map(|a| Reply::Bulk(a.clone())).collect()),
                    Reply::bulk(e.peer.as_str()),
                    Reply::Bulk(e.name.clone()),
                ])
            })
            .collect(),
    )
}

fn len(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.store.process.slowlog.entries.len() as i64)
}

fn reset(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    ctx.store.process.slowlog.entries.clear();
    Reply::ok()
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("slowlog");
    }
    let lines = [
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
