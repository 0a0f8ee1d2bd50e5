//! Checker speed on the workloads (`cargo bench -p redsim-sim --bench checker`):
//!
//! - `register_100`: 100 single-register histories of ~80 ops from 10–23 clients with
//!   unknown writes and compare-and-sets, all checked (target ≤ 0.2 s in total);
//! - `kv_linearizable`: ~1,700 get/put/append ops, 50 clients, 10 keys (target ≤ 60 ms);
//! - `kv_violation`: ~2,000 ops with a stale read and a key that alone takes minutes
//!   (target ≤ 10 ms, verdict only);
//! - the engine model on the same histories (target within 3× of the hand models);
//! - `checker_scale/seed_100k`: 100,000 ops of the seed's workload, 100 clients, 1,000
//!   key pairs, half EVAL (target ≤ 2 s).

use criterion::{criterion_group, criterion_main, Criterion};
use redsim_sim::check::{check_with, gen, models, Options, SequentialSpec, Verdict};
use redsim_sim::history::History;
use std::hint::black_box;
use std::time::Duration;

fn verdict_only() -> Options {
    Options {
        counterexample: false,
        ..Options::default()
    }
}

fn check_all<M: SequentialSpec>(model: &mut M, histories: &[History], expected: Verdict) {
    for h in histories {
        let outcome = check_with(h, model, &verdict_only()).expect("checkable");
        assert_eq!(outcome.verdict, expected);
        black_box(outcome);
    }
}

fn benches(c: &mut Criterion) {
    let registers: Vec<History> = (0..100)
        .map(|s| gen::register_history(&mut models::RegisterModel, s))
        .collect();
    let kv = gen::kv_history(&mut models::KvModel, 7);
    let kv_bad = gen::kv_violation_history(&mut models::KvModel, 7);
    let counters: Vec<History> = (0..20)
        .map(|s| gen::counter_history(&mut models::CounterModel, s))
        .collect();

    let mut g = c.benchmark_group("checker");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    g.bench_function("register_100/register", |b| {
        b.iter(|| {
            check_all(
                &mut models::RegisterModel,
                &registers,
                Verdict::Linearizable,
            )
        })
    });
    g.bench_function("kv_linearizable/kv", |b| {
        b.iter(|| {
            check_all(
                &mut models::KvModel,
                std::slice::from_ref(&kv),
                Verdict::Linearizable,
            )
        })
    });
    g.bench_function("kv_violation/kv", |b| {
        b.iter(|| {
            check_all(
                &mut models::KvModel,
                std::slice::from_ref(&kv_bad),
                Verdict::NotLinearizable,
            )
        })
    });
    g.bench_function("counter_20/counter", |b| {
        b.iter(|| check_all(&mut models::CounterModel, &counters, Verdict::Linearizable))
    });
    g.bench_function("counter_20/engine", |b| {
        b.iter(|| {
            check_all(
                &mut models::EngineModel::new(),
                &counters,
                Verdict::Linearizable,
            )
        })
    });
    if models::EngineModel::has_eval() {
        g.bench_function("register_100/engine", |b| {
            b.iter(|| {
                check_all(
                    &mut models::EngineModel::new(),
                    &registers,
                    Verdict::Linearizable,
                )
            })
        });
    }
    if redsim::cmd::lookup(b"append").is_some() {
        g.bench_function("kv_linearizable/engine", |b| {
            b.iter(|| {
                check_all(
                    &mut models::EngineModel::new(),
                    std::slice::from_ref(&kv),
                    Verdict::Linearizable,
                )
            })
        });
        g.bench_function("kv_violation/engine", |b| {
            b.iter(|| {
                check_all(
                    &mut models::EngineModel::new(),
                    std::slice::from_ref(&kv_bad),
                    Verdict::NotLinearizable,
                )
            })
        });
    }
    g.finish();

    // Issue #19's scale target: 100,000 ops from 100 clients over 1,000 (counter, log)
    // pairs, half of them EVAL of the seed's script (≤ 2 s, ≤ 1 GB as `redsim check`).
    let seed_100k = gen::execute_on_engine(&gen::seed_script_plan(1, 100_000, 100, 1_000, 0.0));
    let mut g = c.benchmark_group("checker_scale");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_millis(100));
    g.bench_function("seed_100k/engine", |b| {
        b.iter(|| {
            check_all(
                &mut models::EngineModel::new(),
                std::slice::from_ref(&seed_100k),
                Verdict::Linearizable,
            )
        })
    });
    g.finish();
}

criterion_group!(checker, benches);
criterion_main!(checker);
