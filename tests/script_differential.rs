//! Live differential test: every case of `corpus/lua/cases/*.jsonl` (one JSON array of
//! arguments a line) is sent to a real redis-server 7.0 and to the engine, and the reply
//! bytes must be equal. It starts its own redis-server on a free loopback port when one is
//! installed (CI has one), so it runs on every `cargo test`; otherwise it says SKIPPED and
//! passes.

mod support;

use redsim::{Engine, ManualHost};
use support::{redis_server_available, RedisServer};

fn cases() -> Vec<(String, Vec<Vec<u8>>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/lua/cases");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        if file.extension().and_then(|e| e.to_str()) != Some("jsonl") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with("//") {
                continue;
            }
            let args: Vec<String> = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", file.display(), n + 1));
            let name = format!("{}:{}", file.file_name().unwrap().to_string_lossy(), n + 1);
            out.push((name, args.into_iter().map(String::into_bytes).collect()));
        }
    }
    out
}

#[test]
fn scripts_answer_like_a_real_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED: redis-server is not on PATH; the script differential test did not run");
        return;
    }
    let redis = RedisServer::start();
    let mut conn = redis.connect();
    let argv =
        |words: &[&str]| -> Vec<Vec<u8>> { words.iter().map(|w| w.as_bytes().to_vec()).collect() };
    for reset in [
        &["FLUSHALL"][..],
        &["SCRIPT", "FLUSH"],
        &["FUNCTION", "FLUSH"],
    ] {
        conn.call(&argv(reset));
    }
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    let mut failures = Vec::new();
    let all = cases();
    for (name, argv) in &all {
        let expected = conn.call(argv);
        let got = engine.execute_encoded(client, argv);
        // Commands of other families land separately; a case that needs one the engine
        // lacks yet is reported, not failed.
        if got != expected
            && String::from_utf8_lossy(&got).contains("Unknown Redis command called from script")
        {
            eprintln!("{name}: skipped, the engine lacks a command it uses");
            continue;
        }
        if got != expected {
            failures.push(format!(
                "{name} {:?}\n  redis:  {:?}\n  redsim: {:?}",
                argv.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>(),
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
