//! A history recorded from a real server round-trips through redsim-history/1 JSON and
//! `redsim check`; `redsim real` itself refuses non-loopback addresses.

mod real_support;

use real_support::*;
use redsim_sim::check::{self, ModelChoice};
use redsim_sim::history::json;
use redsim_sim::scenario::ScriptRun;
use std::process::Command;
use std::time::Duration;

fn redsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_redsim"))
}

fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_history_from_redis_server_round_trips_through_json_and_redsim_check() {
    if !redis_available("a_history_from_redis_server_round_trips_through_json_and_redsim_check") {
        return;
    }
    let server = RedisServer::start();
    let scenario = counter_race(4, 10, ScriptRun::Raw);
    let (recorded, verdict) = run_and_judge(&scenario, server.addr);
    let text = json::to_string(&recorded.history);
    let back = json::from_str(&text).expect("the recorded history reads back");
    assert_eq!(
        back, recorded.history,
        "the JSON round trip changed the history"
    );
    let options = check::Options {
        max_states: CHECK_STATES,
        counterexample: false,
        ..check::Options::default()
    };
    let again = check::check(&back, ModelChoice::Auto, &options).expect("the checker judges it");
    assert_eq!(again.verdict.as_str(), verdict.check_verdict());

    let dir = std::env::temp_dir().join(format!("redsim-real-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("history.json");
    std::fs::write(&file, &text).unwrap();
    let out = redsim()
        .arg("check")
        .arg(&file)
        .args(["--max-states", &CHECK_STATES.to_string()])
        .output()
        .expect("redsim check runs");
    assert_eq!(
        last_line(&out.stdout),
        verdict.check_verdict(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redsim_real_in_eval_mode_writes_a_history_redsim_check_finds_linearizable() {
    if !redis_available("redsim_real_in_eval_mode_writes_a_history_redsim_check_finds_linearizable")
    {
        return;
    }
    let server = RedisServer::start();
    let dir = std::env::temp_dir().join(format!("redsim-real-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("eval.json");
    let out = redsim()
        .arg("real")
        .arg(scenario_path("counter-race.toml"))
        .args([
            "--addr",
            &server.addr.to_string(),
            "--mode",
            "eval",
            "--threads",
            "4",
            "--ops",
            "10",
            "--flush",
        ])
        .args(["--time-limit", "20", "--json"])
        .arg(&file)
        .output()
        .expect("redsim real runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("server: redis_version 7."), "{stdout}");
    assert!(
        stdout.contains("operations: 40 (ok 40, unknown 0, fail 0)"),
        "{stdout}"
    );
    assert_eq!(last_line(&out.stdout), "linearizable", "{stdout}");
    let check = redsim()
        .arg("check")
        .arg(&file)
        .output()
        .expect("redsim check runs");
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(last_line(&check.stdout), "linearizable");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redsim_real_writes_an_html_report_and_sets_the_real_rate_beside_the_simulated_one() {
    if !redis_available(
        "redsim_real_writes_an_html_report_and_sets_the_real_rate_beside_the_simulated_one",
    ) {
        return;
    }
    let server = RedisServer::start();
    let dir = std::env::temp_dir().join(format!("redsim-real-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.html");
    let out = redsim()
        .arg("real")
        .arg(scenario_path("counter-race.toml"))
        .args(["--addr", &server.addr.to_string(), "--mode", "raw"])
        .args([
            "--threads",
            "4",
            "--ops",
            "30",
            "--flush",
            "--sim-seeds",
            "10",
        ])
        .args(["--time-limit", "20", "--html"])
        .arg(&file)
        .output()
        .expect("redsim real runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Raw mode may or may not show the race in one real run: 0 none seen, 1 seen.
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stdout}");
    let rates = stdout
        .lines()
        .find(|l| l.starts_with("anomaly rate: real "))
        .unwrap_or_else(|| panic!("no rate comparison in {stdout}"));
    assert!(rates.contains("of 120 ops), simulated "), "{rates}");
    assert!(rates.contains("over seeds 0..10"), "{rates}");
    if out.status.code() == Some(1) {
        assert!(stdout.contains("the first violating operation"), "{stdout}");
        assert!(
            stdout.lines().any(|l| l.starts_with('!')),
            "a marked row: {stdout}"
        );
    }
    let page = std::fs::read_to_string(&file).expect("the report is written");
    assert!(page.contains("<title>redsim real: counter-race (raw)</title>"));
    assert!(page.contains("<svg") && page.contains("<table"));
    assert!(
        page.contains("redis_version 7."),
        "the report names the server"
    );
    assert!(page.contains("anomaly rate: real "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redsim_real_refuses_a_non_loopback_address() {
    let out = redsim()
        .arg("real")
        .arg(scenario_path("counter-race.toml"))
        .args(["--addr", "192.0.2.1:6379"])
        .output()
        .expect("redsim real runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not a loopback address"), "{stderr}");
}

#[test]
fn redsim_real_refuses_a_database_that_is_not_empty_without_flush() {
    if !redis_available("redsim_real_refuses_a_database_that_is_not_empty_without_flush") {
        return;
    }
    let server = RedisServer::start();
    let mut conn =
        redsim_sim::real::codec::Connection::connect(server.addr, Duration::from_secs(5)).unwrap();
    conn.call(&["SET", "left", "over"]).unwrap();
    let out = redsim()
        .arg("real")
        .arg(scenario_path("counter-race.toml"))
        .args(["--addr", &server.addr.to_string()])
        .output()
        .expect("redsim real runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds 1 keys"));
}
