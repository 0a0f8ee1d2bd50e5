//! The test API as a user meets it (`use redsim_sim::prelude::*`): the traps it removes
//! and the parts it offers — a starting keyspace, faults, WATCH clients that compute their
//! writes, invariants whose messages say what failed.

use redsim_sim::prelude::*;

/// GET then SET in a closure: a lost update the judge cannot see, as each call is an
/// operation of its own.
fn get_then_set() -> Program {
    Program::rust(|conn| {
        let n = as_int(&conn.call(&["GET", "n"])).unwrap_or(0);
        conn.call(&["SET", "n", &(n + 1).to_string()]);
    })
}

#[test]
#[should_panic(expected = "checks nothing")]
fn a_test_of_rust_closures_without_an_invariant_is_refused() {
    // With the judge on by default this would pass every seed while the closures lose
    // updates: it is refused instead.
    sim_test!().clients(2, get_then_set()).seeds(5).run();
}

#[test]
fn the_judge_called_in_on_closures_judges_each_call_and_misses_the_race() {
    let judged = sim_test!()
        .clients(2, get_then_set())
        .with_judge()
        .seeds(20)
        .try_run();
    assert!(judged.is_ok(), "every single call is atomic");
    let failure = sim_test!()
        .clients(2, get_then_set())
        .invariant("both increments land", |run| match run.int("n") {
            Some(2) => Ok(()),
            other => Err(format!("n = {other:?} after 2 increments")),
        })
        .seeds(20)
        .try_run()
        .expect_err("the invariant finds the lost update");
    assert!(
        failure.reasons[0]
            .contains("invariant 'both increments land' failed: n = Some(1) after 2 increments"),
        "{:?}",
        failure.reasons
    );
}

#[test]
fn setup_commands_are_the_keyspace_the_clients_start_from() {
    sim_test!()
        .setup(&[&["SET", "n", "40"], &["SET", "step", "2"]])
        .clients(
            1,
            Script::source("return redis.call('INCRBY', KEYS[1], redis.call('GET', KEYS[2]))")
                .keys(["n", "step"])
                .eval(),
        )
        .ops_per_client(1)
        .seeds(3)
        .invariant("40 + 2", |run| match run.results().next() {
            Some((0, Reply::Integer(42))) => Ok(()),
            other => Err(format!("{other:?}")),
        })
        .run();
}

#[test]
fn setup_commands_survive_faults_set_afterwards() {
    let t = sim_test!()
        .setup(&[&["SET", "n", "7"]])
        .faults(Faults {
            delay_max_us: 20,
            ..Faults::default()
        })
        .clients(
            2,
            Script::source("return redis.call('GET', KEYS[1])")
                .keys(["n"])
                .eval(),
        )
        .invariant("n is 7", |run| match run.int("n") {
            Some(7) => Ok(()),
            other => Err(format!("n = {other:?}")),
        })
        .seeds(5);
    t.run();
}

#[test]
fn crashes_from_the_fault_menu_leave_a_raw_script_half_done() {
    let both =
        Script::source("redis.call('INCR', KEYS[1]) redis.call('INCR', KEYS[2])").keys(["a", "b"]);
    let half_done = |run: &mut FinishedRun| match (run.int("a"), run.int("b")) {
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("a = {a:?} but b = {b:?}")),
    };
    let crash_after_first = Faults {
        crashes: vec![CrashAt {
            client: 0,
            after_commands: 1,
        }],
        ..Faults::default()
    };
    let failure = sim_test!()
        .clients(1, both.clone().raw())
        .faults(crash_after_first.clone())
        .invariant("a and b move together", half_done)
        .seeds(1)
        .try_run()
        .expect_err("the crash comes between the two INCRs");
    assert!(
        failure.report.contains("a = Some(1) but b = None"),
        "{failure}"
    );
    // As EVAL the script reaches the server whole or not at all.
    sim_test!()
        .clients(1, both.eval())
        .faults(crash_after_first)
        .invariant("a and b move together", half_done)
        .seeds(1)
        .run();
}

#[test]
fn a_watch_client_writes_a_value_computed_from_what_it_read() {
    // Each client doubles n under WATCH; conflicts retry, so two doublings of 3 give 12.
    let doubler = Watch::keys(["n"])
        .read(["GET", "n"])
        .writes_from(|reads| {
            let n = reads.first().and_then(as_int).unwrap_or(0);
            vec![vec![
                b"SET".to_vec(),
                b"n".to_vec(),
                (n * 2).to_string().into_bytes(),
            ]]
        })
        .retries(10);
    sim_test!()
        .setup(&[&["SET", "n", "3"]])
        .clients(2, doubler)
        .invariant("doubled twice", |run| match run.int("n") {
            Some(12) => Ok(()),
            other => Err(format!("n = {other:?}, want 12")),
        })
        .seeds(30)
        .run();
}

#[test]
fn the_schedule_strategy_drives_runs_and_proptest_shrinks_to_a_serial_failure() {
    // The raw GET-then-SET race as a property over schedules: proptest finds a schedule
    // that loses an update and shrinks it.
    let raw_incr = Script::source(
        "local n = tonumber(redis.call('GET', KEYS[1]) or '0') \
         redis.call('SET', KEYS[1], n + 1) return n + 1",
    )
    .keys(["n"])
    .raw();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let result = runner.run(&strategies::schedule(2, 4), |schedule| {
        sim_test!()
            .clients(2, raw_incr.clone())
            .schedule(schedule)
            .seeds(1)
            .without_shrinking()
            .invariant("no lost update", |run| match run.int("n") {
                Some(2) => Ok(()),
                other => Err(format!("n = {other:?}")),
            })
            .try_run()?;
        Ok(())
    });
    match result {
        Err(proptest::test_runner::TestError::Fail(why, schedule)) => {
            assert!(why.message().contains("n = Some(1)"), "{why}");
            // Both GETs before either SET: client 0 then 1, or a switch at the start.
            assert!(schedule.len() <= 3, "{schedule:?}");
        }
        other => panic!("the race is found: {other:?}"),
    }
}
