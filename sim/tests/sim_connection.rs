//! Lost connections: before a request reaches the server, after a command ran but before
//! its reply came back, and in the middle of a MULTI block.

mod fault_support;

use redsim::Reply;
use redsim_sim::fault::Faults;
use redsim_sim::history::Status;
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::{Program, Scenario, Script};
use redsim_sim::trace::TraceEvent;
use redsim_sim::world::{ClientState, World};

fn dropping(rate: f64) -> Faults {
    Faults {
        disconnect_rate: rate,
        ..Faults::default()
    }
}

fn get(world: &mut World, key: &str) -> Reply {
    world.admin_command(vec![b"GET".to_vec(), key.as_bytes().to_vec()])
}

fn int(reply: Reply) -> i64 {
    match reply {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).parse().unwrap(),
        Reply::Null => 0,
        other => panic!("{other:?}"),
    }
}

fn drops(world: &World) -> usize {
    world
        .trace
        .events
        .iter()
        .filter(|e| matches!(e, TraceEvent::Disconnect { .. }))
        .count()
}

#[test]
fn an_eval_whose_connection_drops_is_resent_and_a_lost_reply_doubles_its_effect() {
    let scenario = Scenario::new("drop")
        .clients(
            2,
            3,
            Script::source("return redis.call('INCR', KEYS[1])")
                .keys(["n"])
                .eval(),
        )
        .faults(dropping(0.3));
    let judge = Judge::new(&scenario);
    let (mut doubled, mut resent_only) = (0, 0);
    for seed in 0..60 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        // Every client carries on to its last operation: none stops.
        assert!((0..2).all(|c| world.client_state(c) == ClientState::Finished));
        let ok = fault_support::ops_with(&world, Status::Ok);
        assert_eq!(
            ok, 6,
            "seed {seed}: each operation completes in its last attempt"
        );
        let unknown = world.history.ops.len() - ok;
        assert_eq!(
            unknown,
            drops(&world),
            "seed {seed}: one unknown attempt per drop"
        );
        // The counter is what ran, and more than the operations when a reply was lost.
        let runs = fault_support::commands_run(&world, b"EVAL");
        assert_eq!(int(get(&mut world, "n")), runs as i64);
        let v = judge.judge(&mut world);
        assert_eq!(v.not_linearizable, Some(false), "seed {seed}");
        assert_eq!(v.duplicate_effect, runs > 6, "seed {seed}");
        if runs > 6 {
            doubled += 1;
        } else if unknown > 0 {
            resent_only += 1;
        }
    }
    assert!(doubled > 0 && resent_only > 0, "{doubled} {resent_only}");
}

#[test]
fn a_multi_block_cut_off_by_a_lost_connection_is_discarded_by_the_server() {
    let scenario = Scenario::new("multi")
        .clients(
            2,
            3,
            Program::multi(&[&["INCR", "n"], &["INCR", "m"]], false),
        )
        .faults(dropping(0.15));
    let judge = Judge::new(&scenario);
    let mut cut_mid_block = 0;
    for seed in 0..60 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        assert!((0..2).all(|c| world.client_state(c) == ClientState::Finished));
        // Whole blocks or nothing: n and m move together, once per EXEC that ran.
        let (n, m) = (int(get(&mut world, "n")), int(get(&mut world, "m")));
        assert_eq!(n, m, "seed {seed}: a discarded block left nothing");
        let execs = world
            .trace
            .events
            .iter()
            .filter(|e| matches!(e, TraceEvent::Command { argv, reply: Reply::Array(_), .. } if argv[0] == b"EXEC"))
            .count();
        assert_eq!(n, execs as i64, "seed {seed}");
        cut_mid_block += world
            .history
            .ops
            .iter()
            .filter(|o| o.status == Status::Fail)
            .count();
        let v = judge.judge(&mut world);
        assert!(!v.is_anomalous(), "seed {seed}: {:?}", v.findings);
    }
    assert!(cut_mid_block > 0);
}

#[test]
fn a_raw_script_cut_off_leaves_partial_effects_and_its_client_stops() {
    let raw = Script::source("redis.call('INCR', KEYS[1]) redis.call('INCR', KEYS[2]) return 1")
        .keys(["a", "b"])
        .raw();
    let scenario = Scenario::new("raw")
        .clients(1, 4, raw)
        .faults(dropping(0.2))
        .invariant(redsim_sim::Invariant::AllOrNothing);
    let mut partial = 0;
    for seed in 0..40 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        // A raw script is no one request: never resent; the client stops like a crash.
        let (a, b) = (int(get(&mut world, "a")), int(get(&mut world, "b")));
        assert!(a == b || a == b + 1, "seed {seed}: a={a} b={b}");
        partial += (a != b) as u32;
    }
    assert!(partial > 0);
}
