//! Tiny histories whose verdict is known, each named as the claim it makes.

use redsim::Reply;
use redsim_sim::check::{check, check_with, models, ModelChoice, Options, Verdict};
mod history_support;
use history_support::{argv, bulk, ok, unknown};
use redsim_sim::history::{History, Op, Operation, Status};

/// The verdict with the engine model and with the automatically chosen model.
fn verdicts(ops: Vec<Op>) -> (Verdict, Verdict) {
    let history = History { ops };
    let options = Options::default();
    let engine = check(&history, ModelChoice::Engine, &options)
        .expect("engine can judge it")
        .verdict;
    let auto = check(&history, ModelChoice::Auto, &options)
        .expect("auto can judge it")
        .verdict;
    (engine, auto)
}

fn both(v: Verdict) -> (Verdict, Verdict) {
    (v, v)
}

#[test]
fn stale_read_after_a_completed_set_is_not_linearizable() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "x", "1"]), Reply::ok()),
        ok(1, 2, 3, argv(&["SET", "x", "2"]), Reply::ok()),
        ok(2, 4, 5, argv(&["GET", "x"]), bulk("1")),
    ];
    assert_eq!(verdicts(ops), both(Verdict::NotLinearizable));
}

#[test]
fn a_read_concurrent_with_a_set_may_see_the_old_value() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "x", "1"]), Reply::ok()),
        ok(1, 2, 6, argv(&["SET", "x", "2"]), Reply::ok()),
        ok(2, 4, 5, argv(&["GET", "x"]), bulk("1")),
    ];
    assert_eq!(verdicts(ops), both(Verdict::Linearizable));
}

#[test]
fn equal_times_overlap_so_a_read_at_the_return_instant_may_come_first() {
    let ops = vec![
        ok(1, 0, 5, argv(&["SET", "x", "1"]), Reply::ok()),
        ok(2, 5, 6, argv(&["GET", "x"]), Reply::Null),
    ];
    assert_eq!(verdicts(ops), both(Verdict::Linearizable));
}

#[test]
fn lost_update_of_two_concurrent_incrs_is_not_linearizable() {
    let ops = vec![
        ok(1, 0, 10, argv(&["INCR", "c"]), Reply::Integer(1)),
        ok(2, 1, 9, argv(&["INCR", "c"]), Reply::Integer(1)),
    ];
    assert_eq!(verdicts(ops), both(Verdict::NotLinearizable));
}

#[test]
fn lost_update_through_read_then_write_transactions_is_not_linearizable() {
    // Each client read c then wrote c+1 in one MULTI block; both saw nil and wrote 1.
    let block = || {
        Operation::Multi(vec![
            b"GET c".split(|&b| b == b' ').map(|w| w.to_vec()).collect(),
            vec![b"SET".to_vec(), b"c".to_vec(), b"1".to_vec()],
        ])
    };
    let ops = vec![
        ok(
            1,
            0,
            10,
            block(),
            Reply::Array(vec![Reply::Null, Reply::ok()]),
        ),
        ok(
            2,
            1,
            9,
            block(),
            Reply::Array(vec![Reply::Null, Reply::ok()]),
        ),
    ];
    let history = History { ops };
    let v = check(&history, ModelChoice::Auto, &Options::default()).unwrap();
    assert_eq!(v.model, "engine");
    assert_eq!(v.verdict, Verdict::NotLinearizable);
}

#[test]
fn torn_read_of_two_counters_is_not_linearizable() {
    // The counter race with a second counter in place of the sorted set: each client
    // bumps both and reads both. Atomic blocks cannot both see (2, 2).
    let block = || {
        Operation::Multi(vec![
            vec![b"INCR".to_vec(), b"c".to_vec()],
            vec![b"INCR".to_vec(), b"n".to_vec()],
            vec![b"GET".to_vec(), b"c".to_vec()],
            vec![b"GET".to_vec(), b"n".to_vec()],
        ])
    };
    let seen = |c: i64, n: i64| {
        Reply::Array(vec![
            Reply::Integer(c),
            Reply::Integer(n),
            bulk("2"),
            bulk("2"),
        ])
    };
    let torn = vec![
        ok(1, 0, 10, block(), seen(1, 1)),
        ok(2, 1, 11, block(), seen(2, 2)),
    ];
    assert_eq!(verdicts(torn).0, Verdict::NotLinearizable);
    let atomic = vec![
        ok(
            1,
            0,
            10,
            block(),
            Reply::Array(vec![
                Reply::Integer(1),
                Reply::Integer(1),
                bulk("1"),
                bulk("1"),
            ]),
        ),
        ok(2, 1, 11, block(), seen(2, 2)),
    ];
    assert_eq!(verdicts(atomic).0, Verdict::Linearizable);
}

#[test]
fn unknown_write_that_must_have_happened_explains_a_read() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "x", "1"]), Reply::ok()),
        unknown(2, 2, argv(&["SET", "x", "2"])),
        ok(3, 10, 11, argv(&["GET", "x"]), bulk("2")),
    ];
    assert_eq!(verdicts(ops), both(Verdict::Linearizable));
}

#[test]
fn unknown_write_that_must_not_have_happened_is_allowed_to_vanish() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "x", "1"]), Reply::ok()),
        unknown(2, 2, argv(&["SET", "x", "2"])),
        ok(3, 10, 11, argv(&["GET", "x"]), bulk("1")),
        ok(3, 12, 13, argv(&["GET", "x"]), bulk("1")),
    ];
    assert_eq!(verdicts(ops), both(Verdict::Linearizable));
}

#[test]
fn unknown_write_cannot_take_effect_before_it_was_called() {
    let ops = vec![
        ok(1, 0, 1, argv(&["GET", "x"]), bulk("2")),
        unknown(2, 2, argv(&["SET", "x", "2"])),
    ];
    assert_eq!(verdicts(ops), both(Verdict::NotLinearizable));
}

#[test]
fn unknown_write_seen_once_cannot_be_unseen() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "x", "1"]), Reply::ok()),
        unknown(2, 2, argv(&["SET", "x", "2"])),
        ok(3, 10, 11, argv(&["GET", "x"]), bulk("2")),
        ok(3, 12, 13, argv(&["GET", "x"]), bulk("1")),
    ];
    assert_eq!(verdicts(ops), both(Verdict::NotLinearizable));
}

#[test]
fn a_failed_write_seen_by_a_read_is_not_linearizable() {
    let mut failed = ok(
        1,
        0,
        1,
        argv(&["SET", "x", "1"]),
        Reply::error("ERR timeout"),
    );
    failed.status = Status::Fail;
    let ops = vec![failed, ok(2, 5, 6, argv(&["GET", "x"]), bulk("1"))];
    assert_eq!(verdicts(ops), both(Verdict::NotLinearizable));
}

#[test]
fn an_unobserved_reply_matches_anything() {
    let mut get = ok(2, 5, 6, argv(&["GET", "x"]), Reply::Null);
    get.result = None;
    let ops = vec![ok(1, 0, 1, argv(&["SET", "x", "1"]), Reply::ok()), get];
    assert_eq!(verdicts(ops), both(Verdict::Linearizable));
}

#[test]
fn incr_on_a_non_integer_must_be_refused_by_the_model_too() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "c", "abc"]), Reply::ok()),
        ok(1, 2, 3, argv(&["INCR", "c"]), Reply::Integer(1)),
    ];
    assert_eq!(verdicts(ops), both(Verdict::NotLinearizable));
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "c", "abc"]), Reply::ok()),
        ok(
            1,
            2,
            3,
            argv(&["INCR", "c"]),
            Reply::error("ERR value is not an integer or out of range"),
        ),
    ];
    assert_eq!(verdicts(ops), both(Verdict::Linearizable));
}

#[test]
fn independent_keys_are_checked_as_separate_parts() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "x", "1"]), Reply::ok()),
        ok(2, 0, 1, argv(&["SET", "y", "1"]), Reply::ok()),
        ok(3, 2, 3, argv(&["GET", "x"]), bulk("1")),
        ok(3, 4, 5, argv(&["GET", "y"]), Reply::Null),
    ];
    let history = History { ops };
    let outcome = check(&history, ModelChoice::Engine, &Options::default()).unwrap();
    assert_eq!(outcome.parts, 2);
    assert_eq!(outcome.verdict, Verdict::NotLinearizable);
    assert_eq!(outcome.violated_part, Some(vec![1, 3]));
}

#[test]
fn counterexample_names_the_stale_read_and_what_the_model_expected() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "x", "1"]), Reply::ok()),
        ok(9, 0, 1, argv(&["SET", "other", "1"]), Reply::ok()),
        ok(1, 2, 3, argv(&["SET", "x", "2"]), Reply::ok()),
        ok(1, 4, 5, argv(&["GET", "other"]), bulk("1")),
        ok(2, 6, 7, argv(&["GET", "x"]), bulk("1")),
    ];
    let history = History { ops };
    let outcome = check_with(
        &history,
        &mut models::EngineModel::new(),
        &Options::default(),
    )
    .unwrap();
    let cx = outcome.counterexample.expect("a counterexample");
    assert!(cx.minimal);
    assert_eq!(cx.ops, vec![0, 2, 4]);
    assert_eq!(cx.prefix, vec![0, 2]);
    assert_eq!(cx.state, "x=\"2\"");
    assert_eq!(cx.candidates.len(), 1);
    let c = &cx.candidates[0];
    assert_eq!(
        (c.op, &c.expected, c.observed.as_ref(), c.matches),
        (4, &bulk("2"), Some(&bulk("1")), false)
    );
    let json = cx.to_json(&history);
    assert_eq!(json["candidates"][0]["expected"], "2");
    assert_eq!(json["history"]["ops"].as_array().map(|a| a.len()), Some(3));
}

#[test]
fn the_state_budget_ends_in_unknown_not_a_hang() {
    let mut ops = redsim_sim::check::gen::hard_key_ops("h", 12, 0, 0);
    // The read asks for the order the search tries last.
    let _ = &mut ops;
    let history = History { ops };
    let options = Options {
        max_states: 20_000,
        ..Options::default()
    };
    let outcome = check(&history, ModelChoice::Kv, &options).unwrap();
    assert_eq!(outcome.verdict, Verdict::Unknown);
    assert!(outcome.reason.unwrap().contains("state budget"));
}

#[test]
fn auto_picks_the_register_model_for_get_set_and_cas() {
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "r", "1"]), Reply::ok()),
        ok(
            2,
            2,
            3,
            redsim_sim::check::gen::cas("r", "1", "2"),
            Reply::Integer(1),
        ),
        ok(3, 4, 5, argv(&["GET", "r"]), bulk("2")),
    ];
    let history = History { ops };
    let outcome = check(&history, ModelChoice::Auto, &Options::default()).unwrap();
    assert_eq!(
        (outcome.model, outcome.verdict),
        ("register", Verdict::Linearizable)
    );
    let mut bad = history.clone();
    bad.ops[1].result = Some(Reply::Integer(0));
    assert_eq!(
        check(&bad, ModelChoice::Auto, &Options::default())
            .unwrap()
            .verdict,
        Verdict::NotLinearizable
    );
}

/// The seed's script: INCR counter; ZADD log ts ts; return {GET counter, ZCARD log}.
const COUNTER_AND_LOG: &str = include_str!("../../corpus/lua/counter_and_log.lua");

fn counter_and_log(ts: &str) -> Operation {
    Operation::Script {
        source: COUNTER_AND_LOG.to_string(),
        keys: vec![b"counter".to_vec(), b"log".to_vec()],
        args: vec![ts.as_bytes().to_vec()],
        mode: redsim_sim::history::ScriptMode::Raw,
    }
}

fn counter_zcard(counter: &str, zcard: i64) -> Reply {
    Reply::Array(vec![bulk(counter), Reply::Integer(zcard)])
}

#[test]
fn torn_read_of_counter_and_zcard_is_not_linearizable() {
    // Raw clients interleaved: both INCRs and both ZADDs ran before either read, so
    // both saw [2, 2]. One atomic script would have seen [1, 1].
    let ops = vec![
        ok(1, 0, 40, counter_and_log("100"), counter_zcard("2", 2)),
        ok(2, 5, 45, counter_and_log("101"), counter_zcard("2", 2)),
    ];
    let outcome = check(&History { ops }, ModelChoice::Auto, &Options::default()).unwrap();
    assert_eq!(
        (outcome.model, outcome.verdict),
        ("engine", Verdict::NotLinearizable)
    );
    let cx = outcome.counterexample.unwrap();
    assert_eq!(cx.ops, vec![0, 1]);
    assert!(cx
        .candidates
        .iter()
        .all(|c| c.expected == counter_zcard("1", 1)));
}

#[test]
fn counter_and_zcard_that_disagree_are_a_torn_read() {
    let ops = vec![
        ok(1, 0, 10, counter_and_log("100"), counter_zcard("1", 1)),
        ok(2, 20, 30, counter_and_log("101"), counter_zcard("2", 1)),
    ];
    assert_eq!(verdicts(ops).0, Verdict::NotLinearizable);
}

#[test]
fn atomic_counter_and_log_scripts_are_linearizable() {
    let ops = vec![
        ok(1, 0, 40, counter_and_log("100"), counter_zcard("2", 2)),
        ok(2, 5, 45, counter_and_log("101"), counter_zcard("1", 1)),
        ok(3, 50, 60, counter_and_log("102"), counter_zcard("3", 3)),
    ];
    assert_eq!(verdicts(ops).0, Verdict::Linearizable);
}

#[test]
fn lost_update_by_a_read_modify_write_script_is_not_linearizable() {
    let bump = || {
        Operation::Script {
        source: "local v = tonumber(redis.call('GET', KEYS[1]) or '0') + 1 redis.call('SET', KEYS[1], v) return v"
            .into(),
        keys: vec![b"c".to_vec()],
        args: vec![],
        mode: redsim_sim::history::ScriptMode::Raw,
    }
    };
    let ops = vec![
        ok(1, 0, 10, bump(), Reply::Integer(1)),
        ok(2, 1, 11, bump(), Reply::Integer(1)),
    ];
    assert_eq!(verdicts(ops).0, Verdict::NotLinearizable);
    let ops = vec![
        ok(1, 0, 10, bump(), Reply::Integer(1)),
        ok(2, 1, 11, bump(), Reply::Integer(2)),
    ];
    assert_eq!(verdicts(ops).0, Verdict::Linearizable);
}

#[test]
fn the_engine_model_judges_cas_as_eval_like_the_register_model() {
    let cas = redsim_sim::check::gen::cas;
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "r", "1"]), Reply::ok()),
        ok(2, 2, 10, cas("r", "1", "2"), Reply::Integer(1)),
        ok(3, 3, 9, cas("r", "1", "3"), Reply::Integer(1)),
    ];
    assert_eq!(verdicts(ops), both(Verdict::NotLinearizable));
}

#[test]
fn a_script_reading_a_key_it_did_not_declare_is_judged_with_that_key() {
    // The script declares x but reads k, after SET k 5 completed: it must see 5. Split by
    // declared keys, each part alone would look linearizable.
    let ops = vec![
        ok(1, 0, 1, argv(&["SET", "k", "5"]), Reply::ok()),
        ok(
            2,
            2,
            3,
            argv(&["EVAL", "return redis.call('GET', 'k')", "1", "x"]),
            Reply::Null,
        ),
    ];
    assert_eq!(verdicts(ops).0, Verdict::NotLinearizable);
}

#[test]
fn a_read_of_what_a_script_wrote_to_an_undeclared_key_is_explained() {
    let ops = vec![
        ok(
            1,
            0,
            1,
            argv(&["EVAL", "return redis.call('SET', 'k', '1')", "1", "x"]),
            Reply::ok(),
        ),
        ok(2, 2, 3, argv(&["GET", "k"]), bulk("1")),
    ];
    assert_eq!(verdicts(ops).0, Verdict::Linearizable);
}
