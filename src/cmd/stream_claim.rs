//! XCLAIM and XAUTOCLAIM: taking pending entries over from another consumer.
//!
//! An entry idle for at least `min-idle-time` ms changes owner (the claiming consumer
//! is created if needed), its delivery time becomes now (or IDLE/TIME) and its delivery
//! count goes up (unless JUSTID; RETRYCOUNT sets it). A pending entry whose stream
//! entry was deleted is dropped from the pending list instead; XAUTOCLAIM lists those
//! in its third reply element (7.0), and answers a cursor to continue from. Neither is
//! signalled to WATCH, as in Redis.

use super::stream_args::{entry_reply, id_reply, interval_start, long, strict_id};
use super::stream_group::{group_of, no_group};
use super::{flags::*, CommandSpec, Ctx};
use crate::db::{Nack, StreamId};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("xclaim", -6, WRITE | FAST | SIGNALS_OWN_KEYS, xclaim)
        .keys(1, 1, 1)
        .acl("write stream fast"),
    CommandSpec::new(
        "xautoclaim",
        -6,
        WRITE | FAST | SIGNALS_OWN_KEYS,
        xautoclaim,
    )
    .keys(1, 1, 1)
    .acl("write stream fast"),
];

/// XCLAIM key group consumer min-idle-time id… [IDLE ms] [TIME unix-ms]
/// [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id].
fn xclaim(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    // The key and the group come first, then the arguments.
    {
        let (key, name) = (&argv[1], &argv[2]);
        match group_of(ctx, key, name, || no_group(key, name, "")) {
            Ok((s, g)) => {
                s.groups.insert(name.clone(), g);
            }
            Err(e) => return e,
        }
    }
    let min_idle = match long(&argv[4], Some("Invalid min-idle-time argument for XCLAIM")) {
        Ok(n) => n.max(0),
        Err(e) => return e,
    };
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argv.len() {
        match strict_id(&argv[j]) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let clock = ctx.live_ms() as i64;
    let options = match XclaimOptions::parse(argv, j, clock) {
        Ok(options) => options,
        Err(e) => return e,
    };
    let XclaimOptions {
        force,
        justid,
        delivery_time,
        retry_count,
        last_id,
    } = options;
    let (key, name, consumer) = (&argv[1], &argv[2], &argv[3]);
    let Ok((s, mut group)) = group_of(ctx, key, name, || Reply::Null) else {
        return Reply::error(errors::WRONGTYPE);
    };
    let mut dirty = 0;
    if last_id > group.last_id {
        group.last_id = last_id;
        dirty += 1;
    }
    let mut consumer_seen = false;
    let mut consumer_created = false;
    let mut out = Vec::new();
    for id in ids {
        let pending = group.pel.contains_key(&id);
        if s.get(id).is_none() {
            if pending {
                group.forget(id);
                dirty += 1;
            }
            continue;
        }
        if force && !pending {
            group.pel.insert(
                id,
                Nack {
                    consumer: None,
                    delivery_time: clock,
                    delivery_count: 1,
                },
            );
        } else if !pending {
            continue;
        }
        let nack = &group.pel[&id];
        if nack.consumer.is_some() && min_idle != 0 && clock - nack.delivery_time < min_idle {
            continue;
        }
        if !consumer_seen {
            consumer_created = group.touch_consumer(consumer, clock);
            consumer_seen = true;
        }
        group.assign(id, consumer);
        let nack = group.pel.get_mut(&id).expect("pending");
        nack.delivery_time = delivery_time;
        if retry_count >= 0 {
            nack.delivery_count = retry_count as u64;
        } else if !justid {
            nack.delivery_count += 1;
        }
        out.push(if justid {
            id_reply(id)
        } else {
            entry_reply(s.get(id).expect("a live entry"))
        });
        dirty += 1;
    }
    s.groups.insert(name.clone(), group);
    if consumer_created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", &argv[1]);
    }
    ctx.dirty(dirty);
    Reply::Array(out)
}

/// XCLAIM's options after the ids.
struct XclaimOptions {
    force: bool,
    justid: bool,
    /// The claimed entries' new delivery time: IDLE's or TIME's, never in the future.
    delivery_time: i64,
    /// RETRYCOUNT (-1: count the delivery).
    retry_count: i64,
    /// LASTID: the group's last id moves up to it.
    last_id: StreamId,
}

impl XclaimOptions {
    /// The options from `argv[j..]`, Redis's errors for a bad one; `clock` is now.
    fn parse(argv: &[Vec<u8>], mut j: usize, clock: i64) -> Result<XclaimOptions, Reply> {
        let mut o = XclaimOptions {
            force: false,
            justid: false,
            delivery_time: -1,
            retry_count: -1,
            last_id: StreamId::MIN,
        };
        let number = |arg: &[u8], name: &str| {
            long(
                arg,
                Some(&format!("Invalid {name} option argument for XCLAIM")),
            )
        };
        while j < argv.len() {
            let more = argv.len() - 1 - j;
            let opt = &argv[j];
            if opt.eq_ignore_ascii_case(b"force") {
                o.force = true;
            } else if opt.eq_ignore_ascii_case(b"justid") {
                o.justid = true;
            } else if opt.eq_ignore_ascii_case(b"idle") && more > 0 {
                j += 1;
                o.delivery_time = clock.wrapping_sub(number(&argv[j], "IDLE")?);
            } else if opt.eq_ignore_ascii_case(b"time") && more > 0 {
                j += 1;
                o.delivery_time = number(&argv[j], "TIME")?;
            } else if opt.eq_ignore_ascii_case(b"retrycount") && more > 0 {
                j += 1;
                o.retry_count = number(&argv[j], "RETRYCOUNT")?;
            } else if opt.eq_ignore_ascii_case(b"lastid") && more > 0 {
                j += 1;
                o.last_id = strict_id(&argv[j])?;
            } else {
                return Err(Reply::error(format!(
                    "ERR Unrecognized XCLAIM option '{}'",
                    String::from_utf8_lossy(super::c_str(opt, usize::MAX))
                )));
            }
            j += 1;
        }
        if o.delivery_time == -1 || o.delivery_time < 0 || o.delivery_time > clock {
            o.delivery_time = clock;
        }
        Ok(o)
    }
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT n] [JUSTID]:
/// `[next-cursor, claimed, deleted-ids]`.
fn xautoclaim(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let min_idle = match long(
        &argv[4],
        Some("Invalid min-idle-time argument for XAUTOCLAIM"),
    ) {
        Ok(n) => n.max(0),
        Err(e) => return e,
    };
    let start = match interval_start(&argv[5]) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if argv[j].eq_ignore_ascii_case(b"count") && more > 0 {
            let max_count = i64::MAX / 16;
            count = match super::args::parse_i64(&argv[j + 1]) {
                Some(n) if (1..=max_count).contains(&n) => n,
                _ => return Reply::error("ERR COUNT must be > 0"),
            };
            j += 1;
        } else if argv[j].eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    let clock = ctx.live_ms() as i64;
    let (key, name, consumer) = (&argv[1], &argv[2], &argv[3]);
    let (s, mut group) = match group_of(ctx, key, name, || no_group(key, name, "")) {
        Ok(found) => found,
        Err(e) => return e,
    };
    let mut attempts = count.saturating_mul(10);
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut dirty = 0;
    let mut consumer_seen = false;
    let mut consumer_created = false;
    // Where the next pending entry is looked for; `None` past the largest ID.
    let mut cursor = Some(start);
    let next;
    loop {
        // `attempts-- && count && raxNext`: the next pending entry is read only when
        // neither budget is spent; the cursor is the entry after the last one read.
        let candidate = cursor.and_then(|c| group.pel.range(c..).next().map(|(id, _)| *id));
        if attempts == 0 || count == 0 {
            next = candidate;
            break;
        }
        attempts -= 1;
        let Some(id) = candidate else {
            next = None;
            break;
        };
        cursor = id.next();
        if s.get(id).is_none() {
            group.forget(id);
            deleted.push(id_reply(id));
            dirty += 1;
            count -= 1;
            continue;
        }
        let idle = clock - group.pel[&id].delivery_time;
        if min_idle != 0 && idle < min_idle {
            continue;
        }
        if !consumer_seen {
            consumer_created = group.touch_consumer(consumer, clock);
            consumer_seen = true;
        }
        group.assign(id, consumer);
        let nack = group.pel.get_mut(&id).expect("pending");
        nack.delivery_time = clock;
        if !justid {
            nack.delivery_count += 1;
        }
        claimed.push(if justid {
            id_reply(id)
        } else {
            entry_reply(s.get(id).expect("a live entry"))
        });
        count -= 1;
        dirty += 1;
    }
    s.groups.insert(name.clone(), group);
    if consumer_created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", &argv[1]);
    }
    ctx.dirty(dirty);
    Reply::Array(vec![
        id_reply(next.unwrap_or(StreamId::MIN)),
        Reply::Array(claimed),
        Reply::Array(deleted),
    ])
}
