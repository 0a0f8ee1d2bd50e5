//! The reduced exploration runs each Mazurkiewicz trace exactly once: its complete runs
//! are pairwise inequivalent, and together they cover every trace of the naive
//! exploration. A trace is named by its events (client, index) and the order of every
//! pair of events that do not commute (same client, or what they touched conflicts).
//!
//! The counter race of `corpus/scenarios/counter-race.toml` with 3 clients × 4 commands
//! has 34,650 interleavings and 588 traces (about 4 s in a debug build).
//!
//! With 4 clients × 4 commands the naive exploration has 63,063,000 interleavings, too
//! many to run; there the traces are counted without running them (the words in
//! lexicographic normal form, [`count_traces`]: checked against the naive count on 3
//! clients), and random runs (200 by default, `REDSIM_HEAVY=1` for 20,000) must each be
//! equivalent to one of the reduced exploration's runs.

use redsim_sim::options::Strategy;
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
use redsim_sim::scheduler::{
    Access, Candidate, Exhaustive, ExploreStats, RandomScheduler, Scheduler,
};
use std::collections::BTreeSet;
use std::path::Path;

/// A strategy (the exhaustive one, or the random one), with every step's access kept for
/// the run in progress.
struct Recording<S> {
    inner: S,
    picked: Vec<u32>,
    steps: Vec<(u32, Access)>,
}

impl<S: Scheduler> Scheduler for Recording<S> {
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

/// Each client's steps' accesses in one run (client → its events in order).
fn accesses(steps: &[(u32, Access)], clients: usize) -> Vec<Vec<Access>> {
    let mut out = vec![Vec::new(); clients];
    for (c, a) in steps {
        out[*c as usize].push(a.clone());
    }
    out
}

/// The number of Mazurkiewicz traces of the interleavings of `events` (client → its
/// events' accesses, in program order), counted without running anything: each trace
/// has exactly one word in lexicographic normal form (Anisimov and Knuth: no factor
/// b·u·a with a < b, a independent of b and of every letter of u), and a depth-first
/// walk extends a normal word only by letters that keep it normal. Letters are (client,
/// index), ordered as tuples; two are independent when their clients differ and their
/// accesses commute. Valid when every event's access is the same in every interleaving
/// (the callers check that on the runs they make).
fn count_traces(events: &[Vec<Access>]) -> u64 {
    fn walk(events: &[Vec<Access>], next: &mut Vec<usize>, word: &mut Vec<(usize, usize)>) -> u64 {
        let total: usize = events.iter().map(Vec::len).sum();
        if word.len() == total {
            return 1;
        }
        let mut count = 0;
        for c in 0..events.len() {
            let k = next[c];
            if k == events[c].len() {
                continue;
            }
            let a = (c, k);
            let independent =
                |x: (usize, usize)| x.0 != a.0 && events[x.0][x.1].commutes_with(&events[c][k]);
            let normal = word
                .iter()
                .rev()
                .take_while(|&&x| independent(x))
                .all(|&x| x < a);
            if normal {
                word.push(a);
                next[c] += 1;
                count += walk(events, next, word);
                next[c] -= 1;
                word.pop();
            }
        }
        count
    }
    walk(events, &mut vec![0; events.len()], &mut Vec::new())
}

/// The reduced exploration of `scenario`: its stats, traces, whether two runs were
/// equivalent, and each event's access (asserted the same in every run).
fn explore_reduced(
    scenario: &Scenario,
) -> (ExploreStats, BTreeSet<Vec<Edge>>, bool, Vec<Vec<Access>>) {
    let clients = scenario.client_count() as usize;
    let mut world = scenario.world(0);
    let mut scheduler = Recording {
        inner: Exhaustive::new(true),
        picked: Vec::new(),
        steps: Vec::new(),
    };
    let mut traces = BTreeSet::new();
    let mut repeated = false;
    let mut events: Option<Vec<Vec<Access>>> = None;
    loop {
        world.reset(0);
        let report = world.run(&mut scheduler);
        if !report.abandoned {
            repeated |= !traces.insert(trace(&scheduler.steps));
            let these = accesses(&scheduler.steps, clients);
            let first = events.get_or_insert_with(|| these.clone());
            assert_eq!(*first, these, "an event's access differs between runs");
        }
        if !scheduler.end() {
            break;
        }
    }
    let events = events.expect("a complete run");
    (scheduler.inner.stats, traces, repeated, events)
}

/// The traces (and each event's access) of random runs with seeds `0..samples`.
fn random_traces(scenario: &Scenario, samples: u64) -> Vec<(u64, Vec<Edge>, Vec<Vec<Access>>)> {
    let clients = scenario.client_count() as usize;
    let mut world = scenario.clone().strategy(Strategy::Random).world(0);
    let mut scheduler = Recording {
        inner: RandomScheduler::default(),
        picked: Vec::new(),
        steps: Vec::new(),
    };
    (0..samples)
        .map(|seed| {
            // `run` begins the scheduler with the world's seed.
            world.reset(seed);
            world.run(&mut scheduler);
            let steps = &scheduler.steps;
            (seed, trace(steps), accesses(steps, clients))
        })
        .collect()
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

#[test]
fn counting_normal_forms_gives_the_naive_explorations_trace_count() {
    let scenario = counter_race(3);
    let (_, traces, _, events) = explore_reduced(&scenario);
    assert_eq!(count_traces(&events), 588);
    assert_eq!(traces.len(), 588);
}

/// 4 clients × 4 commands: 78,048 traces (the reduced exploration used to miss 1,314 of
/// them, see `Exhaustive::add_reversals`). ~40 s in a debug build.
#[test]
fn four_clients_of_the_counter_race_run_each_trace_once() {
    let scenario = counter_race(4);
    let started = std::time::Instant::now();
    let (reduced, traces, repeated, events) = explore_reduced(&scenario);
    let explored = started.elapsed();
    let counted = count_traces(&events);
    let heavy = std::env::var_os("REDSIM_HEAVY").is_some();
    let samples = if heavy { 20_000 } else { 200 };
    let mut missed = Vec::new();
    let mut sampled = BTreeSet::new();
    for (seed, trace, accesses) in random_traces(&scenario, samples) {
        assert_eq!(accesses, events, "seed {seed}: an event's access differs");
        if !traces.contains(&trace) {
            missed.push(seed);
        }
        sampled.insert(trace);
    }
    eprintln!(
        "counter race 4x4: naive 63,063,000 interleavings; reduced {reduced:?} in {explored:?}; \
         {} distinct traces explored, {counted} counted; {} of {samples} random runs ({} distinct \
         traces) not equivalent to an explored run (seeds {:?})",
        traces.len(),
        missed.len(),
        sampled.len(),
        &missed[..missed.len().min(5)],
    );
    assert!(
        !repeated,
        "two reduced runs are the same trace: {reduced:?}"
    );
    assert!(
        missed.is_empty(),
        "random runs {missed:?} were not explored"
    );
    assert_eq!(reduced.runs, counted, "{reduced:?}");
    assert_eq!(traces.len() as u64, counted);
}
