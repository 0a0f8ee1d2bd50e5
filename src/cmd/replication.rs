//! Replication commands (`replication.c` 7.0.15): REPLICAOF / SLAVEOF, ROLE, WAIT.
//! The state they read and change is `crate::repl`; INFO's replication section is in
//! `info_sections.rs`.

use super::{args, flags::*, CommandSpec, Ctx};
use crate::repl::MasterLink;
use crate::resp::Reply;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "replicaof",
        3,
        ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING,
        replicaof,
    )
    .acl("admin slow dangerous"),
    CommandSpec::new(
        "slaveof",
        3,
        ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING,
        replicaof,
    )
    .acl("admin slow dangerous"),
    CommandSpec::new("role", 1, NOSCRIPT | LOADING | STALE | FAST, role)
        .acl("admin fast dangerous"),
    CommandSpec::new("wait", 3, NOSCRIPT, wait).acl("slow connection"),
];

/// REPLICAOF host port: from now on this server is a replica of `host:port` (its link
/// is down until the host of the engine synchronises it). REPLICAOF NO ONE: a primary
/// again, with a new replication id (the old one kept as `master_replid2`, so replicas
/// of the old primary could continue).
fn replicaof(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if ctx.store.config.cluster_enabled {
        return Reply::error("ERR REPLICAOF not allowed in cluster mode.");
    }
    if args::is(&argv[1], "no") && args::is(&argv[2], "one") {
        if ctx.store.repl.is_replica() {
            unset_master(ctx);
        }
        return Reply::ok();
    }
    if ctx.store.repl.master_client == Some(ctx.client) {
        return Reply::error("ERR Command is not valid when client is a replica.");
    }
    let port = match args::int(&argv[2]) {
        Ok(p) if (0..=65535).contains(&p) => p as u16,
        _ => return Reply::error("ERR Invalid master port"),
    };
    let host = String::from_utf8_lossy(&argv[1]).into_owned();
    if let Some(master) = &ctx.store.repl.master {
        if master.host.eq_ignore_ascii_case(&host) && master.port == port {
            return Reply::simple("OK Already connected to specified master");
        }
    }
    let now_ms = ctx.live_ms();
    let repl = &mut ctx.store.repl;
    // A primary that becomes a replica drops its own replicas (`disconnectSlaves`).
    repl.replicas.clear();
    repl.master = Some(MasterLink {
        host,
        port,
        up: false,
        last_io_ms: now_ms,
    });
    repl.master_client = None;
    Reply::ok()
}

/// `replicationUnsetMaster`: the replication history continues under a new id.
fn unset_master(ctx: &mut Ctx<'_>) {
    let id = new_replid(ctx);
    let repl = &mut ctx.store.repl;
    repl.master = None;
    repl.master_client = None;
    repl.second_offset = Some(repl.offset + 1);
    let process = &mut ctx.store.process;
    process.replid2 = std::mem::replace(&mut process.replid, id);
}

/// 40 hex digits from the host's randomness (`changeReplicationId`).
fn new_replid(ctx: &mut Ctx<'_>) -> String {
    let mut id = String::with_capacity(40);
    while id.len() < 40 {
        id.push_str(&format!("{:016x}", ctx.host.random_u64()));
    }
    id.truncate(40);
    id
}

/// ROLE: `master`, its offset and its online replicas (ip, port, acknowledged offset);
/// or `slave`, the primary's address, the link's state and the offset applied (-1
/// before the first synchronisation).
fn role(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let repl = &ctx.store.repl;
    match &repl.master {
        None => Reply::Array(vec![
            Reply::bulk("master"),
            Reply::Integer(repl.offset as i64),
            Reply::Array(
                repl.replicas
                    .iter()
                    .map(|r| {
                        Reply::Array(vec![
                            Reply::bulk(r.ip.clone()),
                            Reply::bulk(r.port.to_string()),
                            Reply::bulk(r.ack_offset.to_string()),
                        ])
                    })
                    .collect(),
            ),
        ]),
        Some(master) => Reply::Array(vec![
            Reply::bulk("slave"),
            Reply::bulk(master.host.clone()),
            Reply::Integer(i64::from(master.port)),
            Reply::bulk(if master.up { "connected" } else { "connect" }),
            Reply::Integer(if master.up { repl.offset as i64 } else { -1 }),
        ]),
    }
}

/// WAIT numreplicas timeout: the number of replicas that acknowledged the client's
/// last write. It answers at once when enough have (or inside MULTI); otherwise the
/// client waits — the session records what for ([`crate::repl::WaitRequest`]) and the
/// host of the engine answers when enough acknowledgements came or the timeout passed
/// (0: never), with the count then. The reply returned here is that count now.
fn wait(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if ctx.store.repl.is_replica() {
        return Reply::error(
            "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.",
        );
    }
    let numreplicas = match args::int(&argv[1]) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let timeout_ms = match args::parse_i64(&argv[2]) {
        None => return Reply::error("ERR timeout is not an integer or out of range"),
        Some(t) if t < 0 => return Reply::error("ERR timeout is negative"),
        Some(t) => t as u64,
    };
    let offset = ctx.store.session(ctx.client).woff;
    let acks = ctx.store.repl.acks_at(offset);
    if acks as i64 >= numreplicas || ctx.cannot_block() {
        return Reply::Integer(acks as i64);
    }
    let deadline_ms = (timeout_ms > 0).then(|| ctx.live_ms() + timeout_ms);
    let client = ctx.client;
    ctx.store.session_mut(client).wait = Some(crate::repl::WaitRequest {
        offset,
        numreplicas: numreplicas as usize,
        deadline_ms,
    });
    // Ask the replicas for an acknowledgement before the event loop sleeps.
    ctx.store.repl.getack_due = true;
    Reply::Integer(acks as i64)
}
