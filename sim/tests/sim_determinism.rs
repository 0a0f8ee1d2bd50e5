//! Determinism across processes: `redsim trace` run twice with one seed prints the same
//! bytes; another seed prints another interleaving.

use std::process::Command;

fn trace(seed: u64, scenario: &str) -> Vec<u8> {
    let path = format!(
        "{}/../corpus/scenarios/{scenario}",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(["trace", "--seed", &seed.to_string(), &path])
        .output()
        .expect("redsim runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn schedule_line(trace: &[u8]) -> String {
    let text = String::from_utf8_lossy(trace);
    text.lines()
        .find(|l| l.starts_with("schedule:"))
        .expect("a schedule line")
        .to_string()
}

#[test]
fn two_processes_with_one_seed_print_identical_traces() {
    for seed in [0, 7, 123456789] {
        let a = trace(seed, "counter_and_count_raw.toml");
        let b = trace(seed, "counter_and_count_raw.toml");
        assert!(a.len() > 200);
        assert_eq!(a, b, "seed {seed} differs between processes");
    }
}

#[test]
fn a_different_seed_gives_a_different_interleaving() {
    let base = schedule_line(&trace(0, "counter_and_count_raw.toml"));
    let differs =
        (1..10).any(|seed| schedule_line(&trace(seed, "counter_and_count_raw.toml")) != base);
    assert!(differs, "ten seeds, one schedule");
}

#[test]
fn the_printed_schedule_replays_the_run() {
    let path = format!(
        "{}/../corpus/scenarios/counter_and_count_raw.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let original = trace(5, "counter_and_count_raw.toml");
    let schedule = schedule_line(&original)
        .trim_start_matches("schedule: ")
        .to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_redsim"))
        .args(["trace", "--seed", "5", "--schedule", &schedule, &path])
        .output()
        .unwrap();
    let strip_options = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip_options(&out.stdout), strip_options(&original));
}
