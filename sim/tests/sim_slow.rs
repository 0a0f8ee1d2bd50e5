//! A slow server: a script whose Lua instructions cost virtual time, or a command that
//! stalls the server, outlives a client's timeout; the client's retry runs the work again,
//! or meets -BUSY when the script is past busy-reply-threshold. SCRIPT KILL races with a
//! script's first write.

mod fault_support;

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::Faults;
use redsim_sim::history::Status;
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::toml::{load, parse};
use redsim_sim::scenario::{Program, Scenario};
use redsim_sim::trace::TraceEvent;
use redsim_sim::world::World;
use std::path::Path;

fn scenario(name: &str) -> Scenario {
    load(Path::new(&format!("../corpus/scenarios/{name}.toml"))).unwrap()
}

fn get(world: &mut World, key: &str) -> Reply {
    world.admin_command(vec![b"GET".to_vec(), key.as_bytes().to_vec()])
}

/// The times at which client `client` gave up waiting, with whether it retried.
fn timeouts(world: &World, client: u32) -> Vec<(u64, bool)> {
    world
        .trace
        .events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Timeout {
                time_us,
                client: c,
                retry,
            } if *c == client => Some((*time_us, *retry)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_script_slower_than_the_timeout_is_retried_and_its_work_done_twice() {
    let s = scenario("slow-script-retry");
    let judge = Judge::new(&s);
    for seed in 0..6 {
        let mut world = s.world(seed);
        world.run_seed(seed);
        // No delay on the wire: each EVAL runs at once, and every first attempt is
        // given up on while its script runs (2 ms of Lua against a 1 ms timeout).
        for client in 0..2 {
            let gave_up = timeouts(&world, client);
            assert!(
                gave_up.iter().filter(|(_, retry)| *retry).count() == 2,
                "seed {seed}: client {client} retried each operation: {gave_up:?}"
            );
        }
        // 4 calls, 8 runs: each retry ran after its first attempt finished.
        assert_eq!(fault_support::commands_run(&world, b"EVAL"), 8);
        assert_eq!(get(&mut world, "counter"), Reply::bulk("8"));
        assert_eq!(world.history.ops.len(), 8);
        assert_eq!(fault_support::ops_with(&world, Status::Unknown), 4);
        let verdict = judge.judge(&mut world);
        assert_eq!(verdict.not_linearizable, Some(false), "seed {seed}");
        assert!(verdict.duplicate_effect, "seed {seed}");
    }
}

#[test]
fn the_client_gives_up_at_its_deadline_not_when_the_script_ends() {
    let s = scenario("slow-script-retry");
    let mut world = s.world(3);
    world.run_seed(3);
    let unknown: Vec<_> = world
        .history
        .ops
        .iter()
        .filter(|op| op.status == Status::Unknown)
        .collect();
    for op in unknown {
        // The retry of this attempt is invoked timeout_us after it, while the first
        // run (about 2 ms) was still going.
        let retry = world
            .history
            .ops
            .iter()
            .find(|r| r.client == op.client && r.call > op.call && r.op == op.op)
            .expect("a retry");
        // (A later operation is invoked a tick after its request goes out: 999.)
        let waited = retry.call - op.call;
        assert!((999..=1000).contains(&waited), "{op:?} / {retry:?}");
        assert!(retry.ret.unwrap() - op.call > 3000);
    }
}

#[test]
fn a_retry_that_reaches_a_busy_script_is_answered_busy_and_runs_nothing() {
    // busy-reply-threshold 1 ms: the retry sent at the 1 ms deadline reaches a script
    // past it, and Redis answers every other connection -BUSY.
    // One client, so that no other script makes its first request wait.
    let mut s = scenario("slow-script-retry");
    s.groups[0].count = 1;
    s.options.busy_threshold_ms = 1;
    let judge = Judge::new(&s);
    for seed in 0..6 {
        let mut world = s.world(seed);
        world.run_seed(seed);
        // Only the first attempts ran; each retry was refused (both in the trace).
        assert_eq!(
            fault_support::commands_run(&world, b"EVAL"),
            4,
            "seed {seed}"
        );
        assert_eq!(get(&mut world, "counter"), Reply::bulk("2"), "seed {seed}");
        let refused: Vec<_> = world
            .history
            .ops
            .iter()
            .filter(|op| op.status == Status::Fail)
            .collect();
        assert_eq!(refused.len(), 2, "seed {seed}: {:#?}", world.history.ops);
        for op in refused {
            assert_eq!(
                op.result,
                Some(Reply::error(redsim::busy::BUSY_EVAL)),
                "seed {seed}"
            );
        }
        assert_eq!(fault_support::ops_with(&world, Status::Unknown), 2);
        let verdict = judge.judge(&mut world);
        // No effect twice, but each caller got an error for a call whose script ran.
        assert!(!verdict.duplicate_effect, "seed {seed}");
        assert_eq!(verdict.errors, 2);
    }
}

#[test]
fn a_stalled_command_outlives_the_timeout_and_its_retry_runs_it_again() {
    let incr = Program::commands(&[&["INCR", "n"]], CommandsMode::Each);
    let stalled = |slow_rate: f64| {
        Scenario::new("stall")
            .clients(1, 3, incr.clone())
            .faults(Faults {
                slow_rate,
                slow_us: 5000,
                timeout_us: 1000,
                retries_max: 1,
                ..Faults::default()
            })
    };
    let s = stalled(1.0);
    let mut world = s.world(1);
    world.run_seed(1);
    // Every INCR stalls the server 5 ms: each is given up on and sent again, once.
    assert_eq!(get(&mut world, "n"), Reply::bulk("6"));
    assert_eq!(fault_support::ops_with(&world, Status::Unknown), 3);
    assert!(Judge::new(&s).judge(&mut world).duplicate_effect);
    // Without stalls, the same timeouts never fire.
    let s = stalled(0.0);
    let mut world = s.world(1);
    world.run_seed(1);
    assert_eq!(get(&mut world, "n"), Reply::bulk("3"));
    assert!(timeouts(&world, 0).is_empty());
    // Stalls without timeouts only make the replies late.
    let s = Scenario::new("stall-only")
        .clients(1, 3, incr)
        .faults(Faults {
            slow_rate: 1.0,
            slow_us: 5000,
            ..Faults::default()
        });
    let mut world = s.world(1);
    world.run_seed(1);
    assert_eq!(get(&mut world, "n"), Reply::bulk("3"));
    for op in &world.history.ops {
        assert!(op.ret.unwrap() - op.call >= 5000, "{op:?}");
    }
}

#[test]
fn script_kill_stops_the_script_before_its_first_write_and_is_unkillable_after() {
    let s = scenario("script-kill-race");
    let (mut killed, mut unkillable, mut notbusy) = (0, 0, 0);
    for seed in 0..80 {
        let mut world = s.world(seed);
        world.run_seed(seed);
        let script = world.results_of(0)[0].cloned();
        let kill = world.results_of(1)[0].cloned();
        let counter = get(&mut world, "counter");
        match kill {
            Some(Reply::Simple(ok)) if ok == b"OK" => {
                killed += 1;
                // Stopped before the INCR: nothing of it remains.
                assert!(
                    matches!(&script, Some(Reply::Error(e)) if e.starts_with(b"ERR Script killed by user")),
                    "seed {seed}: {script:?}"
                );
                assert_eq!(counter, Reply::Null, "seed {seed}");
            }
            Some(Reply::Error(e)) if e.starts_with(b"UNKILLABLE") => {
                unkillable += 1;
                assert_eq!(e, redsim::busy::UNKILLABLE.as_bytes());
                // It ran to its end.
                assert_eq!(script, Some(Reply::Integer(1_000_000)), "seed {seed}");
                assert_eq!(counter, Reply::bulk("1"));
            }
            Some(Reply::Error(e)) if e.starts_with(b"NOTBUSY") => {
                notbusy += 1;
                assert_eq!(counter, Reply::bulk("1"));
            }
            other => panic!("seed {seed}: SCRIPT KILL answered {other:?}"),
        }
    }
    assert!(
        killed > 0 && unkillable > 0 && notbusy > 0,
        "killed {killed}, unkillable {unkillable}, notbusy {notbusy}"
    );
}

#[test]
fn slow_rate_needs_slow_us_and_both_are_read_from_a_scenario_file() {
    let text = "name = \"s\"\n[[clients]]\ncount = 1\nops = 1\nprogram = \"commands\"\ncommands = [[\"PING\"]]\n[faults]\nslow_rate = 0.5\n";
    let err = parse(text, Path::new(".")).err().unwrap();
    assert!(err.contains("slow_us"), "{err}");
    let s = parse(&format!("{text}slow_us = 300\n"), Path::new(".")).unwrap();
    assert_eq!(
        (s.options.faults.slow_rate, s.options.faults.slow_us),
        (0.5, 300)
    );
    assert!(s.options.to_string().contains("slow_rate=0.5,slow_us=300"));
}

#[test]
fn the_same_seed_stalls_and_retries_the_same_way() {
    fault_support::assert_replays_alike("slow-script-retry", &[0, 4]);
    fault_support::assert_replays_alike("script-kill-race", &[0, 9, 31]);
}
