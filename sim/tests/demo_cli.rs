//! The `redsim` binary: the demo exits 0, shows the race, writes an HTML report with one
//! lane per client, and prints a replay command that reproduces its table; the other
//! subcommands' exit statuses mean what their help says.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn redsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("redsim runs")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redsim-demo-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Checks that tags nest and close (void elements and `/>` excepted); returns the names of
/// the opened elements in order.
fn well_formed(html: &str) -> Result<Vec<String>, String> {
    const VOID: &[&str] = &["meta", "br", "img", "input", "link", "hr"];
    let mut stack: Vec<String> = Vec::new();
    let mut opened = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').ok_or("unclosed '<'")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let self_closing = tag.ends_with('/');
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("bad tag <{tag}>"));
        }
        if !tag.matches('"').count().is_multiple_of(2) {
            return Err(format!("unbalanced quotes in <{tag}>"));
        }
        opened.push(name.clone());
        if !self_closing && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    if !stack.is_empty() {
        return Err(format!("never closed: {stack:?}"));
    }
    Ok(opened)
}

/// The table block of a run's text: from its header line to the verdict line.
fn table_block(out: &str) -> String {
    let lines: Vec<&str> = out.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with('#') && l.contains("| client 0"))
        .expect("a table header");
    let end = lines
        .iter()
        .skip(start)
        .position(|l| l.starts_with("anomaly:") || l.starts_with("no anomaly"))
        .unwrap();
    lines[start..start + end + 1].join("\n")
}

#[test]
fn the_well_formedness_check_can_fail() {
    assert!(well_formed("<p><b>x</p></b>").is_err());
    assert!(well_formed("<div>").is_err());
    assert!(well_formed(
        "<!DOCTYPE html><html><meta charset=\"utf-8\"><body><svg><rect/></svg></body></html>"
    )
    .is_ok());
}

#[test]
fn demo_exits_zero_and_writes_a_report_with_one_lane_per_client() {
    let html = tmp("report.html");
    let out = redsim(&[
        "demo",
        "--seeds",
        "0..100",
        "--html",
        html.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("seeds run: 100"), "{text}");
    assert!(
        text.contains("Replay this run:  redsim run corpus/scenarios/counter-race.toml --seed"),
        "{text}"
    );
    assert!(
        text.contains(&format!("HTML report:      {}", html.display())),
        "{text}"
    );
    assert!(
        !text.contains('\x1b'),
        "NO_COLOR and a pipe give plain text"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    let elements = well_formed(&page).unwrap();
    assert_eq!(
        elements.iter().filter(|e| *e == "svg").count(),
        3,
        "the shrunk run, the raw run as found and the EVAL run"
    );
    // counter-race has 3 clients: 3 lanes in the raw and the EVAL picture, and the shrunk
    // run keeps 2 of them.
    assert_eq!(page.matches("class=\"lane\"").count(), 8);
    for c in 0..2 {
        assert_eq!(
            page.matches(&format!("<g class=\"lane\" data-client=\"{c}\""))
                .count(),
            3
        );
    }
    assert_eq!(
        page.matches("<g class=\"lane\" data-client=\"2\"").count(),
        2
    );
    assert!(
        !page.contains("http://")
            || page.matches("http://").count()
                == page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "no network resources"
    );
}

#[test]
fn no_arguments_runs_the_demo() {
    let out = redsim(&[]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("redsim demo: counter-race"));
}

#[test]
fn the_printed_replay_command_reproduces_the_table() {
    for scenario in [None, Some("corpus/scenarios/counter_and_count_raw.toml")] {
        let html = tmp("replay.html");
        let mut args = vec!["demo", "--seeds", "0..60", "--html", html.to_str().unwrap()];
        if let Some(s) = scenario {
            args.extend(["--scenario", s]);
        }
        let demo = stdout(&redsim(&args));
        let replay = demo
            .lines()
            .find_map(|l| l.strip_prefix("Replay this run:  redsim "))
            .expect("a replay line");
        let words: Vec<&str> = replay.split_whitespace().collect();
        let again = redsim(&words);
        assert_eq!(table_block(&stdout(&again)), table_block(&demo), "{replay}");
    }
}

#[test]
fn run_exits_one_on_an_anomaly_and_zero_without() {
    let out = redsim(&[
        "run",
        "corpus/scenarios/lost-update.toml",
        "--seeds",
        "0..30",
        "--mode",
        "raw",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let out = redsim(&["run", "corpus/scenarios/watch-retry.toml", "--seed", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = redsim(&[
        "run",
        "corpus/scenarios/counter-race.toml",
        "--mode",
        "multi",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let json = tmp("run.json");
    let out = redsim(&[
        "run",
        "corpus/scenarios/lost-update.toml",
        "--seed",
        "0",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["seed"], 0);
    assert!(v["rows"].as_array().is_some_and(|r| !r.is_empty()));
}

#[test]
fn sweep_shards_split_the_seeds_and_save_the_failures() {
    let dir = tmp("sweep");
    let mut runs = 0;
    for shard in ["0/2", "1/2"] {
        let out = redsim(&[
            "sweep",
            "corpus/scenarios/lost-update.toml",
            "--seeds",
            "0..41",
            "--jobs",
            "2",
            "--shard",
            shard,
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "lost-update fails on some seed");
        let text = stdout(&out);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("this shard ran "))
            .unwrap();
        runs += line
            .split_whitespace()
            .next()
            .unwrap()
            .parse::<u64>()
            .unwrap();
    }
    assert_eq!(runs, 41);
    let saved = std::fs::read_to_string(dir.join("lost-update-raw-shard-1-of-2.txt")).unwrap();
    assert!(saved
        .lines()
        .all(|l| l.starts_with("redsim run corpus/scenarios/lost-update.toml --seed ")));
    assert_eq!(
        redsim(&["sweep", "x.toml", "--seeds", "0..2", "--shard", "2/2"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn explore_counts_interleavings_and_lists_the_failing_ones() {
    let out = redsim(&["explore", "corpus/scenarios/lost-update.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("interleavings explored:") && text.contains("distinct outcomes:"),
        "{text}"
    );
    let replay = text
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("redsim ")
                .filter(|r| r.starts_with("run "))
        })
        .expect("a failing schedule");
    let words: Vec<&str> = replay.split_whitespace().collect();
    let again = redsim(&words);
    assert_eq!(
        again.status.code(),
        Some(1),
        "the listed schedule fails again: {}",
        stdout(&again)
    );
    let out = redsim(&["explore", "corpus/scenarios/watch-retry.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn race_runs_any_script_client_side_and_as_eval() {
    let script = tmp("get_then_set.lua");
    std::fs::write(&script, "local v = tonumber(redis.call('GET', KEYS[1]) or '0')\nredis.call('SET', KEYS[1], v + 1)\nreturn v + 1\n").unwrap();
    let html = tmp("race.html");
    let out = redsim(&[
        "race",
        script.to_str().unwrap(),
        "--keys",
        "n",
        "--clients",
        "3",
        "--seeds",
        "0..50",
        "--html",
        html.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("raw"), "{text}");
    well_formed(&std::fs::read_to_string(&html).unwrap()).unwrap();
    std::fs::write(&script, "return redis.call('INCR', KEYS[1])\n").unwrap();
    let out = redsim(&[
        "race",
        script.to_str().unwrap(),
        "--keys",
        "n",
        "--seeds",
        "0..20",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "one atomic INCR cannot race: {}",
        stdout(&out)
    );
}
