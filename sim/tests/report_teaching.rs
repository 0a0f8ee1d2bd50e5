//! What the HTML report teaches, read from the page itself: each scenario's report starts
//! with its kind of anomaly in two sentences, `redsim race` writes the same report for a
//! script of one's own, each step of a step-through shows the probed keys with the values
//! the table's row shows for that step, and no report names the build machine's
//! absolute path.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn redsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("redsim runs")
}

fn tmp() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redsim-teach-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The text of the first `<p class="lesson">`.
fn lesson(page: &str) -> Option<String> {
    let start = page.find("<p class=\"lesson\">")? + "<p class=\"lesson\">".len();
    let end = start + page[start..].find("</p>")?;
    Some(page[start..end].replace("&#39;", "'"))
}

fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.trim().chars().collect();
    (0..chars.len())
        .filter(|&i| ".!?".contains(chars[i]) && chars.get(i + 1).is_none_or(|c| *c == ' '))
        .count()
}

/// The scenario files that describe themselves (the teaching ones).
fn described_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("corpus/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .any(|l| l.starts_with("description"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_described_scenario_names_its_anomaly_and_its_report_explains_it_in_two_sentences() {
    let dir = tmp();
    let files = described_scenarios();
    assert!(files.len() >= 10, "{files:?}");
    let mut lessons = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            text.lines().any(|l| l.starts_with("anomaly = ")),
            "{} names no anomaly kind",
            file.display()
        );
        let html = dir.join("scenario.html");
        let out = redsim_in(
            &root(),
            &[
                "run",
                file.to_str().unwrap(),
                "--seeds",
                "0..20",
                "--html",
                html.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.code().is_some_and(|c| c != 2),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let page = std::fs::read_to_string(&html).unwrap();
        let said = lesson(&page).unwrap_or_else(|| panic!("{}: no lesson", file.display()));
        assert_eq!(sentences(&said), 2, "{}: {said}", file.display());
        lessons.push(said);
    }
    // One kind per scenario here: no two teaching scenarios say the same thing.
    let mut distinct = lessons.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), lessons.len(), "{lessons:#?}");
}

#[test]
fn an_unknown_anomaly_kind_is_refused() {
    let dir = tmp();
    let file = dir.join("bad.toml");
    let text = std::fs::read_to_string(root().join("corpus/scenarios/lost-update.toml"))
        .unwrap()
        .replace("anomaly = \"lost-update\"", "anomaly = \"gremlins\"");
    std::fs::write(&file, text).unwrap();
    let out = redsim_in(&root(), &["run", file.to_str().unwrap(), "--seed", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown anomaly 'gremlins'"));
}

#[test]
fn race_writes_the_same_report_for_a_users_script_without_the_machines_paths() {
    let dir = tmp();
    let script = dir.join("read_then_write.lua");
    std::fs::write(
        &script,
        "local v = redis.call('GET', KEYS[1])\nredis.call('SET', KEYS[1], (tonumber(v) or 0) + 1)\nreturn v\n",
    )
    .unwrap();
    let html = dir.join("race.html");
    let out = redsim_in(
        &dir,
        &[
            "race",
            script.to_str().unwrap(),
            "--keys",
            "c",
            "--clients",
            "3",
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    let said = lesson(&page).expect("a lesson");
    assert!(
        said.starts_with("Two clients read the same counter value"),
        "{said}"
    );
    assert!(
        page.contains("<section class=\"run-view\" id=\"shrunk\">"),
        "shrunk first"
    );
    assert!(page.contains("<details><summary>The run as found"));
    assert!(page.contains("class=\"stepper\""));
    assert!(page.contains("redsim race read_then_write.lua --keys c --clients 3"));
    assert!(
        !page.contains(dir.to_str().unwrap()),
        "the script's absolute path"
    );
}

#[test]
fn the_demo_report_run_from_elsewhere_names_no_absolute_path_and_steps_show_the_rows_state() {
    let dir = tmp();
    let html = dir.join("demo.html");
    let out = redsim_in(
        &dir,
        &["demo", "--seeds", "0..30", "--html", html.to_str().unwrap()],
    );
    assert!(out.status.success());
    let page = std::fs::read_to_string(&html).unwrap();
    let tree = std::fs::canonicalize(root()).unwrap();
    assert!(
        !page.contains(tree.to_str().unwrap()),
        "the build tree's path"
    );
    assert!(
        !page.contains("../"),
        "a path relative to where the demo ran"
    );
    assert!(page.contains("redsim run corpus/scenarios/counter-race.toml --seed 0 --mode raw"));
    // The EVAL run's serial order: in counter-race every script adds one to the counter
    // and one member to the set, so the k-th script of the order read k and k.
    let boxes: Vec<&str> = page
        .split("<span class=\"box\" data-client=")
        .skip(1)
        .collect();
    assert_eq!(boxes.len(), 3, "one box per client");
    for (k, b) in boxes.iter().enumerate() {
        let n = k + 1;
        assert!(
            b.contains(&format!("→ [&quot;{n}&quot;, {n}]</span>")),
            "{k}: {b}"
        );
    }
    // The shrunk run's steps: step i's key table shows what row i's state column says.
    let start = page.find("id=\"shrunk\"").unwrap();
    let end = start + page[start..].find("</section>").unwrap();
    let shrunk = &page[start..end];
    let steps: Vec<&str> = shrunk
        .split("<div class=\"step\" data-step=")
        .skip(1)
        .collect();
    let rows: Vec<&str> = shrunk.split("<tr data-row=").skip(1).collect();
    assert_eq!(steps.len(), rows.len());
    assert!(steps.len() >= 4);
    for (step, row) in steps.iter().zip(&rows) {
        let counter = step
            .split("<tr><td>counter</td><td>")
            .nth(1)
            .and_then(|s| s.split("</td>").next())
            .unwrap();
        let counter = if counter == "(no such key)" {
            "-"
        } else {
            counter
        };
        assert!(
            row.contains(&format!("counter={counter} ")),
            "{counter} vs {row}"
        );
    }
}
