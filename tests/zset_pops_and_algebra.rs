//! Sorted-set pops, random members and set algebra through Engine (ZPOP*, ZMPOP,
//! ZRANDMEMBER, ZUNION/ZINTER/ZDIFF and their STORE forms, blocking pops), byte-compared
//! with redis-server 7.0.
//!
//! Every expectation below is the exact reply (RESP bytes) that redis-server 7.0.15 gave
//! for the same command sequence on a fresh server.

mod support;

use support::session::Session;

#[test]
fn zpop_takes_the_ends() {
    let mut s = Session::new(false);
    s.run(
        &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
        b":4\r\n",
    );
    s.run(&["ZPOPMIN", "z"], b"*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    s.run(&["ZPOPMAX", "z"], b"*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    s.run(&["ZPOPMIN", "z", "0"], b"*0\r\n");
    s.run(
        &["ZPOPMAX", "z", "10"],
        b"*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    s.run(&["ZCARD", "z"], b":0\r\n");
    s.run(&["ZPOPMIN", "nokey"], b"*0\r\n");
    s.run(&["ZPOPMIN", "nokey", "2"], b"*0\r\n");
    s.run(
        &["ZPOPMIN", "z", "-1"],
        b"-ERR value is out of range, must be positive\r\n",
    );
    s.run(
        &["ZPOPMIN", "z", "x"],
        b"-ERR value is out of range, must be positive\r\n",
    );
    s.run(&["ZPOPMIN", "z", "1", "2"], b"-ERR syntax error\r\n");
}

#[test]
fn zmpop_pops_from_the_first_non_empty_set() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "b", "1", "x", "2", "y", "3", "z"], b":3\r\n");
    s.run(
        &["ZMPOP", "2", "a", "b", "MIN"],
        b"*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n",
    );
    s.run(
        &["ZMPOP", "2", "a", "b", "MAX", "COUNT", "5"],
        b"*2\r\n$1\r\nb\r\n*2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n",
    );
    s.run(&["ZMPOP", "2", "a", "b", "MIN"], b"*-1\r\n");
    s.run(
        &["ZMPOP", "0", "a", "MIN"],
        b"-ERR numkeys should be greater than 0\r\n",
    );
    s.run(&["ZMPOP", "1", "a", "LEFT"], b"-ERR syntax error\r\n");
    s.run(
        &["ZMPOP", "1", "a", "MIN", "COUNT", "0"],
        b"-ERR count should be greater than 0\r\n",
    );
    s.run(&["ZMPOP", "3", "a", "b", "MIN"], b"-ERR syntax error\r\n");
    s.run(&["SET", "str", "v"], b"+OK\r\n");
    s.run(
        &["ZMPOP", "1", "str", "MIN"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn zrandmember_counts_and_errors() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "z", "1", "a", "2", "b", "3", "c"], b":3\r\n");
    s.run(&["ZRANDMEMBER", "z", "0"], b"*0\r\n");
    s.run(&["ZRANDMEMBER", "nokey"], b"$-1\r\n");
    s.run(&["ZRANDMEMBER", "nokey", "2"], b"*0\r\n");
    s.run(
        &["ZRANDMEMBER", "z", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(
        &["ZRANDMEMBER", "z", "1", "WITHSCORE"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["ZRANDMEMBER", "z", "-9223372036854775808"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    s.run(
        &["ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"],
        b"-ERR value is out of range\r\n",
    );
    s.run(&["ZADD", "one", "7", "m"], b":1\r\n");
    s.run(&["ZRANDMEMBER", "one"], b"$1\r\nm\r\n");
    s.run(
        &["ZRANDMEMBER", "one", "-2", "WITHSCORES"],
        b"*4\r\n$1\r\nm\r\n$1\r\n7\r\n$1\r\nm\r\n$1\r\n7\r\n",
    );
}

#[test]
fn zunion_zinter_zdiff_aggregate_weighted_scores() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "a", "1", "x", "2", "y", "3", "z"], b":3\r\n");
    s.run(&["ZADD", "b", "10", "y", "20", "z", "30", "w"], b":3\r\n");
    s.run(&["SADD", "s", "z", "q"], b":2\r\n");
    s.run(
        &["ZUNION", "2", "a", "b"],
        b"*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nw\r\n",
    );
    s.run(&["ZUNION", "2", "a", "b", "WITHSCORES"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n");
    s.run(&["ZUNION", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES"], b"*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$1\r\n9\r\n$1\r\nw\r\n$2\r\n15\r\n$1\r\nz\r\n$2\r\n16\r\n");
    s.run(&["ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\nw\r\n$2\r\n30\r\n");
    s.run(&["ZUNION", "2", "a", "b", "AGGREGATE", "MAX", "WITHSCORES"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n$1\r\nw\r\n$2\r\n30\r\n");
    s.run(
        &["ZINTER", "2", "a", "b", "WITHSCORES"],
        b"*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n",
    );
    s.run(
        &[
            "ZINTER",
            "2",
            "a",
            "b",
            "WEIGHTS",
            "1",
            "-1",
            "AGGREGATE",
            "SUM",
            "WITHSCORES",
        ],
        b"*4\r\n$1\r\nz\r\n$3\r\n-17\r\n$1\r\ny\r\n$2\r\n-8\r\n",
    );
    s.run(
        &["ZINTER", "3", "a", "b", "s", "WITHSCORES"],
        b"*2\r\n$1\r\nz\r\n$2\r\n24\r\n",
    );
    s.run(&["ZUNION", "2", "a", "s", "WITHSCORES"], b"*8\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n4\r\n");
    s.run(
        &["ZDIFF", "2", "a", "b", "WITHSCORES"],
        b"*2\r\n$1\r\nx\r\n$1\r\n1\r\n",
    );
    s.run(
        &["ZDIFF", "1", "a"],
        b"*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n",
    );
    s.run(&["ZINTER", "2", "a", "nokey"], b"*0\r\n");
    s.run(&["ZUNION", "2", "nokey", "nokey2"], b"*0\r\n");
    s.run(&["ZINTERCARD", "2", "a", "b"], b":2\r\n");
    s.run(&["ZINTERCARD", "2", "a", "b", "LIMIT", "1"], b":1\r\n");
    s.run(&["ZINTERCARD", "3", "a", "b", "s"], b":1\r\n");
}

#[test]
fn zstore_commands_write_the_destination() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "a", "1", "x", "2", "y"], b":2\r\n");
    s.run(&["ZADD", "b", "3", "y", "4", "z"], b":2\r\n");
    s.run(&["ZUNIONSTORE", "d", "2", "a", "b"], b":3\r\n");
    s.run(
        &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
        b"*6\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n4\r\n$1\r\ny\r\n$1\r\n5\r\n",
    );
    s.run(
        &["ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "2", "3"],
        b":1\r\n",
    );
    s.run(
        &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
        b"*2\r\n$1\r\ny\r\n$2\r\n13\r\n",
    );
    s.run(&["ZDIFFSTORE", "d", "2", "a", "b"], b":1\r\n");
    s.run(
        &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
        b"*2\r\n$1\r\nx\r\n$1\r\n1\r\n",
    );
    s.run(&["ZINTERSTORE", "d", "2", "a", "nokey"], b":0\r\n");
    s.run(&["ZCARD", "d"], b":0\r\n");
    s.run(&["SET", "str", "v"], b"+OK\r\n");
    s.run(&["ZUNIONSTORE", "str", "1", "a"], b":2\r\n");
    s.run(
        &["ZRANGE", "str", "0", "-1"],
        b"*2\r\n$1\r\nx\r\n$1\r\ny\r\n",
    );
    s.run(&["ZRANGESTORE", "dst", "a", "0", "-1"], b":2\r\n");
    s.run(
        &["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        b"*4\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n",
    );
    s.run(
        &[
            "ZRANGESTORE",
            "dst",
            "b",
            "3",
            "+inf",
            "BYSCORE",
            "LIMIT",
            "1",
            "1",
        ],
        b":1\r\n",
    );
    s.run(
        &["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        b"*2\r\n$1\r\nz\r\n$1\r\n4\r\n",
    );
    s.run(&["ZRANGESTORE", "dst", "a", "5", "10"], b":0\r\n");
    s.run(&["ZCARD", "dst"], b":0\r\n");
    s.run(&["ZRANGESTORE", "dst", "nokey", "0", "-1"], b":0\r\n");
    s.run(
        &["ZRANGESTORE", "dst", "a", "0", "-1", "WITHSCORES"],
        b"-ERR syntax error\r\n",
    );
}

#[test]
fn zset_algebra_errors() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "a", "1", "x"], b":1\r\n");
    s.run(&["SET", "str", "v"], b"+OK\r\n");
    s.run(
        &["ZUNION", "0", "a"],
        b"-ERR at least 1 input key is needed for 'zunion' command\r\n",
    );
    s.run(
        &["ZUNIONSTORE", "d", "0", "a"],
        b"-ERR at least 1 input key is needed for 'zunionstore' command\r\n",
    );
    s.run(
        &["ZINTER", "0", "a"],
        b"-ERR at least 1 input key is needed for 'zinter' command\r\n",
    );
    s.run(
        &["ZDIFF", "0", "a"],
        b"-ERR at least 1 input key is needed for 'zdiff' command\r\n",
    );
    s.run(
        &["ZINTERCARD", "0", "a"],
        b"-ERR at least 1 input key is needed for 'zintercard' command\r\n",
    );
    s.run(&["ZUNION", "2", "a"], b"-ERR syntax error\r\n");
    s.run(
        &["ZUNION", "x", "a"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(
        &["ZUNION", "1", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZUNION", "1", "str", "WEIGHTS", "x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZUNION", "1", "a", "WEIGHTS", "x"],
        b"-ERR weight value is not a float\r\n",
    );
    s.run(
        &["ZUNION", "1", "a", "WEIGHTS", "1", "2"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["ZUNION", "1", "a", "AGGREGATE", "foo"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["ZUNION", "1", "a", "AGGREGATE"], b"-ERR syntax error\r\n");
    s.run(
        &["ZDIFF", "1", "a", "WEIGHTS", "1"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["ZDIFF", "1", "a", "AGGREGATE", "SUM"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["ZUNIONSTORE", "d", "1", "a", "WITHSCORES"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["ZINTERCARD", "2", "a"], b"-ERR syntax error\r\n");
    s.run(
        &["ZINTERCARD", "1", "a", "LIMIT", "-1"],
        b"-ERR LIMIT can't be negative\r\n",
    );
    s.run(
        &["ZINTERCARD", "1", "a", "LIMIT", "x"],
        b"-ERR LIMIT can't be negative\r\n",
    );
    s.run(
        &["ZINTERCARD", "1", "a", "WITHSCORES"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["ZINTERCARD", "1", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn inf_arithmetic_in_aggregates_gives_zero_not_nan() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "a", "inf", "x"], b":1\r\n");
    s.run(&["ZADD", "b", "-inf", "x"], b":1\r\n");
    s.run(
        &["ZUNION", "2", "a", "b", "WITHSCORES"],
        b"*2\r\n$1\r\nx\r\n$1\r\n0\r\n",
    );
    s.run(
        &[
            "ZINTER",
            "2",
            "a",
            "b",
            "WEIGHTS",
            "0",
            "1",
            "AGGREGATE",
            "MAX",
            "WITHSCORES",
        ],
        b"*2\r\n$1\r\nx\r\n$1\r\n0\r\n",
    );
}

#[test]
fn blocking_zset_pops_answer_at_once_or_as_on_timeout() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "z", "1", "a", "2", "b"], b":2\r\n");
    s.run(
        &["BZPOPMIN", "nokey", "z", "0"],
        b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    s.run(
        &["BZPOPMAX", "z", "0"],
        b"*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    s.run(&["BZPOPMIN", "z", "0.5"], b"*-1\r\n");
    s.run(&["MULTI"], b"+OK\r\n");
    s.run(&["BZPOPMIN", "z", "0"], b"+QUEUED\r\n");
    s.run(&["BZPOPMAX", "nokey", "1"], b"+QUEUED\r\n");
    s.run(&["BZMPOP", "0", "1", "z", "MIN"], b"+QUEUED\r\n");
    s.run(&["BZPOPMIN", "z", "-1"], b"+QUEUED\r\n");
    s.run(&["BZMPOP", "0", "0", "z", "MIN"], b"+QUEUED\r\n");
    s.run(&["BZMPOP", "x", "1", "z", "MIN"], b"+QUEUED\r\n");
    s.run(&["BZMPOP", "0", "1", "z", "UP"], b"+QUEUED\r\n");
    s.run(&["EXEC"], b"*7\r\n*-1\r\n*-1\r\n*-1\r\n-ERR timeout is negative\r\n-ERR numkeys should be greater than 0\r\n-ERR timeout is not a float or out of range\r\n-ERR syntax error\r\n");
    s.run(&["SET", "str", "v"], b"+OK\r\n");
    s.run(
        &["BZPOPMIN", "str", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(&["ZADD", "z", "1", "a"], b":1\r\n");
    s.run(
        &["BZMPOP", "0", "2", "z", "str", "MIN", "COUNT", "3"],
        b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
}
