//! Golden replies: every command in `corpus/golden/<family>.txt` was sent to a real
//! redis-server 7.0 and its reply bytes recorded in `<family>.replies`; this test replays
//! the commands through a fresh `Engine` per file and compares bytes.
//!
//! `REDSIM_RECORD_GOLDEN=1 cargo test --test golden` re-records every file first (needs
//! `redis-server` on PATH); `REDSIM_RECORD_GOLDEN=strings,lists` records only those files.
//! See `corpus/golden/README.md` for the file format.

mod support;

use redsim::resp::parse::split_args;
use redsim::{ClientId, Engine, ManualHost, Protocol};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use support::replica_pair as replica;
use support::{escape, normalize, unescape, Compare, RawConn, RedisServer};

/// One command line of a golden file.
#[derive(Clone, Debug)]
struct Entry {
    line: usize,
    /// The line as written (markers included): the recording repeats it.
    text: String,
    /// 1-based client number (`@c2`); client 1 by default; 0: the replica's connection
    /// (`@replica`, in a `#replica` file).
    client: usize,
    compare: Compare,
    argv: Vec<Vec<u8>>,
}

#[derive(Clone, Debug)]
enum Item {
    Command(Entry),
    /// `#resp2` / `#resp3`: every client, open or opened later, speaks this protocol.
    Protocol(Protocol),
    /// `#cluster`: the server is a Redis Cluster node (`--cluster-enabled yes`).
    Cluster,
    /// `#sleep <ms>`: time passes (the recorder sleeps, the replay moves its clock).
    Sleep(u64),
    /// `#replica`: the server has a replica; `@replica` commands run on it.
    Replica,
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/golden")
}

fn families() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(golden_dir())
        .expect("corpus/golden exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".txt"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn parse_markers(line: &str) -> Result<(usize, Compare, &str), String> {
    let mut rest = line.trim();
    let (mut client, mut compare) = (1, Compare::Exact);
    while let Some(marked) = rest.strip_prefix('@') {
        let end = marked.find(char::is_whitespace).unwrap_or(marked.len());
        let word = &marked[..end];
        match word {
            "unordered" => compare = Compare::Unordered,
            "pairs" => compare = Compare::Pairs,
            "shape" => compare = Compare::Shape,
            "type" => compare = Compare::Type,
            "any" => compare = Compare::Any,
            "aclrules" => compare = Compare::AclRules,
            "replica" => client = 0,
            _ => match word.strip_prefix('c').and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if (1..=16).contains(&n) => client = n,
                _ => return Err(format!("unknown marker @{word}")),
            },
        }
        rest = marked[end..].trim_start();
    }
    Ok((client, compare, rest))
}

fn load_commands(family: &str) -> Result<Vec<Item>, String> {
    let path = golden_dir().join(format!("{family}.txt"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut items = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("{family}.txt:{}", index + 1);
        match line {
            "" => continue,
            "#resp3" => items.push(Item::Protocol(Protocol::Resp3)),
            "#resp2" => items.push(Item::Protocol(Protocol::Resp2)),
            "#cluster" => items.push(Item::Cluster),
            "#replica" => items.push(Item::Replica),
            _ if line.starts_with("#sleep ") => {
                let ms = line["#sleep ".len()..]
                    .trim()
                    .parse()
                    .map_err(|_| format!("{}: #sleep takes milliseconds", at()))?;
                items.push(Item::Sleep(ms));
            }
            _ if line.starts_with('#') => continue,
            _ => {
                let (client, compare, command) =
                    parse_markers(line).map_err(|e| format!("{}: {e}", at()))?;
                let argv = split_args(command.as_bytes())
                    .ok_or_else(|| format!("{}: unbalanced quotes", at()))?;
                if argv.is_empty() {
                    return Err(format!("{}: markers without a command", at()));
                }
                items.push(Item::Command(Entry {
                    line: index + 1,
                    text: line.to_string(),
                    client,
                    compare,
                    argv,
                }));
            }
        }
    }
    Ok(items)
}

/// `(command text, reply bytes)` pairs of `<family>.replies`.
fn load_replies(family: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let path = golden_dir().join(format!("{family}.replies"));
    let text = std::fs::read_to_string(&path)
        .map_err(|_| format!("{family}: not recorded (no {family}.replies)"))?;
    let mut pairs = Vec::new();
    let mut command: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        if let Some(c) = line.strip_prefix("> ") {
            command = Some(c.to_string());
        } else if let Some(r) = line.strip_prefix("< ") {
            let c = command
                .take()
                .ok_or_else(|| format!("{family}.replies:{}: reply without command", index + 1))?;
            let bytes = unescape(r).map_err(|e| format!("{family}.replies:{}: {e}", index + 1))?;
            pairs.push((c, bytes));
        }
    }
    Ok(pairs)
}

/// The recorded node's id and port (`# cluster node <id> port <port>`) of a `#cluster`
/// file: the replay's node listens on that port and its id is read as that one.
fn load_node(family: &str) -> Option<(String, String)> {
    let text = std::fs::read_to_string(golden_dir().join(format!("{family}.replies"))).ok()?;
    text.lines().find_map(|line| {
        let rest = line.strip_prefix("# cluster node ")?;
        let (id, port) = rest.split_once(" port ")?;
        Some((id.to_string(), port.to_string()))
    })
}

/// The recorded primary's port (`# replica of port <port>`) of a `#replica` file.
fn load_primary_port(family: &str) -> Option<String> {
    let text = std::fs::read_to_string(golden_dir().join(format!("{family}.replies"))).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("# replica of port ").map(str::to_string))
}

fn protocol_number(p: Protocol) -> Vec<u8> {
    p.number().to_string().into_bytes()
}

/// Sends every command of `family` to a fresh redis-server and writes `<family>.replies`.
fn record(family: &str) {
    let items = load_commands(family).unwrap_or_else(|e| panic!("{e}"));
    let cluster = items.iter().any(|i| matches!(i, Item::Cluster));
    let with_replica = items.iter().any(|i| matches!(i, Item::Replica));
    let server = if cluster {
        RedisServer::start_with(&["--cluster-enabled", "yes"])
    } else if with_replica {
        RedisServer::start_with(&["--repl-diskless-sync-delay", "0"])
    } else {
        RedisServer::start()
    };
    let replica = with_replica.then(|| replica::start(server.port, &[]));
    let mut replica_conn = replica.as_ref().map(|r| r.connect());
    // After a command on the primary, the next one on the replica waits until the
    // replica has it (the replay carries the stream over at once).
    let mut catch_up = with_replica.then(|| server.connect());
    let mut version_conn = server.connect();
    let info = version_conn.call(&[b"INFO".to_vec(), b"server".to_vec()]);
    let version = String::from_utf8_lossy(&info)
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:").map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let my_id = cluster.then(|| {
        let id = version_conn.call(&[b"CLUSTER".to_vec(), b"MYID".to_vec()]);
        let id = String::from_utf8_lossy(&id);
        id.lines().nth(1).unwrap_or_default().to_string()
    });
    let node = my_id
        .as_ref()
        .map(|id| format!("# cluster node {id} port {}\n", server.port));
    drop(version_conn);
    let mut clients: Vec<Option<RawConn>> = Vec::new();
    let mut protocol = Protocol::Resp2;
    let hello = |conn: &mut RawConn, p: Protocol| {
        conn.call(&[b"HELLO".to_vec(), protocol_number(p)]);
    };
    let mut out = format!(
        "# Replies of {family}.txt recorded from redis-server {version}.\n\
         # Regenerate with REDSIM_RECORD_GOLDEN={family} cargo test --test golden; do not edit.\n"
    );
    out.push_str(node.as_deref().unwrap_or_default());
    if with_replica {
        out.push_str(&format!("# replica of port {}\n", server.port));
    }
    let primary_port = server.port.to_string();
    let mut behind = false;
    for item in &items {
        match item {
            Item::Protocol(p) => {
                protocol = *p;
                for conn in clients.iter_mut().flatten() {
                    hello(conn, protocol);
                }
            }
            Item::Cluster | Item::Replica => {}
            Item::Sleep(ms) => std::thread::sleep(std::time::Duration::from_millis(*ms)),
            Item::Command(entry) if entry.client == 0 => {
                let conn = replica_conn.as_mut().expect("@replica needs #replica");
                if std::mem::take(&mut behind) {
                    let primary = catch_up.as_mut().expect("a #replica file");
                    replica::catch_up(primary, conn);
                }
                let reply = conn.call(&replica::with_port(&entry.argv, &primary_port));
                out.push_str(&format!("> {}\n< {}\n", entry.text, escape(&reply)));
            }
            Item::Command(entry) => {
                behind = with_replica;
                if clients.len() < entry.client {
                    clients.resize_with(entry.client, || None);
                }
                let slot = &mut clients[entry.client - 1];
                let conn = slot.get_or_insert_with(|| {
                    let mut conn = server.connect();
                    if protocol == Protocol::Resp3 {
                        hello(&mut conn, protocol);
                    }
                    conn
                });
                let argv = replica::with_port(&entry.argv, &primary_port);
                let reply = conn.call(&with_node_id(&argv, my_id.as_deref()));
                if entry.argv[0].eq_ignore_ascii_case(b"quit") {
                    *slot = None;
                }
                out.push_str(&format!("> {}\n< {}\n", entry.text, escape(&reply)));
            }
        }
    }
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
    let mut engine = Engine::new(host);
    let node = if items.iter().any(|i| matches!(i, Item::Cluster)) {
        let Some(node) = load_node(family) else {
            return (
                0,
                vec![format!(
                    "{family}: a #cluster file's recording names no node"
                )],
            );
        };
        engine.store.config.set_startup("cluster-enabled", "yes");
        engine.store.config.set_startup("port", &node.1);
        Some(node.0)
    } else {
        None
    };
    // A `#replica` file: a second engine replicates this one; the stream is carried
    // over after every command on the primary.
    let primary_port = load_primary_port(family).unwrap_or_default();
    let mut replica = items.iter().any(|i| matches!(i, Item::Replica)).then(|| {
        let mut replica = Engine::new(ManualHost::default());
        let index = replica::link(&mut engine, &mut replica, &primary_port);
        let client = replica.connect();
        (replica, index, client)
    });
    let mut clients: Vec<Option<ClientId>> = Vec::new();
    let mut protocol = Protocol::Resp2;
    let mut failures = Vec::new();
    let mut replies = replies.into_iter();
    for item in &items {
        let entry = match item {
            Item::Protocol(p) => {
                protocol = *p;
                for client in clients.iter().flatten() {
                    engine.store.session_mut(*client).protocol = protocol;
                }
                continue;
            }
            Item::Cluster | Item::Replica => continue,
            Item::Sleep(ms) => {
                // ManualHost's sleep moves its clock.
                engine.host.sleep_us(ms * 1000);
                continue;
            }
            Item::Command(entry) => entry,
        };
        let (_, expected) = replies.next().expect("counted above");
        let argv = replica::with_port(&entry.argv, &primary_port);
        if entry.client == 0 {
            let Some((replica, _, client)) = replica.as_mut() else {
                failures.push(format!(
                    "{family}.txt:{}: @replica needs #replica",
                    entry.line
                ));
                continue;
            };
            let got = replica.execute_encoded(*client, &argv);
            if normalize(&expected, entry.compare) != normalize(&got, entry.compare) {
                failures.push(format!(
                    "{family}.txt:{}: {}\n    expected: {}\n    got:      {}",
                    entry.line,
                    entry.text,
                    escape(&expected),
                    escape(&got)
                ));
            }
            continue;
        }
        if clients.len() < entry.client {
            clients.resize(entry.client, None);
        }
        let client = match clients[entry.client - 1] {
            Some(c) => c,
            None => {
                let c = engine.connect();
                engine.store.session_mut(c).protocol = protocol;
                clients[entry.client - 1] = Some(c);
                c
            }
        };
        let argv = with_node_id(&argv, engine.cluster_node_id().as_deref());
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
        let got = match (&node, engine.cluster_node_id()) {
            // Node ids are random: the replay's reads as the recorded one (same length,
            // so RESP lengths stay right).
            (Some(recorded), Some(id)) => replace_all(&got, id.as_bytes(), recorded.as_bytes()),
            _ => got,
        };
        if let Some((replica, index, _)) = replica.as_mut() {
            replica::pump(&mut engine, replica, *index);
        }
        if engine.store.is_connected(client) && engine.store.session(client).closing {
            engine.disconnect(client);
            clients[entry.client - 1] = None;
        }
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

/// An argument written `$MYID` in a `#cluster` file is the node's id (the recorded
/// server's, the replay's engine's).
fn with_node_id(argv: &[Vec<u8>], id: Option<&str>) -> Vec<Vec<u8>> {
    argv.iter()
        .map(|a| match id {
            Some(id) if a == b"$MYID" => id.as_bytes().to_vec(),
            _ => a.clone(),
        })
        .collect()
}

fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
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

#[test]
fn golden_markers_are_understood() {
    let (client, compare, rest) =
        parse_markers("@c2 @unordered SMEMBERS s").expect("valid markers");
    assert_eq!(
        (client, compare, rest),
        (2, Compare::Unordered, "SMEMBERS s")
    );
    assert!(parse_markers("@bogus PING").is_err());
}

#[test]
fn sorted_comparison_ignores_element_order_only() {
    let a = b"*2\r\n$1\r\na\r\n$1\r\nb\r\n";
    let b = b"*2\r\n$1\r\nb\r\n$1\r\na\r\n";
    let c = b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n";
    assert_eq!(
        normalize(a, Compare::Unordered),
        normalize(b, Compare::Unordered)
    );
    assert_ne!(
        normalize(a, Compare::Unordered),
        normalize(c, Compare::Unordered)
    );
    assert_ne!(normalize(a, Compare::Exact), normalize(b, Compare::Exact));
    assert_eq!(normalize(a, Compare::Shape), normalize(c, Compare::Shape));
    assert_eq!(
        unescape(&escape(b"\x00\r\n\\x")).expect("round trip"),
        b"\x00\r\n\\x"
    );
}

#[test]
fn acl_rule_comparison_sorts_single_command_runs_only() {
    let redis = b"*1\r\n$36\r\n-@all +@read +set +get -@write +hget\r\n";
    let same = b"*1\r\n$36\r\n-@all +@read +get +set -@write +hget\r\n";
    let moved_category = b"*1\r\n$36\r\n-@all -@write +get +set +@read +hget\r\n";
    let mode = Compare::AclRules;
    assert_eq!(normalize(redis, mode), normalize(same, mode));
    assert_ne!(normalize(redis, mode), normalize(moved_category, mode));
}
