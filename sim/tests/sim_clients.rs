//! Each client kind, with the effect it must have.

use redsim::Reply;
use redsim_sim::client::commands::CommandsMode;
use redsim_sim::history::{Operation, Status};
use redsim_sim::scenario::{Program, Scenario, Script, Watch};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn get(world: &mut redsim_sim::world::World, key: &str) -> Reply {
    world.admin_command(vec![b"GET".to_vec(), key.as_bytes().to_vec()])
}

#[test]
fn client_side_script_sees_replies_converted_as_in_eval() {
    let source = "
        local set = redis.call('SET', KEYS[1], ARGV[1])
        local n = redis.call('INCR', KEYS[2])
        local missing = redis.call('GET', 'nope')
        local err = redis.pcall('INCR', KEYS[1])
        return {set.ok, n, tostring(missing), err.err, 3.99}
    ";
    let scenario = Scenario::new("conversions").clients(
        1,
        1,
        Script::source(source).keys(["s", "n"]).args(["abc"]).raw(),
    );
    let mut world = scenario.world(1);
    world.run_seed(1);
    assert_eq!(
        world.history.ops[0].result,
        Some(Reply::Array(vec![
            Reply::bulk("OK"),
            Reply::Integer(1),
            Reply::bulk("false"),
            Reply::bulk("ERR value is not an integer or out of range"),
            Reply::Integer(3),
        ]))
    );
    assert!(matches!(world.history.ops[0].op, Operation::Script { .. }));
}

#[test]
fn client_side_script_can_yield_inside_pcall() {
    // Lua 5.1 cannot yield across the C pcall: the client's pcall is coroutine-based.
    let source = "
        local ok, v = pcall(function() return redis.call('INCR', KEYS[1]) end)
        local bad, e = pcall(function() return redis.call('INCR', 'str') end)
        local xok, xv = xpcall(function() return redis.call('INCR', KEYS[1]) end, function(m) return m end)
        return {tostring(ok), v, tostring(bad), e.err, tostring(xok), xv}
    ";
    let scenario = Scenario::new("pcall").clients(1, 1, Script::source(source).keys(["n"]).raw());
    let mut world = scenario.world(1);
    world.admin_command(vec![b"SET".to_vec(), b"str".to_vec(), b"x".to_vec()]);
    let mut sched = redsim_sim::scheduler::RandomScheduler::default();
    world.run(&mut sched);
    assert_eq!(
        world.history.ops[0].result,
        Some(Reply::Array(vec![
            Reply::bulk("true"),
            Reply::Integer(1),
            Reply::bulk("false"),
            Reply::bulk("ERR value is not an integer or out of range"),
            Reply::bulk("true"),
            Reply::Integer(2),
        ]))
    );
}

#[test]
fn redis_call_error_ends_the_script_but_earlier_writes_stay() {
    let source = "redis.call('INCR', KEYS[1]) redis.call('INCR', KEYS[2]) return 'unreached'";
    let scenario =
        Scenario::new("error").clients(1, 1, Script::source(source).keys(["n", "str"]).raw());
    let mut world = scenario.world(1);
    world.admin_command(vec![b"SET".to_vec(), b"str".to_vec(), b"x".to_vec()]);
    world.run(&mut redsim_sim::scheduler::RandomScheduler::default());
    assert_eq!(
        world.history.ops[0].result,
        Some(Reply::error("ERR value is not an integer or out of range"))
    );
    assert_eq!(world.history.ops[0].status, Status::Ok);
    assert_eq!(get(&mut world, "n"), Reply::bulk("1"));
}

#[test]
fn each_command_is_its_own_operation() {
    let scenario = Scenario::new("each").clients(
        2,
        3,
        Program::commands(&[&["INCR", "n"]], CommandsMode::Each),
    );
    let mut world = scenario.world(3);
    world.run_seed(3);
    assert_eq!(world.history.ops.len(), 6);
    let mut results: Vec<i64> = world
        .history
        .ops
        .iter()
        .map(|op| match op.result {
            Some(Reply::Integer(n)) => n,
            _ => 0,
        })
        .collect();
    results.sort();
    assert_eq!(results, vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn pipeline_sends_everything_at_once_and_records_one_op_per_command() {
    let program = Program::commands(
        &[&["INCR", "n"], &["INCR", "n"], &["GET", "n"]],
        CommandsMode::Pipeline,
    );
    let scenario = Scenario::new("pipeline").clients(2, 1, program);
    let mut world = scenario.world(0);
    let mut interleaved = false;
    for seed in 0..50 {
        world.run_seed(seed);
        assert_eq!(world.history.ops.len(), 6);
        // All three requests of a client are in flight together: the ops share invoke
        // and return times.
        let c0: Vec<_> = world
            .history
            .ops
            .iter()
            .filter(|op| op.client == 0)
            .collect();
        assert!(c0
            .iter()
            .all(|op| op.call == c0[0].call && op.ret == c0[0].ret));
        interleaved |= world.schedule.windows(2).filter(|w| w[0] != w[1]).count() > 1;
        assert_eq!(get(&mut world, "n"), Reply::bulk("4"));
    }
    assert!(
        interleaved,
        "pipelines are not atomic: other clients' commands fall between"
    );
}

#[test]
fn multi_block_is_atomic() {
    let program = Program::multi(
        &[
            &["INCR", "counter"],
            &["INCR", "count"],
            &["GET", "counter"],
            &["GET", "count"],
        ],
        false,
    );
    let scenario = Scenario::new("multi").clients(3, 2, program);
    let mut world = scenario.world(0);
    for seed in 0..30 {
        world.run_seed(seed);
        for op in &world.history.ops {
            assert!(matches!(op.op, Operation::Multi(_)));
            let Some(Reply::Array(items)) = &op.result else {
                panic!("{:?}", op.result)
            };
            assert_eq!(
                items[2], items[3],
                "seed {seed}: a MULTI block was interleaved"
            );
        }
    }
}

#[test]
fn multi_with_a_queueing_error_fails_without_effect() {
    let program = Program::multi(&[&["INCR", "n"], &["NOSUCH"]], true);
    let scenario = Scenario::new("execabort").clients(1, 1, program);
    let mut world = scenario.world(0);
    world.run_seed(0);
    let op = &world.history.ops[0];
    assert_eq!(op.status, Status::Fail);
    assert_eq!(
        op.result,
        Some(Reply::error(
            "EXECABORT Transaction discarded because of previous errors."
        ))
    );
    assert_eq!(get(&mut world, "n"), Reply::Null);
}

#[test]
fn watch_retry_loses_no_update_where_get_then_set_does() {
    let racy = Script::source("local v = redis.call('GET', KEYS[1]) return redis.call('SET', KEYS[1], (tonumber(v) or 0) + 1)").keys(["n"]).raw();
    let watched = Watch::keys(["n"])
        .read(["GET", "n"])
        .write(["SET", "n", "{r0+1}"])
        .retries(20);
    let mut lost_somewhere = false;
    let mut conflicts_somewhere = false;
    for seed in 0..40 {
        let mut world = Scenario::new("racy")
            .clients(3, 2, racy.clone())
            .world(seed);
        world.run_seed(seed);
        lost_somewhere |= get(&mut world, "n") != Reply::bulk("6");

        let mut world = Scenario::new("watched")
            .clients(3, 2, watched.clone())
            .world(seed);
        world.run_seed(seed);
        assert_eq!(get(&mut world, "n"), Reply::bulk("6"), "seed {seed}");
        assert!(world.history.ops.iter().all(|op| op.status == Status::Ok));
        conflicts_somewhere |= world.trace.render().contains("EXEC -> (nil)");
    }
    assert!(lost_somewhere, "GET then SET never lost an update");
    assert!(
        conflicts_somewhere,
        "no EXEC ever failed: WATCH was never exercised"
    );
}

#[test]
fn rust_clients_call_commands_and_are_interleaved() {
    let calls = Arc::new(AtomicU64::new(0));
    let counted = calls.clone();
    let program = Program::rust(move |conn| {
        let key = format!("k{}", conn.client());
        for _ in 0..3 {
            conn.call(&["INCR", "shared"]);
            counted.fetch_add(1, Ordering::SeqCst);
        }
        let mine = conn.call(&["SET", key.as_str(), "done"]);
        assert_eq!(mine, Reply::ok());
    });
    let scenario = Scenario::new("rust").clients(2, 0, program);
    let mut world = scenario.world(5);
    world.run_seed(5);
    assert_eq!(calls.load(Ordering::SeqCst), 6);
    assert_eq!(world.history.ops.len(), 8);
    assert_eq!(get(&mut world, "shared"), Reply::bulk("6"));
    assert_eq!(get(&mut world, "k1"), Reply::bulk("done"));
}
