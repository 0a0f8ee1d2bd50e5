//! Set commands through Engine, byte-compared with redis-server 7.0.
//!
//! Every expectation below is the exact reply (RESP bytes) that redis-server 7.0.15 gave
//! for the same command sequence on a fresh server.

mod support;

use support::session::Session;

#[test]
fn sadd_and_srem_count_changes() {
    let mut s = Session::new(false);
    s.run(&["SADD", "s", "3", "1", "2"], b":3\r\n");
    s.run(&["SADD", "s", "2", "4"], b":1\r\n");
    s.run(&["SREM", "s", "1", "9"], b":1\r\n");
    s.run(&["SCARD", "s"], b":3\r\n");
    s.run(&["SCARD", "nokey"], b":0\r\n");
    s.run(&["SREM", "nokey", "a"], b":0\r\n");
    s.run(&["SREM", "s", "2", "3", "4"], b":3\r\n");
    s.run(&["SCARD", "s"], b":0\r\n");
    s.run(
        &["SADD", "s"],
        b"-ERR wrong number of arguments for 'sadd' command\r\n",
    );
}

#[test]
fn intsets_list_members_in_numeric_order() {
    let mut s = Session::new(false);
    s.run(&["SADD", "s", "10", "-5", "3", "100", "0"], b":5\r\n");
    s.run(
        &["SMEMBERS", "s"],
        b"*5\r\n$2\r\n-5\r\n$1\r\n0\r\n$1\r\n3\r\n$2\r\n10\r\n$3\r\n100\r\n",
    );
    s.run(&["SMEMBERS", "nokey"], b"*0\r\n");
    s.run(
        &["SSCAN", "s", "0"],
        b"*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-5\r\n$1\r\n0\r\n$1\r\n3\r\n$2\r\n10\r\n$3\r\n100\r\n",
    );
    s.run(
        &["SSCAN", "s", "0", "MATCH", "1*"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$2\r\n10\r\n$3\r\n100\r\n",
    );
    s.run(
        &["SSCAN", "s", "0", "COUNT", "1"],
        b"*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-5\r\n$1\r\n0\r\n$1\r\n3\r\n$2\r\n10\r\n$3\r\n100\r\n",
    );
    s.run(&["SSCAN", "nokey", "0"], b"*2\r\n$1\r\n0\r\n*0\r\n");
    s.run(&["SSCAN", "s", "x"], b"-ERR invalid cursor\r\n");
    s.run(&["SSCAN", "s", "0", "COUNT", "0"], b"-ERR syntax error\r\n");
    s.run(&["SSCAN", "s", "0", "FOO", "bar"], b"-ERR syntax error\r\n");
}

#[test]
fn sismember_and_smismember() {
    let mut s = Session::new(false);
    s.run(&["SADD", "s", "a", "b"], b":2\r\n");
    s.run(&["SISMEMBER", "s", "a"], b":1\r\n");
    s.run(&["SISMEMBER", "s", "z"], b":0\r\n");
    s.run(&["SISMEMBER", "nokey", "a"], b":0\r\n");
    s.run(
        &["SMISMEMBER", "s", "a", "z", "b"],
        b"*3\r\n:1\r\n:0\r\n:1\r\n",
    );
    s.run(&["SMISMEMBER", "nokey", "a", "b"], b"*2\r\n:0\r\n:0\r\n");
}

#[test]
fn smembers_is_a_set_in_resp3() {
    let mut s = Session::new(true);
    s.run(&["SADD", "s", "2", "1"], b":2\r\n");
    s.run(&["SMEMBERS", "s"], b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    s.run(&["SMEMBERS", "nokey"], b"~0\r\n");
    s.run(&["SINTER", "s", "nokey"], b"~0\r\n");
    s.run(&["SUNION", "s"], b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    s.run(&["SPOP", "nokey", "2"], b"~0\r\n");
    s.run(&["SPOP", "s", "0"], b"~0\r\n");
    s.run(&["SRANDMEMBER", "s", "5"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    s.run(&["SRANDMEMBER", "nokey", "2"], b"*0\r\n");
    s.run(&["SPOP", "s", "5"], b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    s.run(&["SCARD", "s"], b":0\r\n");
}

#[test]
fn spop_and_srandmember_edge_cases() {
    let mut s = Session::new(false);
    s.run(&["SADD", "s", "5"], b":1\r\n");
    s.run(&["SPOP", "s"], b"$1\r\n5\r\n");
    s.run(&["SPOP", "s"], b"$-1\r\n");
    s.run(&["SPOP", "nokey"], b"$-1\r\n");
    s.run(&["SADD", "s", "1", "2", "3"], b":3\r\n");
    s.run(
        &["SRANDMEMBER", "s", "3"],
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    );
    s.run(
        &["SRANDMEMBER", "s", "10"],
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    );
    s.run(&["SRANDMEMBER", "s", "0"], b"*0\r\n");
    s.run(&["SRANDMEMBER", "nokey"], b"$-1\r\n");
    s.run(&["SRANDMEMBER", "nokey", "3"], b"*0\r\n");
    s.run(&["SRANDMEMBER", "nokey", "-3"], b"*0\r\n");
    s.run(
        &["SPOP", "s", "-1"],
        b"-ERR value is out of range, must be positive\r\n",
    );
    s.run(
        &["SPOP", "s", "x"],
        b"-ERR value is out of range, must be positive\r\n",
    );
    s.run(&["SPOP", "s", "1", "2"], b"-ERR syntax error\r\n");
    s.run(&["SRANDMEMBER", "s", "1", "2"], b"-ERR syntax error\r\n");
    s.run(
        &["SRANDMEMBER", "s", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["SRANDMEMBER", "s", "-9223372036854775808"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    s.run(&["SPOP", "s", "0"], b"*0\r\n");
    s.run(
        &["SPOP", "s", "10"],
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    );
    s.run(&["SCARD", "s"], b":0\r\n");
    s.run(&["SADD", "one", "x"], b":1\r\n");
    s.run(
        &["SRANDMEMBER", "one", "-3"],
        b"*3\r\n$1\r\nx\r\n$1\r\nx\r\n$1\r\nx\r\n",
    );
    s.run(&["SPOP", "one", "1"], b"*1\r\n$1\r\nx\r\n");
}

#[test]
fn intersections_unions_and_differences_of_intsets() {
    let mut s = Session::new(false);
    s.run(&["SADD", "a", "1", "2", "3", "4"], b":4\r\n");
    s.run(&["SADD", "b", "3", "4", "5"], b":3\r\n");
    s.run(&["SADD", "c", "4", "6"], b":2\r\n");
    s.run(&["SINTER", "a", "b"], b"*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    s.run(&["SINTER", "a", "b", "c"], b"*1\r\n$1\r\n4\r\n");
    s.run(&["SINTER", "a", "nokey"], b"*0\r\n");
    s.run(
        &["SUNION", "a", "b", "c"],
        b"*6\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n",
    );
    s.run(&["SDIFF", "a", "b"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    s.run(&["SDIFF", "a", "b", "c"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    s.run(&["SDIFF", "nokey", "a"], b"*0\r\n");
    s.run(&["SINTERCARD", "2", "a", "b"], b":2\r\n");
    s.run(&["SINTERCARD", "2", "a", "b", "LIMIT", "1"], b":1\r\n");
    s.run(&["SINTERCARD", "2", "a", "b", "LIMIT", "0"], b":2\r\n");
    s.run(
        &["SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "3"],
        b":3\r\n",
    );
    s.run(&["SINTERCARD", "2", "a", "nokey"], b":0\r\n");
}

#[test]
fn store_commands_replace_or_delete_the_destination() {
    let mut s = Session::new(false);
    s.run(&["SADD", "a", "1", "2", "3"], b":3\r\n");
    s.run(&["SADD", "b", "2", "3", "4"], b":3\r\n");
    s.run(&["SINTERSTORE", "d", "a", "b"], b":2\r\n");
    s.run(&["SMEMBERS", "d"], b"*2\r\n$1\r\n2\r\n$1\r\n3\r\n");
    s.run(&["SUNIONSTORE", "d", "a", "b"], b":4\r\n");
    s.run(
        &["SMEMBERS", "d"],
        b"*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n",
    );
    s.run(&["SDIFFSTORE", "d", "a", "b"], b":1\r\n");
    s.run(&["SMEMBERS", "d"], b"*1\r\n$1\r\n1\r\n");
    s.run(&["SINTERSTORE", "d", "a", "nokey"], b":0\r\n");
    s.run(&["SCARD", "d"], b":0\r\n");
    s.run(&["SET", "str", "x"], b"+OK\r\n");
    s.run(&["SUNIONSTORE", "str", "a"], b":3\r\n");
    s.run(
        &["SMEMBERS", "str"],
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    );
    s.run(&["SDIFFSTORE", "d", "nokey"], b":0\r\n");
    s.run(&["SINTERSTORE", "d", "str2"], b":0\r\n");
}

#[test]
fn sintercard_and_store_errors() {
    let mut s = Session::new(false);
    s.run(&["SADD", "a", "1"], b":1\r\n");
    s.run(
        &["SINTERCARD", "0", "a"],
        b"-ERR numkeys should be greater than 0\r\n",
    );
    s.run(
        &["SINTERCARD", "2", "a"],
        b"-ERR Number of keys can't be greater than number of args\r\n",
    );
    s.run(
        &["SINTERCARD", "x", "a"],
        b"-ERR numkeys should be greater than 0\r\n",
    );
    s.run(
        &["SINTERCARD", "1", "a", "LIMIT", "-1"],
        b"-ERR LIMIT can't be negative\r\n",
    );
    s.run(
        &["SINTERCARD", "1", "a", "LIMIT", "x"],
        b"-ERR LIMIT can't be negative\r\n",
    );
    s.run(
        &["SINTERCARD", "1", "a", "FOO", "1"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["SINTERCARD", "1", "a", "LIMIT"], b"-ERR syntax error\r\n");
    s.run(&["SET", "str", "v"], b"+OK\r\n");
    s.run(
        &["SINTER", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SINTER", "nokey", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SUNION", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SDIFF", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SINTERSTORE", "d", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SINTERCARD", "2", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn smove_moves_one_member() {
    let mut s = Session::new(false);
    s.run(&["SADD", "src", "1", "2"], b":2\r\n");
    s.run(&["SMOVE", "src", "dst", "1"], b":1\r\n");
    s.run(&["SMOVE", "src", "dst", "1"], b":0\r\n");
    s.run(&["SMEMBERS", "dst"], b"*1\r\n$1\r\n1\r\n");
    s.run(&["SMOVE", "src", "src", "2"], b":1\r\n");
    s.run(&["SMOVE", "src", "src", "9"], b":0\r\n");
    s.run(&["SMOVE", "nokey", "dst", "1"], b":0\r\n");
    s.run(&["SMOVE", "src", "dst", "2"], b":1\r\n");
    s.run(&["SCARD", "src"], b":0\r\n");
    s.run(&["SMEMBERS", "dst"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    s.run(&["SET", "str", "x"], b"+OK\r\n");
    s.run(
        &["SMOVE", "dst", "str", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SMOVE", "str", "dst", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(&["SMOVE", "nokey", "str", "1"], b":0\r\n");
}

#[test]
fn set_commands_refuse_other_types() {
    let mut s = Session::new(false);
    s.run(&["SET", "s", "v"], b"+OK\r\n");
    s.run(
        &["SADD", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SREM", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SMEMBERS", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SISMEMBER", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SMISMEMBER", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SCARD", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SPOP", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SPOP", "s", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SRANDMEMBER", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SRANDMEMBER", "s", "2"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["SSCAN", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn set_arity_errors() {
    let mut s = Session::new(false);
    s.run(
        &["SADD", "s"],
        b"-ERR wrong number of arguments for 'sadd' command\r\n",
    );
    s.run(
        &["SREM", "s"],
        b"-ERR wrong number of arguments for 'srem' command\r\n",
    );
    s.run(
        &["SMEMBERS"],
        b"-ERR wrong number of arguments for 'smembers' command\r\n",
    );
    s.run(
        &["SISMEMBER", "s"],
        b"-ERR wrong number of arguments for 'sismember' command\r\n",
    );
    s.run(
        &["SMISMEMBER", "s"],
        b"-ERR wrong number of arguments for 'smismember' command\r\n",
    );
    s.run(
        &["SCARD"],
        b"-ERR wrong number of arguments for 'scard' command\r\n",
    );
    s.run(
        &["SPOP"],
        b"-ERR wrong number of arguments for 'spop' command\r\n",
    );
    s.run(
        &["SRANDMEMBER"],
        b"-ERR wrong number of arguments for 'srandmember' command\r\n",
    );
    s.run(
        &["SINTER"],
        b"-ERR wrong number of arguments for 'sinter' command\r\n",
    );
    s.run(
        &["SINTERCARD", "1"],
        b"-ERR wrong number of arguments for 'sintercard' command\r\n",
    );
    s.run(
        &["SUNION"],
        b"-ERR wrong number of arguments for 'sunion' command\r\n",
    );
    s.run(
        &["SDIFF"],
        b"-ERR wrong number of arguments for 'sdiff' command\r\n",
    );
    s.run(
        &["SINTERSTORE", "d"],
        b"-ERR wrong number of arguments for 'sinterstore' command\r\n",
    );
    s.run(
        &["SUNIONSTORE", "d"],
        b"-ERR wrong number of arguments for 'sunionstore' command\r\n",
    );
    s.run(
        &["SDIFFSTORE", "d"],
        b"-ERR wrong number of arguments for 'sdiffstore' command\r\n",
    );
    s.run(
        &["SMOVE", "a", "b"],
        b"-ERR wrong number of arguments for 'smove' command\r\n",
    );
    s.run(
        &["SSCAN", "s"],
        b"-ERR wrong number of arguments for 'sscan' command\r\n",
    );
}
