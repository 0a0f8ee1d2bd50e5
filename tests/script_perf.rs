//! CPU cost of EVALSHA in-process, measured as this thread's CPU time (Linux schedstat),
//! so that a loaded machine does not inflate it. Run in release:
//! `cargo test --release --test script_perf -- --ignored --nocapture`.

use redsim::{Engine, ManualHost, Reply};

/// This thread's CPU time in nanoseconds.
fn cpu_ns() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn measure(engine: &mut Engine, client: redsim::ClientId, argv: &[Vec<u8>], calls: u32) -> f64 {
    for _ in 0..calls / 10 {
        engine.execute(client, argv);
    }
    let start = cpu_ns();
    for _ in 0..calls {
        std::hint::black_box(engine.execute(client, argv));
    }
    (cpu_ns() - start) as f64 / calls as f64 / 1000.0
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

#[test]
#[ignore]
fn evalsha_cpu_cost_per_call() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    let mut sha = |body: &str| match e.call(c, &["SCRIPT", "LOAD", body]) {
        Reply::Bulk(s) => String::from_utf8(s).unwrap(),
        other => panic!("{other:?}"),
    };
    let seed = sha(include_str!("../corpus/lua/counter_and_log.lua"));
    let strings = sha(
        "redis.call('INCR', KEYS[1]) redis.call('SET', KEYS[2], ARGV[1]) \
        local counter = redis.call('GET', KEYS[1]) local count = redis.call('STRLEN', KEYS[2]) \
        return {counter, count}",
    );
    let one = sha("return 1");
    let cases = [
        ("GET", argv(&["GET", "counter_key"])),
        ("EVALSHA return 1", argv(&["EVALSHA", &one, "0"])),
        (
            "EVALSHA four string calls",
            argv(&["EVALSHA", &strings, "2", "counter_key", "s", "1678886400"]),
        ),
        (
            "EVALSHA seed script",
            argv(&[
                "EVALSHA",
                &seed,
                "2",
                "counter_key",
                "timestamp_set_key",
                "1678886400",
            ]),
        ),
    ];
    for (name, call) in &cases {
        if name.contains("seed") && redsim::cmd::lookup(b"zadd").is_none() {
            println!("{name}: skipped (no ZADD in the engine yet)");
            continue;
        }
        println!(
            "{name}: {:.3} µs CPU per call",
            measure(&mut e, c, call, 200_000)
        );
    }
}
