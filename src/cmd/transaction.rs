//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Between MULTI and EXEC the engine queues commands instead of running them (see
//! `Engine::execute`); a command refused while queueing makes EXEC answer EXECABORT.
//! EXEC runs the queue with nothing in between, and answers a null array instead when a
//! WATCHed key was modified (or expired) after WATCH. There is no rollback: a command that
//! fails inside EXEC does not undo the others.

use super::{flags::*, resolve, run, Caller, CommandSpec, Ctx, Resolved};
use crate::resp::Reply;
use crate::session::MultiState;

/// MULTI, EXEC, DISCARD, WATCH, UNWATCH.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "multi",
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY | SESSION_ONLY,
        multi,
    )
    .acl("fast transaction"),
    CommandSpec::new("exec", 1, NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG, exec)
        .acl("slow transaction"),
    CommandSpec::new(
        "discard",
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY | SESSION_ONLY,
        discard,
    )
    .acl("fast transaction"),
    CommandSpec::new(
        "watch",
        -2,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        watch,
    )
    .keys(1, -1, 1)
    .acl("fast transaction"),
    CommandSpec::new(
        "unwatch",
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY | SESSION_ONLY,
        unwatch,
    )
    .acl("fast transaction"),
];

/// Commands that act on the transaction itself and so are never queued.
pub(crate) fn controls_transaction(name: &str) -> bool {
    matches!(
        name,
        "multi" | "exec" | "discard" | "watch" | "quit" | "reset"
    )
}

fn multi(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    if ctx.session().multi.is_some() {
        return Reply::error("ERR MULTI calls can not be nested");
    }
    ctx.session().multi = Some(MultiState::default());
    Reply::ok()
}

fn discard(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    if ctx.session().multi.take().is_none() {
        return Reply::error("ERR DISCARD without MULTI");
    }
    ctx.store.unwatch_all(ctx.client);
    Reply::ok()
}

fn exec(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let Some(state) = ctx.session().multi.take() else {
        return Reply::error("ERR EXEC without MULTI");
    };
    if state.aborted {
        ctx.store.unwatch_all(ctx.client);
        return Reply::error("EXECABORT Transaction discarded because of previous errors.");
    }
    if ctx.store.watch_fails_exec(ctx.client, ctx.now_ms) {
        ctx.store.unwatch_all(ctx.client);
        return Reply::NullArray;
    }
    // Keys signalled from here on must not fail this EXEC: it has already begun.
    ctx.store.unwatch_all(ctx.client);
    let caller = std::mem::replace(&mut ctx.caller, Caller::Exec);
    let mut replies = Vec::with_capacity(state.queued.len());
    for argv in &state.queued {
        let reply = match resolve(argv) {
            Resolved::Found(spec, sub) => {
                // ACLs are checked again: they may have changed since it was queued.
                match super::acl_check::exec_refusal(ctx, spec, sub, argv) {
                    Some(error) => error,
                    None => run(ctx, spec, sub, argv),
                }
            }
            Resolved::Refused(error) => error,
        };
        replies.push(reply);
    }
    ctx.caller = caller;
    Reply::Array(replies)
}

fn watch(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if ctx.session().multi.is_some() {
        return Reply::error("ERR WATCH inside MULTI is not allowed");
    }
    let (db, now) = (ctx.db_index(), ctx.now_ms);
    for key in &argv[1..] {
        ctx.store.watch(ctx.client, db, key, now);
    }
    Reply::ok()
}

fn unwatch(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    ctx.store.unwatch_all(ctx.client);
    Reply::ok()
}
