//! Every named scenario in corpus/scenarios/ shows what its paragraph says, in each mode.

use redsim_sim::report::analysis::Judge;
use redsim_sim::report::mode::{self, Mode};
use redsim_sim::report::summary::{run_seeds, Tally};
use redsim_sim::scenario::toml::load;
use std::path::PathBuf;

const SEEDS: std::ops::Range<u64> = 0..150;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios")
        .join(format!("{name}.toml"))
}

fn tally(name: &str, m: Option<Mode>) -> Tally {
    let scenario = load(&path(name)).unwrap();
    let scenario = match m {
        Some(m) => mode::apply(&scenario, m).unwrap(),
        None => scenario,
    };
    let judge = Judge::new(&scenario);
    run_seeds(&scenario, &judge, m.map_or("as written", Mode::name), SEEDS)
}

#[test]
fn every_named_scenario_has_its_paragraph() {
    for name in [
        "counter-race",
        "lost-update",
        "torn-read",
        "crash-partial-effects",
        "script-error-no-rollback",
        "duplicate-timestamps",
        "multi-exec",
        "watch-retry",
        "evalsha-noscript",
        "busy-script-kill",
        "stream-double-claim",
        "bitmap-rate-limit",
        "retry-double-increment",
        "retry-idempotency-token",
        "lost-write-on-restart",
        "lost-write-on-restart-always",
        "lost-write-on-restart-none",
        "noscript-after-restart",
        "noscript-after-restart-pipeline",
        "unkillable-script",
        "slow-script-retry",
        "script-kill-race",
        "lock-clock-jump",
        "replica-stale-read",
        "failover-lost-increment",
        "wait-is-not-consensus",
    ] {
        let text = mode::description(&path(name)).unwrap_or_default();
        assert!(
            text.len() > 100,
            "{name} has no 'what you see and why' paragraph"
        );
        load(&path(name)).unwrap();
    }
}

#[test]
fn two_recovery_workers_process_a_stuck_stream_job_twice_raw_and_once_with_eval() {
    let raw = tally("stream-double-claim", Some(Mode::Raw));
    assert!(raw.not_linearizable > 0, "{raw:?}");
    assert_eq!(raw.with_errors, 0, "the set-up is idempotent: {raw:?}");
    let eval = tally("stream-double-claim", Some(Mode::Eval));
    assert_eq!(
        (eval.not_linearizable, eval.undecided, eval.with_errors),
        (0, 0, 0),
        "{eval:?}"
    );
}

#[test]
fn counter_race_shows_the_race_raw_and_not_with_eval() {
    let raw = tally("counter-race", Some(Mode::Raw));
    assert!(raw.mismatch > 0 && raw.not_linearizable > 0, "{raw:?}");
    assert_eq!(raw.lost_update, 0, "INCR itself is atomic: {raw:?}");
    let eval = tally("counter-race", Some(Mode::Eval));
    assert_eq!(
        (eval.mismatch, eval.not_linearizable, eval.with_errors),
        (0, 0, 0),
        "{eval:?}"
    );
}

#[test]
fn lost_update_loses_increments_raw_and_not_with_eval() {
    let raw = tally("lost-update", Some(Mode::Raw));
    assert!(raw.lost_update > 0, "{raw:?}");
    assert_eq!(
        raw.lost_update, raw.not_linearizable,
        "a lost increment is what makes these runs non-linearizable"
    );
    let eval = tally("lost-update", Some(Mode::Eval));
    assert_eq!(
        (eval.lost_update, eval.not_linearizable, eval.with_errors),
        (0, 0, 0),
        "{eval:?}"
    );
}

#[test]
fn torn_read_is_seen_raw_and_not_with_eval() {
    let raw = tally("torn-read", Some(Mode::Raw));
    assert!(raw.mismatch > 0, "{raw:?}");
    assert!(
        raw.mismatch < raw.runs,
        "some runs have no reader between the two SETs"
    );
    assert!(
        raw.not_linearizable >= raw.mismatch,
        "the checker rejects every torn read: {raw:?}"
    );
    let eval = tally("torn-read", Some(Mode::Eval));
    assert_eq!(
        (eval.mismatch, eval.not_linearizable, eval.with_errors),
        (0, 0, 0),
        "{eval:?}"
    );
}

#[test]
fn a_crash_between_incr_and_zadd_leaves_half_the_work_raw_only() {
    let raw = tally("crash-partial-effects", Some(Mode::Raw));
    assert_eq!(
        raw.torn_state, raw.runs,
        "every raw run ends with counter = zcard + 1: {raw:?}"
    );
    let eval = tally("crash-partial-effects", Some(Mode::Eval));
    assert_eq!(eval.torn_state, 0, "{eval:?}");
}

#[test]
fn a_failing_script_keeps_its_incr_in_both_modes() {
    for m in [Mode::Raw, Mode::Eval] {
        let scenario = mode::apply(&load(&path("script-error-no-rollback")).unwrap(), m).unwrap();
        let judge = Judge::new(&scenario);
        let mut world = scenario.world(0);
        for seed in 0..20 {
            world.run_seed(seed);
            let v = judge.judge(&mut world);
            assert_eq!(v.errors, 2, "both calls reply with an error ({m:?})");
            assert_eq!(
                v.final_state[0].as_int(),
                Some(2),
                "both INCRs stay ({m:?})"
            );
        }
    }
}

#[test]
fn duplicate_timestamps_break_the_invariant_even_with_eval_yet_stay_linearizable() {
    let eval = tally("duplicate-timestamps", Some(Mode::Eval));
    assert_eq!(
        eval.mismatch, eval.runs,
        "the second and third clients read counter > zcard: {eval:?}"
    );
    assert_eq!(eval.not_linearizable, 0, "{eval:?}");
    let raw = tally("duplicate-timestamps", Some(Mode::Raw));
    assert!(raw.not_linearizable > 0, "{raw:?}");
}

#[test]
fn multi_exec_is_atomic() {
    let t = tally("multi-exec", None);
    assert_eq!(
        (t.mismatch, t.not_linearizable, t.lost_update, t.with_errors),
        (0, 0, 0, 0),
        "{t:?}"
    );
    assert!(mode::apply(&load(&path("multi-exec")).unwrap(), Mode::Multi).is_ok());
    assert!(mode::apply(&load(&path("counter-race")).unwrap(), Mode::Multi).is_err());
}

#[test]
fn watch_retry_loses_no_increment() {
    let t = tally("watch-retry", None);
    assert_eq!(
        (t.lost_update, t.not_linearizable, t.with_errors),
        (0, 0, 0),
        "{t:?}"
    );
    assert_eq!(t.runs, SEEDS.end - SEEDS.start);
}

#[test]
fn evalsha_survives_script_flush() {
    let t = tally("evalsha-noscript", None);
    assert_eq!(
        (t.mismatch, t.not_linearizable, t.lost_update),
        (0, 0, 0),
        "never a wrong result: {t:?}"
    );
    // One retry is not always enough: a second FLUSH between SCRIPT LOAD and the retried
    // EVALSHA fails the call with NOSCRIPT (a failure, not a wrong answer).
    assert!(t.with_errors > 0 && t.with_errors < t.runs, "{t:?}");
}

#[test]
fn a_busy_eval_script_can_be_killed_but_a_raw_one_never_makes_the_server_busy() {
    let is_err = |r: Option<&redsim::Reply>, prefix: &str| matches!(r, Some(redsim::Reply::Error(e)) if e.starts_with(prefix.as_bytes()));
    let file = load(&path("busy-script-kill")).unwrap();
    let raw = mode::apply(&file, Mode::Raw).unwrap();
    let mut world = raw.world(0);
    for seed in 0..20 {
        world.run_seed(seed);
        assert!(
            !is_err(world.results_of(0)[0], ""),
            "the raw script always finishes (seed {seed})"
        );
        assert!(
            is_err(world.results_of(1)[0], "NOTBUSY"),
            "nothing to kill (seed {seed})"
        );
    }
    let eval = mode::apply(&file, Mode::Eval).unwrap();
    let mut world = eval.world(0);
    let mut kills = 0;
    for seed in 0..20 {
        world.run_seed(seed);
        let killed = world.results_of(1)[0] == Some(&redsim::Reply::ok());
        if killed {
            kills += 1;
            assert!(
                is_err(world.results_of(0)[0], "ERR Script killed"),
                "{:?}",
                world.results_of(0)
            );
        }
    }
    assert!(
        kills > 0 && kills < 20,
        "the kill lands when it arrives during the script: {kills}/20"
    );
}

/// How many of the run's operations answered 1 (a request the limiter admitted).
fn admitted(world: &redsim_sim::world::World) -> usize {
    world
        .history
        .ops
        .iter()
        .filter(|op| op.result == Some(redsim::Reply::Integer(1)))
        .count()
}

#[test]
fn the_bitmap_rate_limiter_admits_too_many_raw_and_exactly_its_limit_with_eval() {
    let raw = tally("bitmap-rate-limit", Some(Mode::Raw));
    assert!(raw.not_linearizable > 0, "{raw:?}");
    let eval = tally("bitmap-rate-limit", Some(Mode::Eval));
    assert_eq!(
        (eval.not_linearizable, eval.with_errors, eval.undecided),
        (0, 0, 0),
        "{eval:?}"
    );
    let file = load(&path("bitmap-rate-limit")).unwrap();
    let (mut over_limit, mut runs) = (0, 0);
    for (m, seeds) in [(Mode::Raw, 0..60u64), (Mode::Eval, 0..60u64)] {
        let scenario = mode::apply(&file, m).unwrap();
        let mut world = scenario.world(0);
        for seed in seeds {
            world.run_seed(seed);
            let n = admitted(&world);
            if m == Mode::Eval {
                assert_eq!(n, 2, "EVAL admits exactly the limit (seed {seed})");
            } else {
                assert!(n >= 2, "raw admits at least the limit (seed {seed})");
                over_limit += usize::from(n > 2);
                runs += 1;
            }
        }
    }
    assert!(
        over_limit > 0 && over_limit < runs,
        "some raw runs admit a third request, not all: {over_limit} of {runs}"
    );
}
