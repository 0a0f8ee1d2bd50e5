//! Regression benchmark on Porcupine's published histories (`cargo bench -p redsim-sim
//! --bench porcupine`), converted by bench/porcupine/convert.py: the 102 etcd register
//! logs (reads, writes, compare-and-set as EVAL of the CAS script, timed-out ops unknown)
//! with the engine model and with the register model, verdict only as Porcupine gives;
//! and the kv logs of 10 clients. Every verdict is asserted against Porcupine's.
//! Porcupine's own times on the same data and machine: bench/porcupine/porcupine_times.sh
//! (docs/BENCHMARKS.md has both side by side).

#[path = "../tests/porcupine_support/mod.rs"]
mod porcupine_support;

use criterion::{criterion_group, criterion_main, Criterion};
use porcupine_support::{fixtures, Fixture};
use redsim_sim::check::{check_with, models, Options, SequentialSpec};
use std::hint::black_box;
use std::time::Duration;

fn check_all<M: SequentialSpec>(model: &mut M, all: &[Fixture]) {
    let options = Options {
        counterexample: false,
        ..Options::default()
    };
    for f in all {
        let outcome = check_with(&f.history, model, &options).expect("checkable");
        assert_eq!(outcome.verdict, f.expected, "{}", f.name);
        black_box(outcome);
    }
}

fn benches(c: &mut Criterion) {
    let etcd = fixtures(|name| name.starts_with("etcd_"));
    let kv10 = fixtures(|name| name.starts_with("c10-"));
    let mut g = c.benchmark_group("porcupine");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_millis(500));
    g.bench_function("etcd_102/engine", |b| {
        b.iter(|| check_all(&mut models::EngineModel::new(), &etcd))
    });
    g.bench_function("etcd_102/register", |b| {
        b.iter(|| check_all(&mut models::RegisterModel, &etcd))
    });
    g.bench_function("kv_c10/engine", |b| {
        b.iter(|| check_all(&mut models::EngineModel::new(), &kv10))
    });
    g.finish();
}

criterion_group!(porcupine, benches);
criterion_main!(porcupine);
