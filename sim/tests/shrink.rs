//! Shrinking end to end: the seed's counter race (corpus/lua/counter_and_log.lua) shrinks
//! to 2 clients of at most 4 commands and still fails; a shrunk replay file replays to a
//! byte-identical table, from the library and from the `redsim` binary; and the property
//! that shrinking reaches a minimal case on generated racy workloads with noise.

use proptest::prelude::*;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::replay::{check_file, for_scenario_file, ReplayFile};
use redsim_sim::report::analysis::Judge;
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, Mode};
use redsim_sim::report::present::run_text;
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::{Invariant, Program, Scenario, Script};
use redsim_sim::scheduler::Replay;
use redsim_sim::shrink::{judge_oracle, shrink_run, FailureKind, Shrunk};
use redsim_sim::sim_test;
use redsim_sim::testing::strategies::{Stmt, Workload, KEYS};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn counter_race() -> (PathBuf, Scenario) {
    let path = repo().join("corpus/scenarios/counter-race.toml");
    let s = mode::apply(&load(&path).expect("scenario"), Mode::Raw).expect("raw");
    (path, s)
}

/// The first failing seed below 300 and its schedule, if any.
fn failing(scenario: &Scenario) -> Option<(u64, Vec<u32>)> {
    let judge = Judge::new(scenario);
    let mut world = scenario.clone().trace(false).world(0);
    (0..300).find_map(|seed| {
        world.run_seed(seed);
        judge
            .judge(&mut world)
            .is_anomalous()
            .then(|| (seed, world.schedule.clone()))
    })
}

/// The shrunk run replayed strictly: its failure kind.
fn replayed_kind(shrunk: &Shrunk) -> FailureKind {
    let judge = Judge::new(&shrunk.scenario);
    let mut world = shrunk.scenario.world(shrunk.seed);
    world.run(&mut Replay::new(shrunk.schedule.clone()));
    assert_eq!(
        world.schedule, shrunk.schedule,
        "the replay follows it exactly"
    );
    judge_oracle(&judge, &mut world)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redsim-shrink-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn a_shrunk_counter_race_has_two_clients_of_at_most_four_commands_and_still_fails() {
    let (_, s) = counter_race();
    let (seed, schedule) = failing(&s).expect("the raw counter race fails on some seed");
    let shrunk = shrink_run(&s, seed, &schedule).expect("shrinks");
    assert_eq!(shrunk.before.clients, 3);
    assert_eq!(shrunk.after.clients, 2, "{}", shrunk.summary());
    assert!(
        shrunk.after.commands_per_client_max <= 4,
        "{}",
        shrunk.summary()
    );
    let capture = shrunk.capture("raw");
    assert_eq!(capture.clients, 2);
    for c in 0..2u32 {
        let commands = capture.rows.iter().filter(|r| r.client == Some(c)).count();
        assert!(commands <= 4, "client {c} ran {commands} commands");
    }
    assert!(capture.verdict.is_anomalous(), "the shrunk run still fails");
    assert!(replayed_kind(&shrunk).includes(&shrunk.kind));
}

#[test]
fn the_test_api_shrinks_the_seed_race_from_the_lua_file() {
    let failure = sim_test!()
        .clients(
            3,
            Script::file(repo().join("corpus/lua/counter_and_log.lua"))
                .keys(["counter", "ts_set"])
                .args(["{ts}"])
                .raw(),
        )
        .judge_invariant(Invariant::ResultFieldsEqual(0, 1))
        .seeds(100)
        .try_run()
        .expect_err("the race is found");
    let shrunk = failure.shrunk.expect("shrunk");
    assert_eq!(shrunk.after.clients, 2, "{}", failure.report);
    assert!(shrunk.after.commands_per_client_max <= 4);
    assert!(failure
        .report
        .contains("shrunk from 3 clients / 3 ops / 12 commands"));
}

#[test]
fn a_shrunk_replay_file_replays_to_a_byte_identical_table() {
    let (path, s) = counter_race();
    let (seed, schedule) = failing(&s).expect("a failing seed");
    let shrunk = shrink_run(&s, seed, &schedule).expect("shrinks");
    let shown = shrunk.capture("raw");
    let dir = temp_dir("identical");
    let file = for_scenario_file(&shown, &path, &dir).with_shrunk(&shrunk);
    let saved = file.save(&dir).expect("saved");
    assert!(saved.to_string_lossy().ends_with("-shrunk.toml"));
    let text = std::fs::read_to_string(&saved).expect("readable");
    assert!(text.contains("[shrunk]") && text.contains("groups = [{ clients = 2, ops = 1 }]"));
    assert_eq!(ReplayFile::parse(&text).expect("parses"), file);
    let replayed = check_file(&saved).expect("replays to the recorded verdict");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        run_text(&replayed, Style::PLAIN),
        run_text(&shown, Style::PLAIN)
    );
    assert_eq!(replayed.schedule, shrunk.schedule);
    assert_eq!(replayed.clients, 2);
}

fn redsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("redsim runs")
}

/// The table blocks of a run's text, in order: from a header line to its verdict line.
fn tables(out: &str) -> Vec<String> {
    let lines: Vec<&str> = out.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start().starts_with('#') && lines[i].contains("| client 0") {
            let end = (i..lines.len())
                .find(|&j| lines[j].starts_with("anomaly:") || lines[j].starts_with("no anomaly"))
                .expect("a verdict line");
            found.push(lines[i..=end].join("\n"));
            i = end;
        }
        i += 1;
    }
    found
}

#[test]
fn redsim_run_shows_the_shrunk_table_that_redsim_replay_prints() {
    let dir = temp_dir("cli");
    let out = redsim(&[
        "run",
        "corpus/scenarios/counter-race.toml",
        "--seeds",
        "0..50",
        "--mode",
        "raw",
        "--record",
        dir.to_str().expect("utf-8"),
        "--json",
        dir.join("run.json").to_str().expect("utf-8"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).expect("json"))
            .expect("valid JSON");
    assert_eq!(
        json["shrunk"]["to"],
        "2 clients / 2 ops / 8 commands / 1 preemption"
    );
    assert_eq!(json["shrunk"]["cut"], "[{ clients = 2, ops = 1 }]");
    assert!(
        text.contains("Shrunk from 3 clients / 3 ops / 12 commands / ")
            && text.contains(" to 2 clients / 2 ops / 8 commands / 1 preemption"),
        "{text}"
    );
    let run_tables = tables(&text);
    assert_eq!(
        run_tables.len(),
        2,
        "the run found, then the run shrunk: {text}"
    );
    let file = std::fs::read_dir(&dir)
        .expect("the record folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with("-shrunk.toml"))
        .expect("a shrunk replay file");
    let replay = redsim(&["replay", file.to_str().expect("utf-8")]);
    let replay_text = String::from_utf8_lossy(&replay.stdout).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(replay.status.code(), Some(1), "{replay_text}");
    assert_eq!(tables(&replay_text), vec![run_tables[1].clone()]);
    assert!(
        replay_text.contains("Shrunk from 3 clients"),
        "{replay_text}"
    );
}

#[test]
fn redsim_race_and_the_demo_print_the_sizes_before_and_after() {
    let dir = temp_dir("race");
    let script = dir.join("get_then_set.lua");
    std::fs::write(
        &script,
        "local v = tonumber(redis.call('GET', KEYS[1]) or '0')\nredis.call('SET', KEYS[1], v + 1)\nreturn v + 1\n",
    )
    .expect("script");
    let html = dir.join("race.html");
    let out = redsim(&[
        "race",
        script.to_str().expect("utf-8"),
        "--keys",
        "n",
        "--clients",
        "4",
        "--seeds",
        "0..30",
        "--html",
        html.to_str().expect("utf-8"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("Shrunk from 4 clients / 4 ops / 8 commands")
            && text.contains(" to 2 clients / 2 ops / 4 commands / 1 preemption"),
        "{text}"
    );
    assert_eq!(tables(&text).len(), 2, "the raw run, then the shrunk one");
    let out = redsim(&[
        "demo",
        "--seeds",
        "0..50",
        "--html",
        dir.join("demo.html").to_str().expect("utf-8"),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Shrunk from 3 clients / 3 ops / 12 commands")
            && text.contains(" to 2 clients / 2 ops / 8 commands / 1 preemption"),
        "{text}"
    );
    assert_eq!(
        tables(&text).len(),
        1,
        "the demo shows one table, as before"
    );
}

/// Cases per property: `PROPTEST_CASES` for more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(12)
}

/// Scripts that race when two clients run them command by command.
fn racy_script() -> impl Strategy<Value = Vec<Stmt>> {
    prop_oneof![
        Just(vec![Stmt::Incr(0), Stmt::Get(0)]),
        // (Not GET then SET: with one group of clients the judge counts the first key as
        // a counter incremented once per operation, and a SET breaks that count.)
        (1i64..=3).prop_map(|n| vec![Stmt::Get(0), Stmt::IncrBy(0, n)]),
        Just(vec![
            Stmt::Incr(0),
            Stmt::Incr(1),
            Stmt::Get(0),
            Stmt::Get(1)
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Racing clients plus noise clients that only touch their own key: shrinking keeps
    /// exactly two racers, one operation each with every command of the script, and one
    /// preemption — nothing smaller fails.
    #[test]
    fn shrinking_reaches_a_minimal_case(
        script in racy_script(),
        racers in 2u32..=4,
        noise in 0u32..=2,
        noise_commands in 1usize..=3,
    ) {
        let racing = Workload { clients: racers, script: script.clone() };
        let own: [&[&str]; 3] = [&["SET", "own{client}", "1"], &["INCR", "own{client}"], &["GET", "own{client}"]];
        let mut s = Scenario::new("generated");
        if noise > 0 {
            s = s.clients(noise, 1, Program::commands(&own[..noise_commands], CommandsMode::Pipeline));
        }
        s = s.clients(racers, 1, Script::source(racing.source()).keys(KEYS).raw());
        let found = failing(&s);
        prop_assume!(found.is_some());
        let (seed, schedule) = found.unwrap_or_default();
        let shrunk = shrink_run(&s, seed, &schedule).map_err(TestCaseError::fail)?;
        let len = script.len() as u32;
        prop_assert_eq!(shrunk.after.clients, 2, "{}", shrunk.summary());
        prop_assert_eq!(shrunk.after.ops, 2, "{}", shrunk.summary());
        prop_assert_eq!(shrunk.after.commands, 2 * len, "{}", shrunk.summary());
        prop_assert_eq!(shrunk.after.commands_per_client_max, len);
        prop_assert_eq!(shrunk.after.preemptions, 1, "{}", shrunk.summary());
        prop_assert!(replayed_kind(&shrunk).includes(&shrunk.kind));
    }
}
