//! The seed's scenario itself: clients running corpus/lua/counter_and_log.lua (INCR
//! counter, ZADD ts_set ts ts, GET counter, ZCARD ts_set), each with its own timestamp.
//! Run command by command (raw), some seeds give a client a (counter, zcard) pair that no
//! atomic order produces; run as EVAL, no seed does. Exhaustively, 2 clients × 4
//! commands have 70 interleavings, and the anomalous ones are found.

use redsim::Reply;
use redsim_sim::check::{check, ModelChoice, Options as CheckOptions, Verdict};
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::{as_int, Scenario, ScriptRun};
use redsim_sim::scheduler::{Exhaustive, Replay};
use std::collections::BTreeSet;
use std::path::Path;

fn seed_scenario() -> Scenario {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/scenarios/counter_and_log_raw.toml");
    load(&path).unwrap()
}

fn quick() -> CheckOptions {
    CheckOptions {
        counterexample: false,
        ..CheckOptions::default()
    }
}

/// (counter, zcard) per client.
fn pairs(world: &redsim_sim::world::World) -> Vec<(i64, i64)> {
    world
        .history
        .ops
        .iter()
        .map(|op| match &op.result {
            Some(Reply::Array(items)) => (as_int(&items[0]).unwrap(), as_int(&items[1]).unwrap()),
            other => panic!("unexpected result {other:?}"),
        })
        .collect()
}

#[test]
fn the_script_replies_as_on_a_real_server() {
    // redis-cli --eval counter_and_log.lua counter_key timestamp_set_key , 1678886400
    // answers 1) "1" 2) (integer) 1 on a fresh server: GET a bulk, ZCARD an integer.
    for run in [ScriptRun::Raw, ScriptRun::Eval, ScriptRun::EvalSha] {
        let mut scenario = seed_scenario().run_as(run);
        scenario.groups[0].count = 1;
        let mut world = scenario.world(0);
        world.run_seed(0);
        assert_eq!(
            world.history.ops[0].result,
            Some(Reply::Array(vec![Reply::bulk("1"), Reply::Integer(1)])),
            "{run:?}"
        );
    }
}

#[test]
fn raw_sequence_gives_pairs_no_atomic_order_produces() {
    let scenario = seed_scenario();
    let mut world = scenario.world(0);
    let serial: Vec<Vec<(i64, i64)>> = (0..2)
        .map(|first| {
            world.reset(0);
            world.run(&mut Replay::new(vec![first]));
            pairs(&world)
        })
        .collect();
    let (mut mismatched, mut not_serial, mut refuted) = (0, 0, 0);
    for seed in 0..200 {
        world.run_seed(seed);
        let observed = pairs(&world);
        let invariant_broken = scenario.check(&world).is_err();
        let verdict = check(&world.history, ModelChoice::Engine, &quick())
            .unwrap()
            .verdict;
        // The checker and the brute-force serial replay agree.
        assert_eq!(
            verdict == Verdict::NotLinearizable,
            !serial.contains(&observed),
            "seed {seed}: {observed:?}"
        );
        if invariant_broken {
            assert!(!serial.contains(&observed));
            mismatched += 1;
        }
        not_serial += !serial.contains(&observed) as u32;
        refuted += (verdict == Verdict::NotLinearizable) as u32;
    }
    assert!(mismatched > 0, "no seed gave a client counter != zcard");
    assert!(not_serial > 0 && refuted == not_serial);
    assert!(not_serial < 200);
}

#[test]
fn eval_gives_no_seed_an_anomaly() {
    let scenario = seed_scenario().run_as(ScriptRun::Eval);
    let mut world = scenario.world(0);
    for seed in 0..200 {
        world.run_seed(seed);
        assert!(scenario.check(&world).is_ok(), "seed {seed}");
        assert_eq!(
            check(&world.history, ModelChoice::Engine, &quick())
                .unwrap()
                .verdict,
            Verdict::Linearizable
        );
    }
}

#[test]
fn exhaustive_visits_all_seventy_interleavings_and_finds_the_anomalous_ones() {
    let scenario = seed_scenario().trace(false);
    for reduce in [false, true] {
        let mut world = scenario.world(0);
        let mut scheduler = Exhaustive::new(reduce);
        let mut outcomes = BTreeSet::new();
        let (mut anomalous, mut runs) = (0, 0);
        world.explore(&mut scheduler, |world, report| {
            if report.abandoned {
                return;
            }
            runs += 1;
            outcomes.insert(pairs(world));
            if check(&world.history, ModelChoice::Engine, &quick())
                .unwrap()
                .verdict
                == Verdict::NotLinearizable
            {
                anomalous += 1;
            }
        });
        if reduce {
            assert!(runs < 70, "reduction explored {runs}");
        } else {
            assert_eq!(runs, 70);
        }
        assert!(anomalous > 0);
        // Both explorations see the same set of outcomes (checked against each other below).
        let serial_a = vec![(1, 1), (2, 2)];
        let serial_b = vec![(2, 2), (1, 1)];
        assert!(outcomes.contains(&serial_a) && outcomes.contains(&serial_b));
        assert!(outcomes.len() > 2);
        eprintln!(
            "reduce={reduce}: {runs} runs, {anomalous} anomalous, {} outcomes, {:?}",
            outcomes.len(),
            scheduler.stats
        );
    }
}
