//! Timeouts against a server that stops answering: the operation in flight becomes an
//! unknown-outcome operation (it may or may not have run), that client stops, the run
//! ends by itself, and the history is still judged and written. The server is an
//! in-process redsim engine behind a loopback listener that answers the first few
//! commands of every connection and then reads without ever replying — no redis-server
//! needed, and the stall comes at an exact point.

use redsim::resp::parse::{Parsed, RequestParser};
use redsim::{Engine, ManualHost};
use redsim_sim::history::{json, Status};
use redsim_sim::real::{self, RealOptions};
use redsim_sim::scenario::{toml::load, ScriptRun};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Connections the fake server accepts at most (admin + clients), so it ends by itself.
const CONNECTIONS_MAX: usize = 8;

/// A loopback server that answers the first `answered` commands of each connection from
/// a shared engine and then stops replying.
fn stalling_server(answered: usize) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().unwrap();
    let engine = Arc::new(Mutex::new(Engine::new(ManualHost::default())));
    let accept = std::thread::spawn(move || {
        let mut served = Vec::new();
        for stream in listener.incoming().take(CONNECTIONS_MAX) {
            let Ok(stream) = stream else { break };
            let engine = engine.clone();
            served.push(std::thread::spawn(move || serve(stream, &engine, answered)));
        }
        for s in served {
            let _ = s.join();
        }
    });
    (addr, accept)
}

/// Ends the fake server: its accept loop takes at most `CONNECTIONS_MAX` connections.
fn stop(addr: SocketAddr, server: JoinHandle<()>) {
    for _ in 0..CONNECTIONS_MAX {
        let _ = TcpStream::connect(addr);
    }
    server.join().expect("the fake server ends");
}

fn serve(mut stream: TcpStream, engine: &Mutex<Engine>, answered: usize) {
    // A safety net: a connection nobody closes ends after this long.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let client = engine.lock().unwrap().connect();
    let mut parser = RequestParser::new();
    let mut buf = [0u8; 4096];
    let mut count = 0;
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        parser.feed(&buf[..n]);
        while let Parsed::Request(argv) = parser.next_request() {
            count += 1;
            if count > answered {
                continue; // read and dropped: the reply never comes
            }
            let reply = engine.lock().unwrap().execute_encoded(client, &argv);
            if stream.write_all(&reply).is_err() {
                return;
            }
        }
    }
}

fn counter_race(threads: u32, ops: u32) -> redsim_sim::scenario::Scenario {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/scenarios/counter-race.toml");
    let mut scenario = load(&path)
        .expect("counter-race.toml loads")
        .run_as(ScriptRun::Eval);
    for group in &mut scenario.groups {
        group.count = threads;
        group.ops = ops;
    }
    scenario
}

#[test]
fn a_server_that_stops_answering_turns_the_operation_in_flight_into_an_unknown_outcome() {
    // Each EVAL operation is one command; the admin connection's INFO, FLUSHALL and
    // SCRIPT FLUSH are 3. So every client gets 3 answers, and its 4th operation hangs.
    let (addr, server) = stalling_server(3);
    let scenario = counter_race(3, 6);
    let options = RealOptions {
        io_timeout: Duration::from_millis(300),
        time_limit: Duration::from_secs(10),
        flush: true,
        ..RealOptions::new(addr)
    };
    let began = Instant::now();
    let recorded = real::run(&scenario, &options).expect("the run ends by itself");
    assert!(
        began.elapsed() < Duration::from_secs(8),
        "the run should end soon after the read timeouts, took {:?}",
        began.elapsed()
    );
    let history = &recorded.history;
    assert_eq!(
        history.ops.len(),
        3 * 4,
        "3 answered + 1 unknown per client"
    );
    for client in 0..3u64 {
        let own: Vec<_> = history
            .ops
            .iter()
            .filter(|op| op.client == client)
            .collect();
        let statuses: Vec<Status> = own.iter().map(|op| op.status).collect();
        assert_eq!(
            statuses,
            [Status::Ok, Status::Ok, Status::Ok, Status::Unknown],
            "client {client}"
        );
        let last = own.last().unwrap();
        assert_eq!(
            (last.ret, &last.result),
            (None, &None),
            "no reply, no return time"
        );
    }
    assert_eq!(
        recorded.client_errors.len(),
        3,
        "{:?}",
        recorded.client_errors
    );
    for (_, e) in &recorded.client_errors {
        let lower = e.to_lowercase();
        assert!(
            lower.contains("timed out")
                || lower.contains("would block")
                || lower.contains("temporarily"),
            "a read timeout, got {e}"
        );
    }

    let verdict = real::judge(&scenario, history, 20_000_000);
    assert_eq!((verdict.ok, verdict.unknown), (9, 3));
    assert!(verdict.violating.is_empty(), "{}", real::render(&verdict));
    assert_eq!(
        verdict.check_verdict(),
        "linearizable",
        "{}",
        real::render(&verdict)
    );
    let back = json::from_str(&json::to_string(history)).expect("the history reads back");
    assert_eq!(
        &back, history,
        "unknown operations survive the JSON round trip"
    );
    stop(addr, server);
}

#[test]
fn a_server_that_never_answers_is_refused_before_the_run_begins() {
    let (addr, server) = stalling_server(0);
    let options = RealOptions {
        io_timeout: Duration::from_millis(200),
        ..RealOptions::new(addr)
    };
    let err = real::run(&counter_race(2, 2), &options).expect_err("no reply to DBSIZE");
    assert!(err.contains("preparing the server"), "{err}");
    stop(addr, server);
}
