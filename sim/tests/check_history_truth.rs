//! The checker judges what a history says happened: program order per client, random
//! replies some choice explains, caches and configuration as part of the state.

use redsim::Reply;
use redsim_sim::check::{check, ModelChoice, Options, Verdict};
mod history_support;
use history_support::{argv, bulk, ok};
use redsim_sim::history::{History, Op, Operation};

fn verdict(ops: Vec<Op>, model: ModelChoice) -> Verdict {
    check(&History { ops }, model, &Options::default())
        .expect("the model can judge it")
        .verdict
}

#[test]
fn a_client_invoking_at_its_previous_return_instant_still_comes_after_it() {
    // Client 1 sets x to 1 then to 2, the second invoked at the instant the first returned.
    // Closed intervals alone would let SET x 2 go first and explain the read of 1.
    let ops = vec![
        ok(1, 0, 5, argv(&["SET", "x", "1"]), Reply::ok()),
        ok(1, 5, 10, argv(&["SET", "x", "2"]), Reply::ok()),
        ok(2, 11, 12, argv(&["GET", "x"]), bulk("1")),
    ];
    assert_eq!(
        verdict(ops.clone(), ModelChoice::Engine),
        Verdict::NotLinearizable
    );
    assert_eq!(verdict(ops, ModelChoice::Auto), Verdict::NotLinearizable);
}

#[test]
fn program_order_is_kept_across_keys_the_history_splits_on() {
    // Each client writes one key, then at its return instant reads the other's: both
    // reads miss the other's write, which no order allows (E < A < C < D < E). Each key
    // alone is linearizable, so the two keys must be judged together.
    let ops = vec![
        ok(1, 0, 5, argv(&["SET", "x", "1"]), Reply::ok()),
        ok(1, 5, 10, argv(&["GET", "y"]), Reply::Null),
        ok(2, 0, 5, argv(&["SET", "y", "1"]), Reply::ok()),
        ok(2, 5, 10, argv(&["GET", "x"]), Reply::Null),
    ];
    assert_eq!(
        verdict(ops.clone(), ModelChoice::Engine),
        Verdict::NotLinearizable
    );
    assert_eq!(verdict(ops, ModelChoice::Auto), Verdict::NotLinearizable);
}

#[test]
fn a_clients_operations_still_overlap_other_clients_at_equal_times() {
    // Program order adds nothing between different clients: a read at another client's
    // return instant may still come first.
    let ops = vec![
        ok(1, 0, 5, argv(&["SET", "x", "1"]), Reply::ok()),
        ok(2, 5, 6, argv(&["GET", "x"]), Reply::Null),
    ];
    assert_eq!(verdict(ops, ModelChoice::Engine), Verdict::Linearizable);
}

#[test]
fn a_popped_member_is_accepted_when_some_random_choice_gives_it() {
    let sadd = ok(
        1,
        0,
        1,
        argv(&["SADD", "s", "a", "b", "c", "d"]),
        Reply::Integer(4),
    );
    for member in ["a", "b", "c", "d"] {
        let ops = vec![
            sadd.clone(),
            ok(2, 2, 3, argv(&["SPOP", "s"]), bulk(member)),
            ok(
                3,
                4,
                5,
                argv(&["SISMEMBER", "s", member]),
                Reply::Integer(0),
            ),
            ok(3, 6, 7, argv(&["SCARD", "s"]), Reply::Integer(3)),
        ];
        assert_eq!(
            verdict(ops, ModelChoice::Engine),
            Verdict::Linearizable,
            "{member}"
        );
    }
}

#[test]
fn a_popped_member_that_was_never_there_is_not_linearizable() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SADD", "s", "a", "b"]), Reply::Integer(2)),
        ok(2, 2, 3, argv(&["SPOP", "s"]), bulk("z")),
    ];
    assert_eq!(verdict(ops, ModelChoice::Engine), Verdict::NotLinearizable);
}

#[test]
fn a_popped_member_must_leave_the_set() {
    // SPOP gave b, so b is gone: a later SISMEMBER b = 1 fits no choice.
    let ops = vec![
        ok(1, 0, 1, argv(&["SADD", "s", "a", "b"]), Reply::Integer(2)),
        ok(2, 2, 3, argv(&["SPOP", "s"]), bulk("b")),
        ok(2, 4, 5, argv(&["SISMEMBER", "s", "b"]), Reply::Integer(1)),
    ];
    assert_eq!(verdict(ops, ModelChoice::Engine), Verdict::NotLinearizable);
}

#[test]
fn a_script_popping_at_random_is_judged_by_the_choice_its_reply_shows() {
    // Two scripts each pop one member and return it; which ones is random. Any two
    // distinct members fit; the same member twice does not.
    let script = |client: u64, result: &str| {
        ok(
            client,
            10,
            20,
            Operation::Script {
                source: "return redis.call('SPOP', KEYS[1])".into(),
                keys: vec![b"s".to_vec()],
                args: vec![],
                mode: redsim_sim::history::ScriptMode::Eval,
            },
            bulk(result),
        )
    };
    let sadd = ok(
        0,
        0,
        1,
        argv(&["SADD", "s", "a", "b", "c"]),
        Reply::Integer(3),
    );
    let distinct = vec![sadd.clone(), script(1, "c"), script(2, "a")];
    assert_eq!(
        verdict(distinct, ModelChoice::Engine),
        Verdict::Linearizable
    );
    let twice = vec![sadd, script(1, "b"), script(2, "b")];
    assert_eq!(
        verdict(twice, ModelChoice::Engine),
        Verdict::NotLinearizable
    );
}

#[test]
fn evalsha_answered_noscript_may_come_before_a_concurrent_script_load() {
    let source = "return 1";
    let sha = redsim::script::sha1_hex(source.as_bytes());
    let ops = vec![
        ok(
            2,
            0,
            10,
            argv(&["SCRIPT", "LOAD", source]),
            Reply::Bulk(sha.clone().into_bytes()),
        ),
        ok(
            1,
            0,
            10,
            argv(&["EVALSHA", &sha, "0"]),
            Reply::error("NOSCRIPT No matching script. Please use EVAL."),
        ),
        ok(3, 20, 30, argv(&["EVALSHA", &sha, "0"]), Reply::Integer(1)),
    ];
    assert_eq!(verdict(ops, ModelChoice::Engine), Verdict::Linearizable);
}

#[test]
fn evalsha_after_a_script_flush_finds_no_script() {
    // A flush is a write of the cache: once it is over, the script is gone.
    let source = "return 1";
    let sha = redsim::script::sha1_hex(source.as_bytes());
    let ops = vec![
        ok(
            1,
            0,
            1,
            argv(&["SCRIPT", "LOAD", source]),
            Reply::Bulk(sha.clone().into_bytes()),
        ),
        ok(9, 2, 2, argv(&["SCRIPT", "FLUSH"]), Reply::ok()),
        ok(2, 3, 4, argv(&["EVALSHA", &sha, "0"]), Reply::Integer(1)),
    ];
    assert_eq!(verdict(ops, ModelChoice::Engine), Verdict::NotLinearizable);
}

#[test]
fn a_config_set_by_another_client_is_part_of_the_state() {
    // SADD concurrent with a CONFIG SET that lowers set-max-intset-entries may go first
    // and build an intset (Redis does not convert a set when the limit changes); the SADD
    // invoked after it must build a hashtable.
    let config = ok(
        9,
        0,
        10,
        argv(&["CONFIG", "SET", "set-max-intset-entries", "1"]),
        Reply::ok(),
    );
    let first = vec![
        config.clone(),
        ok(1, 0, 10, argv(&["SADD", "s", "1", "2"]), Reply::Integer(2)),
        ok(
            1,
            11,
            12,
            argv(&["OBJECT", "ENCODING", "s"]),
            bulk("intset"),
        ),
    ];
    assert_eq!(verdict(first, ModelChoice::Engine), Verdict::Linearizable);
    let after = vec![
        config,
        ok(1, 11, 12, argv(&["SADD", "s", "1", "2"]), Reply::Integer(2)),
        ok(
            1,
            13,
            14,
            argv(&["OBJECT", "ENCODING", "s"]),
            bulk("intset"),
        ),
    ];
    assert_eq!(
        verdict(after, ModelChoice::Engine),
        Verdict::NotLinearizable
    );
}

#[test]
fn fcall_answered_function_not_found_may_come_before_a_concurrent_function_load() {
    let library = "#!lua name=lib\nredis.register_function('f', function() return 1 end)";
    let ops = vec![
        ok(2, 0, 10, argv(&["FUNCTION", "LOAD", library]), bulk("lib")),
        ok(
            1,
            0,
            10,
            argv(&["FCALL", "f", "0"]),
            Reply::error("ERR Function not found"),
        ),
        ok(3, 20, 30, argv(&["FCALL", "f", "0"]), Reply::Integer(1)),
    ];
    assert_eq!(verdict(ops, ModelChoice::Engine), Verdict::Linearizable);
}

#[test]
fn a_function_deleted_before_a_call_is_not_found() {
    let library = "#!lua name=lib\nredis.register_function('f', function() return 1 end)";
    let ops = vec![
        ok(2, 0, 1, argv(&["FUNCTION", "LOAD", library]), bulk("lib")),
        ok(2, 2, 3, argv(&["FUNCTION", "DELETE", "lib"]), Reply::ok()),
        ok(1, 4, 5, argv(&["FCALL", "f", "0"]), Reply::Integer(1)),
    ];
    assert_eq!(verdict(ops, ModelChoice::Engine), Verdict::NotLinearizable);
}
