//! used_memory is kept incrementally (each key's estimate, corrected as it changes): writes
//! cost memory, deleting gives exactly the same amount back, in-place changes of every
//! type are seen, and the running figures always equal a count made from scratch.
//! `maxmemory` refuses deny-oom commands once used memory is over it, and only then.

use redsim::db::footprint::{hash_pair, listpack_entry, set_member, zset_member, Tally};
use redsim::db::Value;
use redsim::{ClientId, Engine, ManualHost, Reply};

fn info_field(e: &mut Engine, c: ClientId, name: &str) -> u64 {
    let text = match e.call(c, &["INFO", "memory"]) {
        Reply::Verbatim { text, .. } | Reply::Bulk(text) => String::from_utf8(text).unwrap(),
        other => panic!("{other:?}"),
    };
    let prefix = format!("{name}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .parse()
        .unwrap()
}

fn used(e: &mut Engine, c: ClientId) -> u64 {
    info_field(e, c, "used_memory")
}

/// A new engine, its client, and what it uses empty.
fn fresh() -> (Engine, ClientId, u64) {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let empty = used(&mut e, c);
    (e, c, empty)
}

/// What a collection's tally should be, counted from its elements.
fn expected_tally(value: &Value) -> Option<Tally> {
    let mut t = Tally::default();
    match value {
        Value::Str(_) | Value::Stream(_) => return None,
        Value::List(l) => l.iter().for_each(|i| t.add(listpack_entry(i), 0)),
        Value::Hash(h) => h.iter().for_each(|(f, v)| {
            let (lp, table) = hash_pair(f, v);
            t.add(lp, table)
        }),
        Value::Set(s) => s.iter().for_each(|m| {
            let wide = redsim::cmd::args::parse_i64(m).is_none_or(|n| i32::try_from(n).is_err());
            t.add(usize::from(wide), set_member(m))
        }),
        Value::ZSet(z) => z.iter().for_each(|(m, s)| {
            let (lp, table) = zset_member(m, s);
            t.add(lp, table)
        }),
    }
    Some(t)
}

/// The running figures against a count from scratch.
fn assert_consistent(e: &mut Engine, step: &str) {
    for db in e.store.dbs.iter_mut() {
        let mut total = 0;
        for (key, entry) in db.entries_full() {
            total += entry.bytes(key.len());
            if let Some(expected) = expected_tally(&entry.value) {
                let actual = match &entry.value {
                    Value::List(l) => l.tally(),
                    Value::Hash(h) => h.tally(),
                    Value::Set(s) => s.tally(),
                    Value::ZSet(z) => z.tally(),
                    Value::Str(_) | Value::Stream(_) => unreachable!(),
                };
                assert_eq!(actual, expected, "tally of {key:?} after {step}");
            }
        }
        assert_eq!(db.used_bytes(), total, "total after {step}");
    }
}

#[test]
fn a_write_costs_memory_and_del_gives_all_of_it_back() {
    let (mut e, c, empty) = fresh();
    e.call(c, &["SET", "big", &"x".repeat(100_000)]);
    let with_big = used(&mut e, c);
    assert!(with_big >= empty + 100_000, "{empty} -> {with_big}");
    e.call(c, &["DEL", "big"]);
    assert_eq!(used(&mut e, c), empty);
}

#[test]
fn every_change_in_place_is_counted() {
    let (mut e, c, empty) = fresh();
    // A fixed pseudo-random walk over the types' writes, checked as it goes.
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for step in 0..3000 {
        let key = format!("k{}", next(4));
        let member = match next(3) {
            0 => next(100).to_string(),
            1 => (next(100) as i64 * 100_000_000_000).to_string(),
            _ => "m".repeat(next(80) as usize + 1),
        };
        let n = next(19);
        let argv: Vec<String> = match n {
            0 => vec!["RPUSH".into(), format!("l{key}"), member],
            1 => vec!["LPOP".into(), format!("l{key}")],
            2 => vec!["LSET".into(), format!("l{key}"), "0".into(), member],
            3 => vec!["LTRIM".into(), format!("l{key}"), "1".into(), "-2".into()],
            4 => vec!["LREM".into(), format!("l{key}"), "0".into(), member],
            5 => vec!["HSET".into(), format!("h{key}"), member.clone(), member],
            6 => vec!["HDEL".into(), format!("h{key}"), member],
            7 => vec!["SADD".into(), format!("s{key}"), member],
            8 => vec!["SPOP".into(), format!("s{key}")],
            9 => vec!["ZADD".into(), format!("z{key}"), "1.5".into(), member],
            10 => vec!["ZINCRBY".into(), format!("z{key}"), "1".into(), member],
            11 => vec!["ZPOPMIN".into(), format!("z{key}")],
            12 => vec!["APPEND".into(), format!("t{key}"), member],
            13 => vec!["SETRANGE".into(), format!("t{key}"), "3".into(), member],
            14 => vec!["INCR".into(), format!("i{key}")],
            15 => vec![
                "XADD".into(),
                format!("x{key}"),
                "*".into(),
                member.clone(),
                member,
            ],
            16 => vec!["XDEL".into(), format!("x{key}"), format!("{}-0", next(100))],
            17 => vec![
                "XTRIM".into(),
                format!("x{key}"),
                "MAXLEN".into(),
                next(5).to_string(),
            ],
            _ => vec!["RENAME".into(), format!("l{key}"), format!("l{}", next(4))],
        };
        e.call(c, &argv);
        if step % 50 == 0 {
            assert_consistent(&mut e, &argv.join(" "));
        }
    }
    assert_consistent(&mut e, "the walk");
    e.call(c, &["FLUSHALL"]);
    assert_eq!(used(&mut e, c), empty);
}

#[test]
fn deny_oom_commands_are_refused_only_over_the_limit() {
    let (mut e, c, now) = fresh();
    let limit = (now + 2000).to_string();
    e.call(c, &["CONFIG", "SET", "maxmemory", &limit]);
    let mut written = 0;
    while e.call(c, &["SET", &format!("key{written}"), &"v".repeat(100)]) == Reply::ok() {
        written += 1;
        assert!(written < 100, "never refused");
    }
    assert!(written > 0, "refused before the limit");
    assert_eq!(
        e.call(c, &["SET", "one", "more"]),
        Reply::error("OOM command not allowed when used memory > 'maxmemory'.")
    );
    // Reads and deletes still run, and give room back.
    assert_eq!(e.call(c, &["EXISTS", "key0"]), Reply::Integer(1));
    e.call(c, &["DEL", "key0", "key1"]);
    assert_eq!(e.call(c, &["SET", "one", "more"]), Reply::ok());
}

/// Writes under `allkeys-lru` with room for a few dozen keys; returns the surviving keys.
fn lru_run() -> Vec<Vec<u8>> {
    let (mut e, c, empty) = fresh();
    let limit = (empty + 5000).to_string();
    e.call(c, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    e.call(c, &["CONFIG", "SET", "maxmemory", &limit]);
    for i in 0..200 {
        let reply = e.call(c, &["SET", &format!("key{i}"), &"v".repeat(100)]);
        assert_eq!(reply, Reply::ok(), "SET key{i} under allkeys-lru");
    }
    assert!(info_field(&mut e, c, "used_memory") <= limit.parse::<u64>().unwrap() + 400);
    match e.call(c, &["KEYS", "*"]) {
        Reply::Array(keys) => keys
            .into_iter()
            .map(|k| match k {
                Reply::Bulk(k) => k,
                other => panic!("{other:?}"),
            })
            .collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_evicting_policy_makes_room_instead_of_refusing_and_replays_the_same() {
    let survivors = lru_run();
    assert!(
        !survivors.is_empty() && survivors.len() < 100,
        "{}",
        survivors.len()
    );
    assert_eq!(lru_run(), survivors);
}
