//! Jumps of the server's wall clock: TIME, expiry (lazy and active) and scripts that read
//! TIME see them; the run's own clock (the history's times, delays, timeouts) does not
//! jump. A TTL lock breaks when the clock jumps forward.

mod fault_support;

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::{ClockJump, Faults};
use redsim_sim::report::analysis::Judge;
use redsim_sim::report::mode::{self, Mode};
use redsim_sim::scenario::toml::{load, parse};
use redsim_sim::scenario::{Program, Scenario, Script};
use std::path::Path;

/// Unix seconds of the simulator's epoch (2023-03-15 13:20:00 UTC).
const EPOCH_S: i64 = 1_678_886_400;

fn jumps(list: &[(u64, i64)]) -> Faults {
    Faults {
        clock_jumps: list
            .iter()
            .map(|&(step, by_ms)| ClockJump { step, by_ms })
            .collect(),
        ..Faults::default()
    }
}

/// Client 0 sends `commands` one per step; the results in order.
fn run(commands: &[&[&str]], faults: Faults) -> Vec<Reply> {
    let s = Scenario::new("clock")
        .clients(
            1,
            commands.len() as u32,
            Program::commands(commands, CommandsMode::Each),
        )
        .faults(faults);
    let mut world = s.world(0);
    world.run_seed(0);
    // The history's clock never jumps: each operation after the one before.
    for pair in world.history.ops.windows(2) {
        assert!(pair[0].ret.unwrap() < pair[1].call, "{pair:?}");
    }
    world
        .results_of(0)
        .into_iter()
        .map(|r| r.cloned().unwrap())
        .collect()
}

fn seconds(time: &Reply) -> i64 {
    match time {
        Reply::Array(parts) => match &parts[0] {
            Reply::Bulk(s) => String::from_utf8_lossy(s).parse().unwrap(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn time_and_ttls_follow_the_wall_clock_forward_and_backward() {
    let r = run(
        &[
            &["SET", "k", "v", "PX", "1000"],
            &["TIME"],
            &["PTTL", "k"],
            &["TIME"],
            &["PTTL", "k"],
            &["GET", "k"],
        ],
        jumps(&[(1, 600), (3, -5000)]),
    );
    assert_eq!(seconds(&r[1]), EPOCH_S);
    // 600 ms gone of the key's 1000.
    assert!(
        matches!(r[2], Reply::Integer(ms) if (395..=400).contains(&ms)),
        "{r:?}"
    );
    // Back 5 s: TIME goes backwards, and the key has longer to live than it was given.
    assert_eq!(seconds(&r[3]), EPOCH_S - 5);
    assert!(matches!(r[4], Reply::Integer(ms) if ms > 5000), "{r:?}");
    assert_eq!(r[5], Reply::bulk("v"));
}

#[test]
fn a_forward_jump_expires_keys_at_once_even_unread() {
    let commands: &[&[&str]] = &[
        &["SET", "k", "v", "PX", "1000"],
        &["SET", "other", "x"],
        &["DBSIZE"],
        &["GET", "k"],
    ];
    // DBSIZE counts a key whose time has come until something removes it: here the
    // active expiry cycle that runs after the jump, before anyone reads k.
    let r = run(commands, jumps(&[(2, 2000)]));
    assert_eq!((&r[2], &r[3]), (&Reply::Integer(1), &Reply::Null));
    let r = run(commands, jumps(&[(2, 999)]));
    assert_eq!((&r[2], &r[3]), (&Reply::Integer(2), &Reply::bulk("v")));
    let r = run(commands, Faults::default());
    assert_eq!(r[2], Reply::Integer(2));
}

#[test]
fn a_script_reads_the_jumped_time() {
    let time = Script::source("return tonumber(redis.call('TIME')[1])").eval();
    let s = Scenario::new("script-time")
        .clients(1, 3, time)
        .faults(jumps(&[(1, 60_000), (2, -120_000)]));
    let mut world = s.world(0);
    world.run_seed(0);
    let got: Vec<_> = world
        .results_of(0)
        .into_iter()
        .map(|r| r.cloned())
        .collect();
    let want = [EPOCH_S, EPOCH_S + 60, EPOCH_S - 60].map(|s| Some(Reply::Integer(s)));
    assert_eq!(got, want);
}

fn lock_scenario() -> Scenario {
    load(Path::new("../corpus/scenarios/lock-clock-jump.toml")).unwrap()
}

#[test]
fn the_ttl_lock_breaks_when_the_clock_jumps_and_holds_without_the_jump() {
    let s = lock_scenario();
    let seeds = 0..100;
    let failing = |s: &Scenario| {
        let judge = Judge::new(s);
        let mut world = s.world(0);
        seeds
            .clone()
            .filter(|&seed| {
                world.run_seed(seed);
                judge.judge(&mut world).is_anomalous()
            })
            .count()
    };
    let broken = failing(&s);
    assert!(broken > 5, "{broken} of 100 seeds");
    // The same clients and schedules without the jump: the lock keeps them apart.
    assert_eq!(failing(&s.clone().faults(Faults::default())), 0);
    // As EVAL, the increment needs no lock, and the jump changes nothing.
    assert_eq!(failing(&mode::apply(&s, Mode::Eval).unwrap()), 0);
}

#[test]
fn clock_jumps_are_read_from_a_scenario_file_and_replay_alike() {
    let s = lock_scenario();
    assert_eq!(
        s.options.faults.clock_jumps,
        vec![ClockJump {
            step: 3,
            by_ms: 30000
        }]
    );
    assert!(s
        .options
        .to_string()
        .contains("clock_jump(step=3,by_ms=30000)"));
    let text = "name = \"s\"\n[[clients]]\ncount = 1\nops = 1\nprogram = \"commands\"\ncommands = [[\"TIME\"]]\n[faults]\nclock_jumps = [{ step = 0, by_ms = -1500 }]\n";
    let s = parse(text, Path::new(".")).unwrap();
    assert_eq!(s.options.faults.clock_jumps[0].by_ms, -1500);
    fault_support::assert_replays_alike("lock-clock-jump", &[0, 5, 11]);
}
