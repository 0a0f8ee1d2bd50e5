//! A sharded world: its nodes form a Redis Cluster (slots split as `redis-cli --cluster
//! create` does), cluster clients send each command to its slot's node and follow
//! MOVED and ASK, and a slot resharded at scheduled steps (IMPORTING/MIGRATING, MIGRATE,
//! SETSLOT … NODE) moves its keys while the clients run.

use redsim::{key_hash_slot, slot_ranges, Reply};
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::scenario::{Program, Scenario};
use redsim_sim::trace::TraceEvent;
use redsim_sim::world::{Reshard, World};

fn node_of_slot(slot: u16, shards: usize) -> usize {
    slot_ranges(shards)
        .iter()
        .position(|&(s, e)| (s..=e).contains(&slot))
        .expect("every slot is assigned")
}

/// The value of string `key` in node `node`'s keyspace (read directly: a command would
/// be redirected).
fn get(world: &mut World, node: usize, key: &str) -> Reply {
    match world.nodes[node].engine.store.dbs[0].stored(key.as_bytes()) {
        Some(redsim::db::Value::Str(s)) => Reply::Bulk(s.clone()),
        Some(other) => panic!("{key}: {other:?}"),
        None => Reply::Null,
    }
}

fn incr_world(keys: &[&str], clients: u32, ops: u32) -> World {
    let commands: Vec<Vec<&str>> = keys.iter().map(|k| vec!["INCR", *k]).collect();
    let commands: Vec<&[&str]> = commands.iter().map(Vec::as_slice).collect();
    Scenario::new("shards")
        .clients(
            clients,
            ops,
            Program::commands(&commands, CommandsMode::Each),
        )
        .world(1)
}

/// Redirection replies the clients got (and followed) in the run.
fn redirections(world: &World) -> Vec<String> {
    world
        .trace
        .events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Command {
                client: Some(_),
                reply: Reply::Error(text),
                ..
            } if text.starts_with(b"MOVED") || text.starts_with(b"ASK") => {
                Some(String::from_utf8_lossy(text).into_owned())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_slots_are_split_as_redis_cli_splits_them() {
    assert_eq!(
        slot_ranges(3),
        vec![(0, 5460), (5461, 10922), (10923, 16383)]
    );
    assert_eq!(slot_ranges(1), vec![(0, 16383)]);
    assert_eq!(slot_ranges(2), vec![(0, 8191), (8192, 16383)]);
}

#[test]
fn each_key_lives_on_the_node_of_its_slot_and_the_history_names_it() {
    // b: slot 3300 (node 0), c: 7365 (node 1), a: 15495 (node 2).
    let mut world = incr_world(&["a", "b", "c"], 2, 3);
    world.shard(3);
    world.run_seed(1);
    for key in ["a", "b", "c"] {
        let home = node_of_slot(key_hash_slot(key.as_bytes()), 3);
        for node in 0..3 {
            let expected = if node == home {
                Reply::bulk("2")
            } else {
                Reply::Null
            };
            assert_eq!(get(&mut world, node, key), expected, "{key} on node {node}");
        }
    }
    // Each op is one INCR of one key, served by that key's node, without a redirection.
    for op in &world.history.ops {
        let redsim_sim::history::Operation::Command(argv) = &op.op else {
            panic!("a command op: {op:?}");
        };
        let home = node_of_slot(key_hash_slot(&argv[1]), 3);
        assert_eq!(op.node as usize, home, "{op:?}");
        assert!(matches!(op.result, Some(Reply::Integer(_))), "{op:?}");
    }
    assert!(redirections(&world).is_empty());
}

#[test]
fn clients_follow_ask_and_moved_while_a_slot_moves() {
    // {b}… hash to slot 3300, on node 0 of 3; it moves to node 1 during the run.
    let mut world = incr_world(&["{b}1", "{b}2"], 3, 6);
    world.shard(3);
    world.add_reshard(Reshard {
        slot: 3300,
        from: 0,
        to: 1,
        open_step: 4,
        migrate_step: 10,
        batch: 10,
        close_step: 16,
    });
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..20 {
        world.run_seed(seed);
        // Every INCR took effect once, wherever it ran: the keys end on node 1 with the
        // full count, and node 0 holds none.
        let total: i64 = ["{b}1", "{b}2"]
            .iter()
            .map(|k| match get(&mut world, 1, k) {
                Reply::Bulk(v) => String::from_utf8_lossy(&v).parse::<i64>().unwrap(),
                other => panic!("seed {seed}: {k} on node 1: {other:?}"),
            })
            .sum();
        assert_eq!(total, 3 * 6, "seed {seed}");
        assert_eq!(get(&mut world, 0, "{b}1"), Reply::Null, "seed {seed}");
        for op in &world.history.ops {
            assert!(
                matches!(op.result, Some(Reply::Integer(_))),
                "seed {seed}: {op:?}"
            );
        }
        for r in redirections(&world) {
            seen.insert(r.split(' ').next().unwrap_or_default().to_string());
        }
    }
    // Over the seeds the clients met both kinds of redirection.
    assert!(seen.contains("ASK"), "{seen:?}");
    assert!(seen.contains("MOVED"), "{seen:?}");
}

#[test]
fn a_world_that_is_not_sharded_is_unchanged() {
    let mut a = incr_world(&["a"], 2, 2);
    a.run_seed(3);
    assert_eq!(a.shards(), 0);
    assert_eq!(get(&mut a, 0, "a"), Reply::bulk("4"));
}

fn scenario(name: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios")
        .join(format!("{name}.toml"));
    redsim_sim::scenario::toml::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs seeds 0..seeds of `name`; for each, the error replies its operations got and
/// whether the checker found the history linearizable.
fn sweep(name: &str, seeds: u64) -> Vec<(Vec<String>, bool)> {
    let scenario = scenario(name);
    let mut world = scenario.world(0);
    (0..seeds)
        .map(|seed| {
            world.run_seed(seed);
            scenario
                .check(&world)
                .unwrap_or_else(|e| panic!("{name} seed {seed}: {e}"));
            let errors = world
                .history
                .ops
                .iter()
                .filter_map(|op| match &op.result {
                    Some(Reply::Error(text)) => Some(String::from_utf8_lossy(text).into_owned()),
                    _ => None,
                })
                .collect();
            let outcome = redsim_sim::check::check(
                &world.history,
                redsim_sim::check::ModelChoice::Auto,
                &redsim_sim::check::Options::default(),
            )
            .unwrap_or_else(|e| panic!("{name} seed {seed}: {e}"));
            let linearizable = outcome.verdict == redsim_sim::check::Verdict::Linearizable;
            (errors, linearizable)
        })
        .collect()
}

/// The first seed whose run got an error starting with `code`.
fn first_seed_with(runs: &[(Vec<String>, bool)], code: &str) -> Option<usize> {
    runs.iter()
        .position(|(errors, _)| errors.iter().any(|e| e.starts_with(code)))
}

#[test]
fn crossslot_script_is_refused_and_the_hash_tagged_one_runs() {
    let plain = sweep("crossslot-script", 20);
    // Every call of every seed: the two keys hash to slots 6680 and 6696.
    assert_eq!(first_seed_with(&plain, "CROSSSLOT"), Some(0));
    for (errors, linearizable) in &plain {
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors
            .iter()
            .all(|e| e.starts_with("CROSSSLOT Keys in request don't hash to the same slot")));
        assert!(linearizable);
    }
    let tagged = sweep("crossslot-script-hashtag", 20);
    for (errors, linearizable) in &tagged {
        assert!(errors.is_empty(), "{errors:?}");
        assert!(linearizable);
    }
    eprintln!("crossslot-script: CROSSSLOT from seed 0 (every call); with hash tags: no error in 20 seeds");
}

#[test]
fn moved_during_script_meets_tryagain_and_stays_linearizable() {
    let runs = sweep("moved-during-script", 30);
    let first = first_seed_with(&runs, "TRYAGAIN").expect("a TRYAGAIN within 30 seeds");
    let with_tryagain = runs
        .iter()
        .filter(|(errors, _)| errors.iter().any(|e| e.starts_with("TRYAGAIN")))
        .count();
    // The clients follow MOVED and ASK: no redirection reaches a program.
    for (errors, linearizable) in &runs {
        assert!(
            errors
                .iter()
                .all(|e| e.starts_with("TRYAGAIN Multiple keys request during rehashing of slot")),
            "{errors:?}"
        );
        // A call refused with TRYAGAIN did nothing; the rest fit one logical keyspace.
        assert!(linearizable);
    }
    eprintln!("moved-during-script: first TRYAGAIN at seed {first}; {with_tryagain} of 30 seeds");
}

#[test]
fn clients_that_retry_tryagain_lose_no_call() {
    let runs = sweep("moved-during-script-retry", 30);
    for (errors, linearizable) in &runs {
        assert!(errors.is_empty(), "{errors:?}");
        assert!(linearizable);
    }
    // The retries are in the trace: the same seed meets TRYAGAIN and sends again.
    let scenario = scenario("moved-during-script-retry");
    let mut world = scenario.world(0);
    world.run_seed(0);
    let retried = world.trace.events.iter().any(|e| {
        matches!(e, TraceEvent::Command { client: Some(_), reply: Reply::Error(t), .. } if t.starts_with(b"TRYAGAIN"))
    });
    assert!(retried);
    // Every call counted once: 3 clients × 4 calls end on the slot's new node.
    assert_eq!(get(&mut world, 2, "{c}counter"), Reply::bulk("12"));
}
