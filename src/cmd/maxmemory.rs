//! `maxmemory`, as Redis 7.0's `processCommand` enforces it before a command runs.
//!
//! When `maxmemory` is set and used memory (see `memory.rs`) is over it, a command
//! flagged `denyoom` is refused with `-OOM command not allowed when used memory >
//! 'maxmemory'.`, as is every command but EXEC, DISCARD, QUIT and RESET inside MULTI
//! (queueing costs memory too; the refusal makes EXEC answer EXECABORT); EXEC itself is
//! refused, discarding the transaction, when a queued command is `denyoom`. The refusal
//! itself is the engine's one `reject`. A script
//! command's flags come from its shebang or function (`allow-oom`, `no-writes`).
//! Whether the server was over the limit is kept for the command's length
//! (`Store::oom_at_start`): scripts consult it (`script::call`, `script::eval`).
//!
//! Before refusing, keys are evicted as `maxmemory-policy` says (see `evict.rs`).

use super::{flags, CommandSpec};
use crate::access::{Mode, Resource};
use crate::host::Host;
use crate::resp::Reply;
use crate::script::Scripting;
use crate::session::ClientId;
use crate::store::Store;

/// Redis's `shared.oomerr`, without the leading `-`.
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// Whether the server was over `maxmemory` when the running command began.
pub fn over_at_start(store: &Store) -> bool {
    store.config.maxmemory != 0 && store.oom_at_start
}

/// A command's flags as `getCommandFlags` gives them: a script command's follow the
/// flags its script declares.
pub fn command_flags(target: &CommandSpec, argv: &[Vec<u8>], scripts: &Scripting) -> u32 {
    if target.has(flags::RUNS_SCRIPT) {
        scripts.command_flags(target.flags, argv)
    } else {
        target.flags
    }
}

/// The maxmemory step of `processCommand` for `client`'s command `spec`, whose flags are
/// `flags` (with the queued commands' for EXEC): Redis's OOM error when it must be
/// refused. Evicts first, and records whether the server is over the limit for scripts.
pub fn admit(
    store: &mut Store,
    scripts: &Scripting,
    host: &mut dyn Host,
    client: ClientId,
    spec: &CommandSpec,
    flags: u32,
) -> Option<Reply> {
    let limit = store.config.maxmemory;
    if limit == 0 {
        return None;
    }
    let over = !super::evict::free_memory(store, scripts, host, limit);
    store.oom_at_start = over;
    if let Some(access) = store.access.as_mut() {
        access.touch(Resource::Memory, Mode::Read);
    }
    if !over {
        return None;
    }
    let multi = store.session(client).multi.as_ref().map(|m| m.flags);
    let deny = match multi {
        Some(queued) if spec.name == "exec" => (flags | queued) & flags::DENYOOM != 0,
        Some(_) => !matches!(spec.name, "discard" | "quit" | "reset"),
        None => flags & flags::DENYOOM != 0,
    };
    deny.then(|| Reply::error(OOM))
}
