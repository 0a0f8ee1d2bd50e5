//! ACL against a live redis-server 7.0.15: random ACL SETUSER rule sequences (flags,
//! passwords, key and channel patterns, categories, commands, subcommands, first
//! arguments, selectors, their errors) are applied on both sides, then ACL LIST,
//! ACL GETUSER and ACL DRYRUN of a fixed set of command lines must read the same
//! (single-command rules compared sorted: Redis writes them in its randomly seeded
//! command dict's order). A second test compares the ACL log's entries field by field.

mod support;

use proptest::prelude::*;
use redsim::{Engine, ManualHost};
use support::{differential, escape, normalize, Compare, RawConn, RedisServer};

/// Some of Redis's categories (each `+@cat` / `-@cat` changes which categories ACL LIST
/// finds best for the rest), `all`, and one that does not exist.
const CATEGORIES: &[&str] = &[
    "keyspace",
    "read",
    "write",
    "string",
    "hash",
    "geo",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "dangerous",
    "connection",
    "scripting",
    "all",
    "nosuch",
];

const COMMANDS: &[&str] = &[
    "get",
    "set",
    "config",
    "config|get",
    "config|set",
    "client",
    "client|list",
    "client|kill",
    "acl",
    "acl|whoami",
    "select|0",
    "select|1",
    "debug|object",
    "object",
    "object|encoding",
    "flushall",
    "publish",
    "subscribe",
    "eval",
    "evalsha",
    "xadd",
    "zadd",
    "hget",
    "lpush",
    "ping",
    "keys",
    "sort",
    "info",
    "nosuch",
    "config|nosuch",
    "get|x",
    "config|get|x",
    "failover",
    "wait",
    "shutdown",
];

/// One SETUSER rule, valid or not.
fn rule() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (prop::bool::ANY, prop::sample::select(CATEGORIES))
            .prop_map(|(plus, c)| format!("{}@{c}", if plus { '+' } else { '-' })),
        4 => (prop::bool::ANY, prop::sample::select(COMMANDS))
            .prop_map(|(plus, c)| format!("{}{c}", if plus { '+' } else { '-' })),
        2 => prop::sample::select(&[
            "~a*", "%R~r*", "%W~w*", "%RW~b*", "~*", "allkeys", "resetkeys", "%X~x", "&c*",
            "&*", "allchannels", "resetchannels", "allcommands", "nocommands",
        ][..])
        .prop_map(str::to_string),
        2 => prop::sample::select(&[
            "on", "off", "nopass", "resetpass", ">p1", ">p2", "<p1", "reset",
            "sanitize-payload", "skip-sanitize-payload", "clearselectors", "(~s* +get)",
            "(+@read -get &c*)", "(%R~r* +@string)", "(+nosuch)",
            "#e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "#bad", "foo",
        ][..])
        .prop_map(str::to_string),
    ]
}

/// Command lines ACL DRYRUN asks about.
const DRYRUNS: &[&str] = &[
    "get a1",
    "get r1",
    "set w1 x",
    "set a1 x",
    "mget a1 r1",
    "publish c1 m",
    "publish d m",
    "subscribe c1",
    "config get maxmemory",
    "config set maxmemory 1",
    "select 0",
    "select 1",
    "client list",
    "client kill id 1",
    "flushall",
    "object encoding a1",
    "acl whoami",
    "xadd s1 * f v",
    "zadd b1 1 m",
    "ping",
];

fn words(text: &str) -> Vec<Vec<u8>> {
    text.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

fn check(
    real: &mut RawConn,
    engine: &mut Engine,
    client: redsim::ClientId,
    argv: &[Vec<u8>],
    history: &[String],
) -> Result<(), TestCaseError> {
    let expected = normalize(&real.call(argv), Compare::AclRules);
    let got = normalize(&engine.execute_encoded(client, argv), Compare::AclRules);
    prop_assert_eq!(
        escape(&got),
        escape(&expected),
        "{} (after {:?})",
        support::display_argv(argv),
        history
    );
    Ok(())
}

#[test]
fn setuser_sequences_describe_and_check_as_redis() {
    let calls = prop::collection::vec(prop::collection::vec(rule(), 0..7), 1..5);
    differential::run("REDSIM_ACL_CASES", 64, calls, |redis, calls| {
        let mut real = redis.connect();
        real.call(&words("ACL DELUSER u"));
        let mut engine = Engine::new(ManualHost::default());
        let client = engine.connect();
        let mut history = Vec::new();
        for rules in calls {
            let mut argv = words("ACL SETUSER u");
            argv.extend(rules.iter().map(|r| r.as_bytes().to_vec()));
            history.push(rules.join(" "));
            check(&mut real, &mut engine, client, &argv, &history)?;
        }
        check(&mut real, &mut engine, client, &words("ACL LIST"), &history)?;
        check(
            &mut real,
            &mut engine,
            client,
            &words("ACL GETUSER u"),
            &history,
        )?;
        for line in DRYRUNS {
            let argv = words(&format!("ACL DRYRUN u {line}"));
            check(&mut real, &mut engine, client, &argv, &history)?;
        }
        Ok(())
    });
}

/// The fields of each ACL LOG entry that do not depend on time or addresses.
fn log_fields(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply);
    let lines: Vec<&str> = text.split("\r\n").collect();
    let mut fields = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if ["count", "reason", "context", "object", "username"].contains(line) {
            fields.push(format!("{line}={}", lines.get(i + 2).unwrap_or(&"")));
        }
        if line.starts_with("id=") {
            // The client's user and command, as CLIENT LIST shows them.
            let keep: Vec<&str> = line
                .split(' ')
                .filter(|f| {
                    f.starts_with("cmd=") || f.starts_with("user=") || f.starts_with("name=")
                })
                .collect();
            fields.push(keep.join(" "));
        }
    }
    fields
}

#[test]
fn acl_log_entries_match_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let redis = RedisServer::start();
    let mut admin = redis.connect();
    let mut user = redis.connect();
    let mut engine = Engine::new(ManualHost::default());
    let (e_admin, e_user) = (engine.connect(), engine.connect());
    let script = [
        (
            "admin",
            "ACL SETUSER lg on >pw ~a* &c* +get +set +multi +exec +eval +publish +auth",
        ),
        ("user", "CLIENT SETNAME lg-client"),
        ("user", "AUTH lg nope"),
        ("user", "AUTH nobody pw"),
        ("user", "AUTH lg pw"),
        ("user", "GET b"),
        ("user", "GET b"),
        ("user", "INCR a"),
        ("user", "PUBLISH x m"),
        ("user", "MULTI"),
        ("user", "GET b"),
        ("user", "GET a"),
        ("user", "EXEC"),
        ("user", "MULTI"),
        ("user", "SET a 1"),
        ("admin", "ACL SETUSER lg -set"),
        ("user", "EXEC"),
        ("user", "EVAL \"return redis.pcall('get','b')\" 0"),
        ("user", "EVAL \"return redis.pcall('incr','a')\" 0"),
        ("admin", "ACL LOG"),
        ("admin", "ACL LOG 2"),
        ("admin", "ACL LOG RESET"),
        ("admin", "ACL LOG"),
    ];
    for (who, line) in script {
        let argv = redsim::resp::parse::split_args(line.as_bytes()).expect("valid line");
        let (conn, client) = match who {
            "admin" => (&mut admin, e_admin),
            _ => (&mut user, e_user),
        };
        let expected = conn.call(&argv);
        let got = engine.execute_encoded(client, &argv);
        if line.starts_with("ACL LOG") {
            assert_eq!(log_fields(&got), log_fields(&expected), "{line}");
        } else {
            assert_eq!(escape(&got), escape(&expected), "{line}");
        }
    }
}

/// SETUSER that takes a channel away closes the user's clients subscribed to it (and
/// only those); DELUSER closes every client of the user.
#[test]
fn narrowed_channels_and_deleted_users_close_clients_as_redis() {
    if !support::redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the differential test did not run");
        return;
    }
    let redis = RedisServer::start();
    let mut admin = redis.connect();
    let mut engine = Engine::new(ManualHost::default());
    let e_admin = engine.connect();
    let lines = [
        "ACL SETUSER ps on nopass resetchannels &a* &b* +@all ~*",
        "ACL SETUSER keep on nopass +@all ~*",
    ];
    for line in lines {
        assert_eq!(
            admin.call(&words(line)),
            engine.execute_encoded(e_admin, &words(line))
        );
    }
    // (logged in as, subscription): which are closed after the SETUSER below.
    let clients = [
        ("ps", "SUBSCRIBE a1"),
        ("ps", "SUBSCRIBE b1"),
        ("ps", "PSUBSCRIBE b*"),
        ("ps", "PSUBSCRIBE a*"),
        ("ps", "PING"),
        ("keep", "PING"),
    ];
    let mut opened = Vec::new();
    for (user, line) in clients {
        let mut conn = redis.connect();
        let client = engine.connect();
        for argv in [words(&format!("AUTH {user} x")), words(line)] {
            assert_eq!(
                conn.call(&argv),
                engine.execute_encoded(client, &argv),
                "{line}"
            );
        }
        opened.push((conn, client, line));
    }
    for change in ["ACL SETUSER ps resetchannels &a*", "ACL DELUSER ps"] {
        let argv = words(change);
        assert_eq!(admin.call(&argv), engine.execute_encoded(e_admin, &argv));
        for (conn, client, line) in &mut opened {
            let closed_in_redis = conn.is_closed();
            let closed_here = engine.store.session(*client).killed;
            assert_eq!(closed_here, closed_in_redis, "{line}, after {change}");
        }
    }
}
