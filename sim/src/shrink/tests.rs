//! Shrinking the corpus's races: the sizes reached, the failure kept, determinism.

use super::*;
use crate::client::commands::CommandsMode;
use crate::report::mode::{self, Mode};
use crate::scenario::{Program, Script};
use crate::scheduler::Replay;

fn corpus(file: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios")
        .join(file);
    let s = crate::scenario::toml::load(&path).expect("scenario");
    mode::apply(&s, Mode::Raw).expect("raw mode")
}

/// The first seed below 300 whose run fails, with the schedule it took.
fn failing(scenario: &Scenario) -> (u64, Vec<u32>) {
    let judge = Judge::new(scenario);
    let mut world = scenario.clone().trace(false).world(0);
    for seed in 0..300 {
        world.run_seed(seed);
        if judge.judge(&mut world).is_anomalous() {
            return (seed, world.schedule.clone());
        }
    }
    panic!("no failing seed for {}", scenario.name);
}

/// The shrunk run replayed with the strict replay scheduler: its kind and schedule.
fn replayed(shrunk: &Shrunk) -> (FailureKind, Vec<u32>) {
    let judge = Judge::new(&shrunk.scenario);
    let mut world = shrunk.scenario.world(shrunk.seed);
    world.run(&mut Replay::new(shrunk.schedule.clone()));
    (judge_oracle(&judge, &mut world), world.schedule.clone())
}

#[test]
fn the_counter_race_shrinks_to_two_clients_of_at_most_four_commands() {
    let s = corpus("counter-race.toml");
    let (seed, schedule) = failing(&s);
    let shrunk = shrink_run(&s, seed, &schedule).expect("shrinks");
    assert_eq!(shrunk.before.clients, 3);
    assert_eq!(shrunk.after.clients, 2, "{}", shrunk.summary());
    assert!(
        shrunk.after.commands_per_client_max <= 4,
        "{}",
        shrunk.summary()
    );
    assert_eq!(shrunk.after.preemptions, 1, "{}", shrunk.summary());
    assert_eq!(shrunk.scenario.client_count(), 2);
    let (kind, schedule) = replayed(&shrunk);
    assert!(
        kind.includes(&shrunk.kind),
        "the shrunk run still fails the same way"
    );
    assert_eq!(schedule, shrunk.schedule, "and replays exactly");
}

#[test]
fn shrinking_keeps_the_failure_kind() {
    for file in [
        "lost-update.toml",
        "torn-read.toml",
        "counter_and_count_raw.toml",
    ] {
        let s = corpus(file);
        let (seed, schedule) = failing(&s);
        let original = {
            let judge = Judge::new(&s);
            let mut world = s.world(seed);
            world.run(&mut Replay::new(schedule.clone()));
            judge_oracle(&judge, &mut world)
        };
        let shrunk = shrink_run(&s, seed, &schedule).expect("shrinks");
        assert_eq!(shrunk.kind, original, "{file}");
        assert!(
            replayed(&shrunk).0.includes(&original),
            "{file}: {}",
            shrunk.summary()
        );
        assert!(
            !shrunk.before.smaller_than(&shrunk.after),
            "{file}: never larger"
        );
    }
}

#[test]
fn a_torn_read_loses_its_second_reader_and_the_writers_second_op() {
    let s = corpus("torn-read.toml");
    let (seed, schedule) = failing(&s);
    let shrunk = shrink_run(&s, seed, &schedule).expect("shrinks");
    assert_eq!(shrunk.before.clients, 3);
    assert_eq!(shrunk.after.clients, 2, "{}", shrunk.summary());
    assert_eq!(shrunk.after.ops, 2, "{}", shrunk.summary());
    assert_eq!(shrunk.after.commands, 4, "{}", shrunk.summary());
    assert_eq!(shrunk.cut.groups[0].ops, 1);
}

#[test]
fn shrinking_is_deterministic() {
    let s = corpus("counter-race.toml");
    let (seed, schedule) = failing(&s);
    let a = shrink_run(&s, seed, &schedule).expect("shrinks");
    let b = shrink_run(&s, seed, &schedule).expect("shrinks");
    assert_eq!(a.cut, b.cut);
    assert_eq!(a.schedule, b.schedule);
    assert_eq!((a.before, a.after, a.runs), (b.before, b.after, b.runs));
    assert_eq!(a.summary(), b.summary());
}

#[test]
fn noise_clients_and_commands_that_play_no_part_are_removed() {
    // Two racing read-modify-write clients, plus clients that only touch their own key.
    let s = Scenario::new("noisy")
        .clients(
            2,
            4,
            Program::commands(
                &[
                    &["SET", "own{client}", "1"],
                    &["GET", "own{client}"],
                    &["DEL", "own{client}"],
                ],
                CommandsMode::Each,
            ),
        )
        .clients(
            3,
            1,
            Script::source(
                "local v = tonumber(redis.call('GET', KEYS[1]) or '0') \
                 redis.call('SET', KEYS[1], v + 1) return v + 1",
            )
            .keys(["n"])
            .raw(),
        );
    let (seed, schedule) = failing(&s);
    let shrunk = shrink_run(&s, seed, &schedule).expect("shrinks");
    assert_eq!(shrunk.after.clients, 2, "{}", shrunk.summary());
    assert_eq!(shrunk.cut.groups[0].clients, 0, "the noise is gone");
    assert_eq!(shrunk.after.ops, 2);
    assert_eq!(shrunk.after.commands, 4);
    assert_eq!(shrunk.after.preemptions, 1);
}

#[test]
fn a_command_list_is_cut_to_the_commands_that_matter() {
    // A pipeline is not atomic, but each of its commands is: what fails here is the
    // invariant on MGET's reply, n == m. INCR n then MGET n m already breaks it (m is still
    // missing): two commands are the smallest failing run, whichever client sends them.
    let pipeline = Program::commands(
        &[
            &["PING"],
            &["INCR", "n"],
            &["ECHO", "x"],
            &["INCR", "m"],
            &["MGET", "n", "m"],
        ],
        CommandsMode::Pipeline,
    );
    let s = Scenario::new("list")
        .clients(1, 1, pipeline.clone())
        .clients(1, 1, pipeline)
        .invariant(crate::scenario::Invariant::ResultFieldsEqual(0, 1));
    let (seed, schedule) = failing(&s);
    let shrunk = shrink_run(&s, seed, &schedule).expect("shrinks");
    assert_eq!(shrunk.after.commands, 2, "{}", shrunk.summary());
    let mut kept: Vec<usize> = shrunk
        .cut
        .groups
        .iter()
        .filter_map(|g| g.commands.clone())
        .flatten()
        .collect();
    kept.sort_unstable();
    assert_eq!(kept, vec![1, 4], "INCR n and MGET n m");
    assert!(replayed(&shrunk).0.includes(&shrunk.kind));
}

#[test]
fn a_passing_run_is_refused() {
    let s = corpus("counter-race.toml");
    let serial = vec![0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    let err = shrink_run(&s, 0, &serial)
        .err()
        .expect("a serial run passes");
    assert!(err.contains("does not fail"), "{err}");
}

#[test]
fn the_budget_bounds_the_reruns() {
    let s = corpus("counter-race.toml");
    let (seed, schedule) = failing(&s);
    let shrinker = Shrinker {
        runs_max: 3,
        ..Shrinker::default()
    };
    let shrunk = shrinker
        .shrink(&s, seed, &schedule, &mut judge_oracle)
        .expect("shrinks");
    assert!(shrunk.runs <= 3);
    assert!(shrunk.budget_spent);
    assert!(
        replayed(&shrunk).0.includes(&shrunk.kind),
        "what it kept still fails"
    );
}

#[test]
fn preemptions_are_cut_to_the_one_the_race_needs() {
    // Two clients, both needed: only the schedule can shrink.
    let s = corpus("counter_and_count_raw.toml");
    let judge = Judge::new(&s);
    let mut world = s.clone().trace(false).world(0);
    let mut checked = 0;
    for seed in 0..300 {
        world.run_seed(seed);
        if !judge.judge(&mut world).is_anomalous() {
            continue;
        }
        let shrunk = shrink_run(&s, seed, &world.schedule.clone()).expect("shrinks");
        if shrunk.before.preemptions < 2 {
            continue;
        }
        assert_eq!(shrunk.after.clients, 2);
        assert_eq!(
            shrunk.after.preemptions,
            1,
            "seed {seed}: {}",
            shrunk.summary()
        );
        assert_eq!(shrunk.after.commands, shrunk.before.commands);
        // One switch away from a client that could go on: the schedule has at most
        // three blocks (A… B… A…), each client running contiguously otherwise.
        assert!(
            follow::blocks(&shrunk.schedule).len() <= 3,
            "{:?}",
            shrunk.schedule
        );
        assert!(replayed(&shrunk).0.includes(&shrunk.kind));
        checked += 1;
        if checked == 3 {
            break;
        }
    }
    assert!(checked > 0, "no failing seed with two preemptions or more");
}
