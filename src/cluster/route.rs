//! Which node serves a command (Redis's `getNodeByQuery`) and the error a client gets
//! when it is not this one (`clusterRedirectClient`). Every key of the command — of every
//! queued command, for EXEC — must hash to one slot, and that slot must be served here
//! and the cluster up. While this node migrates the slot, a command whose keys are not all
//! here is sent on with `-ASK` (none here; the target can only be this node itself, which
//! then serves it) or `-TRYAGAIN` (some here); while it imports the slot, a client that
//! said ASKING is served. `-MOVED` needs another node, which a redsim node never knows.

use super::Cluster;
use crate::cmd::{flags, CommandSpec};
use crate::config::Config;
use crate::db::Db;
use crate::resp::Reply;

/// Why this node does not serve a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Redirect {
    CrossSlot,
    /// Several keys of a migrating or importing slot, not all here.
    Unstable,
    DownState,
    DownReadOnlyState,
    /// The first key's slot is not assigned.
    DownUnbound,
}

impl Redirect {
    /// The error a client gets (`clusterRedirectClient`).
    pub(crate) fn reply(self) -> Reply {
        match self {
            Redirect::CrossSlot => {
                Reply::error("CROSSSLOT Keys in request don't hash to the same slot")
            }
            Redirect::Unstable => {
                Reply::error("TRYAGAIN Multiple keys request during rehashing of slot")
            }
            Redirect::DownState => Reply::error("CLUSTERDOWN The cluster is down"),
            Redirect::DownReadOnlyState => {
                Reply::error("CLUSTERDOWN The cluster is down and only accepts read commands")
            }
            Redirect::DownUnbound => Reply::error("CLUSTERDOWN Hash slot not served"),
        }
    }

    /// The error a script's `redis.call` gets instead (`scriptVerifyClusterState`).
    pub(crate) fn script_text(self) -> &'static str {
        match self {
            Redirect::DownReadOnlyState => {
                "ERR Script attempted to execute a write command while the cluster is down and readonly"
            }
            Redirect::DownState => {
                "ERR Script attempted to execute a command while the cluster is down"
            }
            _ => "ERR Script attempted to access a non local key in a cluster node",
        }
    }
}

/// What the routing needs to know of the client and its command.
pub(crate) struct Query<'q> {
    /// The commands whose keys count: the command itself, or EXEC's queue.
    pub(crate) commands: &'q [(&'static CommandSpec, &'q [Vec<u8>])],
    /// The command's flags as `getCommandFlags` (a script's declared flags for EVAL).
    pub(crate) command_flags: u32,
    /// The client sent ASKING just before.
    pub(crate) asking: bool,
}

/// `getNodeByQuery` for a node that knows only itself: `Ok(Some(slot))` when this node
/// serves the keys' slot, `Ok(None)` for a command without keys.
pub(crate) fn route(
    cluster: &Cluster,
    config: &Config,
    db: &Db,
    now_ms: u64,
    query: &Query<'_>,
) -> Result<Option<u16>, Redirect> {
    let mut first: Option<(&[u8], u16)> = None;
    let (mut migrating, mut importing, mut multiple_keys) = (false, false, false);
    let (mut missing, mut existing) = (0usize, 0usize);
    for (spec, argv) in query.commands {
        for pos in spec.key_positions(argv) {
            let key = argv[pos].as_slice();
            let slot = super::key_hash_slot(key);
            match first {
                None => {
                    if !cluster.owns(slot) {
                        return Err(Redirect::DownUnbound);
                    }
                    first = Some((key, slot));
                    if cluster.migrating.contains(&slot) {
                        migrating = true;
                    } else if cluster.importing.contains(&slot) {
                        importing = true;
                    }
                }
                Some((first_key, first_slot)) if first_key != key => {
                    if slot != first_slot {
                        return Err(Redirect::CrossSlot);
                    }
                    multiple_keys = true;
                }
                Some(_) => {}
            }
            if migrating || importing {
                // Redis looks the key up in database 0 without expiring it.
                if db.holds(key) && !db.is_expired(key, now_ms) {
                    existing += 1;
                } else {
                    missing += 1;
                }
            }
        }
    }
    let Some((_, slot)) = first else {
        return Ok(None);
    };
    if !cluster.ok {
        if config.get("cluster-allow-reads-when-down").as_deref() != Some("yes") {
            return Err(Redirect::DownState);
        }
        if query.command_flags & flags::WRITE != 0 {
            return Err(Redirect::DownReadOnlyState);
        }
    }
    let migrate = query
        .commands
        .first()
        .is_some_and(|(s, _)| s.name == "migrate");
    if (migrating || importing) && migrate {
        return Ok(Some(slot));
    }
    if migrating && missing > 0 {
        if existing > 0 {
            return Err(Redirect::Unstable);
        }
        // Redis answers ASK with the node the slot migrates to; the only node this one
        // knows is itself, and a client asked to go to this very node is served
        // (`processCommand` redirects only to another node).
        return Ok(Some(slot));
    }
    if importing && (query.asking || query.command_flags & flags::ASKING != 0) {
        if multiple_keys && missing > 0 {
            return Err(Redirect::Unstable);
        }
        return Ok(Some(slot));
    }
    Ok(Some(slot))
}
