//! Coverage reached by swarm sweeps with and without guidance (issue #21), for the
//! fault scenarios of corpus/scenarios: a Markdown table on stdout (features after 1,000
//! and after all seeds, the run at which each sweep reached the unguided sweep's final
//! coverage, failing runs) and an SVG of the growth for the scenario named first.
//!
//! ```text
//! cargo run --release -p redsim-sim --example coverage_growth -- 10000 docs/coverage-growth.svg
//! cargo run --release -p redsim-sim --example coverage_growth -- 2000 - lock-clock-jump
//! ```
//!
//! Arguments: the seeds, the SVG's path (`-`: none), then the scenarios (default: all of
//! the list below).
//!
//! Both sweeps run the same seeds, 0..N; coverage is counted, so the numbers are the same
//! on every machine.

use redsim_sim::coverage::Reached;
use redsim_sim::report::coverage::growth_svg;
use redsim_sim::scenario::toml::load;
use redsim_sim::swarm;
use std::path::Path;

const SCENARIOS: [&str; 5] = [
    "noscript-after-restart",
    "retry-double-increment",
    "lost-write-on-restart",
    "slow-script-retry",
    "lock-clock-jump",
];

/// The run (1-based) at which `growth` first reached `target`.
fn reached_at(growth: &[usize], target: usize) -> String {
    growth
        .iter()
        .position(|&n| n >= target)
        .map_or("-".into(), |i| (i + 1).to_string())
}

/// A seed as the table shows it (runs are numbered by seed from 0, so seed N is run N+1).
fn first(seed: Option<&u64>) -> String {
    seed.map_or("-".into(), |s| (s + 1).to_string())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    // `-` for no plot.
    let svg_path = args.next().filter(|p| p != "-");
    let named: Vec<String> = args.collect();
    let names: Vec<&str> = if named.is_empty() {
        SCENARIOS.to_vec()
    } else {
        named.iter().map(String::as_str).collect()
    };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/scenarios");
    println!(
        "| scenario | unguided: features at 1k / {seeds} | guided: at 1k / {seeds} | \
         run reaching unguided's final (unguided / guided) | failing runs (unguided / guided) | \
         first failing run (unguided / guided) |"
    );
    println!("|---|---|---|---|---|---|");
    for (i, name) in names.into_iter().enumerate() {
        let scenario = load(&corpus.join(format!("{name}.toml"))).expect("scenario");
        let mut plain = Reached::default();
        let tally = swarm::run_seeds_with(&scenario, "as written", 0..seeds, |_, _, world| {
            plain.add(world.coverage.features());
        });
        let guided = swarm::guided::run_guided(&scenario, "as written", 0..seeds, |_| {});
        let at_1k = |g: &[usize]| g.get(999).or(g.last()).copied().unwrap_or(0);
        let target = plain.len();
        println!(
            "| {name} | {} / {} | {} / {} | {} / {} | {} / {} | {} / {} |",
            at_1k(&plain.growth),
            plain.len(),
            at_1k(&guided.reached.growth),
            guided.reached.len(),
            reached_at(&plain.growth, target),
            reached_at(&guided.reached.growth, target),
            tally.tally.anomalous(),
            guided.tally.tally.anomalous(),
            first(tally.tally.failing.first()),
            first(guided.failing.first().map(|(s, _)| s)),
        );
        // The plot: the scenario named first, written as soon as it is measured.
        if let (0, Some(path)) = (i, &svg_path) {
            let svg = growth_svg(&[("swarm", &plain.growth), ("guided", &guided.reached.growth)]);
            std::fs::write(path, svg).expect("write the SVG");
            eprintln!("wrote {path}");
        }
    }
}
