//! XREAD and XREADGROUP (Redis's `xreadCommand`).
//!
//! XREAD returns, for each stream with entries above the given ID (`$`: the stream's
//! last ID), those entries; XREADGROUP reads as a consumer of a group: `>` gives entries
//! never delivered to the group (they become pending for the consumer unless NOACK),
//! another ID gives the consumer's own pending entries from there (an entry deleted
//! since shows as `[id, nil]`). The reply is an array of `[key, entries]` pairs in RESP2
//! and a map in RESP3; nothing to serve answers a null array.
//!
//! With BLOCK, a client with nothing to read waits: the command leaves a block request
//! whose re-run form has `$` resolved to the IDs of the moment and a COUNT (1000 when
//! none was given, as Redis), so that the server's retry reads what arrived after. In
//! MULTI it answers a null array at once; in a script BLOCK is an error. What
//! XREADGROUP changes in its group is not signalled to WATCH, as in Redis.

use super::stream_args::{entry_reply, id_reply, long, stream, strict_id};
use super::typed::resp3;
use super::{flags::*, BlockRequest, CommandSpec, Ctx};
use crate::db::{Group, StreamId, Value};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("xread", -4, READONLY | BLOCKING | MOVABLEKEYS, xread)
        .key_finder(keys)
        .acl("read stream slow blocking"),
    CommandSpec::new(
        "xreadgroup",
        -7,
        WRITE | BLOCKING | MOVABLEKEYS | SIGNALS_OWN_KEYS,
        xreadgroup,
    )
    .key_finder(keys)
    .acl("write stream slow blocking"),
];

/// Redis's `XREAD_BLOCKED_DEFAULT_COUNT`.
const BLOCKED_DEFAULT_COUNT: i64 = 1000;

/// Where to read a stream from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum From {
    /// Entries above this ID (XREADGROUP: this consumer's pending entries from the next).
    After(StreamId),
    /// XREADGROUP's `>`.
    New,
}

/// XREAD [COUNT n] [BLOCK ms] STREAMS key… id….
fn xread(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    read(ctx, argv, false)
}

/// XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key… id….
fn xreadgroup(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    read(ctx, argv, true)
}

/// Keys of XREAD and XREADGROUP (`xreadGetKeys`): the first half of what follows the
/// STREAMS word, found by skipping the options before it.
fn keys(argv: &[Vec<u8>]) -> Vec<usize> {
    let mut i = 1;
    let mut streams = None;
    while i < argv.len() {
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"block") || a.eq_ignore_ascii_case(b"count") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"group") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"noack") {
        } else if a.eq_ignore_ascii_case(b"streams") {
            streams = Some(i);
            break;
        } else {
            break;
        }
        i += 1;
    }
    let Some(pos) = streams else {
        return Vec::new();
    };
    let num = argv.len() - pos - 1;
    if num == 0 || !num.is_multiple_of(2) {
        return Vec::new();
    }
    (pos + 1..pos + 1 + num / 2).collect()
}

struct Request<'a> {
    count: i64,
    block_ms: Option<u64>,
    group: Option<(&'a [u8], &'a [u8])>,
    noack: bool,
    keys: &'a [Vec<u8>],
}

fn read(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], xreadgroup: bool) -> Reply {
    let mut req = Request {
        count: 0,
        block_ms: None,
        group: None,
        noack: false,
        keys: &[],
    };
    let mut streams_arg = 0;
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let o = &argv[i];
        if o.eq_ignore_ascii_case(b"block") && more > 0 {
            if ctx.caller == super::Caller::Script {
                return Reply::error(format!(
                    "ERR {} command is not allowed with BLOCK option from scripts",
                    String::from_utf8_lossy(super::c_str(&argv[0], usize::MAX))
                ));
            }
            i += 1;
            match long(&argv[i], Some("timeout is not an integer or out of range")) {
                Ok(t) if t < 0 => return Reply::error("ERR timeout is negative"),
                Ok(t) => req.block_ms = Some(t as u64),
                Err(e) => return e,
            }
        } else if o.eq_ignore_ascii_case(b"count") && more > 0 {
            i += 1;
            req.count = match long(&argv[i], None) {
                Ok(n) => n.max(0),
                Err(e) => return e,
            };
        } else if o.eq_ignore_ascii_case(b"streams") && more > 0 {
            streams_arg = i + 1;
            if !(argv.len() - streams_arg).is_multiple_of(2) {
                return Reply::error(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                );
            }
            break;
        } else if o.eq_ignore_ascii_case(b"group") && more >= 2 {
            if !xreadgroup {
                return Reply::error(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                );
            }
            req.group = Some((&argv[i + 1], &argv[i + 2]));
            i += 2;
        } else if o.eq_ignore_ascii_case(b"noack") {
            if !xreadgroup {
                return Reply::error(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                );
            }
            req.noack = true;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        i += 1;
    }
    if streams_arg == 0 {
        return Reply::error(errors::SYNTAX);
    }
    if xreadgroup && req.group.is_none() {
        return Reply::error("ERR Missing GROUP option for XREADGROUP");
    }
    let n = (argv.len() - streams_arg) / 2;
    req.keys = &argv[streams_arg..streams_arg + n];
    let mut froms = Vec::with_capacity(n);
    let now = ctx.now_ms;
    // The server re-runs a blocked XREADGROUP when its keys change: a key that is gone
    // (or is no stream now) or a group that is gone unblocks it with Redis's errors
    // (`unblockDeletedStreamReadgroupClients`, `serveClientsBlockedOnStreamKey`).
    let retry = xreadgroup
        && ctx.caller == super::Caller::Client
        && ctx.store.session(ctx.client).blocked.is_some();
    for (key, arg) in req.keys.iter().zip(&argv[streams_arg + n..]) {
        let s = match stream(ctx.db(), key, now) {
            Ok(None) | Err(_) if retry => {
                return Reply::error("UNBLOCKED the stream key no longer exists")
            }
            Ok(s) => s.map(|s| &*s),
            Err(e) => return e,
        };
        if let Some((group, _)) = req.group {
            if retry && !s.is_some_and(|s| s.groups.contains_key(group)) {
                return Reply::error(
                    "NOGROUP the consumer group this client was blocked on no longer exists",
                );
            }
            if !s.is_some_and(|s| s.groups.contains_key(group)) {
                return Reply::error(format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    String::from_utf8_lossy(super::c_str(key, usize::MAX)),
                    String::from_utf8_lossy(super::c_str(group, usize::MAX)),
                ));
            }
        }
        if arg == b"$" {
            if xreadgroup {
                return Reply::error(
                    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
                );
            }
            froms.push(From::After(s.map_or(StreamId::MIN, |s| s.last_id())));
        } else if arg == b">" {
            if !xreadgroup {
                return Reply::error(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                );
            }
            froms.push(From::New);
        } else {
            match strict_id(arg) {
                Ok(id) => froms.push(From::After(id)),
                Err(e) => return e,
            }
        }
    }
    let served = serve(ctx, &req, &froms);
    if !served.is_empty() {
        return if resp3(ctx) {
            Reply::Map(served)
        } else {
            Reply::Array(
                served
                    .into_iter()
                    .map(|(k, v)| Reply::Array(vec![k, v]))
                    .collect(),
            )
        };
    }
    if let Some(timeout_ms) = req.block_ms {
        if !ctx.cannot_block() {
            let db = ctx.db_index();
            let retry = retry_argv(argv, &req, &froms);
            ctx.session().block = Some(BlockRequest {
                db,
                keys: req.keys.to_vec(),
                timeout_ms,
                retry: Some(retry),
            });
        }
    }
    Reply::NullArray
}

/// The command a blocked client re-runs: IDs resolved, a COUNT always given.
fn retry_argv(argv: &[Vec<u8>], req: &Request<'_>, froms: &[From]) -> Vec<Vec<u8>> {
    let mut out = vec![argv[0].clone()];
    if let Some((group, consumer)) = req.group {
        out.extend([b"GROUP".to_vec(), group.to_vec(), consumer.to_vec()]);
    }
    if req.noack {
        out.push(b"NOACK".to_vec());
    }
    let count = if req.count > 0 {
        req.count
    } else {
        BLOCKED_DEFAULT_COUNT
    };
    out.extend([b"COUNT".to_vec(), count.to_string().into_bytes()]);
    out.extend([
        b"BLOCK".to_vec(),
        req.block_ms.unwrap_or(0).to_string().into_bytes(),
        b"STREAMS".to_vec(),
    ]);
    out.extend(req.keys.iter().cloned());
    out.extend(froms.iter().map(|f| match f {
        From::After(id) => id.to_bytes(),
        From::New => b">".to_vec(),
    }));
    out
}

/// Serves what can be served now: `(key, entries)` for each stream that had some.
fn serve(ctx: &mut Ctx<'_>, req: &Request<'_>, froms: &[From]) -> Vec<(Reply, Reply)> {
    let now = ctx.now_ms;
    let clock = ctx.live_ms() as i64;
    let count = if req.count > 0 {
        req.count as usize
    } else {
        usize::MAX
    };
    let mut served = Vec::new();
    let mut dirty = 0;
    // Keys whose group got a new consumer (announced once the streams are let go).
    let mut consumers_created = Vec::new();
    for (key, from) in req.keys.iter().zip(froms) {
        let Some(Value::Stream(s)) = ctx.db().get_mut(key, now) else {
            continue;
        };
        let entries = match req.group {
            None => {
                let From::After(gt) = *from else { continue };
                if s.is_empty() || s.last_live_id() <= gt {
                    continue;
                }
                let start = gt.next().unwrap_or(StreamId::MIN);
                s.range(start, StreamId::MAX, false)
                    .take(count)
                    .map(entry_reply)
                    .collect()
            }
            Some((group_name, consumer)) => {
                let Some(mut group) = s.groups.remove(group_name) else {
                    continue;
                };
                let history = match *from {
                    From::After(id) => Some(id),
                    From::New if !s.is_empty() && s.last_live_id() > group.last_id => None,
                    From::New => {
                        s.groups.insert(group_name.to_vec(), group);
                        continue;
                    }
                };
                if group.touch_consumer(consumer, clock) {
                    consumers_created.push(key.clone());
                }
                let entries = match history {
                    Some(id) => {
                        let start = id.next().unwrap_or(StreamId::MIN);
                        history_entries(s, &mut group, consumer, start, count, clock)
                    }
                    None => {
                        let start = group.last_id.next().unwrap_or(StreamId::MIN);
                        let ids: Vec<StreamId> = s
                            .range(start, StreamId::MAX, false)
                            .take(count)
                            .map(|e| e.id)
                            .collect();
                        let mut out = Vec::with_capacity(ids.len());
                        for id in ids {
                            s.advance_group(&mut group, id);
                            if !req.noack {
                                group.deliver(id, consumer, clock);
                            }
                            out.push(entry_reply(s.get(id).expect("a live entry")));
                        }
                        out
                    }
                };
                s.groups.insert(group_name.to_vec(), group);
                dirty += 1;
                entries
            }
        };
        served.push((Reply::Bulk(key.clone()), Reply::Array(entries)));
    }
    for key in consumers_created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", &key);
    }
    ctx.dirty(dirty);
    served
}

/// A consumer's pending entries from `start` (`streamReplyWithRangeFromConsumerPEL`):
/// each delivered again (its time and count updated), or `[id, nil]` if deleted.
fn history_entries(
    s: &crate::db::Stream,
    group: &mut Group,
    consumer: &[u8],
    start: StreamId,
    count: usize,
    clock: i64,
) -> Vec<Reply> {
    let ids: Vec<StreamId> = group.consumers[consumer]
        .pel
        .range(start..)
        .take(count)
        .copied()
        .collect();
    ids.into_iter()
        .map(|id| match s.get(id) {
            Some(entry) => {
                if let Some(nack) = group.pel.get_mut(&id) {
                    nack.delivery_time = clock;
                    nack.delivery_count += 1;
                }
                entry_reply(entry)
            }
            None => Reply::Array(vec![id_reply(id), Reply::NullArray]),
        })
        .collect()
}
