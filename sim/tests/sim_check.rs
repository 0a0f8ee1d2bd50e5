//! Simulated histories feed the linearizability checker: command-level histories of an
//! atomic engine are linearizable (crashed clients' unknown ops included), a MULTI block
//! is judged as one op, and the history survives the JSON format.

use redsim_sim::check::{check, ModelChoice, Options as CheckOptions, Verdict};
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::Faults;
use redsim_sim::history::{json, Status};
use redsim_sim::scenario::{Program, Scenario};

fn quick() -> CheckOptions {
    CheckOptions {
        counterexample: false,
        ..CheckOptions::default()
    }
}

#[test]
fn command_histories_of_the_engine_are_linearizable_even_with_crashes() {
    let program = Program::commands(
        &[
            &["INCR", "n"],
            &["GET", "n"],
            &["SET", "n", "{seq}"],
            &["GET", "n"],
        ],
        CommandsMode::Each,
    );
    let faults = Faults {
        crash_rate: 0.05,
        delay_max_us: 3,
        ..Faults::default()
    };
    let scenario = Scenario::new("kv")
        .clients(3, 6, program)
        .faults(faults)
        .trace(false);
    let mut world = scenario.world(0);
    let mut unknown = 0;
    for seed in 0..30 {
        world.run_seed(seed);
        unknown += world
            .history
            .ops
            .iter()
            .filter(|op| op.status == Status::Unknown)
            .count();
        let outcome = check(&world.history, ModelChoice::Auto, &quick()).unwrap();
        assert_eq!(outcome.verdict, Verdict::Linearizable, "seed {seed}");
    }
    assert!(unknown > 0, "no crash left an unknown op to judge");
}

#[test]
fn a_tampered_history_is_not_linearizable() {
    let program = Program::commands(&[&["INCR", "n"]], CommandsMode::Each);
    let mut world = Scenario::new("incr").clients(2, 3, program).world(4);
    world.run_seed(4);
    // Claim the last INCR saw 1: no order of six INCRs gives two 1s.
    let last = world
        .history
        .ops
        .iter()
        .max_by_key(|op| op.ret)
        .unwrap()
        .clone();
    let index = world.history.ops.iter().position(|op| *op == last).unwrap();
    world.history.ops[index].result = Some(redsim::Reply::Integer(1));
    let outcome = check(&world.history, ModelChoice::Engine, &quick()).unwrap();
    assert_eq!(outcome.verdict, Verdict::NotLinearizable);
}

#[test]
fn multi_blocks_are_judged_as_single_operations() {
    let program = Program::multi(&[&["INCR", "a"], &["INCR", "b"], &["GET", "a"]], false);
    let scenario = Scenario::new("multi").clients(3, 2, program);
    let mut world = scenario.world(0);
    for seed in 0..10 {
        world.run_seed(seed);
        let outcome = check(&world.history, ModelChoice::Engine, &quick()).unwrap();
        assert_eq!(outcome.verdict, Verdict::Linearizable, "seed {seed}");
    }
}

#[test]
fn simulated_histories_round_trip_through_json() {
    let program = Program::commands(
        &[&["SET", "k", "v{seq}"], &["GET", "k"]],
        CommandsMode::Pipeline,
    );
    let mut world = Scenario::new("json").clients(2, 2, program).world(1);
    world.run_seed(1);
    let text = json::to_string(&world.history);
    assert_eq!(json::from_str(&text).unwrap(), world.history);
}
