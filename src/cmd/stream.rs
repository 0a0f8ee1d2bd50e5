//! Stream commands without groups: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID.
//!
//! A stream holds entries with strictly increasing IDs `<ms>-<seq>`. XADD's `*` takes
//! the clock's milliseconds (the virtual clock under the simulator), or the last ID's
//! next sequence when the clock is not ahead of it; `<ms>-*` generates only the
//! sequence. A stream stays a key when it is left empty. Trimming (`MAXLEN`, `MINID`)
//! with `~` removes whole nodes only (see `db::stream`).

use super::stream_args::{
    add_trim_args, entry_reply, id_reply, interval_end, interval_start, long, node_limits, stream,
    strict_id,
};
use super::typed::wrongtype;
use super::{flags::*, CommandSpec, Ctx};
use crate::db::{Stream, StreamId, Value, LISTPACK_MAX_SIZE};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("xadd", -5, WRITE | DENYOOM | FAST, xadd)
        .keys(1, 1, 1)
        .acl("write stream fast"),
    CommandSpec::new("xlen", 2, READONLY | FAST, xlen)
        .keys(1, 1, 1)
        .acl("read stream fast"),
    CommandSpec::new("xrange", -4, READONLY, xrange)
        .keys(1, 1, 1)
        .acl("read stream slow"),
    CommandSpec::new("xrevrange", -4, READONLY, xrevrange)
        .keys(1, 1, 1)
        .acl("read stream slow"),
    CommandSpec::new("xdel", -3, WRITE | FAST, xdel)
        .keys(1, 1, 1)
        .acl("write stream fast"),
    CommandSpec::new("xtrim", -4, WRITE, xtrim)
        .keys(1, 1, 1)
        .acl("write stream slow"),
    CommandSpec::new(
        "xsetid",
        -3,
        WRITE | DENYOOM | FAST | SIGNALS_OWN_KEYS,
        xsetid,
    )
    .keys(1, 1, 1)
    .acl("write stream fast"),
];

const ID_TOO_SMALL: &str =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value
/// [field value …]: the new entry's ID; nil with NOMKSTREAM on a missing key.
fn xadd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let max_entries = ctx.store.config.stream_node_max_entries;
    let args = match add_trim_args(argv, true, max_entries) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let field_pos = args.id_pos + 1;
    let fields = argv.len().saturating_sub(field_pos);
    if field_pos > argv.len() || fields < 2 || fields % 2 == 1 {
        return super::wrong_arity("xadd");
    }
    if let Some((id, true)) = args.id {
        if id.is_zero() {
            return Reply::error("ERR The ID specified in XADD must be greater than 0-0");
        }
    }
    let now = ctx.now_ms;
    let clock_ms = ctx.live_ms();
    let limits = node_limits(ctx);
    let db = ctx.db();
    match db.get(&argv[1], now) {
        Some(Value::Stream(_)) => {}
        Some(_) => return wrongtype(),
        None if args.no_mkstream => return Reply::Null,
        None => db.set(&argv[1], Value::Stream(Box::default())),
    }
    let Ok(Some(s)) = stream(db, &argv[1], now) else {
        return wrongtype();
    };
    if s.last_id() == StreamId::MAX {
        return Reply::error(
            "ERR The stream has exhausted the last possible ID, unable to add more items",
        );
    }
    let id = match next_id(s, args.id, clock_ms) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let pairs = &argv[field_pos..];
    if pairs.iter().map(|p| p.len() as u64).sum::<u64>() > LISTPACK_MAX_SIZE {
        return Reply::error("ERR Elements are too large to be stored");
    }
    s.append(id, pairs.to_vec(), limits);
    let trimmed = args
        .trim
        .map_or(0, |to| s.trim(to, args.approx, args.limit));
    // Redis writes the new ID before it notifies.
    ctx.notify_after_reply(notify::STREAM, "xadd", &argv[1]);
    if trimmed > 0 {
        ctx.notify_after_reply(notify::STREAM, "xtrim", &argv[1]);
    }
    ctx.dirty(1);
    id_reply(id)
}

/// The ID an XADD uses (`streamAppendItem`'s first half): it must be above the last.
fn next_id(s: &Stream, given: Option<(StreamId, bool)>, clock_ms: u64) -> Result<StreamId, Reply> {
    let last = s.last_id();
    let id = match given {
        Some((id, true)) => Some(id),
        Some((id, false)) if id.ms == last.ms => {
            if last.seq == u64::MAX {
                // Redis fails without naming the reason: its errno is not EDOM.
                return Err(Reply::error("ERR Elements are too large to be stored"));
            }
            Some(StreamId::new(last.ms, last.seq + 1))
        }
        Some((id, false)) => Some(id),
        None if clock_ms > last.ms => Some(StreamId::new(clock_ms, 0)),
        None => last.next(),
    };
    match id {
        Some(id) if id > last => Ok(id),
        _ => Err(Reply::error(ID_TOO_SMALL)),
    }
}

fn xlen(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match stream(ctx.db(), &argv[1], now) {
        Err(e) => e,
        Ok(None) => Reply::Integer(0),
        Ok(Some(s)) => Reply::Integer(s.len() as i64),
    }
}

fn xrange(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    range_command(ctx, argv, false)
}

fn xrevrange(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    range_command(ctx, argv, true)
}

/// XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n].
fn range_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], rev: bool) -> Reply {
    let (start_arg, end_arg) = if rev {
        (&argv[3], &argv[2])
    } else {
        (&argv[2], &argv[3])
    };
    let start = match interval_start(start_arg) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let end = match interval_end(end_arg) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let mut count: i64 = -1;
    let mut j = 4;
    while j < argv.len() {
        if argv[j].eq_ignore_ascii_case(b"count") && j + 1 < argv.len() {
            count = match long(&argv[j + 1], None) {
                Ok(n) => n.max(0),
                Err(e) => return e,
            };
            j += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    let now = ctx.now_ms;
    let s = match stream(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(vec![]),
        Ok(Some(s)) => s,
    };
    if count == 0 {
        return Reply::NullArray;
    }
    let take = if count < 0 {
        usize::MAX
    } else {
        count as usize
    };
    Reply::Array(
        s.range(start, end, rev)
            .take(take)
            .map(entry_reply)
            .collect(),
    )
}

/// XDEL key id…: how many entries were deleted.
fn xdel(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    let mut ids = Vec::with_capacity(argv.len() - 2);
    {
        match stream(ctx.db(), &argv[1], now) {
            Err(e) => return e,
            Ok(None) => return Reply::Integer(0),
            Ok(Some(_)) => {}
        }
    }
    for arg in &argv[2..] {
        match strict_id(arg) {
            Ok(id) => ids.push(id),
            Err(e) => return e,
        }
    }
    let Ok(Some(s)) = stream(ctx.db(), &argv[1], now) else {
        return Reply::Integer(0);
    };
    let deleted = s.delete(&ids);
    if deleted > 0 {
        ctx.notify(notify::STREAM, "xdel", &argv[1]);
    }
    ctx.dirty(deleted);
    Reply::Integer(deleted as i64)
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]: how many entries went.
fn xtrim(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let max_entries = ctx.store.config.stream_node_max_entries;
    let args = match add_trim_args(argv, false, max_entries) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let s = match stream(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(s)) => s,
    };
    let Some(to) = args.trim else {
        return Reply::Integer(0);
    };
    let deleted = s.trim(to, args.approx, args.limit);
    if deleted > 0 {
        ctx.notify(notify::STREAM, "xtrim", &argv[1]);
    }
    ctx.dirty(deleted);
    Reply::Integer(deleted as i64)
}

/// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id].
fn xsetid(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let id = match strict_id(&argv[2]) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let mut entries_added: i64 = -1;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if argv[i].eq_ignore_ascii_case(b"entriesadded") && more > 0 {
            entries_added = match long(&argv[i + 1], None) {
                Ok(n) if n < 0 => return Reply::error("ERR entries_added must be positive"),
                Ok(n) => n,
                Err(e) => return e,
            };
            i += 2;
        } else if argv[i].eq_ignore_ascii_case(b"maxdeletedid") && more > 0 {
            max_deleted = match strict_id(&argv[i + 1]) {
                Ok(m) if id < m => {
                    return Reply::error(
                        "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                    )
                }
                Ok(m) => m,
                Err(e) => return e,
            };
            i += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    let now = ctx.now_ms;
    let s = match stream(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(None) => return Reply::error(errors::NO_SUCH_KEY),
        Ok(Some(s)) => s,
    };
    if !s.is_empty() {
        if id < s.last_live_id() {
            return Reply::error(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            );
        }
        if entries_added != -1 && s.len() > entries_added as u64 {
            return Reply::error(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            );
        }
    }
    s.set_ids(
        id,
        (entries_added != -1).then_some(entries_added as u64),
        (!max_deleted.is_zero()).then_some(max_deleted),
    );
    ctx.notify_after_reply(notify::STREAM, "xsetid", &argv[1]);
    ctx.dirty(1);
    Reply::ok()
}
