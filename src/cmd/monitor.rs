//! MONITOR: a client that asks for it receives every command the server runs, one line
//! each, as Redis's `replicationFeedMonitors` writes them:
//! `+<unix seconds>.<micros> [<db> <client address>|lua] "arg" "arg"…`.
//!
//! The engine writes the lines into `Store::monitor_feed` as commands run (a script's
//! `redis.call`s appear after their EVAL or FCALL, with `lua` for the client; a
//! transaction's commands between its MULTI and its EXEC); the TCP server sends them to
//! the monitoring connections. Administrative commands (and the few Redis flags
//! `skip_monitor`) are not shown, and AUTH's secrets are redacted, as in Redis.

use super::{flags, Caller, CommandSpec, Ctx};
use crate::resp::Reply;
use crate::session::ClientId;
use crate::store::Store;

/// MONITOR: this connection becomes a monitor (a second MONITOR answers nothing, as in
/// Redis); inside EXEC it is refused, as Redis refuses it to a client that cannot block.
pub(super) fn monitor(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    if ctx.caller != Caller::Client {
        return Reply::error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    }
    if ctx.session().monitor {
        // Redis adds no reply at all: the server drops this one.
        ctx.session().replies.skip = true;
        return Reply::ok();
    }
    ctx.session().monitor = true;
    ctx.store.monitors.push(ctx.client);
    Reply::ok()
}

/// Whether the command is shown to monitors after it ran (Redis's `call()`).
pub(super) fn shown_after_run(spec: &CommandSpec) -> bool {
    !spec.has(flags::SKIP_MONITOR | flags::ADMIN)
}

/// Adds the line for `argv`, run by the context's client, to the monitors' feed.
pub(super) fn feed(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) {
    if ctx.store.monitors.is_empty() {
        return;
    }
    let now_us = ctx.host.now_us();
    let by_script = ctx.caller == Caller::Script;
    feed_store(ctx.store, ctx.client, now_us, by_script, argv);
}

/// `feed` for callers without a command context (a refused EXEC).
pub fn feed_store(
    store: &mut Store,
    client: ClientId,
    now_us: u64,
    by_script: bool,
    argv: &[Vec<u8>],
) {
    if store.monitors.is_empty() || argv.is_empty() {
        return;
    }
    let session = store.session(client);
    let who = if by_script {
        "lua".to_string()
    } else {
        session.addr.clone().unwrap_or_default()
    };
    let mut line = format!(
        "{}.{:06} [{} {}]",
        now_us / 1_000_000,
        now_us % 1_000_000,
        session.db,
        who
    )
    .into_bytes();
    let redacted = super::redact::redacted_positions(argv);
    for (at, arg) in argv.iter().enumerate() {
        line.push(b' ');
        if redacted.contains(&at) {
            line.extend_from_slice(b"\"(redacted)\"");
        } else {
            quote(&mut line, arg);
        }
    }
    store.monitor_feed.push(line);
}

/// An argument in double quotes with Redis's escapes (`sdscatrepr`).
fn quote(out: &mut Vec<u8>, arg: &[u8]) {
    out.push(b'"');
    for &b in arg {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            b if b.is_ascii_graphic() || b == b' ' => out.push(b),
            b => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}
