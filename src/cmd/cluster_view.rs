//! What CLUSTER shows of the node (`cluster.c`): NODES (`clusterGenNodesDescription`),
//! SLOTS (`clusterReplyMultiBulkSlots`), SHARDS (`clusterReplyShards`), INFO, MYID,
//! LINKS and HELP: every master the node knows, itself first (Redis lists NODES and
//! SHARDS in its node dict's order, which varies from run to run); no link and no bus
//! message, since redsim's nodes have no cluster bus.

use super::cluster::with_node;
use super::Ctx;
use crate::cluster::{node_lines, Address, Cluster, Owner, SLOTS};
use crate::resp::Reply;

pub(super) fn myid(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, cluster| Reply::bulk(cluster.id.as_bytes()))
}

/// NODES: this node's line, as a verbatim `txt` string.
pub(super) fn nodes(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| Reply::Verbatim {
        format: *b"txt",
        text: node_lines(cluster, &ctx.store.config, cluster.command_ms).into_bytes(),
    })
}

/// `addNodeToNodeReply`: endpoint, port, id, and the other known endpoints as a map.
fn node_reply(ctx: &Ctx<'_>, cluster: &Cluster, node: Owner) -> Reply {
    let config = &ctx.store.config;
    let at = Address::of_node(cluster, node, config);
    let id = cluster.id_of(node);
    let preferred = config
        .get("cluster-preferred-endpoint-type")
        .unwrap_or_default();
    let endpoint = match preferred.as_str() {
        "unknown-endpoint" => Reply::Null,
        _ => Reply::bulk(at.endpoint(config)),
    };
    let mut others = Vec::new();
    if preferred != "ip" {
        others.push((Reply::bulk("ip"), Reply::bulk(at.ip.clone())));
    }
    if preferred != "hostname" && !at.hostname.is_empty() {
        others.push((Reply::bulk("hostname"), Reply::bulk(at.hostname.clone())));
    }
    Reply::Array(vec![
        endpoint,
        Reply::Integer(at.port as i64),
        Reply::bulk(id.as_bytes()),
        Reply::Map(others),
    ])
}

/// SLOTS: one entry per run of slots one node serves, in slot order.
pub(super) fn slots(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| {
        let mut runs: Vec<(u16, u16, Owner)> = Vec::new();
        for slot in 0..SLOTS as u16 {
            let owner = cluster.owner(slot);
            if owner == Owner::Nobody {
                continue;
            }
            match runs.last_mut() {
                Some((_, end, node)) if *end + 1 == slot && *node == owner => *end = slot,
                _ => runs.push((slot, slot, owner)),
            }
        }
        Reply::Array(
            runs.into_iter()
                .map(|(start, end, node)| {
                    Reply::Array(vec![
                        Reply::Integer(start as i64),
                        Reply::Integer(end as i64),
                        node_reply(ctx, cluster, node),
                    ])
                })
                .collect(),
        )
    })
}

/// SHARDS: one shard per master, with its slot ranges and its own description.
pub(super) fn shards(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| {
        let masters = std::iter::once(Owner::Me).chain((0..cluster.peers.len()).map(Owner::Peer));
        Reply::Array(masters.map(|node| shard(ctx, cluster, node)).collect())
    })
}

/// `addShardReplyForClusterShards` of the master `node`.
fn shard(ctx: &Ctx<'_>, cluster: &Cluster, node: Owner) -> Reply {
    let config = &ctx.store.config;
    let at = Address::of_node(cluster, node, config);
    let ranges = match node {
        Owner::Peer(i) => cluster.peers[i].slots.ranges(),
        _ => cluster.owned_ranges(),
    };
    let bounds = ranges
        .into_iter()
        .flat_map(|(start, end)| [Reply::Integer(start as i64), Reply::Integer(end as i64)])
        .collect();
    let mut fields = vec![(
        Reply::bulk("id"),
        Reply::bulk(cluster.id_of(node).as_bytes()),
    )];
    if at.port != 0 {
        fields.push((Reply::bulk("port"), Reply::Integer(at.port as i64)));
    }
    fields.push((Reply::bulk("ip"), Reply::bulk(at.ip.clone())));
    fields.push((Reply::bulk("endpoint"), Reply::bulk(at.endpoint(config))));
    if !at.hostname.is_empty() {
        fields.push((Reply::bulk("hostname"), Reply::bulk(at.hostname.clone())));
    }
    fields.push((Reply::bulk("role"), Reply::bulk("master")));
    // A master without replicas keeps no backlog: its offset stays 0.
    fields.push((Reply::bulk("replication-offset"), Reply::Integer(0)));
    fields.push((Reply::bulk("health"), Reply::bulk("online")));
    Reply::Map(vec![
        (Reply::bulk("slots"), Reply::Array(bounds)),
        (Reply::bulk("nodes"), Reply::Array(vec![Reply::Map(fields)])),
    ])
}

/// INFO: the state and slot counts; no cluster bus, so no bus message.
pub(super) fn info(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, cluster| {
        let assigned = cluster.assigned_count();
        let text = format!(
            "cluster_state:{}\r\n\
             cluster_slots_assigned:{assigned}\r\n\
             cluster_slots_ok:{assigned}\r\n\
             cluster_slots_pfail:0\r\n\
             cluster_slots_fail:0\r\n\
             cluster_known_nodes:{}\r\n\
             cluster_size:{}\r\n\
             cluster_current_epoch:{}\r\n\
             cluster_my_epoch:{}\r\n\
             cluster_stats_messages_sent:0\r\n\
             cluster_stats_messages_received:0\r\n\
             total_cluster_links_buffer_limit_exceeded:0\r\n",
            if cluster.ok { "ok" } else { "fail" },
            1 + cluster.peers.len(),
            cluster.size,
            cluster.current_epoch,
            cluster.config_epoch,
        );
        Reply::Verbatim {
            format: *b"txt",
            text: text.into_bytes(),
        }
    })
}

/// LINKS: a node alone has no link.
pub(super) fn links(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, _| Reply::Array(Vec::new()))
}

pub(super) fn help(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    const LINES: &[&str] = &[
        "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ADDSLOTS <slot> [<slot> ...]",
        "    Assign slots to current node.",
        "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        "    Assign slots which are between <start-slot> and <end-slot> to current node.",
        "BUMPEPOCH",
        "    Advance the cluster config epoch.",
        "COUNT-FAILURE-REPORTS <node-id>",
        "    Return number of failure reports for <node-id>.",
        "COUNTKEYSINSLOT <slot>",
        "    Return the number of keys in <slot>.",
        "DELSLOTS <slot> [<slot> ...]",
        "    Delete slots information from current node.",
        "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        "    Delete slots information which are between <start-slot> and <end-slot> from current node.",
        "FAILOVER [FORCE|TAKEOVER]",
        "    Promote current replica node to being a master.",
        "FORGET <node-id>",
        "    Remove a node from the cluster.",
        "GETKEYSINSLOT <slot> <count>",
        "    Return key names stored by current node in a slot.",
        "FLUSHSLOTS",
        "    Delete current node own slots information.",
        "INFO",
        "    Return information about the cluster.",
        "KEYSLOT <key>",
        "    Return the hash slot for <key>.",
        "MEET <ip> <port> [<bus-port>]",
        "    Connect nodes into a working cluster.",
        "MYID",
        "    Return the node id.",
        "NODES",
        "    Return cluster configuration seen by node. Output format:",
        "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        "REPLICATE <node-id>",
        "    Configure current node as replica to <node-id>.",
        "RESET [HARD|SOFT]",
        "    Reset current node (default: soft).",
        "SET-CONFIG-EPOCH <epoch>",
        "    Set config epoch of current node.",
        "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
        "    Set slot state.",
        "REPLICAS <node-id>",
        "    Return <node-id> replicas.",
        "SAVECONFIG",
        "    Force saving cluster configuration on disk.",
        "SLOTS",
        "    Return information about slots range mappings. Each range is made of:",
        "    start, end, master and replicas IP addresses, ports and ids",
        "SHARDS",
        "    Return information about slot range mappings and the nodes associated with them.",
        "LINKS",
        "    Return information about all network links between this node and its peers.",
        "    Output format is an array where each array element is a map containing attributes of a link",
        "HELP",
        "    Prints this help.",
    ];
    with_node(ctx, |_, _| {
        Reply::Array(LINES.iter().map(|l| Reply::simple(l)).collect())
    })
}
