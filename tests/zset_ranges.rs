//! Sorted-set range reads and removals through Engine (ZRANGE by rank/score/lex, ZCOUNT,
//! ZREMRANGEBY*, ZSCAN), byte-compared with redis-server 7.0.
//!
//! Every expectation below is the exact reply (RESP bytes) that redis-server 7.0.15 gave
//! for the same command sequence on a fresh server.

mod support;

use support::session::Session;

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
