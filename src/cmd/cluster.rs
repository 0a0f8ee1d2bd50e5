//! CLUSTER and the cluster's connection commands (READONLY, READWRITE, ASKING), as
//! Redis 7.0's `clusterCommand` answers them on a node of its own. Without
//! `cluster-enabled yes` every one answers "This instance has cluster support disabled";
//! the subcommands are still in the table with Redis's arity and flags, because other
//! rules read them (a script calling `CLUSTER RESET` is refused as `noscript`).
//!
//! With cluster mode on, the node ([`crate::cluster`]) knows itself and the masters it
//! was told of: slot assignment (ADDSLOTS…, FLUSHSLOTS, SETSLOT), the views (NODES,
//! SLOTS, SHARDS, INFO in `cluster_view.rs`), the key-slot queries, epochs, FORGET and
//! RESET behave as Redis's, and the subcommands that name an unknown node answer Redis's
//! "Unknown node". MEET and SAVECONFIG, which need a cluster bus and a nodes.conf, and
//! REPLICATE of an empty master (redsim's nodes are all masters), are refused with a
//! redsim error.

use super::{args, c_str, flags::*, CommandSpec, Ctx};
use crate::cluster::{key_hash_slot, Cluster, Owner, SLOTS};
use crate::resp::Reply;

const ADMIN_SUB: u32 = NO_ASYNC_LOADING | ADMIN | STALE;
const ADMIN_ACL: &str = "admin slow dangerous";
use super::cluster_view as view;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("readonly", 1, LOADING | STALE | FAST, readonly).acl("fast connection"),
    CommandSpec::new("readwrite", 1, LOADING | STALE | FAST, readwrite).acl("fast connection"),
    CommandSpec::new("asking", 1, FAST, asking).acl("fast connection"),
    CommandSpec::new("cluster", -2, 0, disabled)
        .acl("slow")
        .subcommands(&[
            CommandSpec::new("addslots", -3, ADMIN_SUB, addslots).acl(ADMIN_ACL),
            CommandSpec::new("addslotsrange", -4, ADMIN_SUB, addslots).acl(ADMIN_ACL),
            CommandSpec::new("bumpepoch", 2, ADMIN_SUB, bumpepoch).acl(ADMIN_ACL),
            CommandSpec::new("count-failure-reports", 3, ADMIN | STALE, failure_reports)
                .acl(ADMIN_ACL),
            CommandSpec::new("countkeysinslot", 3, STALE, countkeysinslot).acl("slow"),
            CommandSpec::new("delslots", -3, ADMIN_SUB, addslots).acl(ADMIN_ACL),
            CommandSpec::new("delslotsrange", -4, ADMIN_SUB, addslots).acl(ADMIN_ACL),
            CommandSpec::new("failover", -2, ADMIN_SUB, failover).acl(ADMIN_ACL),
            CommandSpec::new("flushslots", 2, ADMIN_SUB, flushslots).acl(ADMIN_ACL),
            CommandSpec::new("forget", 3, ADMIN_SUB, forget).acl(ADMIN_ACL),
            CommandSpec::new("getkeysinslot", 4, STALE, getkeysinslot).acl("slow"),
            CommandSpec::new("help", 2, LOADING | STALE, view::help).acl("slow"),
            CommandSpec::new("info", 2, STALE, view::info).acl("slow"),
            CommandSpec::new("keyslot", 3, STALE, keyslot).acl("slow"),
            CommandSpec::new("links", 2, STALE, view::links).acl("slow"),
            CommandSpec::new("meet", -4, ADMIN_SUB, no_bus).acl(ADMIN_ACL),
            CommandSpec::new("myid", 2, STALE, view::myid).acl("slow"),
            CommandSpec::new("nodes", 2, STALE, view::nodes).acl("slow"),
            CommandSpec::new("replicas", 3, ADMIN | STALE, replicas).acl(ADMIN_ACL),
            CommandSpec::new("replicate", 3, ADMIN_SUB, replicate).acl(ADMIN_ACL),
            CommandSpec::new("reset", -2, ADMIN | STALE | NOSCRIPT, reset).acl(ADMIN_ACL),
            CommandSpec::new("saveconfig", 2, ADMIN_SUB, no_bus).acl(ADMIN_ACL),
            CommandSpec::new("set-config-epoch", 3, ADMIN_SUB, set_config_epoch).acl(ADMIN_ACL),
            CommandSpec::new("setslot", -4, ADMIN_SUB, setslot).acl(ADMIN_ACL),
            CommandSpec::new("shards", 2, STALE, view::shards).acl("slow"),
            CommandSpec::new("slaves", 3, ADMIN | STALE, replicas).acl(ADMIN_ACL),
            CommandSpec::new("slots", 2, STALE, view::slots).acl("slow"),
        ]),
];

pub(crate) const DISABLED: &str = "ERR This instance has cluster support disabled";

/// CLUSTER alone (reached only with no subcommand, which arity refuses first).
fn disabled(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::error(DISABLED)
}

/// Runs `f` on the node, or answers as a Redis without cluster support.
pub(super) fn with_node(
    ctx: &mut Ctx<'_>,
    f: impl FnOnce(&mut Ctx<'_>, &mut Cluster) -> Reply,
) -> Reply {
    let Some(mut cluster) = ctx.store.cluster.take() else {
        return Reply::error(DISABLED);
    };
    let reply = f(ctx, &mut cluster);
    ctx.store.cluster = Some(cluster);
    reply
}

/// The flag commands: READONLY and READWRITE last until the other, ASKING for the next
/// command (or the whole transaction it is sent in).
fn readonly(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    set_flag(ctx, |s| s.cluster_readonly = true)
}

fn readwrite(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    set_flag(ctx, |s| s.cluster_readonly = false)
}

fn asking(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    set_flag(ctx, |s| s.cluster_asking = true)
}

fn set_flag(ctx: &mut Ctx<'_>, f: impl FnOnce(&mut crate::session::Session)) -> Reply {
    if ctx.store.cluster.is_none() {
        return Reply::error(DISABLED);
    }
    f(ctx.session());
    Reply::ok()
}

/// `getSlotOrReply`.
fn slot_arg(arg: &[u8]) -> Result<u16, Reply> {
    match args::parse_i64(arg) {
        Some(slot) if (0..SLOTS as i64).contains(&slot) => Ok(slot as u16),
        _ => Err(Reply::error("ERR Invalid or out of range slot")),
    }
}

/// ADDSLOTS / DELSLOTS slot…, ADDSLOTSRANGE / DELSLOTSRANGE start end…: every argument
/// is checked (parsed, then free or assigned, each slot named once) before any slot
/// changes. Assigning or unassigning a slot ends its import.
fn addslots(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let name = argv[1].to_ascii_lowercase();
    let ranges = name.ends_with(b"range");
    let del = name.starts_with(b"del");
    with_node(ctx, |_, cluster| {
        if ranges && argv.len() % 2 == 1 {
            let full = format!("cluster|{}", String::from_utf8_lossy(&name));
            return super::wrong_arity(&full);
        }
        let mut pairs = Vec::new();
        if ranges {
            for pair in argv[2..].chunks(2) {
                let start = match slot_arg(&pair[0]) {
                    Ok(s) => s,
                    Err(e) => return e,
                };
                let end = match slot_arg(&pair[1]) {
                    Ok(s) => s,
                    Err(e) => return e,
                };
                if start > end {
                    return Reply::error(format!(
                        "ERR start slot number {start} is greater than end slot number {end}"
                    ));
                }
                pairs.push((start, end));
            }
        } else {
            for arg in &argv[2..] {
                if let Err(e) = slot_arg(arg) {
                    return e;
                }
            }
            pairs = argv[2..]
                .iter()
                .filter_map(|a| slot_arg(a).ok())
                .map(|s| (s, s))
                .collect();
        }
        // Redis parses and checks the ranges in one pass, the single slots in two: the
        // order of the checks is the same in both cases.
        let mut named = vec![false; SLOTS];
        for (start, end) in pairs {
            for slot in start..=end {
                let assigned = cluster.owner(slot) != Owner::Nobody;
                if del && !assigned {
                    return Reply::error(format!("ERR Slot {slot} is already unassigned"));
                }
                if !del && assigned {
                    return Reply::error(format!("ERR Slot {slot} is already busy"));
                }
                if std::mem::replace(&mut named[slot as usize], true) {
                    return Reply::error(format!("ERR Slot {slot} specified multiple times"));
                }
            }
        }
        for (slot, _) in named.iter().enumerate().filter(|(_, n)| **n) {
            let slot = slot as u16;
            cluster.importing.remove(&slot);
            if del {
                cluster.del_slot(slot);
            } else {
                cluster.add_slot(slot);
            }
        }
        cluster.todo_update = true;
        Reply::ok()
    })
}

/// FLUSHSLOTS: unassigns every slot of a node that holds no key.
fn flushslots(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| {
        if !ctx.store.dbs[0].is_empty() {
            return Reply::error("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.");
        }
        cluster.flush_own_slots();
        cluster.todo_update = true;
        Reply::ok()
    })
}

fn unknown_node(arg: &[u8]) -> Reply {
    let mut text = b"ERR Unknown node ".to_vec();
    text.extend_from_slice(c_str(arg, usize::MAX));
    Reply::error(text)
}

/// SETSLOT slot MIGRATING|IMPORTING|NODE id, SETSLOT slot STABLE. The change is this
/// node's view only; the other nodes learn of a slot's new owner when they are told
/// (SETSLOT … NODE sent to each, as `redis-cli --cluster reshard` does, or gossip).
/// A master that gives its last slot away stays a master (Redis's would become a
/// replica of the new owner under `cluster-allow-replica-migration yes`).
fn setslot(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| {
        let slot = match slot_arg(&argv[2]) {
            Ok(s) => s,
            Err(e) => return e,
        };
        let action = &argv[3];
        let dont_know = |arg: &[u8]| {
            let mut text = b"ERR I don't know about node ".to_vec();
            text.extend_from_slice(c_str(arg, usize::MAX));
            Reply::error(text)
        };
        if args::is(action, "migrating") && argv.len() == 5 {
            if !cluster.owns(slot) {
                return Reply::error(format!("ERR I'm not the owner of hash slot {slot}"));
            }
            let Some(node) = cluster.lookup(&argv[4]) else {
                return dont_know(&argv[4]);
            };
            let id = cluster.id_of(node).to_string();
            cluster.migrating.insert(slot, id);
        } else if args::is(action, "importing") && argv.len() == 5 {
            if cluster.owns(slot) {
                return Reply::error(format!("ERR I'm already the owner of hash slot {slot}"));
            }
            let Some(node) = cluster.lookup(&argv[4]) else {
                return dont_know(&argv[4]);
            };
            let id = cluster.id_of(node).to_string();
            cluster.importing.insert(slot, id);
        } else if args::is(action, "stable") && argv.len() == 4 {
            cluster.importing.remove(&slot);
            cluster.migrating.remove(&slot);
        } else if args::is(action, "node") && argv.len() == 5 {
            let Some(node) = cluster.lookup(&argv[4]) else {
                return unknown_node(&argv[4]);
            };
            let empty = keys_in_slot(ctx, slot).is_empty();
            if cluster.owns(slot) && node != Owner::Me && !empty {
                return Reply::error(format!(
                    "ERR Can't assign hashslot {slot} to a different node while I still hold keys for this hash slot."
                ));
            }
            if empty {
                cluster.migrating.remove(&slot);
            }
            cluster.assign(slot, node);
            if node == Owner::Me && cluster.importing.remove(&slot).is_some() {
                cluster.bump_epoch();
            }
        } else {
            return Reply::error(
                "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP",
            );
        }
        cluster.todo_update = true;
        Reply::ok()
    })
}

/// BUMPEPOCH: `+BUMPED n` or `+STILL n`.
fn bumpepoch(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, cluster| {
        let word = if cluster.bump_epoch() {
            "BUMPED"
        } else {
            "STILL"
        };
        Reply::simple(&format!("{word} {}", cluster.config_epoch))
    })
}

/// SET-CONFIG-EPOCH: only on a node whose epoch is still 0.
fn set_config_epoch(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, cluster| {
        let epoch = match args::int(&argv[2]) {
            Ok(e) => e,
            Err(e) => return e,
        };
        if epoch < 0 {
            return Reply::error(format!("ERR Invalid config epoch specified: {epoch}"));
        }
        if cluster.config_epoch != 0 {
            return Reply::error("ERR Node config epoch is already non-zero");
        }
        cluster.config_epoch = epoch as u64;
        cluster.current_epoch = cluster.current_epoch.max(epoch as u64);
        cluster.todo_update = true;
        Reply::ok()
    })
}

/// KEYSLOT key.
fn keyslot(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, _| Reply::Integer(key_hash_slot(&argv[2]) as i64))
}

/// The keys of database 0 in `slot`, newest first as Redis's per-slot lists (redsim
/// keeps one insertion order for the whole keyspace; a deletion moves the newest key
/// into the deleted one's place, so after deletions the order may differ from Redis's).
fn keys_in_slot(ctx: &mut Ctx<'_>, slot: u16) -> Vec<Vec<u8>> {
    let keys: Vec<Vec<u8>> = ctx.store.dbs[0]
        .keys()
        .filter(|k| key_hash_slot(k) == slot)
        .cloned()
        .collect();
    keys.into_iter().rev().collect()
}

/// COUNTKEYSINSLOT slot.
fn countkeysinslot(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, _| {
        let slot = match args::int(&argv[2]) {
            Ok(s) => s,
            Err(e) => return e,
        };
        if !(0..SLOTS as i64).contains(&slot) {
            return Reply::error("ERR Invalid slot");
        }
        Reply::Integer(keys_in_slot(ctx, slot as u16).len() as i64)
    })
}

/// GETKEYSINSLOT slot count.
fn getkeysinslot(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, _| {
        let slot = match args::int(&argv[2]) {
            Ok(s) => s,
            Err(e) => return e,
        };
        let count = match args::int(&argv[3]) {
            Ok(c) => c,
            Err(e) => return e,
        };
        if !(0..SLOTS as i64).contains(&slot) || count < 0 {
            return Reply::error("ERR Invalid slot or number of keys");
        }
        let keys = keys_in_slot(ctx, slot as u16);
        Reply::Array(
            keys.into_iter()
                .take(count as usize)
                .map(Reply::Bulk)
                .collect(),
        )
    })
}

/// A subcommand about the node named by `argv[2]`: `mine` when it is this node, `other`
/// for another known one, Redis's "Unknown node" otherwise.
fn about_node(
    ctx: &mut Ctx<'_>,
    argv: &[Vec<u8>],
    mine: fn() -> Reply,
    other: fn(&mut Ctx<'_>, &mut Cluster, usize) -> Reply,
) -> Reply {
    with_node(ctx, |ctx, cluster| match cluster.lookup(&argv[2]) {
        Some(Owner::Peer(i)) => other(ctx, cluster, i),
        Some(_) => mine(),
        None => unknown_node(&argv[2]),
    })
}

/// COUNT-FAILURE-REPORTS id: every node is reachable, so no node reports another.
fn failure_reports(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    about_node(ctx, argv, || Reply::Integer(0), |_, _, _| Reply::Integer(0))
}

/// FORGET id: the node and its slots go from this node's view (`clusterDelNode`).
fn forget(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    about_node(
        ctx,
        argv,
        || Reply::error("ERR I tried hard but I can't forget myself..."),
        |_, cluster, i| {
            let peer = cluster.peers.remove(i);
            cluster.migrating.retain(|_, id| *id != peer.id);
            cluster.importing.retain(|_, id| *id != peer.id);
            cluster.todo_update = true;
            Reply::ok()
        },
    )
}

/// REPLICATE id: a master with slots or keys cannot become a replica; redsim's nodes
/// never do.
fn replicate(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    about_node(
        ctx,
        argv,
        || Reply::error("ERR Can't replicate myself"),
        |ctx, cluster, _| {
            if cluster.owned_count() != 0 || !ctx.store.dbs[0].is_empty() {
                return Reply::error(
                    "ERR To set a master the node must be empty and without assigned slots.",
                );
            }
            Reply::error("ERR CLUSTER REPLICATE is not supported by redsim (its cluster nodes are all masters)")
        },
    )
}

/// REPLICAS / SLAVES id: every node is a master without replicas.
fn replicas(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    about_node(
        ctx,
        argv,
        || Reply::Array(Vec::new()),
        |_, _, _| Reply::Array(Vec::new()),
    )
}

/// FAILOVER [FORCE|TAKEOVER]: only a replica fails over.
fn failover(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, _| {
        if argv.len() > 3 {
            return super::subcommand_syntax_error(argv);
        }
        if argv.len() == 3 && !args::is(&argv[2], "force") && !args::is(&argv[2], "takeover") {
            return Reply::error("ERR syntax error");
        }
        Reply::error("ERR You should send CLUSTER FAILOVER to a replica")
    })
}

/// RESET [HARD|SOFT]: a master must hold no key; all slots go, a hard reset also takes a
/// new id and zeroes the epochs.
fn reset(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| {
        if argv.len() > 3 {
            return super::subcommand_syntax_error(argv);
        }
        let hard = match argv.get(2) {
            None => false,
            Some(a) if args::is(a, "hard") => true,
            Some(a) if args::is(a, "soft") => false,
            Some(_) => return Reply::error("ERR syntax error"),
        };
        if !ctx.db().is_empty() {
            return Reply::error(
                "ERR CLUSTER RESET can't be called with master nodes containing keys",
            );
        }
        let new_id = hard.then(|| Cluster::random_id(&mut *ctx.host));
        cluster.reset(new_id);
        cluster.todo_update = true;
        Reply::ok()
    })
}

/// MEET, SAVECONFIG: a redsim node has no cluster bus and no nodes.conf.
fn no_bus(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let name = String::from_utf8_lossy(&argv[1]).to_ascii_uppercase();
    with_node(ctx, |_, _| {
        Reply::error(format!(
            "ERR CLUSTER {name} is not supported by redsim (a node of its own, without a cluster bus)"
        ))
    })
}
