//! How the checker's cost grows (issue #19): verdict time against history length and
//! against concurrency for three workloads, as a Markdown table on stdout and an SVG plot.
//!
//! ```text
//! cargo run --release -p redsim-sim --example cost_growth -- docs/cost-growth.svg
//! ```
//!
//! Workloads (`check::gen`, linearizable by construction, checked as `redsim check` does,
//! model chosen automatically, verdict only):
//! - `register`: GET / SET / compare-and-set on one key (the register model), clients
//!   pausing between ops as Jepsen's do: one object, so nothing splits;
//! - `kv`: GET / SET / APPEND over one key per 100 ops (the key-value model);
//! - `seed`: the seed's script as EVAL on one (counter, log) pair per 100 ops, or one of
//!   its commands raw (the engine model).
//!
//! Times are wall-clock medians of 3 runs (1 for the longest histories) on whatever machine
//! runs it: this is a measuring tool, not a test.

use redsim_sim::check::{check, gen, ModelChoice, Options, Verdict};
use redsim_sim::history::History;
use std::fmt::Write as _;
use std::time::Instant;

const LENGTHS: [usize; 4] = [100, 1_000, 10_000, 100_000];
const CLIENTS: [usize; 5] = [2, 5, 10, 20, 50];
const WORKLOADS: [&str; 3] = ["register", "kv", "seed"];

fn history(workload: &str, ops: usize, clients: usize) -> History {
    let parts = (ops / 100).max(1);
    match workload {
        "register" => {
            let plan = gen::register_plan(1, ops, clients, 0.0);
            gen::execute(&mut redsim_sim::check::models::RegisterModel, &plan)
        }
        "kv" => gen::execute_on_engine(&gen::kv_plan(1, ops, clients, parts, 0.0)),
        _ => gen::execute_on_engine(&gen::seed_script_plan(1, ops, clients, parts, 0.0)),
    }
}

/// Median milliseconds of the verdict, and the verdict.
fn measure(history: &History) -> (f64, Verdict) {
    let options = Options {
        counterexample: false,
        ..Options::default()
    };
    let runs = if history.ops.len() >= 100_000 { 1 } else { 3 };
    let mut times = Vec::new();
    let mut verdict = Verdict::Unknown;
    for _ in 0..runs {
        let start = Instant::now();
        verdict = check(history, ModelChoice::Auto, &options)
            .map(|o| o.verdict)
            .unwrap_or(Verdict::Unknown);
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], verdict)
}

/// One curve: (x, milliseconds) points.
type Series = Vec<(f64, f64)>;

fn main() {
    let svg_path = std::env::args().nth(1);
    let mut by_length: Vec<(&str, Series)> = Vec::new();
    let mut by_clients: Vec<(&str, Series)> = Vec::new();
    println!("| workload | ops | clients | verdict | ms |\n|---|---|---|---|---|");
    for workload in WORKLOADS {
        let mut series = Series::new();
        for ops in LENGTHS {
            let (ms, verdict) = measure(&history(workload, ops, 10));
            println!(
                "| {workload} | {ops} | 10 | {} | {ms:.1} |",
                verdict.as_str()
            );
            series.push((ops as f64, ms));
        }
        by_length.push((workload, series));
        let mut series = Series::new();
        for clients in CLIENTS {
            let (ms, verdict) = measure(&history(workload, 1_000, clients));
            println!(
                "| {workload} | 1000 | {clients} | {} | {ms:.1} |",
                verdict.as_str()
            );
            series.push((clients as f64, ms));
        }
        by_clients.push((workload, series));
    }
    if let Some(path) = svg_path {
        let svg = plot(&by_length, &by_clients);
        std::fs::write(&path, svg).expect("write the SVG");
        eprintln!("wrote {path}");
    }
}

const COLOURS: [&str; 3] = ["#1f77b4", "#d62728", "#2ca02c"];

/// Two log-log panels side by side: ms against ops, ms against clients.
fn plot(by_length: &[(&str, Series)], by_clients: &[(&str, Series)]) -> String {
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"380\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"900\" height=\"380\" fill=\"white\"/>\n",
    );
    panel(
        &mut svg,
        60.0,
        "history length (ops), 10 clients",
        by_length,
    );
    panel(&mut svg, 510.0, "concurrent clients, 1,000 ops", by_clients);
    for (i, (name, _)) in by_length.iter().enumerate() {
        let y = 20.0 + 16.0 * i as f64;
        let _ = writeln!(
            svg,
            "<line x1=\"380\" y1=\"{y}\" x2=\"400\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"2\"/>\
             <text x=\"405\" y=\"{}\">{name}</text>",
            COLOURS[i % COLOURS.len()],
            y + 4.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn panel(svg: &mut String, left: f64, xlabel: &str, series: &[(&str, Series)]) {
    let (width, top, height) = (330.0, 70.0, 250.0);
    let points = series.iter().flat_map(|(_, s)| s.iter());
    let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::MAX, 0f64, f64::MAX, 0f64);
    for &(x, y) in points {
        xmin = xmin.min(x);
        xmax = xmax.max(x);
        ymin = ymin.min(y.max(0.01));
        ymax = ymax.max(y);
    }
    let (lx0, lx1) = (xmin.log10(), xmax.log10().max(xmin.log10() + 1e-9));
    let (ly0, ly1) = (
        ymin.log10().floor(),
        ymax.log10().ceil().max(ymin.log10().floor() + 1.0),
    );
    let px = |x: f64| left + (x.log10() - lx0) / (lx1 - lx0) * width;
    let py = |y: f64| top + height - (y.max(0.01).log10() - ly0) / (ly1 - ly0) * height;
    let _ = writeln!(
        svg,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{width}\" height=\"{height}\" fill=\"none\" stroke=\"#999\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{xlabel}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 {} {})\">verdict time (ms, log)</text>",
        left + width / 2.0,
        top + height + 34.0,
        left - 42.0,
        top + height / 2.0,
        left - 42.0,
        top + height / 2.0
    );
    for decade in ly0 as i32..=ly1 as i32 {
        let y = py(10f64.powi(decade));
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#eee\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left + width,
            left - 4.0,
            y + 4.0,
            10f64.powi(decade)
        );
    }
    for &(x, _) in &series[0].1 {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{x}</text>",
            px(x),
            top + height + 16.0
        );
    }
    for (i, (_, s)) in series.iter().enumerate() {
        let path: Vec<String> = s
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
            COLOURS[i % COLOURS.len()],
            path.join(" ")
        );
    }
}
