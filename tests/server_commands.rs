//! Connection and server commands through the engine: HELLO's protocol switch, CLIENT,
//! RESET, INFO's counters, CONFIG, COMMAND, OBJECT, DEBUG PROTOCOL (the recording server
//! of the golden corpus has DEBUG disabled, so its bytes are pinned here, as
//! redis-server 7.0.15 with `enable-debug-command yes` sends them).

use redsim::{Engine, ManualHost, Reply};

/// An engine started with `enable-debug-command yes`, as the recording server was.
fn engine() -> Engine {
    let mut engine = Engine::new(ManualHost::default());
    engine
        .store
        .config
        .set_startup("enable-debug-command", "yes");
    engine
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn info_text(e: &mut Engine, c: redsim::ClientId, section: &str) -> String {
    match e.call(c, &["INFO", section]) {
        Reply::Verbatim { text, .. } => String::from_utf8(text).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn debug_protocol_answers_every_type_as_redis_in_resp2() {
    let mut e = engine();
    let c = e.connect();
    let cases: &[(&str, &[u8])] = &[
        ("string", b"$11\r\nHello World\r\n"),
        ("integer", b":12345\r\n"),
        ("double", b"$5\r\n3.141\r\n"),
        (
            "bignum",
            b"$37\r\n1234567999999999999999999999999999999\r\n",
        ),
        ("null", b"$-1\r\n"),
        ("array", b"*3\r\n:0\r\n:1\r\n:2\r\n"),
        ("set", b"*3\r\n:0\r\n:1\r\n:2\r\n"),
        ("map", b"*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n"),
        (
            "attrib",
            b"$39\r\nSome real reply following the attribute\r\n",
        ),
        ("push", b"-ERR RESP2 is not supported by this command\r\n"),
        ("verbatim", b"$25\r\nThis is a verbatim\nstring\r\n"),
        ("true", b":1\r\n"),
        ("false", b":0\r\n"),
    ];
    for (kind, bytes) in cases {
        assert_eq!(
            e.execute_encoded(c, &argv(&["DEBUG", "PROTOCOL", kind])),
            bytes.to_vec(),
            "{kind}"
        );
    }
}

#[test]
fn debug_protocol_answers_resp3_types_natively() {
    let mut e = engine();
    let c = e.connect();
    e.call(c, &["HELLO", "3"]);
    let cases: &[(&str, &[u8])] = &[
        ("double", b",3.141\r\n"),
        ("bignum", b"(1234567999999999999999999999999999999\r\n"),
        ("null", b"_\r\n"),
        ("set", b"~3\r\n:0\r\n:1\r\n:2\r\n"),
        ("map", b"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"),
        ("verbatim", b"=29\r\ntxt:This is a verbatim\nstring\r\n"),
        ("true", b"#t\r\n"),
        // An attribute frame, then the real reply; a push frame, then the real reply.
        (
            "attrib",
            b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n\
              $39\r\nSome real reply following the attribute\r\n",
        ),
        (
            "push",
            b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n\
              $40\r\nSome real reply following the push reply\r\n",
        ),
    ];
    for (kind, bytes) in cases {
        assert_eq!(
            e.execute_encoded(c, &argv(&["DEBUG", "PROTOCOL", kind])),
            bytes.to_vec(),
            "{kind}"
        );
    }
    assert_eq!(
        e.call(c, &["DEBUG", "PROTOCOL", "nope"]),
        Reply::error(
            "ERR Wrong protocol type name. Please use one of the following: \
             string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"
        )
    );
}

#[test]
fn hello_3_switches_the_encoding_of_its_own_reply_and_later_ones() {
    let mut e = engine();
    let c = e.connect();
    let id = e.store.session(c).id.id;
    let reply = e.execute_encoded(c, &argv(&["HELLO", "3"]));
    let expected = format!(
        "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n\
         $2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n\
         $7\r\nmodules\r\n*0\r\n"
    );
    assert_eq!(String::from_utf8(reply).unwrap(), expected);
    assert_eq!(
        e.execute_encoded(c, &argv(&["GET", "nokey"])),
        b"_\r\n".to_vec()
    );
    e.call(c, &["HELLO", "2"]);
    assert_eq!(
        e.execute_encoded(c, &argv(&["GET", "nokey"])),
        b"$-1\r\n".to_vec()
    );
}

#[test]
fn hello_errors_leave_the_protocol_alone() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(
        e.call(c, &["HELLO", "4"]),
        Reply::error("NOPROTO unsupported protocol version")
    );
    assert_eq!(
        e.call(c, &["HELLO", "3", "AUTH", "bob", "pw"]),
        Reply::error("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(e.store.session(c).protocol, redsim::Protocol::Resp2);
}

#[test]
fn reset_restores_a_fresh_connection() {
    let mut e = engine();
    let c = e.connect();
    e.call(c, &["HELLO", "3", "SETNAME", "me"]);
    e.call(c, &["SELECT", "5"]);
    e.call(c, &["WATCH", "k"]);
    e.call(c, &["MULTI"]);
    assert_eq!(e.call(c, &["RESET"]), Reply::simple("RESET"));
    let s = e.store.session(c);
    assert_eq!(
        (s.db, s.protocol, s.name.clone(), s.multi.is_none()),
        (0, redsim::Protocol::Resp2, None, true)
    );
    e.call(c, &["SET", "k", "v"]);
    e.call(c, &["MULTI"]);
    assert_eq!(
        e.call(c, &["EXEC"]),
        Reply::Array(vec![]),
        "RESET unwatched k"
    );
}

#[test]
fn client_list_shows_every_session_with_its_name_and_db() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    e.call(b, &["CLIENT", "SETNAME", "worker"]);
    e.call(b, &["SELECT", "3"]);
    let Reply::Verbatim { text, .. } = e.call(a, &["CLIENT", "LIST"]) else {
        panic!()
    };
    let text = String::from_utf8(text).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with(&format!("id={} ", a.id)) && lines[0].contains(" cmd=client|list ")
    );
    assert!(
        lines[1].contains(" name=worker ")
            && lines[1].contains(" db=3 ")
            && lines[1].ends_with("resp=2")
    );
    let Reply::Verbatim { text, .. } = e.call(b, &["CLIENT", "LIST", "ID", &a.id.to_string()])
    else {
        panic!()
    };
    assert_eq!(String::from_utf8(text).unwrap().lines().count(), 1);
    assert_eq!(e.call(b, &["CLIENT", "ID"]), Reply::Integer(b.id as i64));
}

#[test]
fn info_counts_commands_errors_and_keys() {
    let mut e = engine();
    let c = e.connect();
    e.call(c, &["SET", "k", "v", "EX", "100"]);
    e.call(c, &["SET", "n", "1"]);
    e.call(c, &["INCR", "k"]);
    e.call(c, &["NOSUCH"]);
    e.call(c, &["GET"]);
    let stats = info_text(&mut e, c, "stats");
    assert!(stats.starts_with("# Stats\r\n"), "{stats}");
    assert!(stats.contains("\r\ntotal_error_replies:3\r\n"), "{stats}");
    assert!(
        stats.contains("\r\ntotal_commands_processed:3\r\n"),
        "{stats}"
    );
    let commands = info_text(&mut e, c, "commandstats");
    assert!(commands.contains(
        "cmdstat_set:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n"
    ));
    assert!(commands.contains(
        "cmdstat_incr:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n"
    ));
    assert!(commands.contains(
        "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n"
    ));
    let errors = info_text(&mut e, c, "errorstats");
    assert_eq!(errors, "# Errorstats\r\nerrorstat_ERR:count=3\r\n");
    let keyspace = info_text(&mut e, c, "keyspace");
    assert_eq!(
        keyspace,
        "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100000\r\n"
    );
    let both = info_text(&mut e, c, "errorstats");
    assert!(!both.contains("\r\n\r\n"));
    let two = match e.call(c, &["INFO", "errorstats", "keyspace"]) {
        Reply::Verbatim { text, .. } => String::from_utf8(text).unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(
        two.contains("count=3\r\n\r\n# Keyspace\r\n"),
        "sections are separated by a blank line: {two}"
    );
    e.call(c, &["CONFIG", "RESETSTAT"]);
    assert_eq!(info_text(&mut e, c, "errorstats"), "# Errorstats\r\n");
}

#[test]
fn config_set_changes_what_config_get_and_the_alias_report() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(
        e.call(c, &["CONFIG", "SET", "lua-time-limit", "250"]),
        Reply::ok()
    );
    assert_eq!(e.store.config.busy_reply_threshold_ms, 250);
    assert_eq!(
        e.call(c, &["CONFIG", "GET", "busy-reply-threshold"]),
        Reply::Map(vec![(
            Reply::bulk("busy-reply-threshold"),
            Reply::bulk("250")
        )])
    );
    assert_eq!(
        e.call(c, &["CONFIG", "SET", "maxmemory", "1mb", "nosuch", "1"]),
        Reply::error("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
    );
    assert_eq!(e.store.config.maxmemory, 0, "CONFIG SET is all or nothing");
}

#[test]
fn command_info_has_redis_ten_fields() {
    let mut e = engine();
    let c = e.connect();
    let Reply::Array(items) = e.call(c, &["COMMAND", "INFO", "get", "nosuch"]) else {
        panic!()
    };
    assert_eq!(items[1], Reply::Null);
    let Reply::Array(get) = &items[0] else {
        panic!()
    };
    assert_eq!(get.len(), 10);
    assert_eq!(get[0], Reply::bulk("get"));
    assert_eq!(get[1], Reply::Integer(2));
    assert_eq!(
        get[2],
        Reply::Set(vec![Reply::simple("readonly"), Reply::simple("fast")])
    );
    assert_eq!(
        &get[3..6],
        &[Reply::Integer(1), Reply::Integer(1), Reply::Integer(1)]
    );
    assert_eq!(
        get[6],
        Reply::Set(vec![
            Reply::simple("@read"),
            Reply::simple("@string"),
            Reply::simple("@fast")
        ])
    );
    assert_eq!(
        e.call(c, &["COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"]),
        Reply::Array(vec![Reply::bulk("a"), Reply::bulk("b")])
    );
}

#[test]
fn memory_usage_matches_redis_for_strings() {
    let mut e = engine();
    let c = e.connect();
    e.call(c, &["MSET", "a", "123", "c", "hello"]);
    assert_eq!(e.call(c, &["MEMORY", "USAGE", "a"]), Reply::Integer(48));
    assert_eq!(e.call(c, &["MEMORY", "USAGE", "c"]), Reply::Integer(64));
    assert_eq!(e.call(c, &["MEMORY", "USAGE", "nokey"]), Reply::Null);
}

#[test]
fn time_comes_from_the_host_clock() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(
        e.call(c, &["TIME"]),
        Reply::Array(vec![Reply::bulk("1678886400"), Reply::bulk("0")])
    );
}

/// redsim never writes RDB or AOF files: `save` and `appendonly` read as on a server
/// started with `--save '' --appendonly no` (the golden corpus checks those bytes), and
/// turning persistence on is refused as Redis refuses an immutable parameter, instead of
/// answering OK and persisting nothing.
#[test]
fn persistence_cannot_be_turned_on() {
    let mut e = engine();
    let c = e.connect();
    for (name, value) in [("save", "3600 1"), ("appendonly", "yes")] {
        assert_eq!(
            e.call(c, &["CONFIG", "SET", name, value]),
            Reply::error(format!(
                "ERR CONFIG SET failed (possibly related to argument '{name}') - can't set immutable config"
            ))
        );
    }
    assert_eq!(
        e.call(c, &["CONFIG", "SET", "appendonly", "NO"]),
        Reply::ok()
    );
    assert_eq!(
        e.call(c, &["CONFIG", "GET", "appendonly"]),
        Reply::Map(vec![(Reply::bulk("appendonly"), Reply::bulk("no"))])
    );
}

#[test]
fn debug_sleep_stops_the_host_for_that_long() {
    let mut e = engine();
    let c = e.connect();
    let seconds = |e: &mut Engine| match e.call(c, &["TIME"]) {
        Reply::Array(parts) => match &parts[0] {
            Reply::Bulk(s) => String::from_utf8_lossy(s).parse::<u64>().unwrap(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let before = seconds(&mut e);
    assert_eq!(e.call(c, &["DEBUG", "SLEEP", "2.5"]), Reply::ok());
    assert_eq!(seconds(&mut e), before + 2);
    // strtod reads what it can: "abc" is 0 seconds.
    assert_eq!(e.call(c, &["DEBUG", "SLEEP", "abc"]), Reply::ok());
    assert_eq!(seconds(&mut e), before + 2);
}

#[test]
fn debug_set_disable_deny_scripts_lets_scripts_call_noscript_commands() {
    let mut e = engine();
    let c = e.connect();
    let script = ["EVAL", "return redis.call('client','setname','x')", "0"];
    assert_eq!(
        e.call(c, &["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1abc"]),
        Reply::ok()
    );
    assert_eq!(e.call(c, &script), Reply::ok());
    e.call(c, &["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"]);
    assert_eq!(
        e.call(c, &script),
        Reply::error(
            "ERR This Redis command is not allowed from script script: \
             d68904a2e1c959f0e59fe80a353f6dcd8cbd7bc5, on @user_script:1."
        )
    );
}
