//! OBJECT ENCODING of collections follows Redis 7.0's one-way conversions and the
//! thresholds of the configuration in force when the collection was written.

use redsim::{Engine, ManualHost, Reply};

fn encoding(e: &mut Engine, c: redsim::ClientId, key: &str) -> Reply {
    e.call(c, &["OBJECT", "ENCODING", key])
}

#[test]
fn a_hash_past_the_entry_limit_stays_a_hashtable_after_shrinking() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    e.store.config.hash_max_listpack_entries = 2;
    e.call(c, &["HSET", "h", "a", "1", "b", "2"]);
    assert_eq!(encoding(&mut e, c, "h"), Reply::bulk("listpack"));
    e.call(c, &["HSET", "h", "c", "3"]);
    assert_eq!(encoding(&mut e, c, "h"), Reply::bulk("hashtable"));
    e.call(c, &["HDEL", "h", "a", "b"]);
    assert_eq!(encoding(&mut e, c, "h"), Reply::bulk("hashtable"));
}

#[test]
fn a_set_past_the_intset_limit_becomes_a_hashtable() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    e.store.config.set_max_intset_entries = 3;
    e.call(c, &["SADD", "s", "1", "2", "3"]);
    assert_eq!(encoding(&mut e, c, "s"), Reply::bulk("intset"));
    e.call(c, &["SADD", "s", "4"]);
    assert_eq!(encoding(&mut e, c, "s"), Reply::bulk("hashtable"));
}

#[test]
fn a_sorted_set_past_129_members_is_a_skiplist() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    for i in 0..128 {
        e.call(c, &["ZADD", "z", &i.to_string(), &format!("m{i}")]);
    }
    assert_eq!(encoding(&mut e, c, "z"), Reply::bulk("listpack"));
    e.call(c, &["ZADD", "z", "200", "last"]);
    assert_eq!(encoding(&mut e, c, "z"), Reply::bulk("skiplist"));
    assert_eq!(e.call(c, &["ZCARD", "z"]), Reply::Integer(129));
}

#[test]
fn a_store_command_picks_the_encoding_afresh() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    e.store.config.zset_max_listpack_entries = 2;
    e.call(c, &["ZADD", "z", "1", "a", "2", "b", "3", "c"]);
    assert_eq!(encoding(&mut e, c, "z"), Reply::bulk("skiplist"));
    e.call(c, &["ZRANGESTORE", "d", "z", "0", "1"]);
    assert_eq!(encoding(&mut e, c, "d"), Reply::bulk("listpack"));
}
