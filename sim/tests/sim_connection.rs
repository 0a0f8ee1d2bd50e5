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

/// MULTI, INCR n, INCR m, EXEC from two clients whose connections drop now and then,
/// sent one command at a time or (`pipelined`) at once: whole blocks or nothing ran, n
/// and m once per EXEC that ran. Returns the blocks cut between MULTI and EXEC, which
/// the server discarded.
fn blocks_whole_or_nothing(pipelined: bool) -> usize {
    let scenario = Scenario::new("multi")
        .clients(
            2,
            3,
            Program::multi(&[&["INCR", "n"], &["INCR", "m"]], pipelined),
        )
        .faults(dropping(0.15));
    let judge = Judge::new(&scenario);
    let mut cut_mid_block = 0;
    for seed in 0..60 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        assert!((0..2).all(|c| world.client_state(c) == ClientState::Finished));
        let (n, m) = (int(get(&mut world, "n")), int(get(&mut world, "m")));
        let execs = world
            .trace
            .events
            .iter()
            .filter(|e| matches!(e, TraceEvent::Command { argv, reply: Reply::Array(_), .. } if argv[0] == b"EXEC"))
            .count();
        assert_eq!((n, m), (execs as i64, execs as i64), "seed {seed}");
        cut_mid_block += fault_support::commands_run(&world, b"MULTI")
            - fault_support::commands_run(&world, b"EXEC");
        let v = judge.judge(&mut world);
        assert!(!v.is_anomalous(), "seed {seed}: {:?}", v.findings);
    }
    cut_mid_block
}

#[test]
fn a_multi_block_cut_off_by_a_lost_connection_is_discarded_by_the_server() {
    assert!(blocks_whole_or_nothing(false) > 0);
}

#[test]
fn a_pipelined_multi_block_cut_mid_pipeline_is_discarded_by_the_server() {
    // MULTI, INCR n, INCR m, EXEC sent at once: a connection lost after MULTI ran and
    // before EXEC reached the server leaves a queued block the server throws away.
    assert!(
        blocks_whole_or_nothing(true) > 0,
        "no block was cut between MULTI and EXEC"
    );
}

#[test]
fn a_pipeline_cut_mid_way_ran_a_prefix_and_each_command_is_its_own_operation() {
    use redsim_sim::client::commands::CommandsMode;
    let scenario = Scenario::new("pipeline")
        .clients(
            1,
            4,
            Program::commands(
                &[&["INCR", "a"], &["INCR", "b"], &["INCR", "c"]],
                CommandsMode::Pipeline,
            ),
        )
        .faults(dropping(0.2));
    let mut cut = 0;
    for seed in 0..60 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        // The commands reach the server in order: what a lost connection cut off is a
        // suffix of the pipeline, never a command in its middle.
        let (a, b, c) = (
            int(get(&mut world, "a")),
            int(get(&mut world, "b")),
            int(get(&mut world, "c")),
        );
        assert!(a >= b && b >= c, "seed {seed}: {a} {b} {c}");
        assert_eq!(
            a + b + c,
            fault_support::commands_run(&world, b"INCR") as i64,
            "seed {seed}"
        );
        // Every command is one operation; those that never reached the server failed,
        // and no operation that succeeded is missing from the data.
        let ops = &world.history.ops;
        let ok = ops.iter().filter(|o| o.status == Status::Ok).count() as i64;
        let failed = ops.iter().filter(|o| o.status == Status::Fail).count() as i64;
        assert!(ok <= a + b + c && a + b + c <= ops.len() as i64 - failed);
        cut += (a != c) as u32;
    }
    assert!(cut > 0, "no pipeline was cut in its middle");
}
