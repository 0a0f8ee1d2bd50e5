//! COMMAND INFO, GETKEYS, GETKEYSANDFLAGS and LIST FILTERBY against a real redis-server
//! 7.0.15: every command redsim implements must be described byte for byte as Redis
//! describes it (flags, key positions, ACL categories, tips, key specs, subcommands), in
//! RESP2 and RESP3, and keys must be found with the same flags.

mod support;

use redsim::{Engine, ManualHost, Protocol};
use support::{escape, normalize, redis_server_available, Compare, RawConn, RedisServer};

fn words(text: &str) -> Vec<Vec<u8>> {
    text.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

/// Every command and subcommand name redsim has, from its own COMMAND LIST.
fn our_names(engine: &mut Engine, client: redsim::ClientId) -> Vec<String> {
    let reply = engine.execute_encoded(client, &words("COMMAND LIST"));
    let text = String::from_utf8_lossy(&reply).into_owned();
    text.split("\r\n")
        .collect::<Vec<_>>()
        .chunks(2)
        .filter_map(|pair| pair.get(1).map(|s| s.to_string()))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Compares each line's reply on both sides; returns the differences.
fn compare(lines: &[Vec<Vec<u8>>], resp3: bool) -> Vec<String> {
    let server = RedisServer::start();
    let mut real: RawConn = server.connect();
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    if resp3 {
        real.call(&words("HELLO 3"));
        engine.store.session_mut(client).protocol = Protocol::Resp3;
    }
    let mut failures = Vec::new();
    for argv in lines {
        let (mut expected, mut got) = (real.call(argv), engine.execute_encoded(client, argv));
        if argv[1].eq_ignore_ascii_case(b"LIST") {
            // Redis lists in its hash table's order.
            expected = normalize(&expected, Compare::Unordered);
            got = normalize(&got, Compare::Unordered);
        }
        if expected != got {
            failures.push(format!(
                "{}\n  redis:  {}\n  redsim: {}",
                String::from_utf8_lossy(&argv.join(&b' ')),
                escape(&expected),
                escape(&got)
            ));
        }
    }
    failures
}

#[test]
fn command_info_of_every_command_matches_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED command_info_of_every_command_matches_redis: redis-server not found");
        return;
    }
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    let names = our_names(&mut engine, client);
    assert!(names.len() > 200, "{names:?}");
    let lines: Vec<Vec<Vec<u8>>> = names
        .iter()
        .map(|n| vec![b"COMMAND".to_vec(), b"INFO".to_vec(), n.as_bytes().to_vec()])
        .collect();
    let mut failures = compare(&lines, false);
    failures.extend(compare(&lines, true));
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn getkeys_and_list_filters_match_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED getkeys_and_list_filters_match_redis: redis-server not found");
        return;
    }
    let lines: Vec<Vec<Vec<u8>>> = [
        "COMMAND GETKEYS GET key",
        "COMMAND GETKEYSANDFLAGS GET key",
        "COMMAND GETKEYSANDFLAGS SET a b",
        "COMMAND GETKEYSANDFLAGS SET a b GET",
        "COMMAND GETKEYSANDFLAGS SET a b get EX 10",
        "COMMAND GETKEYSANDFLAGS LMOVE a b LEFT RIGHT",
        "COMMAND GETKEYSANDFLAGS MSET a 1 b 2 c 3",
        "COMMAND GETKEYSANDFLAGS ZUNIONSTORE dst 2 a b WEIGHTS 1 2",
        "COMMAND GETKEYSANDFLAGS ZUNION 2 a b",
        "COMMAND GETKEYSANDFLAGS ZUNION 3 a b",
        "COMMAND GETKEYSANDFLAGS EVAL s 2 k1 k2 a1",
        "COMMAND GETKEYS EVAL s 0",
        "COMMAND GETKEYS EVAL s x",
        "COMMAND GETKEYSANDFLAGS FCALL f 1 k",
        "COMMAND GETKEYSANDFLAGS LMPOP 2 a b LEFT",
        "COMMAND GETKEYSANDFLAGS BLMPOP 0 2 a b LEFT",
        "COMMAND GETKEYSANDFLAGS ZMPOP 1 z MIN",
        "COMMAND GETKEYSANDFLAGS BZMPOP 0 1 z MIN",
        "COMMAND GETKEYSANDFLAGS BLPOP a b 0",
        "COMMAND GETKEYSANDFLAGS RENAME a b",
        "COMMAND GETKEYSANDFLAGS COPY a b DB 1",
        "COMMAND GETKEYSANDFLAGS MEMORY USAGE key",
        "COMMAND GETKEYSANDFLAGS OBJECT ENCODING key",
        "COMMAND GETKEYSANDFLAGS LCS a b",
        "COMMAND GETKEYSANDFLAGS SINTERCARD 2 a b LIMIT 1",
        "COMMAND GETKEYS PING",
        "COMMAND GETKEYS NOSUCH a",
        "COMMAND GETKEYS CONFIG GET x",
        "COMMAND GETKEYS CONFIG NOSUCH x",
        "COMMAND GETKEYS GET",
        "COMMAND GETKEYS GET a b",
        "COMMAND GETKEYS MEMORY",
        "COMMAND GETKEYSANDFLAGS",
        "COMMAND INFO get|key",
        "COMMAND INFO config|nosuch",
        "COMMAND INFO nosuch get",
        "COMMAND LIST bad",
        "COMMAND LIST FILTERBY",
        "COMMAND LIST FILTERBY ACLCAT",
        "COMMAND LIST FILTERBY bogus x",
        "COMMAND LIST FILTERBY MODULE x",
        "COMMAND LIST FILTERBY ACLCAT nosuchcategory",
        "COMMAND LIST FILTERBY PATTERN incr*",
        "COMMAND LIST FILTERBY PATTERN CONFIG|G*",
        "COMMAND LIST FILTERBY PATTERN nosuch*",
    ]
    .iter()
    .map(|l| words(l))
    .collect();
    let mut failures = compare(&lines, false);
    failures.extend(compare(&lines, true));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
