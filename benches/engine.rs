//! In-process cost of single commands through `Engine::execute`, to set beside Redis's own
//! server-side cost per call (`INFO commandstats` usec_per_call; see bench/compare.sh).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use redsim::{Engine, ManualHost};
use std::hint::black_box;

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn commands(c: &mut Criterion) {
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    engine.call(client, &["SET", "k", "hello"]);
    engine.call(client, &["ZADD", "z", "1", "a"]);

    let get = argv(&["GET", "k"]);
    c.bench_function("GET", |b| {
        b.iter(|| black_box(engine.execute(client, &get)))
    });
    let set = argv(&["SET", "k", "hello"]);
    c.bench_function("SET", |b| {
        b.iter(|| black_box(engine.execute(client, &set)))
    });
    let incr = argv(&["INCR", "n"]);
    c.bench_function("INCR", |b| {
        b.iter(|| black_box(engine.execute(client, &incr)))
    });
    let zcard = argv(&["ZCARD", "z"]);
    c.bench_function("ZCARD", |b| {
        b.iter(|| black_box(engine.execute(client, &zcard)))
    });
    // ZADD over 1,000 members with changing scores: a set of realistic size (redis-benchmark's
    // own `zadd` test rescores one member), not one that grows for the whole benchmark.
    let mut n = 0u64;
    c.bench_function("ZADD", |b| {
        b.iter_batched(
            || {
                n += 1;
                argv(&[
                    "ZADD",
                    "zs",
                    &n.to_string(),
                    &format!("member:{}", n % 1000),
                ])
            },
            |cmd| black_box(engine.execute(client, &cmd)),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, commands);
criterion_main!(benches);
