//! The simulated subscriber and `publish-without-write`: what a subscriber receives is
//! part of what a run shows, and a raw write-then-publish can announce a value that is
//! no longer written, which one EVAL cannot.

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::client::subscriber::messages_on;
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::{Program, Scenario, ScriptRun};

fn scenario_file(name: &str) -> Scenario {
    let path = format!(
        "{}/../corpus/scenarios/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    redsim_sim::scenario::toml::load(std::path::Path::new(&path)).expect("scenario loads")
}

#[test]
fn a_subscriber_receives_what_is_published_after_it_subscribed() {
    let scenario = Scenario::new("listen")
        .clients(1, 1, Program::subscriber(&["news"], &["n*"]))
        .clients(
            1,
            3,
            Program::commands(
                &[
                    &["PUBLISH", "news", "m{op}"],
                    &["PUBLISH", "other", "x"],
                    &["PUBLISH", "nope", "y"],
                ],
                CommandsMode::Each,
            ),
        );
    let mut world = scenario.world(0);
    let mut saw_all = 0;
    for seed in 0..40 {
        world.run_seed(seed);
        // The subscriber's own operation: its confirmations, one frame per subscription.
        let confirmations = world.history.ops.iter().find(|op| op.client == 0).unwrap();
        let Some(Reply::Frames(frames)) = &confirmations.result else {
            panic!("{:?}", confirmations.result);
        };
        assert_eq!(frames.len(), 2);
        // PUBLISH answers how many received it; the subscriber got exactly those.
        let delivered: i64 = world
            .history
            .ops
            .iter()
            .filter(|op| op.client == 1)
            .map(|op| match op.result {
                Some(Reply::Integer(n)) => n,
                _ => panic!("{:?}", op.result),
            })
            .sum();
        assert_eq!(world.received[0].len() as i64, delivered, "seed {seed}");
        assert!(world.received[1].is_empty());
        if delivered == 3 {
            // Subscribed first: `news` twice (channel and pattern), `nope` by the pattern.
            saw_all += 1;
            assert_eq!(messages_on(&world.received[0], b"news"), [b"m0", b"m0"]);
            assert_eq!(messages_on(&world.received[0], b"nope"), [b"y"]);
        }
    }
    assert!(saw_all > 0, "some seed runs the subscriber first");
}

#[test]
fn publish_without_write_shows_a_stale_announcement_raw_and_not_with_eval() {
    let raw = scenario_file("publish-without-write");
    let judge = Judge::new(&raw);
    let mut world = raw.world(0);
    let mut stale = 0;
    for seed in 0..150 {
        world.run_seed(seed);
        let verdict = judge.judge(&mut world);
        let broken = raw.check(&world).is_err();
        assert_eq!(verdict.stale_message, broken, "seed {seed}");
        if broken {
            stale += 1;
            assert!(verdict.is_anomalous());
            assert!(verdict
                .findings
                .iter()
                .any(|f| f.contains("stale announcement")));
            // Shrinking keeps this kind of failure.
            let kind = redsim_sim::shrink::FailureKind::of(&verdict);
            assert!(kind.labels().any(|l| l == "stale announcement"), "{kind}");
            // Every reply fits an atomic order: the replies alone do not show it.
            assert_eq!(verdict.not_linearizable, Some(false), "seed {seed}");
        }
    }
    assert!(stale > 0, "no raw run announced a stale value");
    assert!(stale < 150, "some raw runs write and publish back to back");

    let eval = raw.clone().run_as(ScriptRun::Eval);
    let judge = Judge::new(&eval);
    let mut world = eval.world(0);
    let mut heard = 0;
    for seed in 0..150 {
        world.run_seed(seed);
        assert!(eval.check(&world).is_ok(), "seed {seed}");
        assert!(!judge.judge(&mut world).is_anomalous(), "seed {seed}");
        heard += usize::from(!messages_on(&world.received[0], b"events").is_empty());
    }
    assert!(
        heard > 75,
        "the subscriber heard the writers in most runs ({heard})"
    );
}

#[test]
fn publish_without_write_has_its_paragraph() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios/publish-without-write.toml");
    let text = redsim_sim::report::mode::description(&path).unwrap_or_default();
    assert!(text.len() > 100, "{text}");
}
