//! Every command line redsim prints to replay a run reproduces that run byte for byte when
//! a user pastes it into a shell, in the directory where it was printed: for each
//! strategy (random, PCT, an exhaustive interleaving, a replay file), with faults, and
//! from a directory other than the source tree. And a reader that goes away early
//! (`redsim run … | head`) ends the CLI quietly.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redsim-replay-lines-{}", std::process::id()));
    let path = dir.join(name);
    std::fs::create_dir_all(&path).unwrap();
    path
}

fn redsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("redsim runs")
}

/// Runs a printed command line as a user would: through the shell, with `redsim` on the
/// PATH, in `dir`.
fn shell_in(dir: &Path, line: &str) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_redsim")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The line after `prefix` (e.g. `Replay: `).
fn printed(out: &str, prefix: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{out}"))
        .trim()
        .to_string()
}

/// The shown run: from its heading (`NAME — mode …, seed N`) to the end, without the
/// line that says how long shrinking took (wall clock) and the one naming the `--json`
/// file (each run writes its own).
fn shown_run(out: &str) -> String {
    let start = out
        .lines()
        .position(|l| l.contains(" — mode ") && l.contains(", seed "))
        .unwrap_or_else(|| panic!("no run heading in:\n{out}"));
    out.lines()
        .skip(start)
        .filter(|l| !l.starts_with("(shrinking took") && !l.starts_with("JSON: "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `args` (a failing run), runs the replay line it prints with `--json` added, and
/// checks that the shown run and its JSON (rows, schedule, history, options, verdict, the
/// shrunk run) are the same bytes.
fn replay_line_reproduces(args: &[&str], must_contain: &str) {
    let dir = tmp(&format!("case-{}", args.join("_").replace(['/', '.'], "-")));
    let first_json = dir.join("first.json");
    let again_json = dir.join("again.json");
    let mut with_json: Vec<&str> = args.to_vec();
    let first_json_text = first_json.to_str().unwrap().to_string();
    with_json.extend(["--json", &first_json_text]);
    let first = redsim_in(&root(), &with_json);
    assert_eq!(
        first.status.code(),
        Some(1),
        "a failing run: {}",
        text(&first)
    );
    let line = printed(&text(&first), "Replay: ");
    assert!(line.contains(must_contain), "{line}");
    assert!(!line.contains(&root().display().to_string()), "{line}");
    let again = shell_in(&root(), &format!("{line} --json {}", again_json.display()));
    assert_eq!(
        again.status.code(),
        Some(1),
        "{line}\n{}{}",
        text(&again),
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(shown_run(&text(&again)), shown_run(&text(&first)), "{line}");
    let (a, b) = (
        std::fs::read_to_string(&first_json).unwrap(),
        std::fs::read_to_string(&again_json).unwrap(),
    );
    assert!(a == b, "{line}: the JSON of the two runs differs");
}

#[test]
fn the_replay_line_of_a_random_run_reproduces_it() {
    replay_line_reproduces(
        &[
            "run",
            "corpus/scenarios/counter-race.toml",
            "--seeds",
            "0..40",
        ],
        "--strategy random",
    );
}

#[test]
fn the_replay_line_of_a_pct_run_keeps_its_depth_and_step_estimate() {
    replay_line_reproduces(
        &[
            "run",
            "corpus/scenarios/counter-race.toml",
            "--seeds",
            "0..40",
            "--strategy",
            "pct",
            "--pct-depth",
            "3",
            "--pct-steps",
            "30",
        ],
        "--strategy pct --pct-depth 3 --pct-steps 30",
    );
}

#[test]
fn the_replay_line_of_a_run_with_faults_reproduces_it() {
    replay_line_reproduces(
        &[
            "run",
            "corpus/scenarios/crash-partial-effects.toml",
            "--seeds",
            "0..40",
            "--mode",
            "raw",
        ],
        "--mode raw --strategy random",
    );
}

#[test]
fn the_replay_line_of_a_given_schedule_keeps_it() {
    replay_line_reproduces(
        &[
            "run",
            "corpus/scenarios/lost-update.toml",
            "--schedule",
            "2,2,0,1,0,1",
        ],
        "--schedule 2,2,0,1,0,1",
    );
}

#[test]
fn each_failing_interleaving_explore_lists_replays_that_interleaving() {
    let out = redsim_in(&root(), &["explore", "corpus/scenarios/lost-update.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let listed = text(&out);
    let lines: Vec<&str> = listed.lines().collect();
    let mut checked = 0;
    for pair in lines
        .windows(2)
        .filter(|w| w[1].trim().starts_with("redsim run "))
    {
        let (findings, line) = (pair[0].trim(), pair[1].trim());
        let schedule = line.split("--schedule ").nth(1).expect("a schedule");
        let json = tmp("explore").join(format!("{checked}.json"));
        let again = shell_in(&root(), &format!("{line} --json {}", json.display()));
        assert_eq!(again.status.code(), Some(1), "{line}: {}", text(&again));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let ran: Vec<String> = v["schedule"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(ran.join(","), schedule, "{line}");
        let found: Vec<&str> = v["verdict"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(found.join("; "), findings, "{line}");
        checked += 1;
        if checked == 3 {
            break;
        }
    }
    assert!(checked > 0, "{listed}");
}

#[test]
fn the_replay_file_command_reproduces_the_recorded_run() {
    let dir = tmp("record");
    let out = redsim_in(
        &root(),
        &[
            "run",
            "corpus/scenarios/counter-race.toml",
            "--seeds",
            "0..40",
            "--no-shrink",
            "--record",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let recorded = text(&out);
    let saved = printed(&recorded, "Replay file: ");
    let line = saved
        .split_once("(")
        .and_then(|(_, l)| l.strip_suffix(')'))
        .expect("(redsim replay FILE)");
    let replayed = shell_in(&root(), line);
    assert_eq!(
        replayed.status.code(),
        Some(1),
        "{line}: {}",
        text(&replayed)
    );
    // The replay prints the run as `run` showed it, then its own replay line.
    let shown = |t: &str| {
        shown_run(t)
            .lines()
            .take_while(|l| !l.starts_with("Replay"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(shown(&text(&replayed)), shown(&recorded));
    let again = shell_in(&root(), &printed(&text(&replayed), "Replay: "));
    assert_eq!(text(&again), text(&replayed));
}

#[test]
fn the_demo_names_the_scenario_relative_to_where_it_runs() {
    // Outside the source tree the demo finds its scenario in the tree; the line it prints
    // must still work from here, not name the build machine's `…/sim/../corpus/…`.
    let elsewhere = tmp("elsewhere");
    let html = elsewhere.join("report.html");
    let demo = redsim_in(
        &elsewhere,
        &["demo", "--seeds", "0..40", "--html", html.to_str().unwrap()],
    );
    assert!(demo.status.success(), "{}", text(&demo));
    let line = printed(&text(&demo), "Replay this run:  ");
    let scenario = line.split_whitespace().nth(2).unwrap();
    assert!(
        Path::new(scenario).is_relative() && !scenario.contains("sim/.."),
        "{line}"
    );
    let again = shell_in(&elsewhere, &line);
    assert_eq!(again.status.code(), Some(1), "{line}: {}", text(&again));
    let table = |t: &str| {
        shown_run(t)
            .lines()
            .take_while(|l| !l.starts_with("Replay"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(table(&text(&again)), table(&text(&demo)), "{line}");
}

#[test]
fn the_lines_a_sweep_saves_replay_failing_runs_with_its_strategy() {
    let dir = tmp("sweep");
    let out = redsim_in(
        &root(),
        &[
            "sweep",
            "corpus/scenarios/counter-race.toml",
            "--seeds",
            "0..20",
            "--jobs",
            "1",
            "--strategy",
            "pct",
            "--pct-depth",
            "3",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .expect("a saved file")
        .unwrap()
        .path();
    let saved = std::fs::read_to_string(file).unwrap();
    let line = saved.lines().next().unwrap();
    assert!(
        line.contains("--strategy pct --pct-depth 3 --pct-steps 100"),
        "{line}"
    );
    let again = shell_in(&root(), line);
    assert_eq!(again.status.code(), Some(1), "{line}: {}", text(&again));
}

#[test]
fn the_replay_line_of_race_reproduces_its_run() {
    let dir = tmp("race");
    let script = dir.join("get then set.lua");
    std::fs::write(
        &script,
        "local v = tonumber(redis.call('GET', KEYS[1]) or '0')\nredis.call('SET', KEYS[1], v + 1)\nreturn v + 1\n",
    )
    .unwrap();
    let html = dir.join("race.html");
    let first = redsim_in(
        &root(),
        &[
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
        ],
    );
    assert_eq!(first.status.code(), Some(1), "{}", text(&first));
    let line = printed(&text(&first), "Replay: ");
    // The path has a space: the line quotes it for the shell.
    assert!(line.contains("'"), "{line}");
    let again = shell_in(&root(), &format!("{line} --html {}", html.display()));
    assert_eq!(again.status.code(), Some(1), "{line}: {}", text(&again));
    assert_eq!(shown_run(&text(&again)), shown_run(&text(&first)), "{line}");
}

#[test]
fn a_reader_that_closes_the_pipe_early_ends_redsim_quietly() {
    // More than a pipe's buffer (64 KiB) of output, so that writing fails however the
    // processes are scheduled: ~120 KB listing every failing interleaving.
    let mut child = Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args([
            "explore",
            "corpus/scenarios/counter-race.toml",
            "--show-max",
            "100000",
        ])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, as `head -c1` would, and hang up.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(141), "128 + SIGPIPE, as documented");
}

#[test]
fn strategy_pct_keeps_the_scenario_files_depth_and_step_estimate() {
    let dir = tmp("pct-file");
    let file = dir.join("pct.toml");
    std::fs::write(
        &file,
        "name = \"pct-file\"\nstrategy = \"random\"\npct_depth = 4\npct_steps = 17\n\n\
         [[clients]]\ncount = 2\nops = 2\nprogram = \"commands\"\ncommands = [[\"INCR\", \"n\"]]\n",
    )
    .unwrap();
    let out = redsim_in(&dir, &["run", "pct.toml", "--strategy", "pct"]);
    assert_eq!(
        printed(&text(&out), "Replay: "),
        "redsim run pct.toml --seed 0 --strategy pct --pct-depth 4 --pct-steps 17",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = redsim_in(&dir, &["run", "pct.toml", "--pct-depth", "3"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "PCT flags without PCT are refused"
    );
}
