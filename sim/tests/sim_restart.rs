//! Server restarts: what each persistence setting keeps, how clients carry on, and the
//! verdict on the acknowledged writes a restart loses.

mod fault_support;

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::{Faults, Fsync, Persistence, RestartAt};
use redsim_sim::history::{Operation, Status};
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::{Program, Scenario};
use redsim_sim::world::World;
use std::path::Path;

fn incrs(clients: u32, ops: u32, faults: Faults) -> Scenario {
    Scenario::new("incr")
        .clients(
            clients,
            ops,
            Program::commands(&[&["INCR", "n"]], CommandsMode::Each),
        )
        .faults(faults)
}

fn restart_at(step: u64, power_loss: bool, persistence: Persistence) -> Faults {
    Faults {
        restarts: vec![RestartAt { step, power_loss }],
        persistence,
        ..Faults::default()
    }
}

fn counter(world: &mut World) -> Reply {
    world.admin_command(vec![b"GET".to_vec(), b"n".to_vec()])
}

/// INCRs that completed (the resent ones included; the attempts cut off are unknown).
fn completed(world: &World) -> usize {
    world
        .history
        .ops
        .iter()
        .filter(|op| op.status == Status::Ok && op.client < world.clients() as u64)
        .count()
}

#[test]
fn with_no_persistence_a_restart_loses_every_acknowledged_write_and_clients_carry_on() {
    let scenario = incrs(2, 3, restart_at(3, false, Persistence::None));
    let judge = Judge::new(&scenario);
    let mut world = scenario.world(0);
    let report = world.run_seed(0);
    assert_eq!(
        report.steps, 6,
        "every INCR ran once: the cut-off ones were resent"
    );
    assert_eq!(completed(&world), 6);
    assert_eq!(
        counter(&mut world),
        Reply::bulk("3"),
        "three INCRs after the restart"
    );
    // The cut-off attempts are unknown; the restart is the SCRIPT FLUSH it amounts to.
    let unknown = fault_support::ops_with(&world, Status::Unknown);
    assert_eq!(unknown, 2);
    assert!(world.history.ops.iter().any(|op| op.client == 2
        && op.op == Operation::Command(vec![b"SCRIPT".to_vec(), b"FLUSH".to_vec()])));
    let v = judge.judge(&mut world);
    assert!(v.lost_write && v.is_anomalous());
    assert_eq!(
        v.not_linearizable,
        Some(true),
        "replies count up again from 1"
    );
    assert!(v
        .findings
        .iter()
        .any(|f| f.starts_with("lost acknowledged write")));
}

#[test]
fn appendfsync_always_keeps_every_acknowledged_write_through_a_power_loss() {
    for seed in 0..20 {
        let scenario = incrs(2, 3, restart_at(3, true, Persistence::Aof(Fsync::Always)));
        let judge = Judge::new(&scenario);
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        assert_eq!(counter(&mut world), Reply::bulk("6"));
        let v = judge.judge(&mut world);
        assert!(!v.is_anomalous(), "seed {seed}: {:?}", v.findings);
        assert_eq!(v.not_linearizable, Some(false));
    }
}

#[test]
fn appendfsync_everysec_survives_a_process_crash_but_not_a_power_loss() {
    let everysec = Persistence::Aof(Fsync::EverySec);
    let kill = incrs(2, 3, restart_at(3, false, everysec.clone()));
    let mut world = kill.world(0);
    world.run_seed(0);
    assert_eq!(
        counter(&mut world),
        Reply::bulk("6"),
        "written to the OS: kept"
    );
    assert!(!Judge::new(&kill).judge(&mut world).lost_write);
    // A power loss within the first second: nothing was fsynced yet.
    let power = incrs(2, 3, restart_at(3, true, everysec));
    let mut world = power.world(0);
    world.run_seed(0);
    assert_eq!(counter(&mut world), Reply::bulk("3"));
    assert!(Judge::new(&power).judge(&mut world).lost_write);
}

#[test]
fn appendfsync_everysec_loses_at_most_the_last_second() {
    let scenario = load(Path::new("../corpus/scenarios/lost-write-on-restart.toml")).unwrap();
    let judge = Judge::new(&scenario);
    let mut lost_some = 0;
    for seed in 0..40 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        let restart_us = world
            .trace
            .events
            .iter()
            .find_map(|e| match e {
                redsim_sim::trace::TraceEvent::Command {
                    client: None,
                    argv,
                    time_us,
                    ..
                } if argv[0] == b"RESTART" => Some(*time_us),
                _ => None,
            })
            .expect("the planned restart ran");
        // What the server came back with: one below the smallest INCR reply after it.
        let value = |op: &redsim_sim::history::Op| match op.result {
            Some(Reply::Integer(n)) if op.status == Status::Ok => Some(n),
            _ => None,
        };
        let reloaded = world
            .history
            .ops
            .iter()
            .filter(|op| op.call >= restart_us)
            .filter_map(value)
            .min()
            .expect("INCRs ran after the restart")
            - 1;
        let mut lost_here = 0;
        for op in world
            .history
            .ops
            .iter()
            .filter(|op| op.ret.is_some_and(|r| r <= restart_us))
        {
            let Some(n) = value(op) else { continue };
            let age_us = restart_us - op.ret.unwrap();
            if n > reloaded {
                lost_here += 1;
                assert!(
                    age_us < 1_000_000,
                    "seed {seed}: a write {age_us} µs old was lost"
                );
            }
        }
        let v = judge.judge(&mut world);
        assert_eq!(v.lost_write, lost_here > 0, "seed {seed}");
        lost_some += v.lost_write as u32;
    }
    assert!(lost_some > 0);
}

#[test]
fn an_rdb_restart_comes_back_with_the_last_snapshot() {
    // Snapshot before step 2 (two INCRs in it), restart before step 5: the three INCRs
    // in between are acknowledged and lost.
    let faults = restart_at(
        5,
        false,
        Persistence::Rdb {
            save_steps: vec![2],
        },
    );
    let scenario = incrs(2, 4, faults);
    let judge = Judge::new(&scenario);
    for seed in 0..10 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        // 8 INCRs ran: 2 kept by the snapshot, 3 lost, 3 after the restart.
        assert_eq!(counter(&mut world), Reply::bulk("5"), "seed {seed}");
        let v = judge.judge(&mut world);
        let lost = v
            .findings
            .iter()
            .filter(|f| f.starts_with("lost acknowledged write"))
            .count();
        assert_eq!(lost, 3, "seed {seed}");
    }
}

#[test]
fn evalsha_with_load_and_retry_recovers_from_a_restart_and_a_bare_pipeline_does_not() {
    let path = |name: &str| format!("../corpus/scenarios/{name}.toml");
    let recovering = load(Path::new(&path("noscript-after-restart"))).unwrap();
    let judge = Judge::new(&recovering);
    for seed in 0..50 {
        let mut world = recovering.world(seed);
        world.run_seed(seed);
        let v = judge.judge(&mut world);
        assert_eq!((v.errors, v.is_anomalous()), (0, false), "seed {seed}");
        assert_eq!(counter_of(&mut world), Reply::bulk("6"), "seed {seed}");
    }
    let bare = load(Path::new(&path("noscript-after-restart-pipeline"))).unwrap();
    let judge = Judge::new(&bare);
    for seed in 0..50 {
        let mut world = bare.world(seed);
        world.run_seed(seed);
        let v = judge.judge(&mut world);
        assert!(v.errors > 0, "seed {seed}: NOSCRIPT after the restart");
        // The history records the restart's SCRIPT FLUSH: NOSCRIPT is no anomaly.
        assert_eq!(v.not_linearizable, Some(false), "seed {seed}");
        let Reply::Bulk(n) = counter_of(&mut world) else {
            panic!("the counter exists");
        };
        let n: u32 = String::from_utf8_lossy(&n).parse().unwrap();
        assert!(n < 8, "seed {seed}: work was lost ({n} of 8 calls ran)");
    }
}

fn counter_of(world: &mut World) -> Reply {
    world.admin_command(vec![b"GET".to_vec(), b"counter".to_vec()])
}

#[test]
fn the_same_seed_restarts_the_same_way() {
    fault_support::assert_replays_alike("lost-write-on-restart", &[0, 7]);
    fault_support::assert_replays_alike("noscript-after-restart-pipeline", &[0, 3]);
}
