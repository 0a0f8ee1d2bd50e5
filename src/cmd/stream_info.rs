//! XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS, XINFO HELP.
//!
//! Maps in RESP3 (flat arrays in RESP2) with Redis 7.0's fields: the stream's length,
//! radix tree sizes, last generated ID, largest deleted ID, entries ever added, recorded
//! first ID; each group's position, read counter and lag (nil when it cannot be known);
//! each consumer's pending count and idle time (from the clock).

use super::stream_args::{entry_reply, id_reply, long, stream};
use super::{flags::*, subcommand_syntax_error, CommandSpec, Ctx};
use crate::db::{Group, Stream, StreamId, INVALID_ENTRIES_READ};
use crate::resp::{errors, Reply};

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("xinfo", -2, 0, xinfo)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("stream", -3, READONLY, xinfo)
            .keys(2, 2, 1)
            .acl("read stream slow"),
        CommandSpec::new("groups", 3, READONLY, xinfo)
            .keys(2, 2, 1)
            .acl("read stream slow"),
        CommandSpec::new("consumers", 4, READONLY, xinfo)
            .keys(2, 2, 1)
            .acl("read stream slow"),
        CommandSpec::new("help", 2, LOADING | STALE, xinfo).acl("stream slow"),
    ])];

fn field(name: &str, value: Reply) -> (Reply, Reply) {
    (Reply::bulk(name), value)
}

fn entries_read(group: &Group) -> Reply {
    if group.entries_read == INVALID_ENTRIES_READ {
        Reply::Null
    } else {
        Reply::Integer(group.entries_read)
    }
}

fn lag(s: &Stream, group: &Group) -> Reply {
    s.lag(group).map_or(Reply::Null, Reply::Integer)
}

fn xinfo(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv[1].eq_ignore_ascii_case(b"help") {
        if argv.len() != 2 {
            return subcommand_syntax_error(argv);
        }
        let lines = [
            "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
            "HELP",
            "    Prints this help.",
        ];
        return Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect());
    }
    if argv.len() < 3 {
        return subcommand_syntax_error(argv);
    }
    let now = ctx.now_ms;
    let clock = ctx.live_ms() as i64;
    let s = match stream(ctx.db(), &argv[2], now) {
        Err(e) => return e,
        Ok(None) => return Reply::error(errors::NO_SUCH_KEY),
        Ok(Some(s)) => s,
    };
    let sub = argv[1].to_ascii_lowercase();
    match &sub[..] {
        b"consumers" if argv.len() == 4 => {
            let Some(group) = s.groups.get(argv[3].as_slice()) else {
                return super::stream_group::no_such_group(&argv[2], &argv[3]);
            };
            Reply::Array(
                group
                    .consumers
                    .iter()
                    .map(|(name, c)| {
                        Reply::Map(vec![
                            field("name", Reply::bulk(name.clone())),
                            field("pending", Reply::Integer(c.pel.len() as i64)),
                            field("idle", Reply::Integer((clock - c.seen_time).max(0))),
                        ])
                    })
                    .collect(),
            )
        }
        b"groups" if argv.len() == 3 => Reply::Array(
            s.groups
                .iter()
                .map(|(name, g)| {
                    Reply::Map(vec![
                        field("name", Reply::bulk(name.clone())),
                        field("consumers", Reply::Integer(g.consumers.len() as i64)),
                        field("pending", Reply::Integer(g.pel.len() as i64)),
                        field("last-delivered-id", id_reply(g.last_id)),
                        field("entries-read", entries_read(g)),
                        field("lag", lag(s, g)),
                    ])
                })
                .collect(),
        ),
        b"stream" => stream_info(s, argv),
        _ => subcommand_syntax_error(argv),
    }
}

/// XINFO STREAM key [FULL [COUNT n]].
fn stream_info(s: &Stream, argv: &[Vec<u8>]) -> Reply {
    let options = &argv[3..];
    let mut full = false;
    let mut count: i64 = 10;
    if !options.is_empty() {
        if (options.len() != 1 && options.len() != 3) || !options[0].eq_ignore_ascii_case(b"full") {
            return subcommand_syntax_error(argv);
        }
        full = true;
        if options.len() == 3 {
            if !options[1].eq_ignore_ascii_case(b"count") {
                return subcommand_syntax_error(argv);
            }
            count = match long(&options[2], None) {
                Ok(n) if n < 0 => 10,
                Ok(n) => n,
                Err(e) => return e,
            };
        }
    }
    let mut map = vec![
        field("length", Reply::Integer(s.len() as i64)),
        field("radix-tree-keys", Reply::Integer(s.node_count() as i64)),
        field(
            "radix-tree-nodes",
            Reply::Integer(s.radix_tree_nodes() as i64),
        ),
        field("last-generated-id", id_reply(s.last_id())),
        field("max-deleted-entry-id", id_reply(s.max_deleted_id())),
        field("entries-added", Reply::Integer(s.entries_added() as i64)),
        field("recorded-first-entry-id", id_reply(s.first_id())),
    ];
    let limit = |n: usize| if count == 0 { n } else { n.min(count as usize) };
    if !full {
        let edge = |rev: bool| {
            s.range(StreamId::MIN, StreamId::MAX, rev)
                .next()
                .map_or(Reply::Null, entry_reply)
        };
        map.push(field("groups", Reply::Integer(s.groups.len() as i64)));
        map.push(field("first-entry", edge(false)));
        map.push(field("last-entry", edge(true)));
        return Reply::Map(map);
    }
    let entries = s
        .range(StreamId::MIN, StreamId::MAX, false)
        .take(limit(usize::MAX))
        .map(entry_reply)
        .collect();
    map.push(field("entries", Reply::Array(entries)));
    let groups = s
        .groups
        .iter()
        .map(|(name, g)| {
            let pending = g
                .pel
                .iter()
                .take(limit(usize::MAX))
                .map(|(id, nack)| {
                    Reply::Array(vec![
                        id_reply(*id),
                        Reply::bulk(nack.consumer.clone().unwrap_or_default()),
                        Reply::Integer(nack.delivery_time),
                        Reply::Integer(nack.delivery_count as i64),
                    ])
                })
                .collect();
            let consumers = g
                .consumers
                .iter()
                .map(|(cname, c)| {
                    let pel = c
                        .pel
                        .iter()
                        .take(limit(usize::MAX))
                        .map(|id| {
                            let nack = &g.pel[id];
                            Reply::Array(vec![
                                id_reply(*id),
                                Reply::Integer(nack.delivery_time),
                                Reply::Integer(nack.delivery_count as i64),
                            ])
                        })
                        .collect();
                    Reply::Map(vec![
                        field("name", Reply::bulk(cname.clone())),
                        field("seen-time", Reply::Integer(c.seen_time)),
                        field("pel-count", Reply::Integer(c.pel.len() as i64)),
                        field("pending", Reply::Array(pel)),
                    ])
                })
                .collect();
            Reply::Map(vec![
                field("name", Reply::bulk(name.clone())),
                field("last-delivered-id", id_reply(g.last_id)),
                field("entries-read", entries_read(g)),
                field("lag", lag(s, g)),
                field("pel-count", Reply::Integer(g.pel.len() as i64)),
                field("pending", Reply::Array(pending)),
                field("consumers", Reply::Array(consumers)),
            ])
        })
        .collect();
    map.push(field("groups", Reply::Array(groups)));
    Reply::Map(map)
}
