//! Each fault, with the effect it must have.

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::{AdminAt, CrashAt, Faults};
use redsim_sim::history::Status;
use redsim_sim::scenario::{Program, Scenario, Script};
use redsim_sim::world::ClientState;

const SCRIPT: &str = "redis.call('INCR', KEYS[1])
redis.call('INCR', KEYS[2])
return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}";

fn script() -> Program {
    Script::source(SCRIPT).keys(["counter", "count"]).raw()
}

fn get(world: &mut redsim_sim::world::World, key: &str) -> Reply {
    world.admin_command(vec![b"GET".to_vec(), key.as_bytes().to_vec()])
}

#[test]
fn a_crash_between_two_commands_leaves_the_outcome_unknown_and_the_first_write_applied() {
    let faults = Faults {
        crashes: vec![CrashAt {
            client: 0,
            after_commands: 1,
        }],
        ..Faults::default()
    };
    let scenario = Scenario::new("crash")
        .clients(1, 2, script())
        .faults(faults);
    let mut world = scenario.world(0);
    let report = world.run_seed(0);
    assert_eq!(report.crashes, 1);
    assert_eq!(world.client_state(0), ClientState::Crashed);
    assert_eq!(
        world.history.ops.len(),
        1,
        "a crashed client starts no further operation"
    );
    let op = &world.history.ops[0];
    assert_eq!(
        (op.status, op.ret, op.result.clone()),
        (Status::Unknown, None, None)
    );
    assert_eq!(get(&mut world, "counter"), Reply::bulk("1"));
    assert_eq!(get(&mut world, "count"), Reply::Null);
    assert!(world.trace.render().contains("CRASH"));
}

#[test]
fn a_crash_inside_multi_discards_the_queued_commands() {
    let faults = Faults {
        crashes: vec![CrashAt {
            client: 0,
            after_commands: 2,
        }],
        ..Faults::default()
    };
    let program = Program::multi(&[&["INCR", "a"], &["INCR", "b"]], false);
    let mut world = Scenario::new("crash_multi")
        .clients(1, 1, program)
        .faults(faults)
        .world(0);
    world.run_seed(0);
    // EXEC never reached the server: the block is known to have had no effect.
    assert_eq!(world.history.ops[0].status, Status::Fail);
    assert_eq!(get(&mut world, "a"), Reply::Null);
}

#[test]
fn crash_rate_crashes_some_clients_mid_operation() {
    let faults = Faults {
        crash_rate: 0.3,
        ..Faults::default()
    };
    let scenario = Scenario::new("crash_rate")
        .clients(3, 3, script())
        .faults(faults);
    let mut world = scenario.world(0);
    let mut crashed = 0;
    for seed in 0..20 {
        crashed += world.run_seed(seed).crashes;
        let unknown = world
            .history
            .ops
            .iter()
            .filter(|op| op.status == Status::Unknown)
            .count();
        assert_eq!(
            unknown,
            (0..3)
                .filter(|&c| world.client_state(c) == ClientState::Crashed)
                .count()
        );
    }
    assert!(crashed > 0);
}

#[test]
fn delays_let_a_later_request_overtake_and_advance_virtual_time() {
    let program = Program::commands(&[&["INCR", "n"]], CommandsMode::Each);
    let plain = Scenario::new("plain").clients(2, 5, program.clone());
    let delayed = plain.clone().faults(Faults {
        delay_max_us: 1000,
        ..Faults::default()
    });
    let mut a = plain.world(9);
    let mut b = delayed.world(9);
    a.run_seed(9);
    b.run_seed(9);
    let last =
        |w: &redsim_sim::world::World| w.history.ops.iter().filter_map(|op| op.ret).max().unwrap();
    assert!(last(&b) > last(&a) + 1000, "delays did not move the clock");
    assert_ne!(a.schedule, b.schedule);
}

#[test]
fn think_time_spaces_out_a_clients_operations() {
    let program = Program::commands(&[&["INCR", "n"]], CommandsMode::Each);
    let faults = Faults {
        think_max_us: 10_000,
        ..Faults::default()
    };
    let mut world = Scenario::new("think")
        .clients(1, 10, program)
        .faults(faults)
        .world(2);
    world.run_seed(2);
    let gaps: u64 = world
        .history
        .ops
        .windows(2)
        .map(|w| w[1].call - w[0].ret.unwrap())
        .sum();
    assert!(gaps > 10_000, "think time adds up to {gaps} µs only");
}

#[test]
fn admin_commands_run_at_their_step() {
    let faults = Faults {
        admin: vec![AdminAt {
            step: 1,
            argv: vec![b"SET".to_vec(), b"n".to_vec(), b"100".to_vec()],
        }],
        ..Faults::default()
    };
    let program = Program::commands(&[&["INCR", "n"]], CommandsMode::Each);
    let mut world = Scenario::new("admin")
        .clients(1, 2, program)
        .faults(faults)
        .world(0);
    world.run_seed(0);
    let results: Vec<_> = world
        .history
        .ops
        .iter()
        .map(|op| op.result.clone())
        .collect();
    // The admin write is in the history too, as client 1 (one past the last client).
    assert_eq!(
        results,
        vec![
            Some(Reply::Integer(1)),
            Some(Reply::Integer(101)),
            Some(Reply::ok())
        ]
    );
    assert_eq!(world.history.ops[2].client, 1);
    assert!(world.trace.render().contains("admin SET n 100 -> OK"));
}

#[test]
fn a_lost_reply_leaves_the_command_applied_and_the_outcome_unknown() {
    let faults = Faults {
        crash_rate: 1.0,
        ..Faults::default()
    };
    let program = Program::commands(&[&["INCR", "n"]], CommandsMode::Each);
    let mut world = Scenario::new("lost_reply")
        .clients(1, 3, program)
        .faults(faults)
        .world(0);
    world.run_seed(0);
    assert_eq!(world.history.ops.len(), 1);
    assert_eq!(
        (
            world.history.ops[0].status,
            world.history.ops[0].result.clone()
        ),
        (Status::Unknown, None)
    );
    assert_eq!(get(&mut world, "n"), Reply::bulk("1"));
}
