//! List commands through Engine, byte-compared with redis-server 7.0.
//!
//! Every expectation below is the exact reply (RESP bytes) that redis-server 7.0.15 gave
//! for the same command sequence on a fresh server.

mod support;

use support::session::Session;

#[test]
fn pushes_return_the_new_length_and_keep_order() {
    let mut s = Session::new(false);
    s.run(&["LPUSH", "l", "a", "b", "c"], b":3\r\n");
    s.run(&["RPUSH", "l", "d", "e"], b":5\r\n");
    s.run(
        &["LRANGE", "l", "0", "-1"],
        b"*5\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n",
    );
    s.run(&["LPUSHX", "l", "z"], b":6\r\n");
    s.run(&["RPUSHX", "l", "y"], b":7\r\n");
    s.run(&["LPUSHX", "nokey", "a"], b":0\r\n");
    s.run(&["RPUSHX", "nokey", "a"], b":0\r\n");
    s.run(&["LLEN", "nokey"], b":0\r\n");
    s.run(&["LLEN", "l"], b":7\r\n");
    s.run(&["LLEN", "nokey"], b":0\r\n");
    s.run(
        &["LPUSH", "l"],
        b"-ERR wrong number of arguments for 'lpush' command\r\n",
    );
}

#[test]
fn pops_single_and_counted() {
    let mut s = Session::new(false);
    s.run(&["RPUSH", "l", "a", "b", "c", "d", "e"], b":5\r\n");
    s.run(&["LPOP", "l"], b"$1\r\na\r\n");
    s.run(&["RPOP", "l"], b"$1\r\ne\r\n");
    s.run(&["LPOP", "l", "2"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    s.run(&["RPOP", "l", "0"], b"*0\r\n");
    s.run(&["RPOP", "l", "5"], b"*1\r\n$1\r\nd\r\n");
    s.run(&["LLEN", "l"], b":0\r\n");
    s.run(&["LPOP", "l"], b"$-1\r\n");
    s.run(&["LPOP", "l", "3"], b"*-1\r\n");
    s.run(&["RPOP", "nokey"], b"$-1\r\n");
    s.run(
        &["LPOP", "l", "1", "2"],
        b"-ERR wrong number of arguments for 'lpop' command\r\n",
    );
    s.run(
        &["LPOP", "l", "-1"],
        b"-ERR value is out of range, must be positive\r\n",
    );
    s.run(
        &["LPOP", "l", "abc"],
        b"-ERR value is out of range, must be positive\r\n",
    );
}

#[test]
fn pops_with_count_are_nested_in_resp3() {
    let mut s = Session::new(true);
    s.run(&["RPUSH", "l", "a", "b", "c"], b":3\r\n");
    s.run(&["LPOP", "l"], b"$1\r\na\r\n");
    s.run(&["LPOP", "l", "2"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    s.run(&["LPOP", "nokey"], b"_\r\n");
    s.run(&["LPOP", "nokey", "1"], b"_\r\n");
    s.run(&["LRANGE", "nokey", "0", "-1"], b"*0\r\n");
}

#[test]
fn lrange_clamps_indexes() {
    let mut s = Session::new(false);
    s.run(&["RPUSH", "l", "a", "b", "c", "d", "e"], b":5\r\n");
    s.run(
        &["LRANGE", "l", "0", "-1"],
        b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
    );
    s.run(&["LRANGE", "l", "1", "2"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    s.run(
        &["LRANGE", "l", "-2", "-1"],
        b"*2\r\n$1\r\nd\r\n$1\r\ne\r\n",
    );
    s.run(
        &["LRANGE", "l", "-100", "100"],
        b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
    );
    s.run(&["LRANGE", "l", "3", "1"], b"*0\r\n");
    s.run(&["LRANGE", "l", "5", "10"], b"*0\r\n");
    s.run(
        &["LRANGE", "l", "x", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(
        &["LRANGE", "l", "0", "y"],
        b"-ERR value is not an integer or out of range\r\n",
    );
}

#[test]
fn lindex_and_lset_follow_index_rules() {
    let mut s = Session::new(false);
    s.run(&["RPUSH", "l", "a", "b", "c"], b":3\r\n");
    s.run(&["LINDEX", "l", "0"], b"$1\r\na\r\n");
    s.run(&["LINDEX", "l", "-1"], b"$1\r\nc\r\n");
    s.run(&["LINDEX", "l", "3"], b"$-1\r\n");
    s.run(&["LINDEX", "l", "-4"], b"$-1\r\n");
    s.run(&["LINDEX", "nokey", "0"], b"$-1\r\n");
    s.run(
        &["LINDEX", "l", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["LSET", "l", "1", "B"], b"+OK\r\n");
    s.run(&["LSET", "l", "-1", "C"], b"+OK\r\n");
    s.run(
        &["LRANGE", "l", "0", "-1"],
        b"*3\r\n$1\r\na\r\n$1\r\nB\r\n$1\r\nC\r\n",
    );
    s.run(&["LSET", "l", "3", "x"], b"-ERR index out of range\r\n");
    s.run(&["LSET", "nokey", "0", "x"], b"-ERR no such key\r\n");
    s.run(
        &["LSET", "l", "x", "y"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["SET", "s", "v"], b"+OK\r\n");
    s.run(
        &["LSET", "s", "0", "x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LINDEX", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn lrem_counts_from_either_end() {
    let mut s = Session::new(false);
    s.run(
        &["RPUSH", "l", "a", "b", "a", "c", "a", "b", "a"],
        b":7\r\n",
    );
    s.run(&["LREM", "l", "2", "a"], b":2\r\n");
    s.run(
        &["LRANGE", "l", "0", "-1"],
        b"*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n",
    );
    s.run(&["LREM", "l", "-1", "b"], b":1\r\n");
    s.run(
        &["LRANGE", "l", "0", "-1"],
        b"*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\na\r\n",
    );
    s.run(&["LREM", "l", "0", "a"], b":2\r\n");
    s.run(&["LRANGE", "l", "0", "-1"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    s.run(&["LREM", "l", "0", "zz"], b":0\r\n");
    s.run(&["LREM", "nokey", "0", "a"], b":0\r\n");
    s.run(
        &["LREM", "l", "x", "a"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["LREM", "l", "0", "c"], b":1\r\n");
    s.run(&["LLEN", "l"], b":1\r\n");
}

#[test]
fn ltrim_keeps_a_range_or_deletes() {
    let mut s = Session::new(false);
    s.run(&["RPUSH", "l", "a", "b", "c", "d", "e"], b":5\r\n");
    s.run(&["LTRIM", "l", "1", "-2"], b"+OK\r\n");
    s.run(
        &["LRANGE", "l", "0", "-1"],
        b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    s.run(&["LTRIM", "l", "5", "10"], b"+OK\r\n");
    s.run(&["LLEN", "l"], b":0\r\n");
    s.run(&["LTRIM", "nokey", "0", "1"], b"+OK\r\n");
    s.run(
        &["LTRIM", "l", "x", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    );
}

#[test]
fn linsert_finds_the_pivot() {
    let mut s = Session::new(false);
    s.run(&["RPUSH", "l", "a", "b", "c"], b":3\r\n");
    s.run(&["LINSERT", "l", "BEFORE", "b", "x"], b":4\r\n");
    s.run(&["LINSERT", "l", "after", "c", "y"], b":5\r\n");
    s.run(&["LINSERT", "l", "before", "zz", "q"], b":-1\r\n");
    s.run(&["LINSERT", "nokey", "before", "a", "b"], b":0\r\n");
    s.run(
        &["LINSERT", "l", "middle", "a", "b"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["LRANGE", "l", "0", "-1"],
        b"*5\r\n$1\r\na\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\ny\r\n",
    );
}

#[test]
fn lpos_supports_rank_count_and_maxlen() {
    let mut s = Session::new(false);
    s.run(
        &["RPUSH", "l", "a", "b", "c", "a", "b", "c", "a"],
        b":7\r\n",
    );
    s.run(&["LPOS", "l", "a"], b":0\r\n");
    s.run(&["LPOS", "l", "c"], b":2\r\n");
    s.run(&["LPOS", "l", "z"], b"$-1\r\n");
    s.run(&["LPOS", "l", "a", "RANK", "2"], b":3\r\n");
    s.run(&["LPOS", "l", "a", "RANK", "-1"], b":6\r\n");
    s.run(&["LPOS", "l", "a", "RANK", "-2"], b":3\r\n");
    s.run(&["LPOS", "l", "a", "RANK", "9"], b"$-1\r\n");
    s.run(
        &["LPOS", "l", "a", "COUNT", "0"],
        b"*3\r\n:0\r\n:3\r\n:6\r\n",
    );
    s.run(&["LPOS", "l", "a", "COUNT", "2"], b"*2\r\n:0\r\n:3\r\n");
    s.run(
        &["LPOS", "l", "a", "COUNT", "2", "RANK", "-1"],
        b"*2\r\n:6\r\n:3\r\n",
    );
    s.run(
        &["LPOS", "l", "a", "COUNT", "0", "MAXLEN", "4"],
        b"*2\r\n:0\r\n:3\r\n",
    );
    s.run(&["LPOS", "l", "a", "RANK", "-1", "MAXLEN", "2"], b":6\r\n");
    s.run(&["LPOS", "l", "z", "COUNT", "0"], b"*0\r\n");
    s.run(&["LPOS", "nokey", "a"], b"$-1\r\n");
    s.run(&["LPOS", "nokey", "a", "COUNT", "1"], b"*0\r\n");
    s.run(&["LPOS", "l", "a", "RANK", "0"], b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n");
    s.run(
        &["LPOS", "l", "a", "RANK", "-9223372036854775808"],
        b":6\r\n",
    );
    s.run(
        &["LPOS", "l", "a", "COUNT", "-1"],
        b"-ERR COUNT can't be negative\r\n",
    );
    s.run(
        &["LPOS", "l", "a", "MAXLEN", "-1"],
        b"-ERR MAXLEN can't be negative\r\n",
    );
    s.run(&["LPOS", "l", "a", "RANK"], b"-ERR syntax error\r\n");
    s.run(
        &["LPOS", "l", "a", "RANK", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    s.run(&["LPOS", "l", "a", "FOO", "1"], b"-ERR syntax error\r\n");
    s.run(
        &["LPOS", "l", "a", "COUNT", "1", "COUNT", "3"],
        b"*3\r\n:0\r\n:3\r\n:6\r\n",
    );
}

#[test]
fn lmove_and_rpoplpush_move_between_ends() {
    let mut s = Session::new(false);
    s.run(&["RPUSH", "src", "a", "b", "c"], b":3\r\n");
    s.run(&["LMOVE", "src", "dst", "LEFT", "RIGHT"], b"$1\r\na\r\n");
    s.run(&["LMOVE", "src", "dst", "RIGHT", "LEFT"], b"$1\r\nc\r\n");
    s.run(
        &["LRANGE", "dst", "0", "-1"],
        b"*2\r\n$1\r\nc\r\n$1\r\na\r\n",
    );
    s.run(&["RPOPLPUSH", "src", "dst"], b"$1\r\nb\r\n");
    s.run(&["LLEN", "src"], b":0\r\n");
    s.run(
        &["LRANGE", "dst", "0", "-1"],
        b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
    );
    s.run(&["LMOVE", "src", "dst", "LEFT", "LEFT"], b"$-1\r\n");
    s.run(&["RPOPLPUSH", "src", "dst"], b"$-1\r\n");
    s.run(&["LMOVE", "dst", "dst", "LEFT", "RIGHT"], b"$1\r\nb\r\n");
    s.run(
        &["LRANGE", "dst", "0", "-1"],
        b"*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n",
    );
    s.run(
        &["LMOVE", "dst", "x", "UP", "LEFT"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["LMOVE", "dst", "x", "LEFT", "DOWN"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["SET", "s", "v"], b"+OK\r\n");
    s.run(
        &["LMOVE", "s", "dst", "LEFT", "LEFT"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LMOVE", "dst", "s", "LEFT", "LEFT"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["RPOPLPUSH", "dst", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LRANGE", "dst", "0", "-1"],
        b"*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n",
    );
}

#[test]
fn lmpop_pops_from_the_first_non_empty_list() {
    let mut s = Session::new(false);
    s.run(&["RPUSH", "b", "1", "2", "3"], b":3\r\n");
    s.run(
        &["LMPOP", "2", "a", "b", "LEFT"],
        b"*2\r\n$1\r\nb\r\n*1\r\n$1\r\n1\r\n",
    );
    s.run(
        &["LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"],
        b"*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n",
    );
    s.run(&["LLEN", "b"], b":0\r\n");
    s.run(&["LMPOP", "2", "a", "b", "LEFT"], b"*-1\r\n");
    s.run(
        &["LMPOP", "0", "a", "LEFT"],
        b"-ERR numkeys should be greater than 0\r\n",
    );
    s.run(
        &["LMPOP", "x", "a", "LEFT"],
        b"-ERR numkeys should be greater than 0\r\n",
    );
    s.run(&["LMPOP", "3", "a", "b", "LEFT"], b"-ERR syntax error\r\n");
    s.run(&["LMPOP", "1", "a", "MIDDLE"], b"-ERR syntax error\r\n");
    s.run(
        &["LMPOP", "1", "a", "LEFT", "COUNT", "0"],
        b"-ERR count should be greater than 0\r\n",
    );
    s.run(
        &["LMPOP", "1", "a", "LEFT", "COUNT", "x"],
        b"-ERR count should be greater than 0\r\n",
    );
    s.run(
        &["LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"],
        b"-ERR syntax error\r\n",
    );
    s.run(
        &["LMPOP", "1", "a", "LEFT", "EXTRA"],
        b"-ERR syntax error\r\n",
    );
    s.run(&["SET", "s", "v"], b"+OK\r\n");
    s.run(
        &["LMPOP", "2", "a", "s", "LEFT"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(&["RPUSH", "a", "x"], b":1\r\n");
    s.run(
        &["LMPOP", "2", "a", "s", "LEFT"],
        b"*2\r\n$1\r\na\r\n*1\r\n$1\r\nx\r\n",
    );
}

#[test]
fn list_commands_refuse_other_types() {
    let mut s = Session::new(false);
    s.run(&["SET", "s", "v"], b"+OK\r\n");
    s.run(
        &["LPUSH", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["RPUSH", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LPUSHX", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LPOP", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LRANGE", "s", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LLEN", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LREM", "s", "0", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LTRIM", "s", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LINSERT", "s", "before", "a", "b"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["LPOS", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn list_arity_errors() {
    let mut s = Session::new(false);
    s.run(
        &["LPUSH", "l"],
        b"-ERR wrong number of arguments for 'lpush' command\r\n",
    );
    s.run(
        &["LRANGE", "l", "0"],
        b"-ERR wrong number of arguments for 'lrange' command\r\n",
    );
    s.run(
        &["LLEN"],
        b"-ERR wrong number of arguments for 'llen' command\r\n",
    );
    s.run(
        &["LINDEX", "l"],
        b"-ERR wrong number of arguments for 'lindex' command\r\n",
    );
    s.run(
        &["LSET", "l", "0"],
        b"-ERR wrong number of arguments for 'lset' command\r\n",
    );
    s.run(
        &["LREM", "l", "0"],
        b"-ERR wrong number of arguments for 'lrem' command\r\n",
    );
    s.run(
        &["LTRIM", "l", "0"],
        b"-ERR wrong number of arguments for 'ltrim' command\r\n",
    );
    s.run(
        &["LINSERT", "l", "before", "a"],
        b"-ERR wrong number of arguments for 'linsert' command\r\n",
    );
    s.run(
        &["LPOS", "l"],
        b"-ERR wrong number of arguments for 'lpos' command\r\n",
    );
    s.run(
        &["LMOVE", "a", "b", "LEFT"],
        b"-ERR wrong number of arguments for 'lmove' command\r\n",
    );
    s.run(
        &["RPOPLPUSH", "a"],
        b"-ERR wrong number of arguments for 'rpoplpush' command\r\n",
    );
    s.run(
        &["LMPOP", "1", "a"],
        b"-ERR wrong number of arguments for 'lmpop' command\r\n",
    );
    s.run(
        &["BLPOP", "l"],
        b"-ERR wrong number of arguments for 'blpop' command\r\n",
    );
    s.run(
        &["BLMOVE", "a", "b", "LEFT", "RIGHT"],
        b"-ERR wrong number of arguments for 'blmove' command\r\n",
    );
    s.run(
        &["BRPOPLPUSH", "a", "b"],
        b"-ERR wrong number of arguments for 'brpoplpush' command\r\n",
    );
    s.run(
        &["BLMPOP", "0", "1", "a"],
        b"-ERR wrong number of arguments for 'blmpop' command\r\n",
    );
}

#[test]
fn blocking_pops_answer_at_once_when_data_is_there() {
    let mut s = Session::new(false);
    s.run(&["RPUSH", "a", "1", "2"], b":2\r\n");
    s.run(&["RPUSH", "b", "3"], b":1\r\n");
    s.run(
        &["BLPOP", "nokey", "a", "b", "0"],
        b"*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    s.run(
        &["BRPOP", "nokey", "b", "a", "0"],
        b"*2\r\n$1\r\nb\r\n$1\r\n3\r\n",
    );
    s.run(&["BRPOP", "b", "a", "1.5"], b"*2\r\n$1\r\na\r\n$1\r\n2\r\n");
    s.run(&["LLEN", "a"], b":0\r\n");
    s.run(&["RPUSH", "a", "1", "2"], b":2\r\n");
    s.run(&["BLMOVE", "a", "c", "RIGHT", "LEFT", "0"], b"$1\r\n2\r\n");
    s.run(&["BRPOPLPUSH", "a", "c", "0"], b"$1\r\n1\r\n");
    s.run(&["LRANGE", "c", "0", "-1"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    s.run(&["RPUSH", "a", "1", "2", "3"], b":3\r\n");
    s.run(
        &["BLMPOP", "0", "2", "nokey", "a", "RIGHT", "COUNT", "2"],
        b"*2\r\n$1\r\na\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n",
    );
    s.run(
        &["BLMPOP", "0", "1", "a", "LEFT"],
        b"*2\r\n$1\r\na\r\n*1\r\n$1\r\n1\r\n",
    );
    s.run(&["SET", "s", "v"], b"+OK\r\n");
    s.run(
        &["BLPOP", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(&["RPUSH", "a", "1"], b":1\r\n");
    s.run(&["BLPOP", "a", "s", "0"], b"*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    s.run(
        &["BLPOP", "s", "a", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    s.run(
        &["BLMOVE", "s", "c", "LEFT", "LEFT", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn blocking_pops_inside_multi_answer_as_on_timeout() {
    let mut s = Session::new(false);
    s.run(&["MULTI"], b"+OK\r\n");
    s.run(&["BLPOP", "nokey", "0"], b"+QUEUED\r\n");
    s.run(&["BRPOP", "nokey", "other", "1"], b"+QUEUED\r\n");
    s.run(
        &["BLMOVE", "nokey", "x", "LEFT", "LEFT", "0"],
        b"+QUEUED\r\n",
    );
    s.run(&["BRPOPLPUSH", "nokey", "x", "0"], b"+QUEUED\r\n");
    s.run(&["BLMPOP", "0", "1", "nokey", "LEFT"], b"+QUEUED\r\n");
    s.run(&["EXEC"], b"*5\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n");
}

#[test]
fn blocking_timeouts_are_validated() {
    let mut s = Session::new(false);
    s.run(&["MULTI"], b"+OK\r\n");
    s.run(&["BLPOP", "nokey", "-1"], b"+QUEUED\r\n");
    s.run(&["BLPOP", "nokey", "abc"], b"+QUEUED\r\n");
    s.run(&["BLPOP", "nokey", "inf"], b"+QUEUED\r\n");
    s.run(&["BLPOP", "nokey", "-inf"], b"+QUEUED\r\n");
    s.run(&["BLPOP", "nokey", " 1"], b"+QUEUED\r\n");
    s.run(&["BLPOP", "nokey", ""], b"+QUEUED\r\n");
    s.run(&["BLPOP", "nokey", "0x10"], b"+QUEUED\r\n");
    s.run(&["BLPOP", "nokey", "9223372036854775"], b"+QUEUED\r\n");
    s.run(&["BLMOVE", "a", "b", "LEFT", "RIGHT", "-1"], b"+QUEUED\r\n");
    s.run(&["BLMOVE", "a", "b", "LEFT", "UP", "-1"], b"+QUEUED\r\n");
    s.run(&["BLMPOP", "x", "1", "a", "LEFT"], b"+QUEUED\r\n");
    s.run(&["BLMPOP", "0", "0", "a", "LEFT"], b"+QUEUED\r\n");
    s.run(&["BRPOPLPUSH", "a", "b", "nan"], b"+QUEUED\r\n");
    s.run(&["EXEC"], b"*13\r\n-ERR timeout is negative\r\n-ERR timeout is not a float or out of range\r\n-ERR timeout is negative\r\n-ERR timeout is negative\r\n-ERR timeout is not a float or out of range\r\n-ERR timeout is not a float or out of range\r\n*-1\r\n*-1\r\n-ERR timeout is negative\r\n-ERR syntax error\r\n-ERR timeout is not a float or out of range\r\n-ERR numkeys should be greater than 0\r\n-ERR timeout is not a float or out of range\r\n");
}
