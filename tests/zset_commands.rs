//! Sorted-set commands through Engine, byte-compared with redis-server 7.0.
//!
//! Every expectation below is the exact reply (RESP bytes) that redis-server 7.0.15 gave
//! for the same command sequence on a fresh server.

mod support;

use support::session::Session;

#[test]
fn zadd_counts_additions_and_changes() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "z", "1", "a", "2", "b"], b":2\r\n");
    s.run(&["ZADD", "z", "3", "a", "4", "c"], b":1\r\n");
    s.run(
        &["ZADD", "z", "CH", "5", "a", "4", "c", "6", "d"],
        b":2\r\n",
    );
    s.run(&["ZADD", "z", "NX", "10", "a", "7", "e"], b":1\r\n");
    s.run(&["ZADD", "z", "XX", "10", "a", "8", "f"], b":0\r\n");
    s.run(&["ZADD", "z", "XX", "CH", "11", "a", "8", "f"], b":1\r\n");
    s.run(&["ZRANGE", "z", "0", "-1", "WITHSCORES"], b"*10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nd\r\n$1\r\n6\r\n$1\r\ne\r\n$1\r\n7\r\n$1\r\na\r\n$2\r\n11\r\n");
    s.run(&["ZADD", "z", "GT", "5", "a"], b":0\r\n");
    s.run(&["ZADD", "z", "GT", "CH", "12", "a"], b":1\r\n");
    s.run(&["ZADD", "z", "LT", "CH", "1", "a", "100", "b"], b":1\r\n");
    s.run(&["ZADD", "z", "LT", "200", "new"], b":1\r\n");
    s.run(&["ZSCORE", "z", "a"], b"$1\r\n1\r\n");
    s.run(&["ZSCORE", "z", "new"], b"$3\r\n200\r\n");
    s.run(&["ZCARD", "z"], b":6\r\n");
    s.run(&["ZADD", "nokey", "XX", "1", "a"], b":0\r\n");
    s.run(&["ZCARD", "nokey"], b":0\r\n");
}

#[test]
fn zadd_incr_returns_the_score_or_nil() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "z", "INCR", "1.5", "a"], b"$3\r\n1.5\r\n");
    s.run(&["ZADD", "z", "INCR", "1.5", "a"], b"$1\r\n3\r\n");
    s.run(&["ZADD", "z", "INCR", "NX", "1", "a"], b"$-1\r\n");
    s.run(&["ZADD", "z", "INCR", "XX", "1", "zz"], b"$-1\r\n");
    s.run(&["ZADD", "z", "INCR", "GT", "-1", "a"], b"$-1\r\n");
    s.run(&["ZADD", "z", "INCR", "LT", "-1", "a"], b"$1\r\n2\r\n");
    s.run(&["ZADD", "nokey", "XX", "INCR", "1", "a"], b"$-1\r\n");
    s.run(&["ZADD", "z", "INCR", "-inf", "a"], b"$4\r\n-inf\r\n");
    s.run(
        &["ZADD", "z", "INCR", "+inf", "a"],
        b"-ERR resulting score is not a number (NaN)\r\n",
    );
    s.run(&["ZSCORE", "z", "a"], b"$4\r\n-inf\r\n");
}

#[test]
fn zadd_option_conflicts_and_bad_scores() {
    let mut s = Session::new(false);
    s.run(
        &["ZADD", "z", "NX", "XX", "1", "a"],
        b"-ERR XX and NX options at the same time are not compatible\r\n",
    );
    s.run(
        &["ZADD", "z", "GT", "LT", "1", "a"],
        b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
    );
    s.run(
        &["ZADD", "z", "NX", "GT", "1", "a"],
        b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
    );
    s.run(
        &["ZADD", "z", "NX", "LT", "1", "a"],
        b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
    );
    s.run(
        &["ZADD", "z", "INCR", "1", "a", "2", "b"],
        b"-ERR INCR option supports a single increment-element pair\r\n",
    );
    s.run(&["ZADD", "z", "1", "a", "2"], b"-ERR syntax error\r\n");
    s.run(
        &["ZADD", "z", "x", "a"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(
        &["ZADD", "z", "nan", "a"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(
        &["ZADD", "z", " 1", "a"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(
        &["ZADD", "z", "1e400", "a"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(
        &["ZADD", "z", "NX"],
        b"-ERR wrong number of arguments for 'zadd' command\r\n",
    );
    s.run(
        &["ZADD", "z", "1"],
        b"-ERR wrong number of arguments for 'zadd' command\r\n",
    );
    s.run(&["ZADD", "z", "CH", "NX"], b"-ERR syntax error\r\n");
    s.run(&["ZCARD", "z"], b":0\r\n");
}

#[test]
fn scores_print_with_17_significant_digits() {
    let mut s = Session::new(false);
    s.run(
        &[
            "ZADD",
            "z",
            "0.1",
            "a",
            "1e20",
            "b",
            "-0",
            "c",
            "1.5",
            "d",
            "inf",
            "e",
            "-inf",
            "f",
            "3",
            "g",
            "1e-5",
            "h",
            "123456789.123",
            "i",
        ],
        b":9\r\n",
    );
    s.run(&["ZSCORE", "z", "a"], b"$19\r\n0.10000000000000001\r\n");
    s.run(&["ZSCORE", "z", "b"], b"$5\r\n1e+20\r\n");
    s.run(&["ZSCORE", "z", "c"], b"$1\r\n0\r\n");
    s.run(&["ZSCORE", "z", "e"], b"$3\r\ninf\r\n");
    s.run(&["ZSCORE", "z", "f"], b"$4\r\n-inf\r\n");
    s.run(&["ZSCORE", "z", "g"], b"$1\r\n3\r\n");
    s.run(&["ZSCORE", "z", "h"], b"$22\r\n1.0000000000000001e-05\r\n");
    s.run(&["ZSCORE", "z", "i"], b"$13\r\n123456789.123\r\n");
    s.run(&["ZSCORE", "z", "zz"], b"$-1\r\n");
    s.run(&["ZSCORE", "nokey", "a"], b"$-1\r\n");
    s.run(
        &["ZMSCORE", "z", "a", "zz", "e"],
        b"*3\r\n$19\r\n0.10000000000000001\r\n$-1\r\n$3\r\ninf\r\n",
    );
    s.run(&["ZMSCORE", "nokey", "a", "b"], b"*2\r\n$-1\r\n$-1\r\n");
    s.run(&["ZRANGE", "z", "0", "-1", "WITHSCORES"], b"*18\r\n$1\r\nf\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nh\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\ng\r\n$1\r\n3\r\n$1\r\ni\r\n$13\r\n123456789.123\r\n$1\r\nb\r\n$5\r\n1e+20\r\n$1\r\ne\r\n$3\r\ninf\r\n");
    s.run(&["ZSCAN", "z", "0"], b"*2\r\n$1\r\n0\r\n*18\r\n$1\r\nf\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nh\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\ng\r\n$1\r\n3\r\n$1\r\ni\r\n$13\r\n123456789.123\r\n$1\r\nb\r\n$5\r\n1e+20\r\n$1\r\ne\r\n$3\r\ninf\r\n");
}

#[test]
fn scores_are_doubles_in_resp3() {
    let mut s = Session::new(true);
    s.run(&["ZADD", "z", "0.1", "a", "2", "b", "inf", "c"], b":3\r\n");
    s.run(&["ZSCORE", "z", "a"], b",0.10000000000000001\r\n");
    s.run(&["ZSCORE", "z", "c"], b",inf\r\n");
    s.run(
        &["ZMSCORE", "z", "a", "zz"],
        b"*2\r\n,0.10000000000000001\r\n_\r\n",
    );
    s.run(&["ZINCRBY", "z", "1", "b"], b",3\r\n");
    s.run(&["ZADD", "z", "INCR", "1", "b"], b",4\r\n");
    s.run(&["ZRANGE", "z", "0", "-1", "WITHSCORES"], b"*3\r\n*2\r\n$1\r\na\r\n,0.10000000000000001\r\n*2\r\n$1\r\nb\r\n,4\r\n*2\r\n$1\r\nc\r\n,inf\r\n");
    s.run(
        &[
            "ZRANGEBYSCORE",
            "z",
            "-inf",
            "+inf",
            "WITHSCORES",
            "LIMIT",
            "0",
            "1",
        ],
        b"*1\r\n*2\r\n$1\r\na\r\n,0.10000000000000001\r\n",
    );
    s.run(
        &["ZREVRANGE", "z", "0", "0", "WITHSCORES"],
        b"*1\r\n*2\r\n$1\r\nc\r\n,inf\r\n",
    );
    s.run(
        &["ZPOPMIN", "z"],
        b"*2\r\n$1\r\na\r\n,0.10000000000000001\r\n",
    );
    s.run(&["ZPOPMIN", "z", "1"], b"*1\r\n*2\r\n$1\r\nb\r\n,4\r\n");
    s.run(&["ZPOPMAX", "z", "5"], b"*1\r\n*2\r\n$1\r\nc\r\n,inf\r\n");
    s.run(&["ZADD", "z", "1", "a", "2", "b"], b":2\r\n");
    s.run(
        &["ZMPOP", "1", "z", "MIN"],
        b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n",
    );
    s.run(
        &["ZMPOP", "1", "z", "MAX", "COUNT", "5"],
        b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n",
    );
    s.run(&["ZADD", "z", "1", "a", "2", "b"], b":2\r\n");
    s.run(
        &["BZPOPMIN", "z", "0"],
        b"*3\r\n$1\r\nz\r\n$1\r\na\r\n,1\r\n",
    );
    s.run(
        &["BZMPOP", "0", "1", "z", "MAX"],
        b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n",
    );
    s.run(&["ZUNION", "1", "nokey", "WITHSCORES"], b"*0\r\n");
    s.run(&["ZADD", "z", "1", "a"], b":1\r\n");
    s.run(
        &["ZUNION", "1", "z", "WITHSCORES"],
        b"*1\r\n*2\r\n$1\r\na\r\n,1\r\n",
    );
    s.run(
        &["ZRANDMEMBER", "z", "1", "WITHSCORES"],
        b"*1\r\n*2\r\n$1\r\na\r\n,1\r\n",
    );
    s.run(
        &["ZRANDMEMBER", "z", "-2", "WITHSCORES"],
        b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\na\r\n,1\r\n",
    );
    s.run(
        &["ZSCAN", "z", "0"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
}

#[test]
fn zincrby_adds_and_refuses_nan() {
    let mut s = Session::new(false);
    s.run(&["ZINCRBY", "z", "1", "a"], b"$1\r\n1\r\n");
    s.run(&["ZINCRBY", "z", "2.5", "a"], b"$3\r\n3.5\r\n");
    s.run(&["ZINCRBY", "z", "-inf", "a"], b"$4\r\n-inf\r\n");
    s.run(
        &["ZINCRBY", "z", "+inf", "a"],
        b"-ERR resulting score is not a number (NaN)\r\n",
    );
    s.run(
        &["ZINCRBY", "z", "x", "a"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(
        &["ZINCRBY", "z", "nan", "a"],
        b"-ERR value is not a valid float\r\n",
    );
    s.run(&["ZSCORE", "z", "a"], b"$4\r\n-inf\r\n");
}

#[test]
fn ranks_count_from_either_end() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "z", "1", "a", "2", "b", "3", "c"], b":3\r\n");
    s.run(&["ZRANK", "z", "a"], b":0\r\n");
    s.run(&["ZRANK", "z", "c"], b":2\r\n");
    s.run(&["ZREVRANK", "z", "a"], b":2\r\n");
    s.run(&["ZREVRANK", "z", "c"], b":0\r\n");
    s.run(&["ZRANK", "z", "zz"], b"$-1\r\n");
    s.run(&["ZRANK", "nokey", "a"], b"$-1\r\n");
    s.run(&["ZREVRANK", "nokey", "a"], b"$-1\r\n");
}

#[test]
fn ties_on_score_order_by_member() {
    let mut s = Session::new(false);
    s.run(
        &[
            "ZADD", "z", "1", "b", "1", "a", "1", "c", "0", "z", "-0", "y",
        ],
        b":5\r\n",
    );
    s.run(
        &["ZRANGE", "z", "0", "-1"],
        b"*5\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(&["ZRANK", "z", "y"], b":0\r\n");
    s.run(
        &["ZREVRANGE", "z", "0", "-1"],
        b"*5\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nz\r\n$1\r\ny\r\n",
    );
}

#[test]
fn zrem_deletes_emptied_keys() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "z", "1", "a", "2", "b"], b":2\r\n");
    s.run(&["ZREM", "z", "a", "zz"], b":1\r\n");
    s.run(&["ZREM", "z", "b"], b":1\r\n");
    s.run(&["ZCARD", "z"], b":0\r\n");
    s.run(&["ZREM", "nokey", "a"], b":0\r\n");
}

#[test]
fn zrange_by_rank() {
    let mut s = Session::new(false);
    s.run(
        &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
        b":4\r\n",
    );
    s.run(
        &["ZRANGE", "z", "0", "-1"],
        b"*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    s.run(
        &["ZRANGE", "z", "1", "2", "WITHSCORES"],
        b"*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
    );
    s.run(
        &["ZRANGE", "z", "-2", "-1"],
        b"*2\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    s.run(
        &["ZRANGE", "z", "0", "100"],
        b"*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    s.run(&["ZRANGE", "z", "3", "1"], b"*0\r\n");
    s.run(
        &["ZRANGE", "z", "0", "-1", "REV"],
        b"*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
    );
    s.run(
        &["ZRANGE", "z", "0", "0", "REV", "WITHSCORES"],
        b"*2\r\n$1\r\nd\r\n$1\r\n4\r\n",
    );
    s.run(
        &["ZREVRANGE", "z", "0", "1"],
        b"*2\r\n$1\r\nd\r\n$1\r\nc\r\n",
    );
    s.run(
        &["ZREVRANGE", "z", "0", "1", "WITHSCORES"],
        b"*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n",
    );
    s.run(&["ZRANGE", "nokey", "0", "-1"], b"*0\r\n");
    s.run(
        &["ZRANGE", "z", "x", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"], b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    s.run(
        &["ZRANGE", "z", "0", "-1", "LIMIT", "1", "-1"],
        b"*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    s.run(
        &["ZRANGE", "z", "0", "-1", "REV", "REV"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["ZRANGE", "z", "0", "-1", "FOO"], b"-ERR syntax error\r\n");
    s.run(
        &["ZREVRANGE", "z", "0", "-1", "REV"],
        b"-ERR syntax error\r\n",
    );
}

#[test]
fn zrange_by_score() {
    let mut s = Session::new(false);
    s.run(
        &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
        b":4\r\n",
    );
    s.run(
        &["ZRANGE", "z", "1", "3", "BYSCORE"],
        b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(
        &["ZRANGE", "z", "(1", "3", "BYSCORE"],
        b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(
        &["ZRANGE", "z", "1", "(3", "BYSCORE", "WITHSCORES"],
        b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    s.run(
        &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"],
        b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(
        &["ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV"],
        b"*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
    );
    s.run(
        &["ZRANGE", "z", "3", "1", "BYSCORE", "REV", "LIMIT", "0", "2"],
        b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    s.run(
        &["ZRANGE", "z", "(4", "(1", "BYSCORE", "REV"],
        b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "2", "4"],
        b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    s.run(
        &[
            "ZRANGEBYSCORE",
            "z",
            "-inf",
            "+inf",
            "WITHSCORES",
            "LIMIT",
            "1",
            "-1",
        ],
        b"*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"],
        b"*0\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "10", "2"],
        b"*0\r\n",
    );
    s.run(&["ZRANGEBYSCORE", "z", "3", "1"], b"*0\r\n");
    s.run(&["ZRANGEBYSCORE", "z", "(2", "(2"], b"*0\r\n");
    s.run(
        &["ZRANGEBYSCORE", "z", " 2", " 3"],
        b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "", "(3"],
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n",
    );
    s.run(
        &["ZREVRANGEBYSCORE", "z", "4", "2"],
        b"*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    s.run(
        &[
            "ZREVRANGEBYSCORE",
            "z",
            "+inf",
            "-inf",
            "WITHSCORES",
            "LIMIT",
            "1",
            "2",
        ],
        b"*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    s.run(
        &["ZREVRANGEBYSCORE", "z", "(4", "(1"],
        b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "x", "1"],
        b"-ERR min or max is not a float\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "1", "nan"],
        b"-ERR min or max is not a float\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "[1", "2"],
        b"-ERR min or max is not a float\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "1", "2", "REV"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "0"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "x", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["ZRANGEBYSCORE", "nokey", "1", "2"], b"*0\r\n");
}

#[test]
fn zrange_by_lex() {
    let mut s = Session::new(false);
    s.run(
        &[
            "ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e",
        ],
        b":5\r\n",
    );
    s.run(
        &["ZRANGE", "z", "[b", "[d", "BYLEX"],
        b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    s.run(&["ZRANGE", "z", "(b", "(d", "BYLEX"], b"*1\r\n$1\r\nc\r\n");
    s.run(
        &["ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "1", "2"],
        b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(
        &["ZRANGE", "z", "+", "-", "BYLEX", "REV"],
        b"*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
    );
    s.run(
        &["ZRANGE", "z", "[d", "(a", "BYLEX", "REV", "LIMIT", "0", "2"],
        b"*2\r\n$1\r\nd\r\n$1\r\nc\r\n",
    );
    s.run(
        &["ZRANGEBYLEX", "z", "-", "[c"],
        b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    s.run(
        &["ZRANGEBYLEX", "z", "[c", "+"],
        b"*3\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
    );
    s.run(&["ZRANGEBYLEX", "z", "+", "-"], b"*0\r\n");
    s.run(&["ZRANGEBYLEX", "z", "[e", "[a"], b"*0\r\n");
    s.run(
        &["ZREVRANGEBYLEX", "z", "+", "-"],
        b"*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
    );
    s.run(
        &["ZREVRANGEBYLEX", "z", "[d", "[b", "LIMIT", "1", "5"],
        b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    s.run(
        &["ZRANGEBYLEX", "z", "a", "c"],
        b"-ERR min or max not valid string range item\r\n",
    );
    s.run(
        &["ZRANGEBYLEX", "z", "[a", "+x"],
        b"-ERR min or max not valid string range item\r\n",
    );
    s.run(
        &["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"],
        b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
    );
    s.run(
        &["ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"],
        b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
    );
    s.run(&["ZLEXCOUNT", "z", "-", "+"], b":5\r\n");
    s.run(&["ZLEXCOUNT", "z", "[b", "(d"], b":2\r\n");
    s.run(
        &["ZLEXCOUNT", "z", "x", "y"],
        b"-ERR min or max not valid string range item\r\n",
    );
    s.run(&["ZLEXCOUNT", "nokey", "-", "+"], b":0\r\n");
}

#[test]
fn zcount_counts_a_score_range() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "z", "1", "a", "2", "b", "3", "c"], b":3\r\n");
    s.run(&["ZCOUNT", "z", "-inf", "+inf"], b":3\r\n");
    s.run(&["ZCOUNT", "z", "(1", "3"], b":2\r\n");
    s.run(&["ZCOUNT", "z", "2", "2"], b":1\r\n");
    s.run(&["ZCOUNT", "z", "3", "1"], b":0\r\n");
    s.run(
        &["ZCOUNT", "z", "x", "1"],
        b"-ERR min or max is not a float\r\n",
    );
    s.run(&["ZCOUNT", "nokey", "0", "1"], b":0\r\n");
}

#[test]
fn zremrange_removes_ranges() {
    let mut s = Session::new(false);
    s.run(
        &[
            "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "0", "x", "0", "y",
        ],
        b":7\r\n",
    );
    s.run(&["ZREMRANGEBYSCORE", "z", "(1", "2"], b":1\r\n");
    s.run(&["ZREMRANGEBYRANK", "z", "-1", "-1"], b":1\r\n");
    s.run(&["ZREMRANGEBYLEX", "z", "[x", "[y"], b":0\r\n");
    s.run(
        &["ZRANGE", "z", "0", "-1"],
        b"*5\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    s.run(&["ZREMRANGEBYRANK", "z", "0", "0"], b":1\r\n");
    s.run(&["ZREMRANGEBYSCORE", "z", "-inf", "+inf"], b":4\r\n");
    s.run(&["ZCARD", "z"], b":0\r\n");
    s.run(
        &["ZREMRANGEBYSCORE", "z", "x", "1"],
        b"-ERR min or max is not a float\r\n",
    );
    s.run(
        &["ZREMRANGEBYRANK", "z", "x", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(
        &["ZREMRANGEBYLEX", "z", "x", "y"],
        b"-ERR min or max not valid string range item\r\n",
    );
    s.run(&["ZREMRANGEBYRANK", "nokey", "0", "-1"], b":0\r\n");
    s.run(&["ZREMRANGEBYLEX", "nokey", "-", "+"], b":0\r\n");
}

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
fn zscan_returns_small_sets_whole() {
    let mut s = Session::new(false);
    s.run(&["ZADD", "z", "1", "a", "2.5", "b", "3", "ab"], b":3\r\n");
    s.run(&["ZSCAN", "z", "0"], b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$2\r\nab\r\n$1\r\n3\r\n");
    s.run(
        &["ZSCAN", "z", "0", "MATCH", "a*"],
        b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n3\r\n",
    );
    s.run(&["ZSCAN", "z", "0", "COUNT", "1"], b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$2\r\nab\r\n$1\r\n3\r\n");
    s.run(&["ZSCAN", "nokey", "0"], b"*2\r\n$1\r\n0\r\n*0\r\n");
    s.run(&["ZSCAN", "z", "x"], b"-ERR invalid cursor\r\n");
    s.run(&["ZSCAN", "z", "0", "COUNT", "0"], b"-ERR syntax error\r\n");
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

#[test]
fn zset_commands_refuse_other_types() {
    let mut s = Session::new(false);
    s.run(&["SET", "s", "v"], b"+OK\r\n");
    s.run(
        &["ZADD", "s", "1", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZINCRBY", "s", "1", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZCARD", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZSCORE", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZMSCORE", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZRANK", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZREVRANK", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZREM", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZRANGE", "s", "0", "-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "s", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZRANGEBYLEX", "s", "-", "+"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZCOUNT", "s", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZLEXCOUNT", "s", "-", "+"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZREMRANGEBYSCORE", "s", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZREMRANGEBYRANK", "s", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZREMRANGEBYLEX", "s", "-", "+"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZPOPMIN", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZRANDMEMBER", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZSCAN", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["ZRANGESTORE", "d", "s", "0", "-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn zset_arity_errors() {
    let mut s = Session::new(false);
    s.run(
        &["ZADD", "z", "1"],
        b"-ERR wrong number of arguments for 'zadd' command\r\n",
    );
    s.run(
        &["ZINCRBY", "z", "1"],
        b"-ERR wrong number of arguments for 'zincrby' command\r\n",
    );
    s.run(
        &["ZCARD"],
        b"-ERR wrong number of arguments for 'zcard' command\r\n",
    );
    s.run(
        &["ZSCORE", "z"],
        b"-ERR wrong number of arguments for 'zscore' command\r\n",
    );
    s.run(
        &["ZMSCORE", "z"],
        b"-ERR wrong number of arguments for 'zmscore' command\r\n",
    );
    s.run(
        &["ZRANK", "z"],
        b"-ERR wrong number of arguments for 'zrank' command\r\n",
    );
    s.run(
        &["ZREVRANK", "z"],
        b"-ERR wrong number of arguments for 'zrevrank' command\r\n",
    );
    s.run(
        &["ZREM", "z"],
        b"-ERR wrong number of arguments for 'zrem' command\r\n",
    );
    s.run(
        &["ZRANGE", "z", "0"],
        b"-ERR wrong number of arguments for 'zrange' command\r\n",
    );
    s.run(
        &["ZRANGEBYSCORE", "z", "0"],
        b"-ERR wrong number of arguments for 'zrangebyscore' command\r\n",
    );
    s.run(
        &["ZREVRANGEBYSCORE", "z", "0"],
        b"-ERR wrong number of arguments for 'zrevrangebyscore' command\r\n",
    );
    s.run(
        &["ZRANGEBYLEX", "z", "-"],
        b"-ERR wrong number of arguments for 'zrangebylex' command\r\n",
    );
    s.run(
        &["ZREVRANGEBYLEX", "z", "+"],
        b"-ERR wrong number of arguments for 'zrevrangebylex' command\r\n",
    );
    s.run(
        &["ZREVRANGE", "z", "0"],
        b"-ERR wrong number of arguments for 'zrevrange' command\r\n",
    );
    s.run(
        &["ZCOUNT", "z", "0"],
        b"-ERR wrong number of arguments for 'zcount' command\r\n",
    );
    s.run(
        &["ZLEXCOUNT", "z", "-"],
        b"-ERR wrong number of arguments for 'zlexcount' command\r\n",
    );
    s.run(
        &["ZREMRANGEBYSCORE", "z", "0"],
        b"-ERR wrong number of arguments for 'zremrangebyscore' command\r\n",
    );
    s.run(
        &["ZREMRANGEBYRANK", "z", "0"],
        b"-ERR wrong number of arguments for 'zremrangebyrank' command\r\n",
    );
    s.run(
        &["ZREMRANGEBYLEX", "z", "-"],
        b"-ERR wrong number of arguments for 'zremrangebylex' command\r\n",
    );
    s.run(
        &["ZPOPMIN"],
        b"-ERR wrong number of arguments for 'zpopmin' command\r\n",
    );
    s.run(
        &["ZPOPMAX"],
        b"-ERR wrong number of arguments for 'zpopmax' command\r\n",
    );
    s.run(
        &["BZPOPMIN", "z"],
        b"-ERR wrong number of arguments for 'bzpopmin' command\r\n",
    );
    s.run(
        &["BZPOPMAX", "z"],
        b"-ERR wrong number of arguments for 'bzpopmax' command\r\n",
    );
    s.run(
        &["ZMPOP", "1", "z"],
        b"-ERR wrong number of arguments for 'zmpop' command\r\n",
    );
    s.run(
        &["BZMPOP", "0", "1", "z"],
        b"-ERR wrong number of arguments for 'bzmpop' command\r\n",
    );
    s.run(
        &["ZRANDMEMBER"],
        b"-ERR wrong number of arguments for 'zrandmember' command\r\n",
    );
    s.run(
        &["ZUNION", "1"],
        b"-ERR wrong number of arguments for 'zunion' command\r\n",
    );
    s.run(
        &["ZINTER", "1"],
        b"-ERR wrong number of arguments for 'zinter' command\r\n",
    );
    s.run(
        &["ZDIFF", "1"],
        b"-ERR wrong number of arguments for 'zdiff' command\r\n",
    );
    s.run(
        &["ZUNIONSTORE", "d", "1"],
        b"-ERR wrong number of arguments for 'zunionstore' command\r\n",
    );
    s.run(
        &["ZINTERSTORE", "d", "1"],
        b"-ERR wrong number of arguments for 'zinterstore' command\r\n",
    );
    s.run(
        &["ZDIFFSTORE", "d", "1"],
        b"-ERR wrong number of arguments for 'zdiffstore' command\r\n",
    );
    s.run(
        &["ZINTERCARD", "1"],
        b"-ERR wrong number of arguments for 'zintercard' command\r\n",
    );
    s.run(
        &["ZRANGESTORE", "d", "z", "0"],
        b"-ERR wrong number of arguments for 'zrangestore' command\r\n",
    );
    s.run(
        &["ZSCAN", "z"],
        b"-ERR wrong number of arguments for 'zscan' command\r\n",
    );
}
