//! Consumer group management: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER,
//! DELCONSUMER, HELP), XACK and XPENDING.
//!
//! A group remembers the last ID it delivered and, since 7.0, how many entries it has
//! read (`entries_read`, used for the lag; -1 when unknown). Delivered entries stay
//! pending, owned by a consumer, until XACK; XPENDING lists them with their idle time
//! (from the clock) and delivery count.
//!
//! As in Redis, group changes are not signalled to WATCH (`SIGNALS_OWN_KEYS`): only
//! the stream that XGROUP CREATE … MKSTREAM makes is.

use super::stream_args::{
    id_reply, interval_end, interval_start, long, loose_id, stream, strict_id,
};
use super::typed::wrongtype;
use super::{flags::*, subcommand_syntax_error, CommandSpec, Ctx};
use crate::db::{Group, Stream, StreamId, Value, INVALID_ENTRIES_READ};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("xgroup", -2, 0, xgroup_help)
        .acl("slow")
        .subcommands(&[
            CommandSpec::new("create", -5, WRITE | DENYOOM | SIGNALS_OWN_KEYS, xgroup)
                .keys(2, 2, 1)
                .acl("write stream slow"),
            CommandSpec::new("setid", -5, WRITE | SIGNALS_OWN_KEYS, xgroup)
                .keys(2, 2, 1)
                .acl("write stream slow"),
            CommandSpec::new("destroy", 4, WRITE | SIGNALS_OWN_KEYS, xgroup)
                .keys(2, 2, 1)
                .acl("write stream slow"),
            CommandSpec::new(
                "createconsumer",
                5,
                WRITE | DENYOOM | SIGNALS_OWN_KEYS,
                xgroup,
            )
            .keys(2, 2, 1)
            .acl("write stream slow"),
            CommandSpec::new("delconsumer", 5, WRITE | SIGNALS_OWN_KEYS, xgroup)
                .keys(2, 2, 1)
                .acl("write stream slow"),
            CommandSpec::new("help", 2, LOADING | STALE, xgroup_help).acl("stream slow"),
        ]),
    CommandSpec::new("xack", -4, WRITE | FAST | SIGNALS_OWN_KEYS, xack)
        .keys(1, 1, 1)
        .acl("write stream fast"),
    CommandSpec::new("xpending", -3, READONLY, xpending)
        .keys(1, 1, 1)
        .acl("read stream slow"),
];

/// `NOGROUP No such key 'k' or consumer group 'g'` (+ `suffix`).
pub(crate) fn no_group(key: &[u8], group: &[u8], suffix: &str) -> Reply {
    Reply::error(format!(
        "NOGROUP No such key '{}' or consumer group '{}'{suffix}",
        String::from_utf8_lossy(super::c_str(key, usize::MAX)),
        String::from_utf8_lossy(super::c_str(group, usize::MAX)),
    ))
}

/// `NOGROUP No such consumer group 'g' for key name 'k'`.
pub(crate) fn no_such_group(key: &[u8], group: &[u8]) -> Reply {
    Reply::error(format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        String::from_utf8_lossy(super::c_str(group, usize::MAX)),
        String::from_utf8_lossy(super::c_str(key, usize::MAX)),
    ))
}

fn xgroup_help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("xgroup");
    }
    let lines = [
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}

/// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER key group …, in
/// `xgroupCommand`'s order: options, the key, the group, then the subcommand.
fn xgroup(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let sub = argv[1].to_ascii_lowercase();
    let (mkstream, entries_read) = match xgroup_options(argv, &sub) {
        Ok(options) => options,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    let key = &argv[2];
    let group_name = &argv[3];
    let exists = match stream(ctx.db(), key, now) {
        Err(e) => return e,
        Ok(s) => s.is_some(),
    };
    if !exists && !mkstream {
        return Reply::error(
            "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
        );
    }
    let has_group = exists && {
        let Ok(Some(s)) = stream(ctx.db(), key, now) else {
            return wrongtype();
        };
        s.groups.contains_key(group_name.as_slice())
    };
    if exists && !has_group && matches!(&sub[..], b"setid" | b"createconsumer" | b"delconsumer") {
        return no_such_group(key, group_name);
    }
    let argc = argv.len();
    match &sub[..] {
        b"create" if (5..=8).contains(&argc) => xgroup_create(ctx, argv, exists, entries_read),
        b"setid" if argc == 5 || argc == 7 => xgroup_setid(ctx, argv, entries_read),
        b"destroy" if argc == 4 => xgroup_destroy(ctx, argv),
        b"createconsumer" if argc == 5 => xgroup_createconsumer(ctx, argv),
        b"delconsumer" if argc == 5 => xgroup_delconsumer(ctx, argv),
        _ => subcommand_syntax_error(argv),
    }
}

/// XGROUP's options after the id: MKSTREAM (CREATE) and ENTRIESREAD n (CREATE, SETID).
fn xgroup_options(argv: &[Vec<u8>], sub: &[u8]) -> Result<(bool, i64), Reply> {
    let create = sub == b"create";
    let setid = sub == b"setid";
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let mut i = 5;
    while i < argv.len() {
        if create && argv[i].eq_ignore_ascii_case(b"mkstream") {
            mkstream = true;
            i += 1;
        } else if (create || setid)
            && argv[i].eq_ignore_ascii_case(b"entriesread")
            && i + 1 < argv.len()
        {
            entries_read = match long(&argv[i + 1], None) {
                Ok(n) if n < 0 && n != INVALID_ENTRIES_READ => {
                    return Err(Reply::error(
                        "ERR value for ENTRIESREAD must be positive or -1",
                    ))
                }
                Ok(n) => n,
                Err(e) => return Err(e),
            };
            i += 2;
        } else {
            return Err(subcommand_syntax_error(argv));
        }
    }
    Ok((mkstream, entries_read))
}

/// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n].
fn xgroup_create(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], exists: bool, entries_read: i64) -> Reply {
    let (now, key, group_name) = (ctx.now_ms, &argv[2], &argv[3]);
    let id = if argv[4] == b"$" {
        match stream(ctx.db(), key, now) {
            Ok(Some(s)) => s.last_id(),
            _ => StreamId::MIN,
        }
    } else {
        match strict_id(&argv[4]) {
            Ok(id) => id,
            Err(e) => return e,
        }
    };
    if !exists {
        ctx.db().set(key, Value::Stream(Box::default()));
        // The one XGROUP change Redis signals to WATCH: a stream made by MKSTREAM.
        ctx.touch(key);
    }
    let Ok(Some(s)) = stream(ctx.db(), key, now) else {
        return wrongtype();
    };
    if s.groups.contains_key(group_name.as_slice()) {
        return Reply::error("BUSYGROUP Consumer Group name already exists");
    }
    s.groups
        .insert(group_name.clone(), Group::new(id, entries_read));
    ctx.notify_after_reply(notify::STREAM, "xgroup-create", key);
    ctx.dirty(1);
    Reply::ok()
}

/// XGROUP SETID key group id|$ [ENTRIESREAD n] (the group exists).
fn xgroup_setid(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], entries_read: i64) -> Reply {
    let (now, key, group_name) = (ctx.now_ms, &argv[2], &argv[3]);
    let Ok(Some(s)) = stream(ctx.db(), key, now) else {
        return wrongtype();
    };
    let id = if argv[4] == b"$" {
        s.last_id()
    } else {
        match loose_id(&argv[4], 0) {
            Ok(id) => id,
            Err(e) => return e,
        }
    };
    let group = s.groups.get_mut(group_name.as_slice()).expect("checked");
    group.last_id = id;
    group.entries_read = entries_read;
    ctx.notify_after_reply(notify::STREAM, "xgroup-setid", key);
    ctx.dirty(1);
    Reply::ok()
}

/// XGROUP DESTROY key group: 1 if it was there.
fn xgroup_destroy(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (now, key, group_name) = (ctx.now_ms, &argv[2], &argv[3]);
    let Ok(Some(s)) = stream(ctx.db(), key, now) else {
        return wrongtype();
    };
    if s.groups.remove(group_name.as_slice()).is_some() {
        ctx.notify_after_reply(notify::STREAM, "xgroup-destroy", key);
        ctx.dirty(1);
        Reply::Integer(1)
    } else {
        Reply::Integer(0)
    }
}

/// XGROUP CREATECONSUMER key group consumer (the group exists): 1 if it was created.
fn xgroup_createconsumer(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (now, key, group_name) = (ctx.now_ms, &argv[2], &argv[3]);
    let clock = ctx.live_ms() as i64;
    let Ok(Some(s)) = stream(ctx.db(), key, now) else {
        return wrongtype();
    };
    let group = s.groups.get_mut(group_name.as_slice()).expect("checked");
    let created = group.create_consumer(&argv[4], clock);
    if created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
        ctx.dirty(1);
    }
    Reply::Integer(created as i64)
}

/// XGROUP DELCONSUMER key group consumer (the group exists): its pending entries.
fn xgroup_delconsumer(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (now, key, group_name) = (ctx.now_ms, &argv[2], &argv[3]);
    let Ok(Some(s)) = stream(ctx.db(), key, now) else {
        return wrongtype();
    };
    let group = s.groups.get_mut(group_name.as_slice()).expect("checked");
    match group.delete_consumer(&argv[4]) {
        Some(pending) => {
            ctx.notify(notify::STREAM, "xgroup-delconsumer", key);
            ctx.dirty(1);
            Reply::Integer(pending as i64)
        }
        None => Reply::Integer(0),
    }
}

/// The group `name` of the stream under `key`, or the reply for a missing key, a wrong
/// type or a missing group (`missing`).
pub(crate) fn group_of<'a>(
    ctx: &'a mut Ctx<'_>,
    key: &[u8],
    name: &[u8],
    missing: impl FnOnce() -> Reply,
) -> Result<(&'a mut Stream, Group), Reply> {
    let now = ctx.now_ms;
    match stream(ctx.db(), key, now)? {
        Some(s) => match s.groups.remove(name) {
            Some(g) => Ok((s, g)),
            None => Err(missing()),
        },
        None => Err(missing()),
    }
}

/// XACK key group id…: how many of the IDs were pending (and are no more).
fn xack(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    match stream(ctx.db(), &argv[1], now) {
        Err(e) => return e,
        Ok(Some(s)) if s.groups.contains_key(argv[2].as_slice()) => {}
        Ok(_) => return Reply::Integer(0),
    }
    let mut ids = Vec::with_capacity(argv.len() - 3);
    for arg in &argv[3..] {
        match strict_id(arg) {
            Ok(id) => ids.push(id),
            Err(e) => return e,
        }
    }
    let Ok(Some(s)) = stream(ctx.db(), &argv[1], now) else {
        return Reply::Integer(0);
    };
    let group = s.groups.get_mut(argv[2].as_slice()).expect("checked");
    let acked = ids.into_iter().filter(|&id| group.forget(id)).count();
    ctx.dirty(acked as u64);
    Reply::Integer(acked as i64)
}

/// XPENDING key group [[IDLE min-idle] start end count [consumer]].
fn xpending(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let argc = argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Reply::error(errors::SYNTAX);
    }
    let mut range = None;
    if argc >= 6 {
        let mut at = 3;
        let mut min_idle = 0;
        if argv[3].eq_ignore_ascii_case(b"idle") {
            min_idle = match long(&argv[4], None) {
                Ok(n) => n,
                Err(e) => return e,
            };
            if argc < 8 {
                return Reply::error(errors::SYNTAX);
            }
            at += 2;
        }
        let count = match long(&argv[at + 2], None) {
            Ok(n) => n.max(0),
            Err(e) => return e,
        };
        let start = match interval_start(&argv[at]) {
            Ok(id) => id,
            Err(e) => return e,
        };
        let end = match interval_end(&argv[at + 1]) {
            Ok(id) => id,
            Err(e) => return e,
        };
        let consumer = argv.get(at + 3).cloned();
        range = Some((min_idle, start, end, count, consumer));
    }
    let clock = ctx.live_ms() as i64;
    let (key, name) = (&argv[1], &argv[2]);
    let (s, group) = match group_of(ctx, key, name, || no_group(key, name, "")) {
        Ok(found) => found,
        Err(e) => return e,
    };
    let reply = match range {
        None => summary(&group),
        Some((min_idle, start, end, count, consumer)) => {
            let ids: Box<dyn Iterator<Item = StreamId>> = match &consumer {
                Some(c) => match group.consumers.get(c.as_slice()) {
                    Some(c) => Box::new(c.pel.range(start..).copied()),
                    None => Box::new(std::iter::empty()),
                },
                None => Box::new(group.pel.range(start..).map(|(id, _)| *id)),
            };
            let mut out = Vec::new();
            let mut left = count;
            for id in ids {
                if left == 0 || id > end {
                    break;
                }
                let nack = &group.pel[&id];
                let idle = clock - nack.delivery_time;
                if min_idle != 0 && idle < min_idle {
                    continue;
                }
                left -= 1;
                out.push(Reply::Array(vec![
                    id_reply(id),
                    Reply::bulk(nack.consumer.clone().unwrap_or_default()),
                    Reply::Integer(idle.max(0)),
                    Reply::Integer(nack.delivery_count as i64),
                ]));
            }
            Reply::Array(out)
        }
    };
    s.groups.insert(name.clone(), group);
    reply
}

/// XPENDING's summary: how many, the lowest and highest ID, and per consumer how many.
fn summary(group: &Group) -> Reply {
    let (Some((first, _)), Some((last, _))) =
        (group.pel.first_key_value(), group.pel.last_key_value())
    else {
        return Reply::Array(vec![
            Reply::Integer(0),
            Reply::Null,
            Reply::Null,
            Reply::NullArray,
        ]);
    };
    let consumers = group
        .consumers
        .iter()
        .filter(|(_, c)| !c.pel.is_empty())
        .map(|(name, c)| {
            Reply::Array(vec![
                Reply::bulk(name.clone()),
                Reply::bulk_int(c.pel.len() as i64),
            ])
        })
        .collect();
    Reply::Array(vec![
        Reply::Integer(group.pel.len() as i64),
        id_reply(*first),
        id_reply(*last),
        Reply::Array(consumers),
    ])
}
