//! LATENCY against a real redis-server 7.0.15 (DEBUG enabled on both): a DEBUG SLEEP of
//! 10.5 ms crosses a 1 ms `latency-monitor-threshold` on both servers and becomes a
//! `command` event; LATEST, HISTORY, GRAPH and DOCTOR then say the same. Redis's latency
//! is real time (10 ms, or more on a loaded machine) and its clock is not the engine's, so
//! every number is blanked before comparing; the engine's own numbers are checked exactly
//! in `a_slow_command_becomes_a_latency_sample_on_the_engine`. HISTOGRAM's latencies are
//! real time on Redis, so only its calls are compared.

mod support;

use support::pair::Pair;
use support::{escape, redis_server_available};

const LINES: &[&str] = &[
    "LATENCY DOCTOR",
    "LATENCY LATEST",
    "LATENCY HISTORY command",
    "LATENCY GRAPH command",
    "LATENCY RESET",
    "LATENCY HELP",
    "LATENCY FOO",
    "LATENCY HISTORY",
    "CONFIG SET latency-monitor-threshold 1",
    "LATENCY DOCTOR",
    "DEBUG SLEEP 0.0105",
    "EVAL \"return #redis.call('PING')\" 0",
    "LATENCY DOCTOR",
    "CONFIG SET slowlog-log-slower-than -1",
    "LATENCY DOCTOR",
    "CONFIG SET slowlog-log-slower-than 10000",
    "LATENCY RESET fast-command nosuch",
    "LATENCY RESET COMMAND",
    "LATENCY LATEST",
    "LATENCY HISTOGRAM nosuchcommand",
    "EVAL \"return redis.call('LATENCY', 'LATEST')\" 0",
];

#[test]
fn latency_matches_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED latency_matches_redis: redis-server not found");
        return;
    }
    let mut pair = Pair::start(true);
    let mut failures = Vec::new();
    for line in LINES {
        let (real, ours) = pair.call(&argv(line));
        if numbers_blanked(&real) != numbers_blanked(&ours) {
            failures.push(format!(
                "{line}\n  redis:  {}\n  redsim: {}",
                escape(&real),
                escape(&ours)
            ));
        }
    }
    // One event, read in the same second on both servers.
    pair.call(&argv("CONFIG SET latency-monitor-threshold 1"));
    pair.call(&argv("DEBUG SLEEP 0.0105"));
    for line in ["LATENCY HISTORY command", "LATENCY GRAPH command"] {
        let (real, ours) = pair.call(&argv(line));
        if numbers_blanked(&real) != numbers_blanked(&ours) {
            failures.push(format!(
                "{line}\n  redis:  {}\n  redsim: {}",
                escape(&real),
                escape(&ours)
            ));
        }
    }
    let (real, ours) = pair.call(&argv("LATENCY HISTOGRAM config"));
    let calls = |reply: &[u8]| {
        let text = String::from_utf8_lossy(reply).into_owned();
        text.split("histogram_usec")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    if calls(&real) != calls(&ours) {
        failures.push(format!(
            "HISTOGRAM\n  redis:  {}\n  redsim: {}",
            escape(&real),
            escape(&ours)
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn argv(line: &str) -> Vec<Vec<u8>> {
    redsim::resp::parse::split_args(line.as_bytes()).expect("balanced quotes")
}

/// The reply with every run of digits replaced by `#`.
fn numbers_blanked(reply: &[u8]) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in String::from_utf8_lossy(reply).chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// The reply with Unix times (10-digit integers) blanked.
fn strip_times(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply);
    let mut out = String::new();
    for part in text.split("\r\n") {
        if part.len() == 11 && part.starts_with(':') {
            out.push_str(":TIME");
        } else {
            out.push_str(part);
        }
        out.push('|');
    }
    out
}

#[test]
fn a_slow_command_becomes_a_latency_sample_on_the_engine() {
    let mut engine = redsim::Engine::new(redsim::ManualHost::default());
    engine
        .store
        .config
        .set_startup("enable-debug-command", "yes");
    let client = engine.connect();
    let mut run = |line: &str| engine.execute_encoded(client, &argv(line));
    run("CONFIG SET latency-monitor-threshold 1");
    run("DEBUG SLEEP 0.0105");
    assert_eq!(
        strip_times(&run("LATENCY HISTORY command")),
        "*1|*2|:TIME|:10||"
    );
    let graph = String::from_utf8_lossy(&run("LATENCY GRAPH command")).into_owned();
    assert!(
        graph.contains("command - high 10 ms, low 10 ms (all time high 10 ms)"),
        "{graph}"
    );
}
