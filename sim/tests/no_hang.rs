//! No run can hang. A script that writes and then loops for ever cannot be killed in
//! Redis (UNKILLABLE): only SHUTDOWN NOSAVE ends it. The simulator bounds it by
//! instructions (`script_instructions_max`), shuts the server down there and ends the run
//! with the script reported as hung. A read-only loop killed by SCRIPT KILL is judged by
//! replaying it in the checker's model, which the same bound stops. SHUTDOWN NOSAVE is
//! also a fault an admin connection can send at a step.

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::fault::{AdminAt, Faults};
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::{Program, Scenario, ScriptRun};
use redsim_sim::world::ClientState;
use std::process::Command;

fn scenario(script: &str, other: &[&str]) -> Scenario {
    let mut scenario = Scenario::new("loops")
        .clients(
            1,
            1,
            Program::commands(&[&["EVAL", script, "0"]], CommandsMode::Each),
        )
        .clients(1, 1, Program::commands(&[other], CommandsMode::Each));
    scenario.options.busy_threshold_ms = 1;
    scenario.options.script_instructions_max = 5_000_000;
    scenario
}

#[test]
fn a_script_that_writes_and_loops_for_ever_ends_the_run_with_shutdown_nosave() {
    let scenario = scenario(
        "redis.call('SET', 'k', '1') while true do end",
        &["GET", "k"],
    );
    for seed in 0..4 {
        let mut world = scenario.world(seed);
        let report = world.run_seed(seed);
        assert!(report.hung_script, "seed {seed}: {report:?}");
        assert!((0..2).all(|c| world.client_state(c) != ClientState::Running));
        // The server came back empty: the script's write went with it.
        let admin = world.nodes[0].engine.connect();
        assert_eq!(
            world.nodes[0].engine.call(admin, &["DBSIZE"]),
            Reply::Integer(0)
        );
        let last = world.trace.render();
        assert!(last.contains("SHUTDOWN NOSAVE"), "{last}");
        // The judge ends too, on a history where both operations are unknown.
        let verdict = Judge::new(&scenario).judge(&mut world);
        assert!(!verdict.is_anomalous(), "{:?}", verdict.findings);
    }
}

#[test]
fn a_killed_read_only_loop_is_judged_and_the_judge_ends() {
    // As EVAL of a script operation, so that the judge's model replays the loop (up to
    // its own bound, a few seconds).
    let mut scenario = Scenario::new("killed")
        .clients(
            1,
            1,
            Program::script("while true do end", &[], &[], ScriptRun::Eval),
        )
        .clients(
            1,
            1,
            Program::commands(&[&["SCRIPT", "KILL"]], CommandsMode::Each),
        );
    scenario.options.busy_threshold_ms = 1;
    scenario.options.script_instructions_max = 5_000_000;
    let killed_seed = (0..8).find(|&seed| {
        let mut world = scenario.world(seed);
        let report = world.run_seed(seed);
        !report.hung_script
    });
    let seed = killed_seed.expect("some seed sends SCRIPT KILL while the script is busy");
    let mut world = scenario.world(seed);
    world.run_seed(seed);
    let results = world.results_of(0);
    let Some(Some(Reply::Error(e))) = results.first() else {
        panic!("seed {seed}: {results:?}");
    };
    assert!(String::from_utf8_lossy(e).contains("Script killed by user"));
    let verdict = Judge::new(&scenario).judge(&mut world);
    assert!(!verdict.is_anomalous(), "{:?}", verdict.findings);
}

#[test]
fn shutdown_nosave_as_a_fault_restarts_the_server_empty_and_clients_reconnect() {
    let mut scenario = Scenario::new("shutdown").clients(
        2,
        3,
        Program::commands(&[&["INCR", "n"]], CommandsMode::Each),
    );
    scenario.options.faults = Faults {
        admin: vec![AdminAt {
            step: 2,
            argv: vec![b"SHUTDOWN".to_vec(), b"NOSAVE".to_vec()],
        }],
        ..Faults::default()
    };
    let mut world = scenario.world(3);
    let report = world.run_seed(3);
    // Two INCRs ran before the restart; the clients reconnected, resent the INCR each
    // was waiting for, and ran the rest: four more.
    assert_eq!(report.steps, 6);
    let admin = world.nodes[0].engine.connect();
    assert_eq!(
        world.nodes[0].engine.call(admin, &["GET", "n"]),
        Reply::bulk("4"),
        "the two INCRs before the restart were lost with the server"
    );
}

#[test]
fn the_cli_reports_a_script_that_never_finished() {
    let dir = std::env::temp_dir().join(format!("redsim-no-hang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("loop.toml");
    std::fs::write(
        &path,
        r#"name = "loop"
busy_threshold_ms = 1
script_instructions_max = 5000000

[[clients]]
program = "commands"
commands = [["EVAL", "redis.call('SET', 'k', '1') while true do end", "0"]]

[[clients]]
program = "commands"
commands = [["GET", "k"]]
"#,
    )
    .expect("scenario written");
    let out = Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(["run", path.to_str().expect("utf-8 path"), "--seed", "1"])
        .output()
        .expect("redsim runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("script never finished; Redis would need SHUTDOWN NOSAVE"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the CLI with `args`; fails (after killing it) if it has not ended in two minutes.
fn redsim_within_bound(args: &[&str]) -> std::process::Output {
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("redsim starts");
    let started = Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("redsim {args:?} did not end");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn the_cli_ends_on_a_killed_read_only_loop() {
    // Seed 2 sends SCRIPT KILL while the script is busy; judging the run replays the
    // script in the checker's model, which used to run it for ever.
    let dir = std::env::temp_dir().join(format!("redsim-killed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("loop.lua"), "while true do end\n").expect("script written");
    let path = dir.join("killed.toml");
    std::fs::write(
        &path,
        r#"name = "killed"
busy_threshold_ms = 1

[[clients]]
program = "script"
mode = "eval"
script = "loop.lua"

[[clients]]
program = "commands"
commands = [["SCRIPT", "KILL"]]
"#,
    )
    .expect("scenario written");
    let out = redsim_within_bound(&["run", path.to_str().expect("utf-8 path"), "--seed", "2"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Script killed by us"), "{text}");
    assert!(text.contains("no anomaly"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unkillable_script_refuses_script_kill_and_only_shutdown_nosave_ends_it() {
    let path = std::path::Path::new("../corpus/scenarios/unkillable-script.toml");
    let scenario = redsim_sim::scenario::toml::load(path).unwrap();
    let mut refused = 0;
    for seed in 0..8 {
        let mut world = scenario.world(seed);
        let report = world.run_seed(seed);
        assert!(report.hung_script, "seed {seed}");
        // SCRIPT KILL, when it reached the server during the script, was refused.
        let kill = world.results_of(1)[0].cloned();
        if let Some(Reply::Error(e)) = &kill {
            if e.starts_with(b"UNKILLABLE") {
                refused += 1;
            } else {
                assert!(e.starts_with(b"NOTBUSY"), "seed {seed}: {kill:?}");
            }
        }
        // The server came back empty: the script's INCR is gone.
        let admin = world.nodes[0].engine.connect();
        assert_eq!(
            world.nodes[0].engine.call(admin, &["DBSIZE"]),
            Reply::Integer(0)
        );
    }
    assert!(refused > 0);
}
