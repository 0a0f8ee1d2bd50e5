//! Golden replies: every command in `corpus/golden/<family>.txt` was sent to a real
//! redis-server 7.0 and its reply bytes recorded in `<family>.replies`; this test replays
//! the commands through a fresh `Engine` per file and compares bytes.
//!
//! `REDSIM_RECORD_GOLDEN=1 cargo test --test golden` re-records every file first (needs
//! `redis-server` on PATH); `REDSIM_RECORD_GOLDEN=strings,lists` records only those files.
//! See `corpus/golden/README.md` for the file format.

mod support;

#[path = "golden/format.rs"]
mod format;

use format::{
    cluster_size, families, golden_dir, load_commands, load_nodes, load_primary_port, load_replies,
    Entry, Item,
};
use redsim::{ClientId, Engine, ManualHost, Protocol};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use support::shards::{bulk_text, cluster_view, RealCluster, SimCluster};
use support::{escape, normalize, replace_all, replica_pair, Compare, RawConn, RedisServer};

fn protocol_number(p: Protocol) -> Vec<u8> {
    p.number().to_string().into_bytes()
}

/// Sends every command of `family` to a fresh redis-server and writes `<family>.replies`.
fn record(family: &str) {
    let items = load_commands(family).unwrap_or_else(|e| panic!("{e}"));
    let size = cluster_size(&items);
    let cluster = size > 0;
    let with_replica = items.iter().any(|i| matches!(i, Item::Replica));
    let mut real = (size > 1).then(|| RealCluster::start(size));
    let lone = match (&real, cluster) {
        (Some(_), _) => None,
        (None, true) => Some(RedisServer::start_with(&["--cluster-enabled", "yes"])),
        (None, false) if with_replica => Some(RedisServer::start_with(&[
            "--repl-diskless-sync-delay",
            "0",
        ])),
        (None, false) => Some(RedisServer::start()),
    };
    let mut ports: Vec<u16> = match (&real, &lone) {
        (Some(real), _) => real.ports(),
        (None, lone) => lone.iter().map(|s| s.port).collect(),
    };
    // A `#replica` file: node 2 replicates node 1. Before a command on the replica, the
    // recorder waits until it applied what the primary streamed (the replay carries
    // the stream over at once).
    let replica = with_replica.then(|| replica_pair::start(ports[0], &[]));
    ports.extend(replica.iter().map(|r| r.port));
    let mut watch = replica
        .as_ref()
        .map(|r| (RawConn::connect(ports[0]), r.connect()));
    let mut behind = false;
    let mut version_conn = RawConn::connect(ports[0]);
    let info = version_conn.call(&[b"INFO".to_vec(), b"server".to_vec()]);
    let version = String::from_utf8_lossy(&info)
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:").map(str::to_string))
        .unwrap_or_else(|| "?".into());
    drop(version_conn);
    let ids: Vec<String> = if cluster {
        ports
            .iter()
            .map(|&p| {
                bulk_text(&RawConn::connect(p).call(&[b"CLUSTER".to_vec(), b"MYID".to_vec()]))
            })
            .collect()
    } else {
        Vec::new()
    };
    let node: String = ids
        .iter()
        .zip(&ports)
        .map(|(id, port)| format!("# cluster node {id} port {port}\n"))
        .collect();
    let mut clients: Vec<Option<RawConn>> = Vec::new();
    let mut protocol = Protocol::Resp2;
    let hello = |conn: &mut RawConn, p: Protocol| {
        conn.call(&[b"HELLO".to_vec(), protocol_number(p)]);
    };
    let mut out = format!(
        "# Replies of {family}.txt recorded from redis-server {version}.\n\
         # Regenerate with REDSIM_RECORD_GOLDEN={family} cargo test --test golden; do not edit.\n"
    );
    out.push_str(&node);
    if with_replica {
        out.push_str(&format!("# replica of port {}\n", ports[0]));
    }
    for item in &items {
        match item {
            Item::Protocol(p) => {
                protocol = *p;
                for conn in clients.iter_mut().flatten() {
                    hello(conn, protocol);
                }
            }
            Item::Cluster(_) | Item::Replica => {}
            Item::Settle => {
                if let Some(real) = real.as_mut() {
                    real.converge();
                }
            }
            Item::Sleep(ms) => std::thread::sleep(std::time::Duration::from_millis(*ms)),
            Item::Command(entry) => {
                if let Some((primary, replica)) = watch.as_mut() {
                    if entry.node == 2 && std::mem::take(&mut behind) {
                        replica_pair::catch_up(primary, replica);
                    }
                    behind |= entry.node == 1;
                }
                let index = connection_index(entry);
                if clients.len() <= index {
                    clients.resize_with(index + 1, || None);
                }
                let port = ports[entry.node.min(ports.len()) - 1];
                let slot = &mut clients[index];
                let conn = slot.get_or_insert_with(|| {
                    let mut conn = RawConn::connect(port);
                    if protocol == Protocol::Resp3 {
                        hello(&mut conn, protocol);
                    }
                    conn
                });
                let port_names: Vec<String> = ports.iter().map(u16::to_string).collect();
                let reply = conn.call(&with_node_ids(&entry.argv, &ids, &port_names, entry.node));
                if entry.argv[0].eq_ignore_ascii_case(b"quit") {
                    *slot = None;
                }
                out.push_str(&format!("> {}\n< {}\n", entry.text, escape(&reply)));
            }
        }
    }
    drop((clients, watch));
    drop((real, lone, replica));
    let path = golden_dir().join(format!("{family}.replies"));
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!(
        "recorded {family}: {} commands",
        items
            .iter()
            .filter(|i| matches!(i, Item::Command(_)))
            .count()
    );
}

/// Replays one file through a fresh engine; returns the mismatch descriptions.
fn replay(family: &str) -> (usize, Vec<String>) {
    let items = match load_commands(family) {
        Ok(items) => items,
        Err(e) => return (0, vec![e]),
    };
    let replies = match load_replies(family) {
        Ok(r) => r,
        Err(e) => return (0, vec![e]),
    };
    let commands: Vec<&Entry> = items
        .iter()
        .filter_map(|i| match i {
            Item::Command(e) => Some(e),
            _ => None,
        })
        .collect();
    if commands.len() != replies.len()
        || commands
            .iter()
            .zip(&replies)
            .any(|(e, (text, _))| e.text != *text)
    {
        return (
            0,
            vec![format!(
                "{family}: the recording is stale; re-record with REDSIM_RECORD_GOLDEN={family}"
            )],
        );
    }
    // Time passes while a script runs (10 ns a Lua instruction, as the simulator's
    // default), so that scripts see the live clock move as on the real server.
    let mut host = ManualHost::default();
    host.tick_us = 100; // a tick is 10,000 instructions
    let size = cluster_size(&items);
    let recorded = load_nodes(family);
    if recorded.len() != size {
        return (
            0,
            vec![format!(
                "{family}: #cluster {size} but the recording names {} nodes",
                recorded.len()
            )],
        );
    }
    // The nodes: one engine, or a cluster of them on the recorded ports.
    let mut cluster = None;
    let engines: Vec<Arc<Mutex<Engine>>> = if size > 1 {
        let ports: Vec<u16> = recorded
            .iter()
            .map(|(_, p)| p.parse().unwrap_or(0))
            .collect();
        let sim = SimCluster::start(&ports, host.now_us);
        let engines = sim.engines.clone();
        for engine in &engines {
            let mut engine = engine.lock().unwrap();
            for client in sim.clients.clone() {
                if engine.store.is_connected(client) {
                    engine.disconnect(client);
                }
            }
        }
        cluster = Some(sim);
        engines
    } else {
        let mut engine = Engine::new(host);
        if size == 1 {
            engine.store.config.set_startup("cluster-enabled", "yes");
            engine.store.config.set_startup("port", &recorded[0].1);
        }
        vec![Arc::new(Mutex::new(engine))]
    };
    let (recorded_ids, mut recorded_ports): (Vec<String>, Vec<String>) =
        recorded.into_iter().unzip();
    // A `#replica` file: a second engine replicates the first (linked as a replica of
    // the recorded primary's port); the stream is carried over after each command.
    let mut engines = engines;
    let replica = load_primary_port(family).map(|port| {
        let mut replica = Engine::new(ManualHost::default());
        let index = replica_pair::link(&mut engines[0].lock().unwrap(), &mut replica, &port);
        recorded_ports.push(port);
        engines.push(Arc::new(Mutex::new(replica)));
        index
    });
    let mut clients: Vec<Option<ClientId>> = Vec::new();
    let mut protocol = Protocol::Resp2;
    let mut failures = Vec::new();
    let mut replies = replies.into_iter();
    for item in &items {
        let entry = match item {
            Item::Protocol(p) => {
                protocol = *p;
                for (index, client) in clients.iter().enumerate() {
                    if let Some(client) = client {
                        let node = index / 16;
                        let mut engine = engines[node].lock().unwrap();
                        engine.store.session_mut(*client).protocol = protocol;
                    }
                }
                continue;
            }
            Item::Cluster(_) | Item::Replica => continue,
            Item::Settle => {
                if let Some(sim) = cluster.as_mut() {
                    sim.gossip();
                }
                continue;
            }
            Item::Sleep(ms) => {
                // ManualHost's sleep moves its clock.
                for engine in &engines {
                    engine.lock().unwrap().host.sleep_us(ms * 1000);
                }
                continue;
            }
            Item::Command(entry) => entry,
        };
        let (_, expected) = replies.next().expect("counted above");
        let index = connection_index(entry);
        if clients.len() <= index {
            clients.resize(index + 1, None);
        }
        let node = entry.node.min(engines.len()) - 1;
        let mut engine = engines[node].lock().unwrap();
        let client = match clients[index] {
            Some(c) => c,
            None => {
                let c = engine.connect();
                engine.store.session_mut(c).protocol = protocol;
                clients[index] = Some(c);
                c
            }
        };
        // Every node's id (made by its first command): the replay's own.
        let ids: Vec<String> = match &cluster {
            Some(sim) => sim.ids.clone(),
            None => engine.cluster_node_id().into_iter().collect(),
        };
        let argv = with_node_ids(&entry.argv, &ids, &recorded_ports, entry.node);
        let got = match catch_unwind(AssertUnwindSafe(|| engine.execute_encoded(client, &argv))) {
            Ok(bytes) => bytes,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("PANIC: {message}").into_bytes()
            }
        };
        // Node ids are random: the replay's read as the recorded ones (same length, so
        // RESP lengths stay right). A lone node's id is made by its first command.
        let ids: Vec<String> = match &cluster {
            Some(sim) => sim.ids.clone(),
            None => engine.cluster_node_id().into_iter().collect(),
        };
        let got = ids
            .iter()
            .zip(&recorded_ids)
            .fold(got, |got, (id, recorded)| {
                replace_all(&got, id.as_bytes(), recorded.as_bytes())
            });
        if engine.store.is_connected(client) && engine.store.session(client).closing {
            engine.disconnect(client);
            clients[index] = None;
        }
        drop(engine);
        if let (Some(index), 0) = (replica, node) {
            let mut replica = engines[1].lock().unwrap();
            replica_pair::pump(&mut engines[0].lock().unwrap(), &mut replica, index);
        }
        let (expected, got) = if entry.view {
            (
                cluster_view(&bulk_text(&expected)).into_bytes(),
                cluster_view(&bulk_text(&got)).into_bytes(),
            )
        } else {
            (expected, got)
        };
        if normalize(&expected, entry.compare) != normalize(&got, entry.compare) {
            let how = match entry.compare {
                Compare::Exact => String::new(),
                other => format!(" (compared {other:?})"),
            };
            failures.push(format!(
                "{family}.txt:{}: {}{how}\n    expected: {}\n    got:      {}",
                entry.line,
                entry.text,
                escape(&expected),
                escape(&got)
            ));
        }
    }
    (commands.len(), failures)
}

/// In a `#cluster` file an argument written `$MYID` is the id of the node the command
/// goes to, `$ID1`, `$ID2`… the id of node 1, 2… (the recorded servers', the replay's
/// engines'), and `$PORT1`… the node's port (the replay's nodes use the recorded ones).
fn with_node_ids(argv: &[Vec<u8>], ids: &[String], ports: &[String], node: usize) -> Vec<Vec<u8>> {
    argv.iter()
        .map(|a| {
            if a == b"$MYID" {
                if let Some(id) = ids.get(node - 1) {
                    return id.as_bytes().to_vec();
                }
            }
            let numbered = |prefix: &[u8], values: &[String]| {
                let n = std::str::from_utf8(a.strip_prefix(prefix)?)
                    .ok()?
                    .parse::<usize>()
                    .ok()?;
                values.get(n.wrapping_sub(1)).map(|v| v.as_bytes().to_vec())
            };
            numbered(b"$PORT", ports)
                .or_else(|| numbered(b"$ID", ids))
                .unwrap_or_else(|| a.clone())
        })
        .collect()
}

/// Where a (node, client) pair's connection is kept: 16 clients a node.
fn connection_index(entry: &Entry) -> usize {
    (entry.node - 1) * 16 + entry.client - 1
}

#[test]
fn golden_replies_match_redis() {
    if let Ok(which) = std::env::var("REDSIM_RECORD_GOLDEN") {
        let all = families();
        let chosen: Vec<String> = if which == "1" || which == "all" {
            all
        } else {
            which
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        for family in &chosen {
            record(family);
        }
    }
    let mut total = 0;
    let mut failures = Vec::new();
    for family in families() {
        let (count, mut failed) = replay(&family);
        total += count;
        failures.append(&mut failed);
    }
    for failure in &failures {
        eprintln!("{failure}");
    }
    eprintln!(
        "golden: {total} commands replayed, {} mismatches",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} golden mismatches (see above)",
        failures.len()
    );
}
