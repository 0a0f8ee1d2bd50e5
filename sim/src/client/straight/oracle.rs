//! The slow oracle for [`super::StraightClient`]: the same scenarios run with the Lua
//! client (`LuaClient`, the reference) and with the compiled script, seed by seed, give
//! byte-identical histories, traces and schedules. Scripts cover every reply kind a
//! compiled script meets (integers, bulks, nulls, arrays with nulls, statuses, errors
//! that `redis.call` raises, a reply of a rare kind) and the corpus scenarios that run a
//! script raw, faults (crashes, timeouts, restarts) included.

use super::compile;
use crate::client::lua::LuaClient;
use crate::client::Program as ClientProgram;
use crate::options::{Options, Strategy};
use crate::scenario::toml::load;
use crate::scenario::{Program, Scenario, ScriptRun};
use crate::world::World;
use std::path::Path;

/// `scenario`'s world with every raw script run by the Lua client.
fn lua_world(scenario: &Scenario, seed: u64) -> World {
    let clients = scenario.client_count();
    let mut programs: Vec<Box<dyn ClientProgram>> = Vec::new();
    let mut index = 0;
    for group in &scenario.groups {
        for _ in 0..group.count {
            programs.push(match &group.program {
                Program::Script {
                    spec,
                    run: ScriptRun::Raw,
                } => Box::new(LuaClient::new(spec.clone(), index, clients, group.ops).unwrap()),
                other => other.try_instantiate(index, clients, group.ops).unwrap(),
            });
            index += 1;
        }
    }
    World::new(
        Options {
            seed,
            ..scenario.options.clone()
        },
        programs,
    )
}

/// Whether some raw script of `scenario` compiles (else both worlds are the Lua client's).
fn compiles(scenario: &Scenario) -> bool {
    scenario.groups.iter().any(|g| {
        matches!(&g.program, Program::Script { spec, run: ScriptRun::Raw } if compile(spec).is_some())
    })
}

/// Runs `seeds` in both worlds (each reused from seed to seed, as sweeps do).
fn assert_same_runs(scenario: &Scenario, seeds: std::ops::Range<u64>) {
    let scenario = scenario.clone().trace(true);
    let mut compiled = scenario.world(seeds.start);
    let mut reference = lua_world(&scenario, seeds.start);
    for seed in seeds {
        let a = compiled.run_seed(seed);
        let b = reference.run_seed(seed);
        let name = &scenario.name;
        assert_eq!(a, b, "{name} seed {seed}: run reports");
        assert_eq!(compiled.history, reference.history, "{name} seed {seed}");
        assert_eq!(compiled.trace, reference.trace, "{name} seed {seed}");
        assert_eq!(compiled.schedule, reference.schedule, "{name} seed {seed}");
    }
}

const SCRIPTS: &[&str] = &[
    // Integers, bulks and a table of them.
    "local c = KEYS[1]\nredis.call('INCR', c)\nredis.call('ZADD', KEYS[2], ARGV[1], ARGV[1])\nlocal n = redis.call('GET', c)\nlocal z = redis.call('ZCARD', KEYS[2])\nreturn {n, z}",
    // A status, a null, an array holding a null, literals (numbers as %.17g).
    "local s = redis.call('SET', KEYS[1], ARGV[1]); local g = redis.call('GET', 'missing')\nlocal m = redis.call('MGET', KEYS[1], 'missing', KEYS[2])\nredis.call('EXPIRE', KEYS[1], 100, 'NX')\nreturn {s, g, m, 7.9, 'lit', KEYS[2]}",
    // Errors raised by redis.call: WRONGTYPE once the list exists, a bad argument.
    "redis.call('RPUSH', KEYS[2], ARGV[1])\nlocal v = redis.call('INCRBY', KEYS[1], 2.5)\nreturn v",
    "redis.call('RPUSH', KEYS[1], ARGV[1])\nreturn redis.call('LRANGE', KEYS[1], 0, -1)",
    "local x = redis.call('INCR', KEYS[1])\nredis.call('SET', KEYS[2], 'a')\nreturn redis.call('INCR', KEYS[2])",
    // Nothing returned; a number returned; an empty table.
    "redis.call('DEL', KEYS[1])",
    "redis.call('INCR', KEYS[1]) return 12345678901234567",
    "redis.call('PING') return {}",
    // A rare kind (a double from ZINCRBY in RESP2 is a bulk; HELLO's map is an array).
    "local p = redis.call('ZINCRBY', KEYS[2], 1.5, 'm')\nlocal t = redis.call('TYPE', KEYS[2])\nreturn {p, t, redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')}",
];

#[test]
fn compiled_scripts_make_the_lua_clients_histories() {
    for (i, source) in SCRIPTS.iter().enumerate() {
        let program = Program::script(source, &["k", "s"], &["{ts}"], ScriptRun::Raw);
        let Program::Script { spec, .. } = &program else {
            unreachable!()
        };
        assert!(compile(spec).is_some(), "script {i} is in the subset");
        let scenario = Scenario::new(&format!("script-{i}"))
            .clients(3, 2, program)
            .strategy(Strategy::Random);
        assert_same_runs(&scenario, 0..200);
    }
}

#[test]
fn corpus_scenarios_run_raw_give_the_lua_clients_histories() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut compared = 0;
    for path in paths {
        let scenario = load(&path).unwrap().run_as(ScriptRun::Raw);
        if compiles(&scenario) {
            assert_same_runs(&scenario, 0..100);
            compared += 1;
        }
    }
    assert!(compared >= 5, "only {compared} corpus scenarios compile");
}
