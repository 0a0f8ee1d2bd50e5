//! Keyspace events shared by the collection families: what Redis announces when elements
//! are pushed or popped, and the `del` of a key a command emptied (Redis deletes an
//! emptied list, hash, set or sorted set and announces it).

use super::Ctx;
use crate::store::notify;

/// The event of a push to the head (`lpush`) or the tail (`rpush`).
pub(super) fn push_event(left: bool) -> &'static str {
    if left {
        "lpush"
    } else {
        "rpush"
    }
}

/// The events of elements popped from `key` (Redis's `listElementsRemoved`): `lpop` or
/// `rpop`, then `del` when the list emptied and was removed — after the reply, which
/// Redis writes first.
pub(crate) fn notify_popped(ctx: &mut Ctx<'_>, key: &[u8], left: bool) {
    ctx.notify_after_reply(notify::LIST, if left { "lpop" } else { "rpop" }, key);
    notify_removed_after_reply(ctx, key);
}

/// `del` when a command emptied `key` and so removed it.
pub(crate) fn notify_if_removed(ctx: &mut Ctx<'_>, key: &[u8]) {
    if ctx.store.config.notify_keyspace_events != 0 && !ctx.db().holds(key) {
        ctx.notify(notify::GENERIC, "del", key);
    }
}

/// [`notify_if_removed`] for a command that has written its reply by then.
pub(crate) fn notify_removed_after_reply(ctx: &mut Ctx<'_>, key: &[u8]) {
    if ctx.store.config.notify_keyspace_events != 0 && !ctx.db().holds(key) {
        ctx.notify_after_reply(notify::GENERIC, "del", key);
    }
}
