//! Pub/sub commands, as Redis 7.0's `pubsub.c` (outside cluster mode): SUBSCRIBE,
//! UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and
//! PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARDCHANNELS / SHARDNUMSUB / HELP.
//!
//! (Un)subscribing answers one frame per channel or pattern — `subscribe <channel>
//! <count>`, a push frame in RESP3 and an array in RESP2 — where `count` is what the
//! client listens to afterwards (channels and patterns together; shard channels alone for
//! SSUBSCRIBE / SUNSUBSCRIBE). With no argument and nothing to leave, the unsubscribe
//! commands still answer one frame, with a null channel. PUBLISH answers how many clients
//! received the message (a client subscribed both to the channel and to a matching
//! pattern counts twice); the messages themselves go to the receivers as pushes
//! (`message`, `pmessage`, `smessage`; see `store/pubsub.rs`).
//!
//! A client subscribed to anything is in pub/sub mode; in RESP2 it may then only run the
//! commands [`allowed_in_subscriber_mode`] lists (checked by the engine before a command
//! runs), and PING answers `*2 pong <message or "">` there. The subscribe commands are
//! `noscript`; inside EXEC, SUBSCRIBE and PSUBSCRIBE work (Redis lets a MULTI client
//! subscribe, for backward compatibility) but SSUBSCRIBE is refused.

use super::{flags::*, Caller, CommandSpec, Ctx};
use crate::resp::Reply;
use crate::store::ChannelKind;

const SUB: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("subscribe", -2, SUB, subscribe).acl("pubsub slow"),
    CommandSpec::new("unsubscribe", -1, SUB, unsubscribe).acl("pubsub slow"),
    CommandSpec::new("psubscribe", -2, SUB, psubscribe).acl("pubsub slow"),
    CommandSpec::new("punsubscribe", -1, SUB, punsubscribe).acl("pubsub slow"),
    CommandSpec::new("ssubscribe", -2, SUB | CHANNELS_NOT_KEYS, ssubscribe)
        .keys(1, -1, 1)
        .acl("pubsub slow"),
    CommandSpec::new("sunsubscribe", -1, SUB | CHANNELS_NOT_KEYS, sunsubscribe)
        .keys(1, -1, 1)
        .acl("pubsub slow"),
    CommandSpec::new(
        "publish",
        3,
        PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE,
        publish,
    )
    .acl("pubsub fast"),
    CommandSpec::new(
        "spublish",
        3,
        PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE | CHANNELS_NOT_KEYS,
        spublish,
    )
    .keys(1, 1, 1)
    .acl("pubsub fast"),
    CommandSpec::new("pubsub", -2, 0, help)
        .acl("slow")
        .subcommands(&[
            CommandSpec::new("channels", -2, PUBSUB | LOADING | STALE, channels).acl("pubsub slow"),
            CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow"),
            CommandSpec::new("numpat", 2, PUBSUB | LOADING | STALE, numpat).acl("pubsub slow"),
            CommandSpec::new("numsub", -2, PUBSUB | LOADING | STALE, numsub).acl("pubsub slow"),
            CommandSpec::new("shardchannels", -2, PUBSUB | LOADING | STALE, shardchannels)
                .acl("pubsub slow"),
            CommandSpec::new("shardnumsub", -2, PUBSUB | LOADING | STALE, shardnumsub)
                .acl("pubsub slow"),
        ]),
];

/// The commands a RESP2 client in pub/sub mode may run (Redis's `processCommand`).
pub(crate) fn allowed_in_subscriber_mode(name: &str) -> bool {
    matches!(
        name,
        "ping"
            | "subscribe"
            | "ssubscribe"
            | "unsubscribe"
            | "sunsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "quit"
            | "reset"
    )
}

/// The refusal of a command in RESP2 pub/sub mode; `full_name` as `config|get`.
pub(crate) fn subscriber_mode_error(full_name: &str) -> Reply {
    Reply::error(format!(
        "ERR Can't execute '{full_name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / \
         QUIT / RESET are allowed in this context"
    ))
}

/// One (un)subscription frame: `[word, channel or null, count]`.
fn frame(word: &str, channel: Option<&[u8]>, count: usize) -> Reply {
    Reply::Push(vec![
        Reply::bulk(word),
        channel.map_or(Reply::Null, Reply::bulk),
        Reply::Integer(count as i64),
    ])
}

/// Redis's CLIENT_DENY_BLOCKING refusal: scripts (when DEBUG lets them call these at
/// all) always; EXEC only for SSUBSCRIBE, as Redis spares MULTI clients the others.
fn refused(ctx: &Ctx<'_>, name: &str, multi_exempt: bool) -> Option<Reply> {
    let denied = match ctx.caller {
        Caller::Client => false,
        Caller::Exec => !multi_exempt,
        Caller::Script => true,
    };
    denied.then(|| {
        Reply::error(format!(
            "ERR {name} isn't allowed for a DENY BLOCKING client"
        ))
    })
}

fn subscribe_to(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], kind: ChannelKind) -> Reply {
    let (name, word, exempt) = match kind {
        ChannelKind::Plain => ("SUBSCRIBE", "subscribe", true),
        ChannelKind::Shard => ("SSUBSCRIBE", "ssubscribe", false),
    };
    if let Some(refusal) = refused(ctx, name, exempt) {
        return refusal;
    }
    let client = ctx.client;
    let pubsub = &mut ctx.store.pubsub;
    let frames = argv[1..]
        .iter()
        .map(|channel| {
            pubsub.subscribe(client, kind, channel);
            let count = match kind {
                ChannelKind::Plain => pubsub.subscription_count(client),
                ChannelKind::Shard => pubsub.shard_count(client),
            };
            frame(word, Some(channel), count)
        })
        .collect();
    Reply::Frames(frames)
}

fn unsubscribe_from(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], kind: ChannelKind) -> Reply {
    let word = match kind {
        ChannelKind::Plain => "unsubscribe",
        ChannelKind::Shard => "sunsubscribe",
    };
    let client = ctx.client;
    let pubsub = &mut ctx.store.pubsub;
    let channels = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        pubsub.channels_of(client, kind)
    };
    let mut frames: Vec<Reply> = channels
        .iter()
        .map(|channel| {
            pubsub.unsubscribe(client, kind, channel);
            let count = match kind {
                ChannelKind::Plain => pubsub.subscription_count(client),
                ChannelKind::Shard => pubsub.shard_count(client),
            };
            frame(word, Some(channel), count)
        })
        .collect();
    if frames.is_empty() {
        let count = match kind {
            ChannelKind::Plain => pubsub.subscription_count(client),
            ChannelKind::Shard => pubsub.shard_count(client),
        };
        frames.push(frame(word, None, count));
    }
    Reply::Frames(frames)
}

/// SUBSCRIBE channel [channel ...]
fn subscribe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    subscribe_to(ctx, argv, ChannelKind::Plain)
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
fn ssubscribe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    subscribe_to(ctx, argv, ChannelKind::Shard)
}

/// UNSUBSCRIBE [channel ...]: with no channel, from every channel (not the patterns).
fn unsubscribe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    unsubscribe_from(ctx, argv, ChannelKind::Plain)
}

/// SUNSUBSCRIBE [shardchannel ...]
fn sunsubscribe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    unsubscribe_from(ctx, argv, ChannelKind::Shard)
}

/// PSUBSCRIBE pattern [pattern ...]
fn psubscribe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if let Some(refusal) = refused(ctx, "PSUBSCRIBE", true) {
        return refusal;
    }
    let client = ctx.client;
    let pubsub = &mut ctx.store.pubsub;
    let frames = argv[1..]
        .iter()
        .map(|pattern| {
            pubsub.psubscribe(client, pattern);
            frame(
                "psubscribe",
                Some(pattern),
                pubsub.subscription_count(client),
            )
        })
        .collect();
    Reply::Frames(frames)
}

/// PUNSUBSCRIBE [pattern ...]: with no pattern, from every pattern, first subscribed
/// first.
fn punsubscribe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let client = ctx.client;
    let pubsub = &mut ctx.store.pubsub;
    let patterns = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        pubsub.patterns_of(client)
    };
    let mut frames: Vec<Reply> = patterns
        .iter()
        .map(|pattern| {
            pubsub.punsubscribe(client, pattern);
            frame(
                "punsubscribe",
                Some(pattern),
                pubsub.subscription_count(client),
            )
        })
        .collect();
    if frames.is_empty() {
        let count = pubsub.subscription_count(client);
        frames.push(frame("punsubscribe", None, count));
    }
    Reply::Frames(frames)
}

/// PUBLISH channel message: the number of receivers.
fn publish(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let receivers = ctx.store.publish(ChannelKind::Plain, &argv[1], &argv[2]);
    Reply::Integer(receivers as i64)
}

/// SPUBLISH shardchannel message: the number of receivers (shard subscribers only).
fn spublish(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let receivers = ctx.store.publish(ChannelKind::Shard, &argv[1], &argv[2]);
    Reply::Integer(receivers as i64)
}

/// CHANNELS / SHARDCHANNELS [pattern]: Redis checks the argument count itself.
fn list_active(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], kind: ChannelKind) -> Reply {
    if argv.len() > 3 {
        return super::subcommand_syntax_error(argv);
    }
    let pattern = argv.get(2).map(Vec::as_slice);
    let active = ctx.store.pubsub.active(kind, pattern);
    Reply::Array(active.into_iter().map(Reply::Bulk).collect())
}

fn channels(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    list_active(ctx, argv, ChannelKind::Plain)
}

fn shardchannels(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    list_active(ctx, argv, ChannelKind::Shard)
}

/// NUMSUB / SHARDNUMSUB [channel ...]: channel, count pairs in a flat array.
fn count_listeners(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], kind: ChannelKind) -> Reply {
    let mut out = Vec::with_capacity(2 * argv.len().saturating_sub(2));
    for channel in &argv[2..] {
        out.push(Reply::bulk(channel.as_slice()));
        out.push(Reply::Integer(
            ctx.store.pubsub.listeners(kind, channel) as i64
        ));
    }
    Reply::Array(out)
}

fn numsub(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    count_listeners(ctx, argv, ChannelKind::Plain)
}

fn shardnumsub(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    count_listeners(ctx, argv, ChannelKind::Shard)
}

/// NUMPAT: patterns with at least one subscriber.
fn numpat(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.store.pubsub.totals().1 as i64)
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("pubsub");
    }
    let lines = [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
