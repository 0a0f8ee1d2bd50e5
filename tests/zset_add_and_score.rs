//! Sorted-set writes and scores through Engine (ZADD and its options, ZINCRBY, score
//! printing in RESP2/RESP3, ranks and ties, ZREM), byte-compared with redis-server 7.0.
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
