//! Partial-order reduction never loses an outcome: on generated scenarios (2–3 clients,
//! shared and private keys, scripts reaching undeclared keys, expiry in virtual time, a
//! busy script, the script cache, random picks, MULTI/WATCH, other databases, each kind
//! of fault), exploring with reduction reaches exactly the outcomes (final keyspace and
//! every operation's result) that the naive exploration reaches.
//!
//! `REDSIM_POR_CASES` sets the number of generated scenarios (default 24) and
//! `REDSIM_POR_COMMANDS` the most commands in one scenario (default 7).

use proptest::prelude::*;
use redsim_sim::scenario::gen::{outcome, scenarios, GenClient, GenScenario};
use redsim_sim::scheduler::{Exhaustive, ExploreStats};
use std::collections::BTreeSet;

fn env(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every outcome an exploration reaches, and what it did.
fn outcomes(generated: &GenScenario, reduce: bool) -> (BTreeSet<String>, ExploreStats) {
    explore_all(&generated.build(reduce), reduce)
}

/// Every outcome the exhaustive exploration of `scenario` reaches.
fn explore_all(
    scenario: &redsim_sim::scenario::Scenario,
    reduce: bool,
) -> (BTreeSet<String>, ExploreStats) {
    let mut world = scenario.world(0);
    let mut scheduler = Exhaustive::new(reduce);
    let mut seen = BTreeSet::new();
    world.explore(&mut scheduler, |world, report| {
        if !report.abandoned {
            seen.insert(outcome(world));
        }
    });
    (seen, scheduler.stats)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: env("REDSIM_POR_CASES", 24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn reduction_reaches_every_outcome_of_the_naive_exploration(
        generated in scenarios(env("REDSIM_POR_COMMANDS", 7) as usize)
    ) {
        let (naive, naive_stats) = outcomes(&generated, false);
        let (reduced, reduced_stats) = outcomes(&generated, true);
        prop_assert!(reduced_stats.runs <= naive_stats.runs);
        prop_assert_eq!(
            &reduced, &naive,
            "reduced {:?} vs naive {:?} for {:#?}", reduced_stats, naive_stats, generated
        );
    }
}

/// A scenario of the given clients' commands (kind, key) and fault.
fn scenario(clients: &[&[(u8, u8)]], fault: u8, fault_arg: u8) -> GenScenario {
    GenScenario {
        clients: clients
            .iter()
            .map(|commands| GenClient {
                commands: commands.to_vec(),
            })
            .collect(),
        fault,
        fault_arg,
    }
}

/// Reduction reaches the naive outcomes, and there are several of them.
fn assert_same_outcomes(generated: &GenScenario) {
    let (naive, _) = outcomes(generated, false);
    let (reduced, stats) = outcomes(generated, true);
    assert!(naive.len() > 1, "the scenario has one outcome: {naive:?}");
    assert_eq!(reduced, naive, "{stats:?}");
}

// Kinds (scenario/gen.rs): 0 SET, 1 GET, 2 INCR, 4 SET PX 1, 6 EVAL reaching a and b
// while declaring its own key, 8 busy EVAL; keys 0 a, 1 b, 2 the client's own.

#[test]
fn a_script_conflicts_through_keys_it_did_not_declare() {
    assert_same_outcomes(&scenario(&[&[(6, 2)], &[(0, 1)]], 0, 0));
}

#[test]
fn a_busy_script_conflicts_with_a_command_on_another_key() {
    assert_same_outcomes(&scenario(&[&[(8, 2)], &[(1, 2), (1, 2)]], 0, 0));
}

#[test]
fn a_read_of_an_expiring_key_conflicts_with_steps_that_move_the_clock() {
    assert_same_outcomes(&scenario(
        &[&[(4, 2), (1, 2)], &[(2, 2), (2, 2), (2, 2)]],
        0,
        0,
    ));
}

#[test]
fn an_admin_command_at_a_fixed_step_conflicts_with_every_step_before_it() {
    // Fault 3 with argument 1: FLUSHALL before step 1; argument 7: SET a 100 there.
    assert_same_outcomes(&scenario(&[&[(0, 2)], &[(1, 2)]], 3, 1));
    assert_same_outcomes(&scenario(&[&[(1, 0)], &[(0, 2)]], 3, 7));
}

#[test]
fn random_crashes_follow_the_client_not_the_step_number() {
    let generated = scenario(&[&[(2, 2), (2, 2)], &[(2, 2), (2, 2)]], 1, 0);
    let (naive, _) = outcomes(&generated, false);
    let (reduced, _) = outcomes(&generated, true);
    assert_eq!(reduced, naive);
}

#[test]
fn timeouts_and_retries_depend_on_the_clock_so_commute_with_nothing() {
    // Fault 5: a timeout of 1–3 commands' time, 1–2 retries, requests delayed up to 3.
    // Whether a client times out (and runs its command twice) depends on how long the
    // other client's commands keep its request waiting.
    let mut retried_in_several_outcomes = false;
    for arg in 0..6 {
        for clients in [
            &[&[(2u8, 0u8), (2, 0)][..], &[(1, 0), (0, 0)][..]][..],
            &[&[(7, 0)][..], &[(2, 0), (1, 1)][..]][..],
        ] {
            let generated = scenario(clients, 5, arg);
            let (naive, _) = outcomes(&generated, false);
            let (reduced, stats) = outcomes(&generated, true);
            assert_eq!(reduced, naive, "{stats:?} {generated:?}");
            retried_in_several_outcomes |=
                naive.len() > 1 && naive.iter().any(|o| o.contains("Unknown"));
        }
    }
    assert!(retried_in_several_outcomes);
}

#[test]
fn a_restart_at_a_fixed_step_conflicts_with_every_step_before_it() {
    // Fault 6: the step (arg mod 3), power loss (arg odd), persistence (arg / 3 mod 4).
    for arg in 0..12 {
        let generated = scenario(&[&[(2, 0), (1, 0)], &[(0, 0), (7, 1)]], 6, arg);
        let (naive, _) = outcomes(&generated, false);
        let (reduced, stats) = outcomes(&generated, true);
        assert_eq!(reduced, naive, "{stats:?} {generated:?}");
    }
}

#[test]
fn lost_connections_follow_the_client_not_the_step_number() {
    let generated = scenario(&[&[(2, 0), (16, 0)], &[(7, 0), (14, 1), (15, 1)]], 7, 0);
    let (naive, _) = outcomes(&generated, false);
    let (reduced, stats) = outcomes(&generated, true);
    assert_eq!(reduced, naive, "{stats:?}");
}

#[test]
fn stalls_past_the_timeout_move_the_clock_so_commute_with_nothing() {
    // Fault 8: a stall of 1–3 commands' time after 30% of the commands, against a
    // 1.5-command timeout with one retry.
    for arg in 0..3 {
        let generated = scenario(&[&[(2, 0), (2, 0)], &[(1, 0), (4, 0)]], 8, arg);
        let (naive, _) = outcomes(&generated, false);
        let (reduced, stats) = outcomes(&generated, true);
        assert_eq!(reduced, naive, "{stats:?} {generated:?}");
    }
}

#[test]
fn a_clock_jump_at_a_fixed_step_conflicts_with_every_step_before_it() {
    // Fault 9: the step (arg mod 3) and how far (arg / 3 mod 4); SET PX 1 and PTTL see it.
    let mut outcomes_differ = false;
    for arg in 0..12 {
        let generated = scenario(&[&[(4, 0), (5, 0)], &[(1, 0), (5, 1)]], 9, arg);
        let (naive, _) = outcomes(&generated, false);
        let (reduced, stats) = outcomes(&generated, true);
        assert_eq!(reduced, naive, "{stats:?} {generated:?}");
        outcomes_differ |= naive.len() > 1;
    }
    assert!(outcomes_differ);
}

/// A writer on the primary and a reader on its replica; `failover`: the replica is
/// promoted before step 3.
fn replicated(failover: bool) -> redsim_sim::scenario::Scenario {
    use redsim_sim::client::commands::CommandsMode;
    use redsim_sim::scenario::{Program, Scenario};
    let mut scenario = Scenario::new("replicated")
        .clients(
            1,
            2,
            Program::commands(&[&["INCR", "a"], &["SET", "b", "x"]], CommandsMode::Each),
        )
        .clients(
            1,
            2,
            Program::commands(&[&["GET", "a"], &["GET", "b"]], CommandsMode::Each),
        );
    scenario.groups[1].node = 1;
    scenario.options.faults.replication.replicas = 1;
    if failover {
        scenario.options.faults.replication.failover_step = Some(3);
    }
    scenario
}

/// The same scenario in a cluster of three masters (its keys `a` and `b` on different
/// nodes, the clients following MOVED and ASK), with slot 3300 (`b`'s) moving from the
/// first master to the second at steps 1–3 when `reshard` is set. Faults that restart a
/// server or reconnect by themselves are left out: a sharded world does not model them.
fn sharded(generated: &GenScenario, reduce: bool, reshard: bool) -> redsim_sim::scenario::Scenario {
    let mut scenario = generated.build(reduce);
    scenario.options.shards = 3;
    if reshard {
        scenario.options.reshards.push(redsim_sim::world::Reshard {
            slot: 3300,
            from: 0,
            to: 1,
            open_step: 1,
            migrate_step: 2,
            batch: 10,
            close_step: 3,
        });
    }
    scenario
}

#[test]
fn link_deliveries_to_a_replica_conflict_with_the_reads_they_change() {
    // The replica applies the primary's stream one command a step: where those steps
    // fall among the reader's GETs decides what it reads.
    let scenario = replicated(false);
    let (naive, _) = explore_all(&scenario, false);
    let (reduced, _) = explore_all(&scenario, true);
    assert!(naive.len() > 3, "{naive:?}");
    assert_eq!(reduced, naive);
}

#[test]
fn a_failover_keeps_what_the_replica_had_received_in_every_order() {
    let scenario = replicated(true);
    let (naive, _) = explore_all(&scenario, false);
    let (reduced, _) = explore_all(&scenario, true);
    assert!(naive.len() > 1, "{naive:?}");
    assert_eq!(reduced, naive);
}

fn sharded_outcomes(
    generated: &GenScenario,
    reduce: bool,
    reshard: bool,
) -> (BTreeSet<String>, ExploreStats) {
    explore_all(&sharded(generated, reduce, reshard), reduce)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: env("REDSIM_POR_CASES", 24) / 2,
        ..ProptestConfig::default()
    })]

    #[test]
    fn reduction_reaches_every_outcome_in_a_sharded_world(
        generated in scenarios(env("REDSIM_POR_COMMANDS", 7) as usize),
        reshard in any::<bool>(),
    ) {
        prop_assume!(generated.fault <= 3);
        let (naive, naive_stats) = sharded_outcomes(&generated, false, reshard);
        let (reduced, reduced_stats) = sharded_outcomes(&generated, true, reshard);
        prop_assert!(reduced_stats.runs <= naive_stats.runs);
        prop_assert_eq!(
            &reduced, &naive,
            "reduced {:?} vs naive {:?} for {:#?} (reshard {})",
            reduced_stats, naive_stats, generated, reshard
        );
    }
}
