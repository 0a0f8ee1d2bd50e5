//! `redsim check`: the last line and the exit status say the verdict; 2 for bad input.

use std::process::Command;

fn run(name: &str, text: &str, extra: &[&str]) -> (i32, String, String) {
    let path =
        std::env::temp_dir().join(format!("redsim-check-{}-{name}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_redsim"))
        .arg("check")
        .arg(&path)
        .args(extra)
        .output()
        .expect("redsim runs");
    let _ = std::fs::remove_file(&path);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const STALE: &str = r#"{"format":"redsim-history/1","ops":[
{"client":1,"call":0,"return":1,"status":"ok","op":["SET","x","1"],"result":{"ok":"OK"}},
{"client":1,"call":2,"return":3,"status":"ok","op":["SET","x","2"],"result":{"ok":"OK"}},
{"client":2,"call":4,"return":5,"status":"ok","op":["GET","x"],"result":"1"}
]}"#;

#[test]
fn a_linearizable_history_ends_with_linearizable_and_exits_0() {
    let text = r#"{"format":"redsim-history/1","ops":[
{"client":1,"call":0,"status":"unknown","op":["SET","x","2"]},
{"client":2,"call":10,"return":11,"status":"ok","op":["GET","x"],"result":"2"}]}"#;
    let (code, out, _) = run("ok", text, &[]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().last(), Some("linearizable"));
}

#[test]
fn a_stale_read_ends_with_not_linearizable_and_exits_1() {
    let (code, out, _) = run("stale", STALE, &["--model", "engine"]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().last(), Some("not linearizable"));
    assert!(
        out.contains("ops[2] GET x: model replies \"2\", observed \"1\""),
        "{out}"
    );
}

#[test]
fn json_output_carries_the_verdict_and_counterexample() {
    let (code, out, _) = run("json", STALE, &["--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["verdict"], "not linearizable");
    assert_eq!(v["model"], "register");
    assert_eq!(v["counterexample"]["candidates"][0]["observed"], "1");
}

#[test]
fn an_exhausted_budget_ends_with_unknown_and_exits_3() {
    let ops = redsim_sim::check::gen::hard_key_ops("h", 13, 0, 0);
    let text = redsim_sim::history::json::to_string(&redsim_sim::history::History { ops });
    let (code, out, _) = run("hard", &text, &["--max-states", "20000"]);
    assert_eq!(code, 3);
    assert_eq!(out.lines().last(), Some("unknown"));
}

#[test]
fn unusable_input_exits_2_with_the_reason() {
    let (code, _, err) = run("syntax", "{\"format\": ,}", &[]);
    assert_eq!(code, 2);
    assert!(err.contains("line 1, column 12"), "{err}");
    let (code, _, err) = run(
        "field",
        r#"{"format":"redsim-history/1","ops":[],"x":1}"#,
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("$: unknown field \"x\""), "{err}");
    let (code, _, err) = run("model", STALE, &["--model", "kv2"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown model"), "{err}");
    let (code, _, err) = run(
        "unfit",
        STALE.replace("GET", "INCR").as_str(),
        &["--model", "register"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("ops[2]"), "{err}");
}

#[test]
fn several_files_get_a_line_each_and_the_worst_exit_status() {
    let dir = std::env::temp_dir().join(format!("redsim-check-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ok = r#"{"format":"redsim-history/1","ops":[
{"client":1,"call":0,"return":1,"status":"ok","op":["SET","x","1"],"result":{"ok":"OK"}}]}"#;
    let (ok_path, stale_path) = (dir.join("ok.json"), dir.join("stale.json"));
    std::fs::write(&ok_path, ok).unwrap();
    std::fs::write(&stale_path, STALE).unwrap();
    let missing = dir.join("missing.json");
    let check = |files: &[&std::path::Path]| {
        let out = Command::new(env!("CARGO_BIN_EXE_redsim"))
            .arg("check")
            .args(files)
            .args(["--model", "engine"])
            .output()
            .expect("redsim runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = check(&[&ok_path, &stale_path]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].ends_with("ok.json: linearizable"), "{out}");
    assert!(lines[1].ends_with("stale.json: not linearizable"), "{out}");
    let (code, out) = check(&[&missing, &stale_path, &ok_path]);
    assert_eq!(code, 2, "{out}");
    assert!(out
        .lines()
        .next()
        .unwrap()
        .ends_with("missing.json: unusable"));
    let _ = std::fs::remove_dir_all(&dir);
}
