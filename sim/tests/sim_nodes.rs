//! A world of several servers: each node its own engine and keyspace under the one
//! virtual clock; a client's requests run on the node it is connected to, the history
//! says which node served each operation, and a reset resets every node.

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::history::json;
use redsim_sim::scenario::{Program, Scenario};
use redsim_sim::scheduler::RandomScheduler;
use redsim_sim::world::World;

fn incr_world(seed: u64) -> World {
    let scenario = Scenario::new("two-nodes").clients(
        3,
        2,
        Program::commands(&[&["INCR", "n"]], CommandsMode::Each),
    );
    scenario.world(seed)
}

fn get(world: &mut World, node: usize) -> Reply {
    world.admin_command_on(node, vec![b"GET".to_vec(), b"n".to_vec()])
}

#[test]
fn each_node_has_its_own_keyspace_and_serves_its_own_clients() {
    let mut world = incr_world(7);
    assert_eq!(world.node_count(), 1);
    assert_eq!(world.add_node(), 1);
    world.set_home_node(2, 1);
    world.run_seed(7);
    // Clients 0 and 1 (two INCRs each) on node 0, client 2 on node 1.
    assert_eq!(get(&mut world, 0), Reply::bulk("4"));
    assert_eq!(get(&mut world, 1), Reply::bulk("2"));
    assert_eq!(world.node_of(2), 1);
    for op in &world.history.ops {
        let expected = if op.client == 2 { 1 } else { 0 };
        assert_eq!(op.node, expected, "{op:?}");
    }
    // Client 2's replies count its own node's increments only.
    let results: Vec<_> = world.results_of(2).into_iter().flatten().cloned().collect();
    assert_eq!(results, vec![Reply::Integer(1), Reply::Integer(2)]);
}

#[test]
fn reset_gives_every_node_a_fresh_server() {
    let mut world = incr_world(3);
    world.add_node();
    world.set_home_node(0, 1);
    for seed in [3, 4] {
        world.run_seed(seed);
        assert_eq!(get(&mut world, 0), Reply::bulk("4"), "seed {seed}");
        assert_eq!(get(&mut world, 1), Reply::bulk("2"), "seed {seed}");
    }
}

#[test]
fn a_client_moved_to_another_node_runs_its_next_requests_there() {
    let mut world = incr_world(1);
    world.add_node();
    world.reset(1);
    world.connect_client(0, 1);
    let report = world.run(&mut RandomScheduler::default());
    assert!(report.steps > 0);
    assert_eq!(world.node_of(0), 1);
    assert_eq!(get(&mut world, 1), Reply::bulk("2"));
    assert_eq!(get(&mut world, 0), Reply::bulk("4"));
}

#[test]
fn a_one_node_world_replays_as_before_and_its_history_has_no_node_field() {
    let mut a = incr_world(11);
    let mut b = incr_world(11);
    b.add_node();
    a.run_seed(11);
    b.run_seed(11);
    // An idle extra node changes nothing the clients see or the scheduler picks.
    assert_eq!(a.schedule, b.schedule);
    assert_eq!(a.history, b.history);
    let text = json::to_string(&a.history);
    assert!(!text.contains("\"node\""), "{text}");
    assert_eq!(json::from_str(&text), Ok(a.history.clone()));
}

#[test]
fn a_history_names_the_node_that_served_and_reads_back() {
    let mut world = incr_world(5);
    world.add_node();
    world.set_home_node(1, 1);
    world.run_seed(5);
    let text = json::to_string(&world.history);
    assert!(text.contains("\"node\":1"), "{text}");
    assert_eq!(json::from_str(&text), Ok(world.history.clone()));
}
