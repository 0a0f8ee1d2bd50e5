//! Hash commands through Engine, byte-compared with redis-server 7.0.
//!
//! Every expectation below is the exact reply (RESP bytes) that redis-server 7.0.15 gave
//! for the same command sequence on a fresh server.

mod support;

use support::session::Session;

#[test]
fn hset_counts_new_fields_and_hmset_answers_ok() {
    let mut s = Session::new(false);
    s.run(&["HSET", "h", "a", "1", "b", "2"], b":2\r\n");
    s.run(&["HSET", "h", "a", "10", "c", "3"], b":1\r\n");
    s.run(&["HGET", "h", "a"], b"$2\r\n10\r\n");
    s.run(&["HMSET", "h", "d", "4", "e", "5"], b"+OK\r\n");
    s.run(&["HGETALL", "h"], b"*10\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n");
    s.run(
        &["HSET", "h", "a"],
        b"-ERR wrong number of arguments for 'hset' command\r\n",
    );
    s.run(
        &["HMSET", "h", "a", "1", "b"],
        b"-ERR wrong number of arguments for 'hmset' command\r\n",
    );
    s.run(
        &["HSET", "h"],
        b"-ERR wrong number of arguments for 'hset' command\r\n",
    );
    s.run(&["HLEN", "h"], b":5\r\n");
    s.run(&["HLEN", "nokey"], b":0\r\n");
}

#[test]
fn hsetnx_sets_only_new_fields() {
    let mut s = Session::new(false);
    s.run(&["HSETNX", "h", "a", "1"], b":1\r\n");
    s.run(&["HSETNX", "h", "a", "2"], b":0\r\n");
    s.run(&["HGET", "h", "a"], b"$1\r\n1\r\n");
    s.run(
        &["HSETNX", "h"],
        b"-ERR wrong number of arguments for 'hsetnx' command\r\n",
    );
}

#[test]
fn hget_hmget_hexists_hstrlen() {
    let mut s = Session::new(false);
    s.run(&["HSET", "h", "a", "hello", "b", ""], b":2\r\n");
    s.run(&["HGET", "h", "a"], b"$5\r\nhello\r\n");
    s.run(&["HGET", "h", "zz"], b"$-1\r\n");
    s.run(&["HGET", "nokey", "a"], b"$-1\r\n");
    s.run(
        &["HMGET", "h", "a", "zz", "b"],
        b"*3\r\n$5\r\nhello\r\n$-1\r\n$0\r\n\r\n",
    );
    s.run(&["HMGET", "nokey", "a", "b"], b"*2\r\n$-1\r\n$-1\r\n");
    s.run(&["HEXISTS", "h", "a"], b":1\r\n");
    s.run(&["HEXISTS", "h", "zz"], b":0\r\n");
    s.run(&["HEXISTS", "nokey", "a"], b":0\r\n");
    s.run(&["HSTRLEN", "h", "a"], b":5\r\n");
    s.run(&["HSTRLEN", "h", "b"], b":0\r\n");
    s.run(&["HSTRLEN", "h", "zz"], b":0\r\n");
    s.run(&["HSTRLEN", "nokey", "a"], b":0\r\n");
}

#[test]
fn hdel_removes_fields_and_the_emptied_key() {
    let mut s = Session::new(false);
    s.run(&["HSET", "h", "a", "1", "b", "2", "c", "3"], b":3\r\n");
    s.run(&["HDEL", "h", "a", "zz"], b":1\r\n");
    s.run(&["HDEL", "h", "a"], b":0\r\n");
    s.run(&["HDEL", "nokey", "a"], b":0\r\n");
    s.run(&["HDEL", "h", "b", "c"], b":2\r\n");
    s.run(&["HLEN", "h"], b":0\r\n");
    s.run(&["HGETALL", "h"], b"*0\r\n");
}

#[test]
fn listpack_hashes_keep_insertion_order() {
    let mut s = Session::new(false);
    s.run(&["HSET", "h", "z", "1", "a", "2", "m", "3"], b":3\r\n");
    s.run(&["HKEYS", "h"], b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nm\r\n");
    s.run(&["HVALS", "h"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    s.run(&["HDEL", "h", "a"], b":1\r\n");
    s.run(&["HSET", "h", "b", "4"], b":1\r\n");
    s.run(
        &["HGETALL", "h"],
        b"*6\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\nm\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n4\r\n",
    );
    s.run(&["HKEYS", "nokey"], b"*0\r\n");
    s.run(&["HVALS", "nokey"], b"*0\r\n");
    s.run(&["HGETALL", "nokey"], b"*0\r\n");
}

#[test]
fn hgetall_is_a_map_in_resp3() {
    let mut s = Session::new(true);
    s.run(&["HSET", "h", "a", "1", "b", "2"], b":2\r\n");
    s.run(
        &["HGETALL", "h"],
        b"%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    s.run(&["HGETALL", "nokey"], b"%0\r\n");
    s.run(&["HKEYS", "h"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    s.run(
        &["HRANDFIELD", "h", "5", "WITHVALUES"],
        b"*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    s.run(&["HSET", "one", "f", "v"], b":1\r\n");
    s.run(
        &["HRANDFIELD", "one", "-2", "WITHVALUES"],
        b"*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    );
    s.run(
        &["HRANDFIELD", "one", "-2"],
        b"*2\r\n$1\r\nf\r\n$1\r\nf\r\n",
    );
    s.run(&["HRANDFIELD", "nokey", "1", "WITHVALUES"], b"*0\r\n");
}

#[test]
fn hincrby_adds_integers_with_overflow_checks() {
    let mut s = Session::new(false);
    s.run(&["HINCRBY", "h", "n", "5"], b":5\r\n");
    s.run(&["HINCRBY", "h", "n", "-10"], b":-5\r\n");
    s.run(
        &["HINCRBY", "h", "n", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(
        &["HINCRBY", "h", "big", "9223372036854775807"],
        b":9223372036854775807\r\n",
    );
    s.run(
        &["HINCRBY", "h", "big", "1"],
        b"-ERR increment or decrement would overflow\r\n",
    );
    s.run(&["HINCRBY", "h", "big", "-1"], b":9223372036854775806\r\n");
    s.run(&["HSET", "h", "s", "hello"], b":1\r\n");
    s.run(
        &["HINCRBY", "h", "s", "1"],
        b"-ERR hash value is not an integer\r\n",
    );
    s.run(
        &["HINCRBY", "h", "n", "9223372036854775808"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["HGET", "h", "n"], b"$2\r\n-5\r\n");
}

#[test]
fn hincrbyfloat_prints_like_long_double() {
    let mut s = Session::new(false);
    s.run(&["HINCRBYFLOAT", "h", "f", "0.1"], b"$3\r\n0.1\r\n");
    s.run(&["HINCRBYFLOAT", "h", "f", "0.2"], b"$3\r\n0.3\r\n");
    s.run(&["HINCRBYFLOAT", "h", "f", "-0.3"], b"$1\r\n0\r\n");
    s.run(&["HINCRBYFLOAT", "h", "g", "1.5e3"], b"$4\r\n1500\r\n");
    s.run(
        &["HINCRBYFLOAT", "h", "g", "3.0e-5"],
        b"$22\r\n1500.00002999999999997\r\n",
    );
    s.run(&["HINCRBYFLOAT", "h", "h", "10"], b"$2\r\n10\r\n");
    s.run(&["HINCRBYFLOAT", "h", "h", "-10"], b"$1\r\n0\r\n");
    s.run(&["HINCRBYFLOAT", "h", "i", "5.0"], b"$1\r\n5\r\n");
    s.run(
        &["HINCRBYFLOAT", "h", "f", "x"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(
        &["HINCRBYFLOAT", "h", "f", "inf"],
        b"-ERR value is NaN or Infinity\r\n",
    );
    s.run(
        &["HINCRBYFLOAT", "h", "f", " 1"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(
        &["HINCRBYFLOAT", "h", "f", "nan"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(&["HSET", "h", "s", "hello"], b":1\r\n");
    s.run(
        &["HINCRBYFLOAT", "h", "s", "1"],
        b"-ERR hash value is not a float\r\n",
    );
    s.run(&["HSET", "h", "i2", "12"], b":1\r\n");
    s.run(&["HINCRBYFLOAT", "h", "i2", "0.25"], b"$5\r\n12.25\r\n");
}

#[test]
fn hrandfield_covers_counts_and_errors() {
    let mut s = Session::new(false);
    s.run(&["HSET", "h", "a", "1", "b", "2", "c", "3"], b":3\r\n");
    s.run(
        &["HRANDFIELD", "h", "3"],
        b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(
        &["HRANDFIELD", "h", "10"],
        b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(
        &["HRANDFIELD", "h", "10", "WITHVALUES"],
        b"*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
    );
    s.run(&["HRANDFIELD", "h", "0"], b"*0\r\n");
    s.run(&["HRANDFIELD", "h", "0", "WITHVALUES"], b"*0\r\n");
    s.run(&["HRANDFIELD", "nokey"], b"$-1\r\n");
    s.run(&["HRANDFIELD", "nokey", "5"], b"*0\r\n");
    s.run(&["HRANDFIELD", "nokey", "-5", "WITHVALUES"], b"*0\r\n");
    s.run(
        &["HRANDFIELD", "h", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(
        &["HRANDFIELD", "h", "1", "WITHVALUE"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["HRANDFIELD", "h", "-9223372036854775808"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    s.run(
        &["HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"],
        b"-ERR value is out of range\r\n",
    );
    s.run(
        &["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"],
        b"-ERR value is out of range\r\n",
    );
}

#[test]
fn hscan_returns_small_hashes_whole() {
    let mut s = Session::new(false);
    s.run(&["HSET", "h", "a", "1", "b", "2", "ab", "3"], b":3\r\n");
    s.run(&["HSCAN", "h", "0"], b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n");
    s.run(
        &["HSCAN", "h", "0", "MATCH", "a*"],
        b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n3\r\n",
    );
    s.run(&["HSCAN", "h", "0", "COUNT", "1"], b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n");
    s.run(&["HSCAN", "h", "7"], b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n");
    s.run(&["HSCAN", "nokey", "0"], b"*2\r\n$1\r\n0\r\n*0\r\n");
    s.run(&["HSCAN", "h", "x"], b"-ERR invalid cursor\r\n");
    s.run(&["HSCAN", "h", "-1"], b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n");
    s.run(&["HSCAN", "h", "0", "COUNT", "0"], b"-ERR syntax error\r\n");
    s.run(
        &["HSCAN", "h", "0", "COUNT", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["HSCAN", "h", "0", "MATCH"], b"-ERR syntax error\r\n");
    s.run(
        &["HSCAN", "h", "0", "TYPE", "string"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["HSCAN", "h", "0", "MATCH", "[ab]*", "COUNT", "100"], b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n");
}

#[test]
fn hash_commands_refuse_other_types() {
    let mut s = Session::new(false);
    s.run(&["SET", "s", "v"], b"+OK\r\n");
    s.run(
        &["HSET", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HSETNX", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HGET", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HMGET", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HDEL", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HEXISTS", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HLEN", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HGETALL", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HKEYS", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HVALS", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HINCRBY", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HINCRBYFLOAT", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HSTRLEN", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HRANDFIELD", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HRANDFIELD", "s", "2"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["HSCAN", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn hash_arity_errors() {
    let mut s = Session::new(false);
    s.run(
        &["HSET", "h", "a"],
        b"-ERR wrong number of arguments for 'hset' command\r\n",
    );
    s.run(
        &["HSETNX", "h", "a"],
        b"-ERR wrong number of arguments for 'hsetnx' command\r\n",
    );
    s.run(
        &["HGET", "h"],
        b"-ERR wrong number of arguments for 'hget' command\r\n",
    );
    s.run(
        &["HMGET", "h"],
        b"-ERR wrong number of arguments for 'hmget' command\r\n",
    );
    s.run(
        &["HDEL", "h"],
        b"-ERR wrong number of arguments for 'hdel' command\r\n",
    );
    s.run(
        &["HEXISTS", "h"],
        b"-ERR wrong number of arguments for 'hexists' command\r\n",
    );
    s.run(
        &["HLEN"],
        b"-ERR wrong number of arguments for 'hlen' command\r\n",
    );
    s.run(
        &["HGETALL"],
        b"-ERR wrong number of arguments for 'hgetall' command\r\n",
    );
    s.run(
        &["HKEYS"],
        b"-ERR wrong number of arguments for 'hkeys' command\r\n",
    );
    s.run(
        &["HVALS"],
        b"-ERR wrong number of arguments for 'hvals' command\r\n",
    );
    s.run(
        &["HINCRBY", "h", "a"],
        b"-ERR wrong number of arguments for 'hincrby' command\r\n",
    );
    s.run(
        &["HINCRBYFLOAT", "h", "a"],
        b"-ERR wrong number of arguments for 'hincrbyfloat' command\r\n",
    );
    s.run(
        &["HSTRLEN", "h"],
        b"-ERR wrong number of arguments for 'hstrlen' command\r\n",
    );
    s.run(
        &["HRANDFIELD"],
        b"-ERR wrong number of arguments for 'hrandfield' command\r\n",
    );
    s.run(
        &["HSCAN", "h"],
        b"-ERR wrong number of arguments for 'hscan' command\r\n",
    );
}

#[test]
fn hincrbyfloat_keeps_long_double_precision() {
    let mut s = Session::new(false);
    s.run(
        &["HINCRBYFLOAT", "h", "a", "1000.3"],
        b"$22\r\n1000.29999999999999999\r\n",
    );
    s.run(
        &["HINCRBYFLOAT", "h", "b", "123456.789"],
        b"$24\r\n123456.78900000000000148\r\n",
    );
    s.run(&["HINCRBYFLOAT", "h", "b", "0.211"], b"$6\r\n123457\r\n");
    s.run(
        &["HINCRBYFLOAT", "h", "c", "1e20"],
        b"$21\r\n100000000000000000000\r\n",
    );
    s.run(
        &["HINCRBYFLOAT", "h", "c", "1500"],
        b"$21\r\n100000000000000001504\r\n",
    );
    s.run(&["HINCRBYFLOAT", "h", "d", "1e400"], b"$401\r\n10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n");
    s.run(&["HINCRBYFLOAT", "h", "e", "-1.5"], b"$4\r\n-1.5\r\n");
    s.run(&["HINCRBYFLOAT", "h", "e", "1.5"], b"$1\r\n0\r\n");
    s.run(&["HLEN", "h"], b":5\r\n");
    s.run(&["HGET", "h", "b"], b"$6\r\n123457\r\n");
}
