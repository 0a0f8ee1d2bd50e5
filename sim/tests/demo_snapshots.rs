//! The interleaving table and the summary for fixed seeds, pinned with insta. The
//! scenarios used need only GET/SET/INCR, so the snapshots do not move when other command
//! families land.

use redsim_sim::report::analysis::Judge;
use redsim_sim::report::capture::capture;
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, Mode};
use redsim_sim::report::{explain, summary, table};
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
use std::path::PathBuf;

fn scenario(file: &str, m: Mode) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios")
        .join(file);
    mode::apply(&load(&path).unwrap(), m).unwrap()
}

#[test]
fn table_of_a_counter_race_with_two_counters() {
    let s = scenario("counter_and_count_raw.toml", Mode::Raw);
    let c = capture(&s, &Judge::new(&s), 0, "raw");
    insta::assert_snapshot!(table::render(&c, Style::PLAIN));
    insta::assert_snapshot!("explanation_counter_and_count_seed_0", explain::explain(&c));
}

#[test]
fn table_of_a_lost_update() {
    let s = scenario("lost-update.toml", Mode::Raw);
    let c = capture(&s, &Judge::new(&s), 0, "raw");
    insta::assert_snapshot!(table::render(&c, Style::PLAIN));
}

#[test]
fn table_of_a_torn_read_with_two_op_writer() {
    let s = scenario("torn-read.toml", Mode::Raw);
    let judge = Judge::new(&s);
    let c = capture(&s, &judge, 0, "raw");
    insta::assert_snapshot!(table::render(&c, Style::PLAIN));
}

#[test]
fn summary_over_fixed_seeds() {
    let seeds = 0..100;
    let tallies: Vec<_> = [
        "lost-update.toml",
        "counter_and_count_raw.toml",
        "watch-retry.toml",
    ]
    .iter()
    .map(|f| {
        let s = scenario(f, Mode::Raw);
        summary::run_seeds(
            &s,
            &Judge::new(&s),
            &s.name.chars().take(8).collect::<String>(),
            seeds.clone(),
        )
    })
    .collect();
    insta::assert_snapshot!(summary::render(
        "fixed seeds",
        &seeds,
        &tallies,
        Style::PLAIN
    ));
}

#[test]
fn table_and_summary_of_the_seed_counter_race() {
    let seeds = 0..100;
    let mut tallies = Vec::new();
    for m in [Mode::Raw, Mode::Eval] {
        let s = scenario("counter-race.toml", m);
        let judge = Judge::new(&s);
        if m == Mode::Raw {
            let c = capture(&s, &judge, 0, "raw");
            insta::assert_snapshot!("counter_race_raw_seed_0", table::render(&c, Style::PLAIN));
        }
        tallies.push(summary::run_seeds(&s, &judge, m.name(), seeds.clone()));
    }
    insta::assert_snapshot!(
        "counter_race_summary",
        summary::render("counter-race", &seeds, &tallies, Style::PLAIN)
    );
}
