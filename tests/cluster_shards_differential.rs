//! A cluster of three masters against three live `redis-server --cluster-enabled yes`
//! 7.0.15 on loopback: the same slot split (0-5460, 5461-10922, 10923-16383, as
//! `redis-cli --cluster create` makes it), then the same commands sent to the same node
//! on both sides — MOVED and ASK with the other node's address, TRYAGAIN, ASKING, a
//! script's errors for keys of another node, a slot resharded with SETSLOT
//! MIGRATING/IMPORTING, MIGRATE of its keys (KEYS, COPY, REPLACE, AUTH, errors of the
//! target) and SETSLOT … NODE, and the CLUSTER views of every node.
//!
//! The redsim nodes are three engines whose hosts carry MIGRATE to each other by port;
//! what a real node learns by gossip they are told with `Engine::cluster_learn`. Node
//! ids differ (each side's own, named `<n0>---…` before comparing); in CLUSTER NODES the
//! ping and pong times are zeroed and lines sorted, CLUSTER INFO leaves out the bus
//! message counts, and CLUSTER SHARDS is compared with its shards sorted (Redis lists
//! nodes in its dict's order). Every other reply is compared byte for byte.

mod support;

use support::shards::{bulk_text, cluster_view, RealCluster, SimCluster};
use support::{escape, normalize, replace_all, Compare};

/// A reply with node ids named and the parts that differ between runs set aside.
fn comparable(reply: &[u8], ids: &[String], command: &[String]) -> String {
    let mut text = reply.to_vec();
    for (i, id) in ids.iter().enumerate() {
        // As long as an id, so that the RESP lengths stay right.
        text = replace_all(
            &text,
            id.as_bytes(),
            format!("{:-<40}", format!("<n{i}>")).as_bytes(),
        );
    }
    let words: Vec<String> = command.iter().map(|w| w.to_ascii_lowercase()).collect();
    let view = |w: &str| words.len() == 2 && words[0] == "cluster" && words[1] == w;
    if view("nodes") || view("info") {
        return cluster_view(&bulk_text(&text));
    }
    if view("shards") {
        return escape(&normalize(&text, Compare::Unordered));
    }
    escape(&text)
}

/// One step of the script: a command to node `n`, or both sides' gossip settling.
enum Step {
    Call(usize, Vec<String>),
    Settle,
}

/// `n: WORDS…` lines (`$id0`… name a node's id on each side, `$p0`… its port) and
/// `settle` lines.
fn steps() -> Vec<Step> {
    let script = r##"
0: SET {b}1 v1
0: SET {b}2 v2
0: SET f x
0: SET k3 1
0: SET a 1
0: GET c
1: GET c
2: SET a 2
0: MGET b c
0: MGET b f
0: EVAL "return redis.call('get', KEYS[1])" 1 a
0: EVAL "return redis.call('get', 'a')" 0
0: EVAL "return redis.call('get', 'f')" 0
0: EVAL "redis.call('get', 'f') return redis.call('get', '{b}1')" 0
0: EVAL "#!lua\nreturn redis.call('get', 'f')" 0
0: EVAL "#!lua flags=allow-cross-slot-keys\nredis.call('get', 'f') return redis.call('get', '{b}1')" 0
0: EVAL "#!lua flags=allow-cross-slot-keys\nreturn redis.call('get', 'a')" 0
0: EVAL "return redis.pcall('get', 'a')" 0
0: MULTI
0: SET f y
0: SET a 1
0: EXEC
0: GET f
0: CLUSTER SLOTS
1: CLUSTER SLOTS
0: CLUSTER NODES
2: CLUSTER NODES
0: CLUSTER SHARDS
0: CLUSTER INFO
0: CLUSTER COUNT-FAILURE-REPORTS $id1
0: CLUSTER REPLICAS $id2
0: CLUSTER SLAVES $id2
0: CLUSTER REPLICATE $id1
0: CLUSTER SETSLOT 3300 IMPORTING $id1
0: CLUSTER SETSLOT 3168 NODE $id1
0: CLUSTER SETSLOT 7365 MIGRATING $id1
0: CLUSTER ADDSLOTS 7365
0: CLUSTER SETSLOT 3300 MIGRATING $id1
1: CLUSTER SETSLOT 3300 IMPORTING $id0
0: CLUSTER NODES
1: CLUSTER NODES
0: GET {b}1
0: GET {b}3
0: SET {b}3 x
0: MGET {b}1 {b}3
0: MGET {b}3 {b}4
0: EVAL "return redis.call('get', KEYS[1])" 1 {b}3
0: EVAL "return redis.call('get', KEYS[1])" 1 {b}1
0: EVAL "return redis.call('get', '{b}3')" 0
0: EVAL "return redis.call('get', '{b}1')" 0
0: ASKING
0: GET {b}3
1: GET {b}3
1: ASKING
1: GET {b}3
1: GET {b}3
1: ASKING
1: MGET {b}1 {b}3
1: ASKING
1: EVAL "return redis.call('get', KEYS[1])" 1 {b}3
1: ASKING
1: EVAL "return redis.call('get', '{b}3')" 0
1: MULTI
1: ASKING
1: GET {b}3
1: EXEC
0: MIGRATE 127.0.0.1 $p1 {b}1 0 5000
0: GET {b}1
0: MIGRATE 127.0.0.1 $p1 {b}1 0 5000
0: MIGRATE 127.0.0.1 $p1 "" 0 5000 KEYS {b}2 {b}9
0: MIGRATE 127.0.0.1 $p1 "" 0 5000 KEYS {b}9
0: CLUSTER COUNTKEYSINSLOT 3300
1: ASKING
1: GET {b}1
1: ASKING
1: MGET {b}1 {b}2
1: CLUSTER COUNTKEYSINSLOT 3300
1: CLUSTER GETKEYSINSLOT 3300 10
0: CLUSTER SETSLOT 3300 NODE $id1
1: CLUSTER SETSLOT 3300 NODE $id1
2: CLUSTER SETSLOT 3300 NODE $id1
settle
0: GET {b}1
1: GET {b}1
2: GET {b}1
0: CLUSTER SLOTS
2: CLUSTER SLOTS
0: CLUSTER NODES
1: CLUSTER NODES
2: CLUSTER NODES
0: CLUSTER SHARDS
1: CLUSTER INFO
0: CLUSTER INFO
0: CLUSTER SETSLOT 3300 MIGRATING $id1
0: MIGRATE 127.0.0.1 $p1 f 0 1000 COPY
0: MIGRATE 127.0.0.1 $p1 f 1 1000 COPY
0: MIGRATE 127.0.0.1 $p1 f 0 1000 COPY AUTH secret
0: MIGRATE 127.0.0.1 $p1 f 0 1000 COPY AUTH2 user secret
0: MIGRATE 127.0.0.1 $p1 f 0 1000 KEYS f
0: MIGRATE 127.0.0.1 $p1 f 0 1000 bogus
0: MIGRATE 127.0.0.1 $p1 f 0 1000 AUTH
0: MIGRATE 127.0.0.1 $p1 f 0 1000 AUTH2 u
0: MIGRATE 127.0.0.1 $p1 f x 1000
0: MIGRATE 127.0.0.1 $p1 f 0 x
0: MIGRATE 127.0.0.1 $p1 k2 0 1000
0: MIGRATE 127.0.0.1 $p1 a 0 1000
0: MIGRATE 127.0.0.1 $p1 "" 0 1000 KEYS f b
0: MIGRATE 127.0.0.1 1 f 0 100
0: MIGRATE no.such.host.invalid 1 f 0 100
0: COMMAND GETKEYS MIGRATE 127.0.0.1 $p1 f 0 1000
0: COMMAND GETKEYS MIGRATE 127.0.0.1 $p1 "" 0 1000 COPY KEYS f {b}1
0: COMMAND GETKEYS MIGRATE 127.0.0.1 $p1 "" 0 1000 AUTH KEYS KEYS f
0: COMMAND GETKEYS MIGRATE 127.0.0.1 $p1 "" 0 1000 KEYS
0: COMMAND GETKEYS MIGRATE 127.0.0.1 $p1 f 0 1000 KEYS {b}1
0: COMMAND GETKEYS MIGRATE 127.0.0.1 $p1 "" 0 1000 AUTH2 KEYS KEYS f KEYS g
0: COMMAND INFO migrate
0: ACL SETUSER mover on nopass +migrate ~f
0: ACL DRYRUN mover MIGRATE 127.0.0.1 $p1 f 0 1000
0: ACL DRYRUN mover MIGRATE 127.0.0.1 $p1 "" 0 1000 KEYS f k3
0: ACL DRYRUN default MIGRATE 127.0.0.1 $p1 f 0 1000
0: CLUSTER SETSLOT 4576 MIGRATING $id1
1: CLUSTER SETSLOT 4576 IMPORTING $id0
0: MIGRATE 127.0.0.1 $p1 k3 0 1000 COPY
0: MIGRATE 127.0.0.1 $p1 k3 0 1000 COPY
0: MIGRATE 127.0.0.1 $p1 k3 0 1000 COPY REPLACE
0: GET k3
1: ASKING
1: GET k3
0: CLUSTER SETSLOT 4576 STABLE
1: CLUSTER SETSLOT 4576 STABLE
0: GET k3
1: GET k3
0: CLUSTER NODES
"##;
    script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            if line == "settle" {
                return Step::Settle;
            }
            let (node, command) = line.split_once(": ").expect("n: command");
            Step::Call(node.parse().expect("a node number"), split(command))
        })
        .collect()
}

/// Words as redis-cli splits them: double quotes group, `\n` inside them is a newline.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' if chars.peek() == Some(&'n') => {
                        chars.next();
                        word.push('\n');
                    }
                    c => word.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        words.push(word);
    }
    words
}

fn fill(words: &[String], ids: &[String], ports: &[u16]) -> Vec<Vec<u8>> {
    words
        .iter()
        .map(|w| {
            let mut w = w.clone();
            for (i, id) in ids.iter().enumerate() {
                w = w.replace(&format!("$id{i}"), id);
                w = w.replace(&format!("$p{i}"), &ports[i].to_string());
            }
            w.into_bytes()
        })
        .collect()
}

#[test]
fn three_masters_match_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let mut real = RealCluster::start(3);
    let ports = real.ports();
    let mut sim = SimCluster::start(&ports, 1_700_000_000_000_000);
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for step in steps() {
        let (node, words) = match step {
            Step::Settle => {
                real.converge();
                sim.gossip();
                continue;
            }
            Step::Call(node, words) => (node, words),
        };
        let expected = real.conns[node].call(&fill(&words, &real.ids, &ports));
        let got = {
            let mut engine = sim.engines[node].lock().unwrap();
            engine.execute_encoded(sim.clients[node], &fill(&words, &sim.ids, &ports))
        };
        let expected = comparable(&expected, &real.ids, &words);
        let got = comparable(&got, &sim.ids, &words);
        compared += 1;
        if expected != got {
            mismatches.push(format!(
                "node {node}: {}\n    expected: {expected}\n    got:      {got}",
                words.join(" ")
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} replies differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    eprintln!("{compared} replies of a three-node cluster equal redis-server's");
}
