//! Runs a scenario's client programs against a server over TCP: one OS thread and one
//! connection per client, every operation's invoke and return stamped in microseconds
//! since the run began (`Instant`, monotonic), the operations gathered into one
//! [`History`].
//!
//! The programs are the simulator's own ([`crate::client`]): a program is a state machine
//! that sends commands and resumes with their replies, so a blocking connection drives it
//! as the simulated world does — each `Progress::Sent` is one round trip (several commands
//! are pipelined). A raw-mode script therefore runs in the client's own Lua VM with every
//! `redis.call` a real round trip, while EVAL / EVALSHA sends the script whole.
//!
//! An I/O error or a read timeout in the middle of an operation makes its outcome
//! unknown (it may or may not have taken effect): the operation is recorded with status
//! `unknown`, the connection is dropped and that client stops, as a crashed client does in
//! the simulator.

use super::cluster::LocalCluster;
use super::cluster_client::{ClusterConn, Finished, Pacer};
use super::codec::Connection;
use super::failover::{FailoverConn, Promoter};
use super::reshard::Operator;
use super::start_gate::StartGate;
use crate::client::{Outbox, Program as ClientProgram, Progress};
use crate::history::{History, Op, Operation, Status};
use crate::scenario::Scenario;
use redsim::Reply;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most commands one operation may send (a runaway client-side script is stopped).
const COMMANDS_PER_OP_MAX: usize = 100_000;

/// How a run against a server is bounded and prepared.
#[derive(Clone, Debug)]
pub struct RealOptions {
    /// The server's address.
    pub addr: SocketAddr,
    /// Connect, read and write timeout of every round trip; a reply later than this makes
    /// the operation's outcome unknown.
    pub io_timeout: Duration,
    /// No operation starts after this long.
    pub time_limit: Duration,
    /// FLUSHALL and SCRIPT FLUSH before the run. Without it the database must be empty
    /// (the checker's models start from an empty database).
    pub flush: bool,
    /// A replica of the server, for the client groups a scenario puts on a replica
    /// (`node = 1`); the run waits until it holds the flushed, empty dataset.
    pub replica: Option<SocketAddr>,
}

impl RealOptions {
    /// Defaults for a server at `addr`.
    pub fn new(addr: SocketAddr) -> RealOptions {
        RealOptions {
            addr,
            io_timeout: Duration::from_secs(5),
            time_limit: Duration::from_secs(60),
            flush: false,
            replica: None,
        }
    }
}

/// What one run recorded.
#[derive(Clone, Debug)]
pub struct RealRun {
    /// The history the threads recorded.
    pub history: History,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// The server as INFO names it (`redis_version:…`, and its executable when given).
    pub server: String,
    /// Clients that stopped early on an I/O error, with the error.
    pub client_errors: Vec<(u32, String)>,
    /// Clients that had operations left when the time limit came.
    pub hit_time_limit: bool,
}

/// Resolves `text` (`HOST:PORT`) and refuses anything but loopback addresses: a run
/// writes to (and with `--flush`, empties) the server's database.
pub fn loopback_addr(text: &str) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve '{text}' as HOST:PORT: {e}"))?
        .collect();
    match addrs.iter().find(|a| a.ip().is_loopback()) {
        Some(a) if addrs.iter().all(|a| a.ip().is_loopback()) => Ok(*a),
        _ => Err(format!(
            "'{text}' is not a loopback address: redsim real only runs against servers on this machine \
             (127.0.0.1, ::1, localhost)"
        )),
    }
}

/// The reply's text (bulk, simple or error), or its debug form.
pub(crate) fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) | Reply::Simple(b) | Reply::Error(b) => {
            String::from_utf8_lossy(b).into_owned()
        }
        Reply::Verbatim { text, .. } => String::from_utf8_lossy(text).into_owned(),
        other => format!("{other:?}"),
    }
}

/// Names the server from `INFO server`.
fn server_name(conn: &mut Connection) -> String {
    let info = match conn.call(&["INFO", "server"]) {
        Ok(reply) => text(&reply),
        Err(e) => return format!("unknown (INFO failed: {e})"),
    };
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(':')))
            .map(str::trim)
    };
    match (field("redis_version"), field("executable")) {
        (Some(v), Some(exe)) if !exe.is_empty() => format!("redis_version {v} ({exe})"),
        (Some(v), _) => format!("redis_version {v}"),
        _ => "unknown (INFO has no redis_version)".into(),
    }
}

/// Readies the database: emptied with `flush`, else it must already be empty.
fn prepare_server(conn: &mut Connection, flush: bool) -> Result<(), String> {
    let io = |e: std::io::Error| format!("preparing the server: {e}");
    if flush {
        let flushes: [&[&str]; 2] = [&["FLUSHALL"], &["SCRIPT", "FLUSH"]];
        for argv in flushes {
            let reply = conn.call(argv).map_err(io)?;
            if reply.is_error() {
                return Err(format!("{} failed: {}", argv.join(" "), text(&reply)));
            }
        }
        return Ok(());
    }
    match conn.call(&["DBSIZE"]).map_err(io)? {
        Reply::Integer(0) => Ok(()),
        Reply::Integer(n) => Err(format!(
            "the server's database holds {n} keys; the checker assumes an empty database \
             (pass --flush to empty it first)"
        )),
        other => Err(format!("DBSIZE replied {}", text(&other))),
    }
}

/// Waits until the replica on `conn` has an empty database (it applied the primary's
/// FLUSHALL), for at most `patience`.
fn wait_until_empty(conn: &mut Connection, patience: Duration) -> Result<(), String> {
    let until = Instant::now() + patience;
    loop {
        let reply = conn
            .call(&["DBSIZE"])
            .map_err(|e| format!("the replica: {e}"))?;
        if reply == Reply::Integer(0) {
            return Ok(());
        }
        if Instant::now() >= until {
            return Err(format!(
                "the replica still holds keys: DBSIZE {}",
                text(&reply)
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs every client of `scenario` against the server; the history is ordered by invoke
/// time. A scenario for a cluster (`shards = N`) runs with [`run_on_cluster`].
pub fn run(scenario: &Scenario, options: &RealOptions) -> Result<RealRun, String> {
    if scenario.options.shards > 0 {
        return Err(format!(
            "the scenario is for a Redis Cluster of {} masters: run it on a cluster \
             (redsim real without --addr starts one)",
            scenario.options.shards
        ));
    }
    if !options.addr.ip().is_loopback() {
        return Err(format!("{} is not a loopback address", options.addr));
    }
    let connect_to = |addr: SocketAddr| {
        Connection::connect(addr, options.io_timeout)
            .map_err(|e| format!("cannot connect to {addr}: {e}"))
    };
    let connect = || connect_to(options.addr);
    let mut admin = connect()?;
    let server = server_name(&mut admin);
    prepare_server(&mut admin, options.flush)?;
    drop(admin);
    let on_replica = scenario.groups.iter().any(|g| g.node != 0);
    let replica = match options.replica {
        Some(addr) if addr.ip().is_loopback() => Some(addr),
        Some(addr) => return Err(format!("{addr} is not a loopback address")),
        None if on_replica => {
            return Err(
                "the scenario has clients on a replica: pass its address (--replica)".into(),
            )
        }
        None => None,
    };
    let failover = scenario.options.faults.replication.failover_step;
    if failover.is_some() && replica.is_none() {
        return Err(
            "the scenario has a failover: pass the address of the replica to promote (--replica)"
                .into(),
        );
    }
    // Checked before waiting for the flush: a replica promoted by an earlier run never
    // receives it.
    let promoted = Arc::new(AtomicBool::new(false));
    let promoter = match (failover, replica) {
        (Some(step), Some(addr)) => Some(Promoter::connect(
            addr,
            options.io_timeout,
            step,
            promoted.clone(),
        )?),
        _ => None,
    };
    if let Some(addr) = replica.filter(|_| on_replica || failover.is_some()) {
        // The replica must have applied the flush before its readers start.
        let mut conn = connect_to(addr)?;
        wait_until_empty(&mut conn, options.io_timeout)?;
    }
    // Connect every client first, so that none starts while others are still connecting.
    let mut wires = Vec::new();
    for group in &scenario.groups {
        for _ in 0..group.count {
            let conn = match replica {
                Some(addr) if group.node != 0 => connect_to(addr)?,
                _ => connect()?,
            };
            wires.push(Wire::Plain(conn));
        }
    }
    let (Some(step), Some(replica), Some(promoter)) = (failover, replica, promoter) else {
        return run_clients(scenario, options, server, wires, None);
    };
    // The failover: the primary's clients (node 0) move to the replica once promoted.
    let pacer = Pacer::new(wires.len(), step);
    let mut groups = scenario
        .groups
        .iter()
        .flat_map(|g| (0..g.count).map(|_| g.node));
    let wires = wires
        .into_iter()
        .map(|wire| match (wire, groups.next()) {
            (Wire::Plain(conn), Some(0)) => Wire::Failover(FailoverConn::new(
                conn,
                replica,
                options.io_timeout,
                promoted.clone(),
                pacer.clone(),
            )),
            (wire, _) => wire,
        })
        .collect();
    let operate: Operate = Box::new(move |pacer| promoter.run(pacer));
    let server = format!("{server}, failover to the replica {replica} at step {step}");
    run_clients(scenario, options, server, wires, Some((pacer, operate)))
}

/// Runs every client of a scenario with `shards = N` against `cluster` (N masters it
/// formed): cluster clients that follow MOVED/ASK (and TRYAGAIN when the scenario says
/// they retry), and the scenario's resharding done by an operator thread at the steps the
/// simulator does it ([`super::reshard`]). `options.addr` is not used.
pub fn run_on_cluster(
    scenario: &Scenario,
    options: &RealOptions,
    cluster: &LocalCluster,
) -> Result<RealRun, String> {
    let addrs = cluster.addrs();
    if addrs.len() != scenario.options.shards as usize {
        return Err(format!(
            "the scenario wants {} masters, the cluster has {}",
            scenario.options.shards,
            addrs.len()
        ));
    }
    let connect = |addr: SocketAddr| {
        Connection::connect(addr, options.io_timeout)
            .map_err(|e| format!("cannot connect to {addr}: {e}"))
    };
    let mut server = String::new();
    for &addr in addrs {
        let mut admin = connect(addr)?;
        if server.is_empty() {
            server = format!(
                "{}, a cluster of {} masters",
                server_name(&mut admin),
                addrs.len()
            );
        }
        prepare_server(&mut admin, options.flush)?;
    }
    let reshards = &scenario.options.reshards;
    let first = super::reshard::action_steps(reshards).first().copied();
    let clients = scenario.client_count() as usize;
    let pacer = Pacer::new(clients, first.unwrap_or(u64::MAX));
    let mut wires = Vec::new();
    for _ in 0..clients {
        let retry = scenario.options.tryagain_retry;
        let mut conn = ClusterConn::new(addrs, options.io_timeout, retry, pacer.clone());
        for (node, addr) in addrs.iter().enumerate() {
            conn.connect(node)
                .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        }
        wires.push(Wire::Cluster(conn));
    }
    let operator = Operator::connect(addrs, options.io_timeout)?;
    let reshards = reshards.clone();
    let operate: Operate = Box::new(move |pacer| {
        operator
            .run(&reshards, pacer)
            .map_err(|e| format!("resharding: {e}"))
    });
    let side = (pacer, operate);
    run_clients(scenario, options, server, wires, Some(side))
}

/// A client's way to the server: one connection, or a cluster client's.
enum Wire {
    Plain(Connection),
    Cluster(ClusterConn),
    /// To the primary until a failover, then to the promoted replica.
    Failover(FailoverConn),
}

impl Wire {
    fn round_trip(&mut self, commands: &[Vec<Vec<u8>>]) -> std::io::Result<Vec<Reply>> {
        match self {
            Wire::Plain(conn) => conn.round_trip(commands),
            Wire::Cluster(conn) => conn.round_trip(commands),
            Wire::Failover(conn) => conn.round_trip(commands),
        }
    }

    /// Replies of the last round trip by which a cluster refused the command.
    fn refused(&self) -> usize {
        match self {
            Wire::Plain(_) | Wire::Failover(_) => 0,
            Wire::Cluster(conn) => conn.refused(),
        }
    }
}

/// What the operator thread of a run does (resharding, a failover), paced by the clients.
type Operate = Box<dyn FnOnce(Arc<Pacer>) -> Result<(), String> + Send>;

/// The steps the clients share with the operator, and what the operator does.
type Side = (Arc<Pacer>, Operate);

/// One thread per client (each with its wire, in scenario order), started together; with
/// `side`, the operator's thread beside them.
fn run_clients(
    scenario: &Scenario,
    options: &RealOptions,
    server: String,
    wires: Vec<Wire>,
    side: Option<Side>,
) -> Result<RealRun, String> {
    let clients = scenario.client_count();
    let mut work = Vec::with_capacity(clients as usize);
    let mut wires = wires.into_iter();
    let mut index = 0;
    for group in &scenario.groups {
        for _ in 0..group.count {
            let wire = wires.next().ok_or("fewer connections than clients")?;
            work.push((index, group.ops, group.program.clone(), wire));
            index += 1;
        }
    }
    let pacer = side.as_ref().map(|(pacer, _)| pacer.clone());
    let gate = Arc::new(StartGate::default());
    // One origin for every client's timestamps (Instant is one monotonic clock for all
    // threads), so invoke and return times compare across clients.
    let start = Instant::now();
    let mut threads = Vec::with_capacity(work.len());
    for (client, ops, program, wire) in work {
        let thread_gate = gate.clone();
        let time_limit = options.time_limit;
        let finished = pacer.clone().map(Finished);
        let spawned = std::thread::Builder::new()
            .name(format!("redsim-real-{client}"))
            .spawn(move || {
                // However the client ends, the operator stops waiting for it.
                let _finished = finished;
                // The Lua VM of a raw client is built on its own thread (it is not Send).
                let built = program.try_instantiate(client, clients, ops);
                let go = thread_gate.ready_and_wait();
                match built {
                    Ok(program) if go => drive(client, program, wire, start, start + time_limit),
                    Ok(_) => ClientRun {
                        ops: Vec::new(),
                        error: Some("the run was called off before it began".into()),
                        timed_out: false,
                    },
                    Err(e) => ClientRun {
                        ops: Vec::new(),
                        error: Some(e),
                        timed_out: false,
                    },
                }
            });
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(e) => {
                gate.call_off();
                for handle in threads {
                    let _ = handle.join();
                }
                return Err(format!("cannot start a client thread: {e}"));
            }
        }
    }
    gate.open_when_ready(threads.len());
    let operator = side.map(|(pacer, operate)| std::thread::spawn(move || operate(pacer)));
    let mut run = RealRun {
        history: History::default(),
        elapsed: Duration::ZERO,
        server,
        client_errors: Vec::new(),
        hit_time_limit: false,
    };
    for (client, thread) in threads.into_iter().enumerate() {
        match thread.join() {
            Ok(result) => {
                run.history.ops.extend(result.ops);
                run.hit_time_limit |= result.timed_out;
                if let Some(e) = result.error {
                    run.client_errors.push((client as u32, e));
                }
            }
            Err(_) => run
                .client_errors
                .push((client as u32, "the client thread panicked".into())),
        }
    }
    run.elapsed = start.elapsed();
    if let Some(operator) = operator {
        match operator.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err("the operator thread panicked".into()),
        }
    }
    run.history.ops.sort_by_key(|op| (op.call, op.client));
    Ok(run)
}

struct ClientRun {
    ops: Vec<Op>,
    error: Option<String>,
    timed_out: bool,
}

fn micros(start: Instant) -> u64 {
    start.elapsed().as_micros() as u64
}

/// One client's loop: its operations one after another until the program is done, the
/// time limit comes, or the connection fails.
fn drive(
    client: u32,
    mut program: Box<dyn ClientProgram>,
    mut conn: Wire,
    start: Instant,
    deadline: Instant,
) -> ClientRun {
    let mut run = ClientRun {
        ops: Vec::new(),
        error: None,
        timed_out: false,
    };
    let mut out = Outbox::default();
    let mut replies: Vec<Reply> = Vec::new();
    for number in 0.. {
        let Some(operation) = program.begin(number) else {
            break;
        };
        if Instant::now() >= deadline {
            run.timed_out = true;
            break;
        }
        let mut op = Op::invoked(client as u64, micros(start), operation, 0);
        replies.clear();
        let (mut sent, mut refused) = (0, 0);
        let outcome = loop {
            out.sent.clear();
            match program.resume(&mut replies, &mut out) {
                Progress::Done(outcome) => break Ok(outcome),
                Progress::Sent if out.sent.is_empty() => continue,
                Progress::Sent => {
                    if let Operation::Command(recorded) = &mut op.op {
                        if recorded.is_empty() {
                            recorded.clone_from(&out.sent[0]);
                        }
                    }
                    sent += out.sent.len();
                    if sent > COMMANDS_PER_OP_MAX {
                        break Err(format!(
                            "an operation sent more than {COMMANDS_PER_OP_MAX} commands"
                        ));
                    }
                    match conn.round_trip(&out.sent) {
                        Ok(got) => {
                            replies.extend(got);
                            refused += conn.refused();
                        }
                        Err(e) => break Err(format!("{e}")),
                    }
                }
            }
        };
        match outcome {
            Ok(mut outcome) => {
                // Every command refused by the cluster before it ran (CROSSSLOT,
                // TRYAGAIN…): the operation had no effect, as the simulator judges it.
                if sent > 0 && refused == sent {
                    outcome.status = Status::Fail;
                }
                // One operation, or one per part of a split outcome, as the world records.
                let parts = op.end(Some(micros(start)), outcome, |_| {});
                run.ops.push(op);
                run.ops.extend(parts);
            }
            Err(e) => {
                // The last command may or may not have run: the outcome is unknown, and
                // the connection's place in the reply stream is lost.
                // Told that every command may have reached the server, the program
                // names what may have taken effect (each command of a pipeline…).
                let instead = program.crash(0, &[]);
                if instead.is_empty() {
                    run.ops.push(op.clone());
                }
                for (operation, status, _) in instead {
                    let status = match status {
                        Status::Ok => Status::Unknown,
                        other => other,
                    };
                    run.ops.push(Op {
                        op: operation,
                        status,
                        ret: None,
                        result: None,
                        ..op.clone()
                    });
                }
                run.error = Some(e);
                return run;
            }
        }
    }
    run
}
