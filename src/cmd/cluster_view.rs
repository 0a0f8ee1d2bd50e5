//! What CLUSTER shows of the node (`cluster.c`): NODES (`clusterGenNodesDescription`),
//! SLOTS (`clusterReplyMultiBulkSlots`), SHARDS (`clusterReplyShards`), INFO, MYID,
//! LINKS and HELP. The node knows only itself: one line, one shard, no link, no bus
//! message counted.

use super::cluster::with_node;
use super::Ctx;
use crate::cluster::{node_line, Address};
use crate::resp::Reply;

pub(super) fn myid(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, cluster| Reply::bulk(cluster.id.as_bytes()))
}

/// NODES: this node's line, as a verbatim `txt` string.
pub(super) fn nodes(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| Reply::Verbatim {
        format: *b"txt",
        text: node_line(cluster, &ctx.store.config).into_bytes(),
    })
}

/// `addNodeToNodeReply`: endpoint, port, id, and the other known endpoints as a map.
fn node_reply(ctx: &Ctx<'_>, id: &str) -> Reply {
    let config = &ctx.store.config;
    let at = Address::of(config);
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

/// SLOTS: one entry per range of slots this node serves.
pub(super) fn slots(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| {
        let ranges = cluster.owned_ranges();
        let node = node_reply(ctx, &cluster.id);
        Reply::Array(
            ranges
                .into_iter()
                .map(|(start, end)| {
                    Reply::Array(vec![
                        Reply::Integer(start as i64),
                        Reply::Integer(end as i64),
                        node.clone(),
                    ])
                })
                .collect(),
        )
    })
}

/// SHARDS: one shard, this master's, with its slot ranges and its own description.
pub(super) fn shards(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |ctx, cluster| {
        let config = &ctx.store.config;
        let at = Address::of(config);
        let bounds = cluster
            .owned_ranges()
            .into_iter()
            .flat_map(|(start, end)| [Reply::Integer(start as i64), Reply::Integer(end as i64)])
            .collect();
        let mut node = vec![(Reply::bulk("id"), Reply::bulk(cluster.id.as_bytes()))];
        if at.port != 0 {
            node.push((Reply::bulk("port"), Reply::Integer(at.port as i64)));
        }
        node.push((Reply::bulk("ip"), Reply::bulk(at.ip.clone())));
        node.push((Reply::bulk("endpoint"), Reply::bulk(at.endpoint(config))));
        if !at.hostname.is_empty() {
            node.push((Reply::bulk("hostname"), Reply::bulk(at.hostname.clone())));
        }
        node.push((Reply::bulk("role"), Reply::bulk("master")));
        // A master without replicas keeps no backlog: its offset stays 0.
        node.push((Reply::bulk("replication-offset"), Reply::Integer(0)));
        node.push((Reply::bulk("health"), Reply::bulk("online")));
        Reply::Array(vec![Reply::Map(vec![
            (Reply::bulk("slots"), Reply::Array(bounds)),
            (Reply::bulk("nodes"), Reply::Array(vec![Reply::Map(node)])),
        ])])
    })
}

/// INFO: the state and slot counts; no other node, so no bus message.
pub(super) fn info(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_node(ctx, |_, cluster| {
        let assigned = cluster.owned_count();
        let text = format!(
            "cluster_state:{}\r\n\
             cluster_slots_assigned:{assigned}\r\n\
             cluster_slots_ok:{assigned}\r\n\
             cluster_slots_pfail:0\r\n\
             cluster_slots_fail:0\r\n\
             cluster_known_nodes:1\r\n\
             cluster_size:{}\r\n\
             cluster_current_epoch:{}\r\n\
             cluster_my_epoch:{}\r\n\
             cluster_stats_messages_sent:0\r\n\
             cluster_stats_messages_received:0\r\n\
             total_cluster_links_buffer_limit_exceeded:0\r\n",
            if cluster.ok { "ok" } else { "fail" },
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
