//! Which node serves a command (Redis's `getNodeByQuery`) and the error a client gets
//! when it is not this one (`clusterRedirectClient`). Every key of the command — of every
//! queued command, for EXEC — must hash to one slot, and that slot must be served here
//! and the cluster up. A slot another node serves is answered `-MOVED slot host:port`.
//! While this node migrates the slot, a command whose keys are not all here is sent on
//! with `-ASK slot host:port` to the node it migrates to (none here; a slot "migrating"
//! to this node itself is served here, as `processCommand` redirects only to another
//! node) or `-TRYAGAIN` (some here); while it imports the slot, a client that said ASKING
//! is served.

use super::{Address, Cluster, Owner};
use crate::cmd::{flags, CommandSpec};
use crate::config::Config;
use crate::db::Db;
use crate::resp::Reply;

/// Why this node does not serve a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Redirect {
    /// Another node serves the slot: its endpoint and port.
    Moved(u16, String),
    /// The slot migrates to another node, which may hold the missing keys.
    Ask(u16, String),
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
            Redirect::Moved(slot, at) => Reply::error(format!("MOVED {slot} {at}")),
            Redirect::Ask(slot, at) => Reply::error(format!("ASK {slot} {at}")),
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
    pub(crate) fn script_text(&self) -> &'static str {
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

/// `getNodeByQuery`: `Ok(Some(slot))` when this node serves the keys' slot, `Ok(None)`
/// for a command without keys.
pub(crate) fn route(
    cluster: &Cluster,
    config: &Config,
    db: &Db,
    now_ms: u64,
    query: &Query<'_>,
) -> Result<Option<u16>, Redirect> {
    let mut first: Option<(&[u8], u16, Owner)> = None;
    let (mut migrating, mut importing, mut multiple_keys) = (false, false, false);
    let (mut missing, mut existing) = (0usize, 0usize);
    for (spec, argv) in query.commands {
        for pos in spec.key_positions(argv) {
            let key = argv[pos].as_slice();
            let slot = super::key_hash_slot(key);
            match first {
                None => {
                    let owner = cluster.owner(slot);
                    if owner == Owner::Nobody {
                        return Err(Redirect::DownUnbound);
                    }
                    first = Some((key, slot, owner));
                    if owner == Owner::Me && cluster.migrating.contains_key(&slot) {
                        migrating = true;
                    } else if cluster.importing.contains_key(&slot) {
                        importing = true;
                    }
                }
                Some((first_key, first_slot, _)) if first_key != key => {
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
    let Some((_, slot, owner)) = first else {
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
        let target = cluster
            .migrating
            .get(&slot)
            .and_then(|id| cluster.lookup(id.as_bytes()));
        return match target {
            Some(node @ Owner::Peer(_)) => {
                Err(Redirect::Ask(slot, endpoint(cluster, node, config)))
            }
            // Migrating to this very node: served here.
            _ => Ok(Some(slot)),
        };
    }
    if importing && (query.asking || query.command_flags & flags::ASKING != 0) {
        if multiple_keys && missing > 0 {
            return Err(Redirect::Unstable);
        }
        return Ok(Some(slot));
    }
    // A replica with READONLY would serve its master's reads here; redsim's nodes are all
    // masters.
    match owner {
        Owner::Peer(_) => Err(Redirect::Moved(slot, endpoint(cluster, owner, config))),
        _ => Ok(Some(slot)),
    }
}

/// `host:port` of a redirection (`clusterRedirectClient`).
fn endpoint(cluster: &Cluster, node: Owner, config: &Config) -> String {
    let at = Address::of_node(cluster, node, config);
    format!("{}:{}", at.endpoint(config), at.port)
}

/// The slot a cluster client sends `argv` to: its first key's (`None` for a command
/// without keys, or an unknown one). Clients route by it (redis-rs, redis-py); the
/// server then checks every key.
pub fn command_slot(argv: &[Vec<u8>]) -> Option<u16> {
    let spec = match crate::cmd::resolve(argv) {
        crate::cmd::Resolved::Found(spec, sub) => sub.unwrap_or(spec),
        crate::cmd::Resolved::Refused(_) => return None,
    };
    let first = *spec.key_positions(argv).first()?;
    Some(super::key_hash_slot(&argv[first]))
}
