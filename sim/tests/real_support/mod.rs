//! Shared by the `real_*` tests: a redis-server of our own on a free loopback port
//! (stopped by its PID when dropped), and the counter-race scenario sized for a real run.
#![allow(dead_code)]

use redsim_sim::real::{self, RealOptions, RealRun, RealVerdict};
use redsim_sim::scenario::{toml::load, Scenario, ScriptRun};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/scenarios")
        .join(name)
}

/// Whether `redis-server` can be run; prints SKIPPED for `test` when not.
pub fn redis_available(test: &str) -> bool {
    let ok = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("SKIPPED {test}: redis-server is not on PATH");
    }
    ok
}

/// A redis-server child process; killed (by its PID) and reaped on drop.
pub struct RedisServer {
    child: Child,
    pub addr: SocketAddr,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// [`RedisServer::start`] with extra configuration arguments (`--replicaof …`).
    pub fn start_with(extra: &[&str]) -> RedisServer {
        // A free port: bind port 0, note what the OS chose, release it for the server.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut server = RedisServer { child, addr };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {addr} within 10 s"
            );
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("redis-server exited early: {status}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// counter-race.toml with `threads` clients of `ops` operations each, run as `run`.
pub fn counter_race(threads: u32, ops: u32, run: ScriptRun) -> Scenario {
    let mut scenario = load(&scenario_path("counter-race.toml"))
        .expect("counter-race.toml loads")
        .run_as(run);
    for group in &mut scenario.groups {
        group.count = threads;
        group.ops = ops;
    }
    scenario
}

pub fn options(addr: SocketAddr) -> RealOptions {
    RealOptions {
        flush: true,
        time_limit: Duration::from_secs(30),
        ..RealOptions::new(addr)
    }
}

/// One run and its verdict.
pub fn run_and_judge(scenario: &Scenario, addr: SocketAddr) -> (RealRun, RealVerdict) {
    let recorded = real::run(scenario, &options(addr)).expect("the run completes");
    assert!(
        recorded.client_errors.is_empty(),
        "client errors: {:?}",
        recorded.client_errors
    );
    let verdict = real::judge(scenario, &recorded.history, CHECK_STATES);
    (recorded, verdict)
}

/// The checker's budget in these tests. A real run's history differs from run to run, and
/// a hard one could take the default 20 M states minutes in a debug build; the budget is
/// counted, so every check of one history with it reaches the same verdict (unknown
/// included).
pub const CHECK_STATES: u64 = 300_000;

pub const THREADS: u32 = 6;
pub const OPS: u32 = 40;
/// Raw runs tried before concluding the race never showed.
pub const RAW_TRIES: u32 = 5;

/// The raw claim: some run of at most `RAW_TRIES` shows counter ≠ ZCARD. Returns the
/// violation rate of each run tried.
pub fn raw_mode_shows_the_race(addr: SocketAddr, server: &str) -> Vec<f64> {
    let scenario = counter_race(THREADS, OPS, ScriptRun::Raw);
    let mut rates = Vec::new();
    for attempt in 1..=RAW_TRIES {
        let (recorded, verdict) = run_and_judge(&scenario, addr);
        assert_eq!(verdict.ops, (THREADS * OPS) as usize);
        assert_eq!(verdict.errors, 0, "{}", real::render(&verdict));
        rates.push(verdict.anomaly_rate());
        println!(
            "{server} raw attempt {attempt}: {} of {} ops read counter != ZCARD ({:.2}%), checker: {}, {:.3} s",
            verdict.violating.len(),
            verdict.ok,
            100.0 * verdict.anomaly_rate(),
            verdict.check_verdict(),
            recorded.elapsed.as_secs_f64()
        );
        if verdict.is_anomalous() {
            assert!(!verdict.violating.is_empty() || verdict.check_verdict() == "not linearizable");
            return rates;
        }
    }
    panic!("{server}: no anomaly in {RAW_TRIES} raw runs of {THREADS}×{OPS} ops (rates {rates:?})");
}

/// The EVAL claim: the same number of ops sent as EVAL shows no anomaly at all.
pub fn eval_mode_shows_none(addr: SocketAddr, server: &str, run: ScriptRun) {
    let scenario = counter_race(THREADS, OPS, run);
    let (recorded, verdict) = run_and_judge(&scenario, addr);
    println!(
        "{server} {run:?}: {}",
        real::render(&verdict).replace('\n', " | ")
    );
    assert_eq!(verdict.ops, (THREADS * OPS) as usize);
    assert_eq!(verdict.ok, verdict.ops);
    assert_eq!(verdict.errors, 0);
    assert!(verdict.violating.is_empty(), "{}", real::render(&verdict));
    assert_eq!(
        verdict.check_verdict(),
        "linearizable",
        "{}",
        real::render(&verdict)
    );
    assert!(recorded
        .history
        .ops
        .iter()
        .all(|op| op.ret.is_some_and(|r| r >= op.call)));
}
