//! The cluster scenarios on a real Redis Cluster (three `redis-server --cluster-enabled
//! yes` processes started by `redsim real`'s [`LocalCluster`]; skipped when redis-server
//! is not installed): what real Redis shows is what the simulator shows for them —
//! CROSSSLOT on every call of crossslot-script, no error with hash tags, TRYAGAIN while
//! moved-during-script's slot moves one key a step, none when the clients retry it.

mod real_support;

use real_support::*;
use redsim::Reply;
use redsim_sim::history::{History, Status};
use redsim_sim::real::{self, LocalCluster, RealRun};
use redsim_sim::scenario::{toml::load, Scenario};
use std::net::TcpStream;

fn scenario(name: &str) -> Scenario {
    load(&scenario_path(&format!("{name}.toml"))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The error replies the operations of `history` got.
fn errors(history: &History) -> Vec<String> {
    history
        .ops
        .iter()
        .filter_map(|op| match &op.result {
            Some(Reply::Error(text)) => Some(String::from_utf8_lossy(text).into_owned()),
            _ => None,
        })
        .collect()
}

/// The first of seeds 0..seeds whose simulated run got an error starting with `code`.
fn first_simulated_seed_with(scenario: &Scenario, code: &str, seeds: u64) -> Option<u64> {
    let mut world = scenario.world(0);
    (0..seeds).find(|&seed| {
        world.run_seed(seed);
        errors(&world.history).iter().any(|e| e.starts_with(code))
    })
}

/// How many error replies starting with `code` simulated seed `seed` got.
fn simulated_count(scenario: &Scenario, seed: u64, code: &str) -> usize {
    let mut world = scenario.world(0);
    world.run_seed(seed);
    errors(&world.history)
        .iter()
        .filter(|e| e.starts_with(code))
        .count()
}

/// One run of `scenario` on a fresh cluster; the cluster is handed back for inspection.
fn run_on_fresh_cluster(scenario: &Scenario) -> (RealRun, LocalCluster) {
    let shards = scenario.options.shards as usize;
    let cluster = LocalCluster::start(shards).expect("a local cluster forms");
    let some_addr = cluster.addrs()[0];
    let recorded =
        real::run_on_cluster(scenario, &options(some_addr), &cluster).expect("the run completes");
    assert!(
        recorded.client_errors.is_empty(),
        "client errors: {:?}",
        recorded.client_errors
    );
    (recorded, cluster)
}

/// `GET key` on node `node` of `cluster`.
fn get(cluster: &LocalCluster, node: usize, key: &str) -> Reply {
    let addr = cluster.addrs()[node];
    let mut conn = redsim_sim::real::codec::Connection::connect(addr, TIMEOUT).expect("connects");
    conn.call(&["GET", key]).expect("GET")
}

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

#[test]
fn cluster_scenarios_on_real_redis_show_what_the_simulator_shows() {
    if !redis_available("cluster_scenarios_on_real_redis_show_what_the_simulator_shows") {
        return;
    }

    // crossslot-script: every call refused, nothing counted; the simulator from seed 0.
    let plain = scenario("crossslot-script");
    let sim_first = first_simulated_seed_with(&plain, "CROSSSLOT", 20);
    assert_eq!(sim_first, Some(0));
    let (recorded, cluster) = run_on_fresh_cluster(&plain);
    let calls = plain.client_count() as usize * plain.groups[0].ops as usize;
    assert_eq!(recorded.history.ops.len(), calls);
    assert!(recorded
        .history
        .ops
        .iter()
        .all(|op| op.status == Status::Fail));
    let errs = errors(&recorded.history);
    assert_eq!(errs.len(), calls, "{errs:?}");
    assert!(errs
        .iter()
        .all(|e| e == "CROSSSLOT Keys in request don't hash to the same slot"));
    // `counter` hashes to slot 6680, node 1's: never incremented.
    assert_eq!(get(&cluster, 1, "counter"), Reply::Null);
    let verdict = real::judge(&plain, &recorded.history, CHECK_STATES);
    assert!(!verdict.is_anomalous(), "{}", real::render(&verdict));
    let addrs = cluster.addrs().to_vec();
    drop(cluster);
    // The servers were killed with the cluster.
    assert!(addrs.iter().all(|a| TcpStream::connect(a).is_err()));
    println!(
        "crossslot-script: simulator CROSSSLOT from seed {sim_first:?}; real Redis: {} of {calls} calls CROSSSLOT",
        errs.len()
    );

    // With hash tags: every call runs, the counter counts them all on slot 7365's node.
    let tagged = scenario("crossslot-script-hashtag");
    assert_eq!(first_simulated_seed_with(&tagged, "", 20), None);
    let (recorded, cluster) = run_on_fresh_cluster(&tagged);
    let calls = tagged.client_count() as usize * tagged.groups[0].ops as usize;
    assert!(errors(&recorded.history).is_empty());
    assert!(recorded
        .history
        .ops
        .iter()
        .all(|op| op.status == Status::Ok));
    assert_eq!(
        get(&cluster, 1, "{c}counter"),
        Reply::bulk(calls.to_string())
    );
    let verdict = real::judge(&tagged, &recorded.history, CHECK_STATES);
    assert!(!verdict.is_anomalous(), "{}", real::render(&verdict));
    drop(cluster);
    println!("crossslot-script-hashtag: no error in 20 simulated seeds; real Redis: {calls} of {calls} calls ran");

    // moved-during-script: TRYAGAIN while one key has moved and the other has not, and
    // nothing else reaches the clients (they follow ASK and MOVED).
    let moved = scenario("moved-during-script");
    let sim_first = first_simulated_seed_with(&moved, "TRYAGAIN", 30);
    assert_eq!(sim_first, Some(0));
    let (recorded, cluster) = run_on_fresh_cluster(&moved);
    let errs = errors(&recorded.history);
    assert!(!errs.is_empty(), "no TRYAGAIN on real Redis");
    assert!(errs
        .iter()
        .all(|e| e == "TRYAGAIN Multiple keys request during rehashing of slot"));
    let ok = recorded
        .history
        .ops
        .iter()
        .filter(|op| op.status == Status::Ok)
        .count();
    assert_eq!(ok + errs.len(), recorded.history.ops.len());
    // The slot ended on the third master, every successful call counted there once.
    assert_eq!(get(&cluster, 2, "{c}counter"), Reply::bulk(ok.to_string()));
    let verdict = real::judge(&moved, &recorded.history, CHECK_STATES);
    assert!(!verdict.is_anomalous(), "{}", real::render(&verdict));
    drop(cluster);
    println!(
        "moved-during-script: simulator TRYAGAIN from seed {sim_first:?} ({} in seed 0); real Redis: {} TRYAGAIN, {ok} calls ran",
        simulated_count(&moved, 0, "TRYAGAIN"),
        errs.len()
    );

    // Clients that retry TRYAGAIN after 50 ms lose no call.
    let retry = scenario("moved-during-script-retry");
    let (recorded, cluster) = run_on_fresh_cluster(&retry);
    let calls = retry.client_count() as usize * retry.groups[0].ops as usize;
    assert!(errors(&recorded.history).is_empty());
    assert_eq!(
        get(&cluster, 2, "{c}counter"),
        Reply::bulk(calls.to_string())
    );
    drop(cluster);
    println!("moved-during-script-retry: real Redis: {calls} of {calls} calls ran");
}
