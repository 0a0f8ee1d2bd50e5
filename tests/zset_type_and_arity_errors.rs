//! Sorted-set commands' WRONGTYPE and arity errors through Engine, byte-compared with
//! redis-server 7.0.
//!
//! Every expectation below is the exact reply (RESP bytes) that redis-server 7.0.15 gave
//! for the same command sequence on a fresh server.

mod support;

use support::session::Session;

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
