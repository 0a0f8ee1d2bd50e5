//! Simulator throughput: simple commands per second (scheduling and history included,
//! trace off), seeds per second of the seed's scenario including the invariant check, and
//! the exhaustive exploration of 3 clients × 4 commands with partial-order reduction.
//!
//! `cargo bench -p redsim-sim --bench sim`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use redsim_sim::check::models::EngineModel;
use redsim_sim::check::{check_with, Options as CheckOptions};
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::scenario::{Program, Scenario, ScriptRun};
use redsim_sim::scheduler::Exhaustive;
use std::hint::black_box;

fn simple_commands(c: &mut Criterion) {
    let mut group = c.benchmark_group("simple_commands");
    // Many short runs (as a seed sweep does) and one long run (history of 40k ops).
    for (clients, ops) in [(4u32, 50u32), (4, 10_000)] {
        let program = Program::commands(
            &[&["INCR", "n"], &["GET", "n"], &["SET", "k:{client}", "v"]],
            CommandsMode::Each,
        );
        let scenario = Scenario::new("simple")
            .clients(clients, ops, program)
            .trace(false);
        let mut world = scenario.world(0);
        group.throughput(Throughput::Elements(clients as u64 * ops as u64));
        let mut seed = 0;
        group.bench_function(format!("{clients}_clients_x_{ops}"), |b| {
            b.iter(|| {
                seed += 1;
                black_box(world.run_seed(seed));
            })
        });
    }
    group.finish();
}

/// The engine alone on the same commands: the floor under the simulator's figure.
fn engine_only(c: &mut Criterion) {
    let mut engine = redsim::Engine::new(redsim::ManualHost::default());
    let client = engine.connect();
    let argvs: Vec<Vec<Vec<u8>>> = [&["INCR", "n"][..], &["GET", "n"], &["SET", "k:0", "v"]]
        .iter()
        .map(|a| a.iter().map(|s| s.as_bytes().to_vec()).collect())
        .collect();
    let mut group = c.benchmark_group("engine_only");
    group.throughput(Throughput::Elements(30_000));
    group.bench_function("30000_commands", |b| {
        b.iter(|| {
            for _ in 0..10_000 {
                for argv in &argvs {
                    black_box(engine.execute(client, argv));
                }
            }
        })
    });
    group.finish();
}

fn seed_scenario(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios/counter_and_log_raw.toml");
    let base = redsim_sim::scenario::toml::load(&path)
        .expect("the seed scenario loads")
        .trace(false);
    let quick = CheckOptions {
        counterexample: false,
        ..CheckOptions::default()
    };
    let mut group = c.benchmark_group("seed_scenario");
    group.throughput(Throughput::Elements(1));
    for (name, run) in [("raw", ScriptRun::Raw), ("eval", ScriptRun::Eval)] {
        let scenario = base.clone().run_as(run);
        let mut world = scenario.world(0);
        let mut seed = 0;
        // The scenario's invariant (counter == zcard) as the check.
        group.bench_function(format!("{name}+invariant"), |b| {
            b.iter(|| {
                seed += 1;
                world.run_seed(seed);
                black_box(scenario.check(&world).is_ok())
            })
        });
        // The linearizability checker with the engine as the model (one model reused).
        let mut model = EngineModel::new();
        group.bench_function(format!("{name}+linearizability"), |b| {
            b.iter(|| {
                seed += 1;
                world.run_seed(seed);
                black_box(check_with(&world.history, &mut model, &quick).map(|o| o.verdict))
            })
        });
    }
    group.finish();
}

fn exhaustive(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios/counter_and_log_raw.toml");
    let mut scenario = redsim_sim::scenario::toml::load(&path)
        .expect("the seed scenario loads")
        .trace(false);
    scenario.groups[0].count = 3;
    let mut world = scenario.world(0);
    let mut group = c.benchmark_group("exhaustive");
    group.sample_size(10);
    for (name, reduce) in [("3x4_por", true), ("3x4_naive", false)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut scheduler = Exhaustive::new(reduce);
                world.explore(&mut scheduler, |_, _| {});
                black_box(scheduler.stats)
            })
        });
        let mut scheduler = Exhaustive::new(reduce);
        world.explore(&mut scheduler, |_, _| {});
        eprintln!("exhaustive {name}: {:?}", scheduler.stats);
    }
    group.finish();
}

criterion_group!(
    benches,
    engine_only,
    simple_commands,
    seed_scenario,
    exhaustive
);
criterion_main!(benches);
