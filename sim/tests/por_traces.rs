//! The reduced exploration runs each Mazurkiewicz trace exactly once: its complete runs
//! are pairwise inequivalent, and together they cover every trace of the naive
//! exploration. A trace is named by its events (client, index) and the order of every
//! pair of events that do not commute (same client, or what they touched conflicts).
//!
//! The counter race of `corpus/scenarios/counter-race.toml` with 3 clients × 4 commands
//! has 34,650 interleavings and 588 traces (about 4 s in a debug build).

use redsim_sim::options::Strategy;
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
use redsim_sim::scheduler::{Access, Candidate, Exhaustive, ExploreStats, Scheduler};
use std::collections::BTreeSet;
use std::path::Path;

/// The exhaustive strategy, with every step's access kept for the run in progress.
struct Recording {
    inner: Exhaustive,
    picked: Vec<u32>,
    steps: Vec<(u32, Access)>,
}

impl Scheduler for Recording {
    fn begin(&mut self, seed: u64, clients: usize) {
        self.steps.clear();
        self.inner.begin(seed, clients);
    }
    fn wants_access(&self) -> bool {
        true
    }
    fn pick(&mut self, step: u64, enabled: &[Candidate]) -> Option<usize> {
        let pick = self.inner.pick(step, enabled)?;
        self.picked.push(enabled[pick].client);
        Some(pick)
    }
    fn executed(&mut self, access: &Access) {
        let client = self.picked.pop().expect("a step was picked");
        self.steps.push((client, access.clone()));
        self.inner.executed(access);
    }
    fn end(&mut self) -> bool {
        self.inner.end()
    }
}

/// Two events, each named (client, index within the client), the first before the second.
type Edge = ((u32, u32), (u32, u32));

/// The trace of a run: for every ordered pair of events that do not commute, (earlier,
/// later), events named (client, index within the client).
fn trace(steps: &[(u32, Access)]) -> Vec<Edge> {
    let mut counts = std::collections::HashMap::new();
    let events: Vec<(u32, u32)> = steps
        .iter()
        .map(|(c, _)| {
            let n = counts.entry(*c).or_insert(0u32);
            *n += 1;
            (*c, *n - 1)
        })
        .collect();
    let mut edges = Vec::new();
    for i in 0..steps.len() {
        for j in i + 1..steps.len() {
            let (ci, ai) = &steps[i];
            let (cj, aj) = &steps[j];
            if ci == cj || !ai.commutes_with(aj) {
                edges.push((events[i], events[j]));
            }
        }
    }
    edges.sort_unstable();
    edges
}

/// Explores `scenario`: the stats, the traces of its complete runs, and whether two of
/// them were equivalent.
fn explore(scenario: &Scenario, reduce: bool) -> (ExploreStats, BTreeSet<Vec<Edge>>, bool) {
    let mut world = scenario.world(0);
    let mut scheduler = Recording {
        inner: Exhaustive::new(reduce),
        picked: Vec::new(),
        steps: Vec::new(),
    };
    let mut traces = BTreeSet::new();
    let mut repeated = false;
    loop {
        world.reset(0);
        let report = world.run(&mut scheduler);
        if !report.abandoned {
            repeated |= !traces.insert(trace(&scheduler.steps));
        }
        if !scheduler.end() {
            break;
        }
    }
    (scheduler.inner.stats, traces, repeated)
}

fn counter_race(clients: u32) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/scenarios/counter-race.toml");
    let mut scenario = load(&path).expect("the counter race loads");
    scenario.groups[0].count = clients;
    scenario.options.trace = false;
    scenario.strategy(Strategy::Exhaustive { reduce: true })
}

fn assert_one_run_per_trace(scenario: &Scenario) -> (ExploreStats, ExploreStats, usize) {
    let (naive, naive_traces, _) = explore(scenario, false);
    let (reduced, reduced_traces, repeated) = explore(scenario, true);
    assert!(
        !repeated,
        "two reduced runs are the same trace: {reduced:?}"
    );
    assert!(
        reduced_traces == naive_traces,
        "{reduced:?} vs {naive:?}: {} vs {} traces",
        reduced_traces.len(),
        naive_traces.len()
    );
    assert_eq!(reduced.runs as usize, naive_traces.len());
    (naive, reduced, naive_traces.len())
}

#[test]
fn two_clients_of_the_counter_race_run_each_trace_once() {
    let (naive, reduced, traces) = assert_one_run_per_trace(&counter_race(2));
    assert_eq!(naive.runs, 70);
    assert!(traces < 70, "{traces}");
    eprintln!("counter race 2x4: naive {naive:?}, reduced {reduced:?}, {traces} traces");
}

#[test]
fn three_clients_of_the_counter_race_run_each_trace_once() {
    let (naive, reduced, traces) = assert_one_run_per_trace(&counter_race(3));
    assert_eq!(naive.runs, 34_650);
    assert_eq!(traces, 588);
    eprintln!("counter race 3x4: naive {naive:?}, reduced {reduced:?}, {traces} traces");
}
