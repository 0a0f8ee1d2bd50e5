//! A simulated history says what happened: program order, the reads made under WATCH,
//! every command of a crashed pipeline, replies given during a busy script, the admin
//! connection's writes — and the judge's anomaly names are right.

use redsim::Reply;
use redsim_sim::check::{check, ModelChoice, Options, Verdict as CheckVerdict};
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::{AdminAt, Faults};
use redsim_sim::history::{Operation, Status};
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::{Program, Scenario, Script, Watch};

fn words(parts: &[&str]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}

fn scenario_file(name: &str) -> Scenario {
    let path = format!(
        "{}/../corpus/scenarios/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    redsim_sim::scenario::toml::load(std::path::Path::new(&path)).expect("scenario loads")
}

fn checker(history: &redsim_sim::history::History) -> CheckVerdict {
    check(history, ModelChoice::Engine, &Options::default())
        .expect("the engine model judges it")
        .verdict
}

#[test]
fn a_clients_next_operation_is_invoked_after_its_previous_one_returned() {
    let scenario = Scenario::new("program_order").clients(
        3,
        4,
        Program::commands(&[&["INCR", "k"], &["GET", "k"]], CommandsMode::Each),
    );
    let mut world = scenario.world(0);
    for seed in 0..50 {
        world.run_seed(seed);
        for client in 0..3u64 {
            let ops: Vec<_> = world
                .history
                .ops
                .iter()
                .filter(|op| op.client == client)
                .collect();
            for pair in ops.windows(2) {
                let ret = pair[0].ret.expect("returned");
                assert!(
                    pair[1].call > ret,
                    "seed {seed}: client {client} invoked at {} although its previous op returned at {ret}",
                    pair[1].call
                );
            }
        }
    }
}

/// WATCH guard, read the counter (not watched), write it back plus one: the WATCH
/// protects nothing, so concurrent clients lose increments.
fn unguarded_watch() -> Scenario {
    Scenario::new("unguarded_watch").clients(
        3,
        1,
        Watch::keys(["guard"])
            .read(["GET", "counter"])
            .write(["SET", "counter", "{r0+1}"])
            .retries(5),
    )
}

#[test]
fn a_watch_block_records_its_reads_before_its_writes() {
    let mut world = unguarded_watch().world(0);
    world.run_seed(0);
    for op in &world.history.ops {
        let Operation::Multi(block) = &op.op else {
            panic!("a WATCH op is a block: {:?}", op.op);
        };
        assert_eq!(block[0], words(&["GET", "counter"]));
        assert_eq!(block[1][0], b"SET".to_vec());
        let Some(Reply::Array(items)) = &op.result else {
            panic!("the block's reply lists the read: {:?}", op.result);
        };
        assert_eq!(items.len(), 2, "{items:?}");
    }
}

#[test]
fn a_read_modify_write_under_an_unrelated_watch_is_flagged_whenever_it_loses_an_update() {
    let scenario = unguarded_watch();
    let judge = Judge::new(&scenario);
    let mut world = scenario.world(0);
    let (mut lost, mut flagged) = (0, 0);
    for seed in 0..300 {
        world.run_seed(seed);
        let counter = world.admin_command(words(&["GET", "counter"]));
        let lost_here = counter != Reply::Bulk(b"3".to_vec());
        let verdict = judge.judge(&mut world);
        let flagged_here = verdict.not_linearizable == Some(true);
        lost += lost_here as u32;
        flagged += flagged_here as u32;
        assert!(
            !lost_here || flagged_here,
            "seed {seed}: counter {counter:?} but not flagged"
        );
    }
    eprintln!("unguarded WATCH: {lost}/300 seeds lose an update, {flagged}/300 flagged");
    assert!(lost > 100, "the race is common: {lost}/300");
}

#[test]
fn watch_on_the_key_it_increments_is_never_flagged() {
    let scenario = scenario_file("watch-retry");
    let judge = Judge::new(&scenario);
    let mut world = scenario.world(0);
    for seed in 0..100 {
        world.run_seed(seed);
        let v = judge.judge(&mut world);
        assert!(!v.is_anomalous(), "seed {seed}: {:?}", v.findings);
    }
}

#[test]
fn each_command_of_a_crashed_pipeline_is_its_own_operation() {
    let templates: &[&[&str]] = &[&["SET", "a", "1"], &["INCR", "b"], &["GET", "a"]];
    let scenario = Scenario::new("crashed_pipeline")
        .clients(3, 2, Program::commands(templates, CommandsMode::Pipeline))
        .faults(Faults {
            crash_rate: 0.2,
            ..Faults::default()
        });
    let mut world = scenario.world(0);
    let mut cut_short = 0;
    for seed in 0..200 {
        world.run_seed(seed);
        for op in &world.history.ops {
            let Operation::Command(argv) = &op.op else {
                panic!("seed {seed}: {:?}", op.op);
            };
            assert!(
                templates.iter().any(|t| words(t) == *argv),
                "seed {seed}: {argv:?} is not one command"
            );
        }
        // A pipeline cut short: some of its commands unknown or failed, others seen.
        let statuses: Vec<Status> = world.history.ops.iter().map(|o| o.status).collect();
        if statuses.contains(&Status::Unknown) && statuses.contains(&Status::Fail) {
            cut_short += 1;
        }
        assert_eq!(
            checker(&world.history),
            CheckVerdict::Linearizable,
            "seed {seed}: single commands are atomic"
        );
    }
    assert!(cut_short > 0, "some pipeline is cut short in 200 seeds");
}

#[test]
fn a_crashed_watch_operation_whose_exec_ran_is_recorded_with_its_block() {
    let scenario = scenario_file("watch-retry").faults(Faults {
        crash_rate: 0.15,
        ..Faults::default()
    });
    let judge = Judge::new(&scenario);
    let mut world = scenario.world(0);
    let mut exec_lost = 0;
    for seed in 0..300 {
        world.run_seed(seed);
        for op in &world.history.ops {
            if let Operation::Multi(block) = &op.op {
                assert!(!block.is_empty(), "seed {seed}: an empty block is recorded");
                if op.status == Status::Unknown {
                    exec_lost += 1;
                    assert!(block.iter().any(|c| c[0] == b"SET"), "{block:?}");
                }
            }
        }
        let v = judge.judge(&mut world);
        assert_ne!(
            v.not_linearizable,
            Some(true),
            "seed {seed}: {:?}",
            v.findings
        );
    }
    assert!(exec_lost > 0, "some EXEC ran with its reply lost");
}

#[test]
fn busy_and_killed_replies_belong_to_the_operation_that_sent_the_command() {
    let mut scenario = scenario_file("busy-script-kill");
    for group in &mut scenario.groups {
        group.ops = 3;
    }
    let mut world = scenario.world(0);
    let (mut busy, mut killed) = (0, 0);
    for seed in 0..40 {
        world.run_seed(seed);
        for op in &world.history.ops {
            if let Operation::Command(argv) = &op.op {
                assert!(
                    !argv.is_empty(),
                    "seed {seed}: an operation without its command"
                );
            }
            let text = match &op.result {
                Some(Reply::Error(e)) => String::from_utf8_lossy(e).into_owned(),
                _ => continue,
            };
            if text.starts_with("BUSY") {
                busy += 1;
                assert_eq!(op.op, Operation::Command(words(&["INCR", "counter"])));
                assert_eq!(op.status, Status::Fail, "a refused command had no effect");
            }
            if text.contains("Script killed") {
                killed += 1;
                assert!(matches!(op.op, Operation::Script { .. }), "{:?}", op.op);
                assert_eq!(op.status, Status::Fail, "a killed script had no effect");
            }
        }
        assert_eq!(
            checker(&world.history),
            CheckVerdict::Linearizable,
            "seed {seed}"
        );
    }
    assert!(busy > 0 && killed > 0, "busy {busy}, killed {killed}");
}

#[test]
fn admin_writes_are_in_the_history_and_explain_what_clients_read() {
    let scenario = Scenario::new("flushall")
        .clients(
            2,
            3,
            Program::commands(&[&["SET", "a", "1"], &["GET", "a"]], CommandsMode::Each),
        )
        .faults(Faults {
            admin: vec![
                AdminAt {
                    step: 2,
                    argv: words(&["FLUSHALL"]),
                },
                AdminAt {
                    step: 4,
                    argv: words(&["SCRIPT", "FLUSH"]),
                },
            ],
            ..Faults::default()
        });
    let judge = Judge::new(&scenario);
    let mut world = scenario.world(0);
    for seed in 0..200 {
        world.run_seed(seed);
        let admin: Vec<_> = world.history.ops.iter().filter(|o| o.client == 2).collect();
        assert_eq!(
            admin.len(),
            2,
            "seed {seed}: both admin commands are recorded"
        );
        assert_eq!(admin[0].op, Operation::Command(words(&["FLUSHALL"])));
        let v = judge.judge(&mut world);
        assert_eq!(
            v.not_linearizable,
            Some(false),
            "seed {seed}: {:?}",
            v.findings
        );
    }
}

#[test]
fn a_script_popping_at_random_under_eval_is_never_called_non_linearizable() {
    let scenario = Scenario::new("spop_eval").clients(
        3,
        1,
        Script::source(
            "redis.call('SADD', KEYS[1], 'a', 'b', 'c', 'd') \
             return {redis.call('SPOP', KEYS[1]), redis.call('SRANDMEMBER', KEYS[1])}",
        )
        .keys(["s"])
        .eval(),
    );
    let judge = Judge::new(&scenario);
    let mut world = scenario.world(0);
    let mut false_alarms = 0;
    for seed in 0..1000 {
        world.run_seed(seed);
        if judge.judge(&mut world).is_anomalous() {
            false_alarms += 1;
        }
    }
    eprintln!("SPOP/SRANDMEMBER under EVAL: {false_alarms}/1000 false alarms");
    assert_eq!(false_alarms, 0);
}
