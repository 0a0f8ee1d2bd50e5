//! `min-replicas-to-write`: Redis refuses writes while fewer good replicas than that are
//! connected (`checkGoodReplicasStatus`), provided `min-replicas-max-lag` is not 0 and the
//! server is not itself a replica. redsim never has replicas, so any
//! `min-replicas-to-write` above 0 refuses writes with `NOREPLICAS`:
//! - a client's write command (or EXEC of a queued write, or EVAL/FCALL of a script that
//!   may write — its declared flags decide), in `processCommand`;
//! - a script's first write through `redis.call` (`scriptVerifyWriteCommandAllow`; once the
//!   script has written it is no longer stopped).

use crate::config::Config;
use crate::resp::Reply;
use crate::session::MultiState;

pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";

/// Whether writes are refused for lack of good replicas (redsim has none).
pub fn writes_refused(config: &Config) -> bool {
    // Both parameters are stored only when changed: a default configuration costs one check.
    if config.stored.is_empty() {
        return false;
    }
    let number = |name: &str, default: i64| {
        config
            .stored
            .get(name)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(default)
    };
    number("min-replicas-to-write", 0) > 0 && number("min-replicas-max-lag", 10) > 0
}

/// The refusal of a client's command whose flags are `flags` (EXEC: with its queue's),
/// when writes are refused.
pub fn admit(
    config: &Config,
    is_exec: bool,
    multi: Option<&MultiState>,
    flags: u32,
) -> Option<Reply> {
    let queued = match multi {
        Some(m) if is_exec => m.flags,
        _ => 0,
    };
    let writes = (flags | queued) & super::flags::WRITE != 0;
    (writes && writes_refused(config)).then(|| Reply::error(NOREPLICAS))
}
