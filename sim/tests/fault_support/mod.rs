//! What the fault tests (sim_retry, sim_restart, sim_connection) read from a finished run.
#![allow(dead_code)]

use redsim_sim::history::Status;
use redsim_sim::trace::TraceEvent;
use redsim_sim::world::World;

/// Operations of the run's history with `status`.
pub fn ops_with(world: &World, status: Status) -> usize {
    world
        .history
        .ops
        .iter()
        .filter(|op| op.status == status)
        .count()
}

/// Clients' commands named `name` that the server ran (orphaned requests included).
pub fn commands_run(world: &World, name: &[u8]) -> usize {
    world
        .trace
        .events
        .iter()
        .filter(
            |e| matches!(e, TraceEvent::Command { argv, client: Some(_), .. } if argv[0] == name),
        )
        .count()
}

/// Runs each seed of the corpus scenario `name` twice, in two worlds: the same trace and
/// the same history each time.
pub fn assert_replays_alike(name: &str, seeds: &[u64]) {
    let path = format!("../corpus/scenarios/{name}.toml");
    let scenario = redsim_sim::scenario::toml::load(std::path::Path::new(&path)).unwrap();
    for &seed in seeds {
        let mut a = scenario.world(seed);
        a.run_seed(seed);
        let mut b = scenario.world(seed);
        b.run_seed(seed);
        assert_eq!(a.trace.render(), b.trace.render(), "{name} seed {seed}");
        assert_eq!(a.history, b.history, "{name} seed {seed}");
    }
}
