//! In-process cost of scripts through `Engine::execute`: EVALSHA of the seed's script
//! (corpus/lua/counter_and_log.lua), to set beside Redis's server-side cost per call
//! (INFO commandstats: about 3.95 µs on our machines). Target: ≤ 2.0 µs per call.

use criterion::{criterion_group, criterion_main, Criterion};
use redsim::{Engine, ManualHost, Reply};
use std::hint::black_box;

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn load(engine: &mut Engine, client: redsim::ClientId, body: &str) -> String {
    match engine.call(client, &["SCRIPT", "LOAD", body]) {
        Reply::Bulk(sha) => String::from_utf8(sha).expect("hex"),
        other => panic!("SCRIPT LOAD failed: {other:?}"),
    }
}

fn scripts(c: &mut Criterion) {
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    let seed = include_str!("../corpus/lua/counter_and_log.lua");
    let sha = load(&mut engine, client, seed);
    let call = argv(&[
        "EVALSHA",
        &sha,
        "2",
        "counter_key",
        "timestamp_set_key",
        "1678886400",
    ]);
    if redsim::cmd::lookup(b"zadd").is_some() {
        c.bench_function("EVALSHA seed script", |b| {
            b.iter(|| black_box(engine.execute(client, &call)))
        });
    } else {
        eprintln!("ZADD not in the engine yet: the seed script bench is skipped");
    }
    // The same shape with string commands only: four redis.call, a two-element reply.
    let strings = load(
        &mut engine,
        client,
        "redis.call('INCR', KEYS[1]) redis.call('SET', KEYS[2], ARGV[1]) \
         local counter = redis.call('GET', KEYS[1]) local count = redis.call('STRLEN', KEYS[2]) \
         return {counter, count}",
    );
    let call = argv(&["EVALSHA", &strings, "2", "counter_key", "s", "1678886400"]);
    c.bench_function("EVALSHA four string calls", |b| {
        b.iter(|| black_box(engine.execute(client, &call)))
    });
    let ret = load(&mut engine, client, "return 1");
    let call = argv(&["EVALSHA", &ret, "0"]);
    c.bench_function("EVALSHA return 1", |b| {
        b.iter(|| black_box(engine.execute(client, &call)))
    });
}

criterion_group!(benches, scripts);
criterion_main!(benches);
