//! math.random under EVAL: Redis 7.0 seeds its generator once and never reseeds it per
//! script, so what a script draws depends on how many draws the scripts before it made.
//! The checker's model keeps the generator in its state: whichever order of scripts it
//! tries, each starts from the generator the order leaves, and the order the server ran
//! explains the results.

use redsim_sim::check::{check, ModelChoice, Options, Verdict};
use redsim_sim::report::analysis::Judge;
use redsim_sim::scenario::{Scenario, Script};

#[test]
fn scripts_drawing_from_math_random_are_judged_in_the_order_that_explains_them() {
    let scenario = Scenario::new("draws").clients(
        3,
        2,
        // Each client's op differs, so the model cannot share one result between them.
        Script::source("redis.call('INCR', KEYS[1]) return math.random(1000000)")
            .keys(["n"])
            .args(["{client}"])
            .eval(),
    );
    let judge = Judge::new(&scenario);
    for seed in 0..30 {
        let mut world = scenario.world(seed);
        world.run_seed(seed);
        let verdict = judge.judge(&mut world);
        assert!(
            !verdict.is_anomalous(),
            "seed {seed}: {:?}",
            verdict.findings
        );
        let options = Options {
            counterexample: false,
            ..Options::default()
        };
        let outcome = check(&world.history, ModelChoice::Engine, &options).expect("checkable");
        assert_eq!(outcome.verdict, Verdict::Linearizable, "seed {seed}");
    }
}
