//! Blocking pops: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP.
//!
//! Each answers at once when one of its keys has data. When none has: inside MULTI or a
//! script (`Ctx::cannot_block`) it answers as Redis does there (a null array, or a null
//! bulk for BLMOVE/BRPOPLPUSH); otherwise it records a [`BlockRequest`] on the session
//! and returns the reply Redis gives on timeout. The server parks the client, re-runs the
//! command when one of the keys changes, and sends the timeout reply if none ever served.

use super::args_range::timeout_ms;
use super::list_move::{move_element, mpop_lists, parse_mpop, side};
use super::typed::{keys_after_timeout_numkeys, wrongtype};
use super::zset::mpop_zsets;
use super::{flags::*, CommandSpec, Ctx};
use crate::db::Value;
use crate::resp::Reply;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "blpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING | TOUCHES_REPLIED_KEY,
        blpop,
    )
    .keys(1, -2, 1)
    .acl("write list slow blocking"),
    CommandSpec::new(
        "brpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING | TOUCHES_REPLIED_KEY,
        brpop,
    )
    .keys(1, -2, 1)
    .acl("write list slow blocking"),
    CommandSpec::new("blmove", 6, WRITE | DENYOOM | NOSCRIPT | BLOCKING, blmove)
        .keys(1, 2, 1)
        .acl("write list slow blocking"),
    CommandSpec::new(
        "brpoplpush",
        4,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        brpoplpush,
    )
    .keys(1, 2, 1)
    .acl("write list slow blocking"),
    CommandSpec::new(
        "blmpop",
        -5,
        WRITE | BLOCKING | MOVABLEKEYS | TOUCHES_REPLIED_KEY,
        blmpop,
    )
    .key_finder(keys_after_timeout_numkeys)
    .acl("write list slow blocking"),
    CommandSpec::new(
        "bzpopmin",
        -3,
        WRITE | NOSCRIPT | BLOCKING | FAST | TOUCHES_REPLIED_KEY,
        bzpopmin,
    )
    .keys(1, -2, 1)
    .acl("write sortedset fast blocking"),
    CommandSpec::new(
        "bzpopmax",
        -3,
        WRITE | NOSCRIPT | BLOCKING | FAST | TOUCHES_REPLIED_KEY,
        bzpopmax,
    )
    .keys(1, -2, 1)
    .acl("write sortedset fast blocking"),
    CommandSpec::new(
        "bzmpop",
        -5,
        WRITE | BLOCKING | MOVABLEKEYS | TOUCHES_REPLIED_KEY,
        bzmpop,
    )
    .key_finder(keys_after_timeout_numkeys)
    .acl("write sortedset slow blocking"),
];

/// What a blocked client waits for: a change to one of `keys` in database `db`, for at
/// most `timeout_ms` milliseconds from when it blocked (0: forever). The server re-runs
/// the command when a key changes; a re-run that blocks again sets a new request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRequest {
    /// The database.
    pub db: usize,
    /// The keys it waits on.
    pub keys: Vec<Vec<u8>>,
    /// Its timeout, ms (0: none).
    pub timeout_ms: u64,
    /// The command to re-run instead of the one written, when the written one would
    /// read differently later (XREAD's `$` is resolved when it blocks).
    pub retry: Option<Vec<Vec<u8>>>,
}

/// No key had data: answer `denied` where blocking is impossible, else record the block
/// request and answer the timeout reply.
fn block(
    ctx: &mut Ctx<'_>,
    keys: Vec<Vec<u8>>,
    timeout_ms: u64,
    denied: Reply,
    timed_out: Reply,
) -> Reply {
    if ctx.cannot_block() {
        return denied;
    }
    let db = ctx.db_index();
    ctx.session().block = Some(BlockRequest {
        db,
        keys,
        timeout_ms,
        retry: None,
    });
    timed_out
}

/// BLPOP/BRPOP key… timeout: `[key, element]` from the first non-empty list.
fn bpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], left: bool) -> Reply {
    let timeout = match timeout_ms(&argv[argv.len() - 1]) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let keys = &argv[1..argv.len() - 1];
    let now = ctx.now_ms;
    for key in keys {
        match ctx.db().get(key, now) {
            None => continue,
            Some(Value::List(_)) => {}
            Some(_) => return wrongtype(),
        }
        return match super::list::pop_elements(ctx.db(), key, left, 1, now) {
            Ok(Some(mut popped)) => {
                ctx.dirty(1);
                super::key_events::notify_popped(ctx, key, left);
                Reply::Array(vec![
                    Reply::Bulk(key.clone()),
                    Reply::Bulk(popped.remove(0)),
                ])
            }
            Ok(None) => Reply::NullArray,
            Err(e) => e,
        };
    }
    block(
        ctx,
        keys.to_vec(),
        timeout,
        Reply::NullArray,
        Reply::NullArray,
    )
}

fn blpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bpop(ctx, argv, true)
}

fn brpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bpop(ctx, argv, false)
}

fn bmove(
    ctx: &mut Ctx<'_>,
    argv: &[Vec<u8>],
    from_left: bool,
    to_left: bool,
    timeout_arg: &[u8],
) -> Reply {
    let timeout = match timeout_ms(timeout_arg) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let now = ctx.now_ms;
    match ctx.db().get(&argv[1], now) {
        None => block(
            ctx,
            vec![argv[1].clone()],
            timeout,
            Reply::Null,
            Reply::NullArray,
        ),
        Some(Value::List(_)) => match move_element(ctx, &argv[1], &argv[2], from_left, to_left) {
            Ok(element) => Reply::bulk_or_null(element),
            Err(e) => e,
        },
        Some(_) => wrongtype(),
    }
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
fn blmove(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (from_left, to_left) = match (side(&argv[3]), side(&argv[4])) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    bmove(ctx, argv, from_left, to_left, &argv[5])
}

/// BRPOPLPUSH source destination timeout.
fn brpoplpush(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bmove(ctx, argv, false, true, &argv[3])
}

/// BLMPOP timeout numkeys key… LEFT|RIGHT [COUNT count].
fn blmpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bmpop(ctx, argv, false)
}

/// BZMPOP timeout numkeys key… MIN|MAX [COUNT count].
fn bzmpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bmpop(ctx, argv, true)
}

/// BLMPOP and BZMPOP: reads the timeout, then numkeys, the keys and the options; pops
/// from the first non-empty key (sorted sets when `zsets`, else lists), or blocks.
fn bmpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], zsets: bool) -> Reply {
    let timeout = match timeout_ms(&argv[1]) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let parsed = match parse_mpop(argv, 2, zsets) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let popped = if zsets {
        mpop_zsets(ctx, &parsed)
    } else {
        mpop_lists(ctx, &parsed)
    };
    match popped {
        Ok(Some(reply)) => reply,
        Ok(None) => block(
            ctx,
            parsed.keys,
            timeout,
            Reply::NullArray,
            Reply::NullArray,
        ),
        Err(e) => e,
    }
}

/// BZPOPMIN/BZPOPMAX key… timeout: `[key, member, score]` from the first non-empty
/// sorted set.
fn bzpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], max: bool) -> Reply {
    let timeout = match timeout_ms(&argv[argv.len() - 1]) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let keys = &argv[1..argv.len() - 1];
    let now = ctx.now_ms;
    for key in keys {
        let popped = match ctx.db().get_mut(key, now) {
            None => continue,
            Some(Value::ZSet(z)) => z.pop(max),
            Some(_) => return wrongtype(),
        };
        super::typed::remove_if_empty(ctx.db(), key, now);
        if let Some((member, score)) = popped {
            ctx.dirty(1);
            super::zset::notify_zpopped(ctx, key, max);
            return Reply::Array(vec![
                Reply::Bulk(key.clone()),
                Reply::Bulk(member),
                Reply::Double(score),
            ]);
        }
    }
    block(
        ctx,
        keys.to_vec(),
        timeout,
        Reply::NullArray,
        Reply::NullArray,
    )
}

fn bzpopmin(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bzpop(ctx, argv, false)
}

fn bzpopmax(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bzpop(ctx, argv, true)
}
