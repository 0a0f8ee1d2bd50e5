//! Command flags, as Redis 7.0's command table has them. The bit order is the order in
//! which COMMAND INFO lists their names.

/// The command may change data.
pub const WRITE: u32 = 1 << 0;
/// The command only reads.
pub const READONLY: u32 = 1 << 1;
pub(crate) const DENYOOM: u32 = 1 << 2;
pub(crate) const MODULE: u32 = 1 << 3;
/// An administrative command.
pub const ADMIN: u32 = 1 << 4;
pub(crate) const PUBSUB: u32 = 1 << 5;
/// Not allowed in scripts.
pub const NOSCRIPT: u32 = 1 << 6;
pub(crate) const BLOCKING: u32 = 1 << 7;
pub(crate) const LOADING: u32 = 1 << 8;
/// Allowed while a replica is stale.
pub const STALE: u32 = 1 << 9;
pub(crate) const SKIP_MONITOR: u32 = 1 << 10;
pub(crate) const SKIP_SLOWLOG: u32 = 1 << 11;
pub(crate) const ASKING: u32 = 1 << 12;
pub(crate) const FAST: u32 = 1 << 13;
pub(crate) const NO_AUTH: u32 = 1 << 14;
pub(crate) const NO_MANDATORY_KEYS: u32 = 1 << 15;
pub(crate) const NO_ASYNC_LOADING: u32 = 1 << 16;
pub(crate) const NO_MULTI: u32 = 1 << 17;
pub(crate) const MOVABLEKEYS: u32 = 1 << 18;
pub(crate) const ALLOW_BUSY: u32 = 1 << 19;
/// Not listed by COMMAND INFO, but changes behaviour (Redis's CMD_MAY_REPLICATE).
pub(crate) const MAY_REPLICATE: u32 = 1 << 20;
/// Not a Redis flag: the command touches only the caller's own connection (PING, SELECT,
/// MULTI…), so it commutes with every other client's command (see `crate::access`).
pub const SESSION_ONLY: u32 = 1 << 21;
/// Not a Redis flag: the command runs a script on the server (EVAL, EVALSHA, FCALL and
/// their _RO forms), so other clients may meet it busy.
pub const RUNS_SCRIPT: u32 = 1 << 22;
/// Redis's CMD_PROTECTED (not listed by COMMAND INFO): DEBUG runs only where the
/// `enable-debug-command` parameter allows it.
pub(crate) const PROTECTED: u32 = 1 << 23;
/// Not a Redis flag: the command signals the keys it modified to WATCH itself, because
/// which ones it modified depends on what it found (SMOVE's destination only when the
/// member was added), instead of the keys its key specs write.
pub const SIGNALS_OWN_KEYS: u32 = 1 << 24;
/// Not a Redis flag: of its keys, the command modified only the one its reply names first
/// (BLPOP, LMPOP, BZPOPMIN…: the key it popped from), so only that one is signalled.
pub const TOUCHES_REPLIED_KEY: u32 = 1 << 25;
/// Not a Redis flag: the legacy key range (first/last/step, as COMMAND INFO shows it)
/// names shard channels, not keys (SPUBLISH, SSUBSCRIBE, SUNSUBSCRIBE: their key specs
/// are `not_key`), so the engine finds no key in them.
pub const CHANNELS_NOT_KEYS: u32 = 1 << 26;

const NAMES: [(u32, &str); 20] = [
    (WRITE, "write"),
    (READONLY, "readonly"),
    (DENYOOM, "denyoom"),
    (MODULE, "module"),
    (ADMIN, "admin"),
    (PUBSUB, "pubsub"),
    (NOSCRIPT, "noscript"),
    (BLOCKING, "blocking"),
    (LOADING, "loading"),
    (STALE, "stale"),
    (SKIP_MONITOR, "skip_monitor"),
    (SKIP_SLOWLOG, "skip_slowlog"),
    (ASKING, "asking"),
    (FAST, "fast"),
    (NO_AUTH, "no_auth"),
    (NO_MANDATORY_KEYS, "no_mandatory_keys"),
    (NO_ASYNC_LOADING, "no_async_loading"),
    (NO_MULTI, "no_multi"),
    (MOVABLEKEYS, "movablekeys"),
    (ALLOW_BUSY, "allow_busy"),
];

/// The names COMMAND INFO shows for `bits`, in Redis's order.
pub fn names(bits: u32) -> impl Iterator<Item = &'static str> {
    NAMES
        .iter()
        .filter(move |(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
}
