//! `redsim real SCENARIO.toml [--addr 127.0.0.1:PORT] [--threads N] [--ops M]
//! [--mode raw|eval|evalsha] [--replica HOST:PORT] [--flush] [--time-limit SECS] [--timeout SECS] [--check-states N] [--json FILE]
//! [--html FILE] [--sim-seeds N]`: the scenario's clients on real threads and connections
//! against a server on this machine (redis-server or `redsim serve`), the history judged
//! like a simulated one, its anomaly rate set beside the simulator's for the same scenario,
//! and the operations around the first anomaly shown as the interleaving table. A
//! scenario with `shards = N` runs without `--addr`, on N redis-server cluster nodes
//! started (and killed at the end) here.
//!
//! `--json` writes the recorded history in the redsim-history/1 format, which
//! `redsim check` reads; `--html` a self-contained report with the timeline picture. Exit status: 0 no anomaly, 1 an anomaly, 2 bad arguments, an
//! unusable scenario or server.

use redsim_sim::history::json;
use redsim_sim::real::{self, compare, report, RealOptions};
use redsim_sim::report::colour::Style;
use redsim_sim::report::mode::{self, Mode};
use redsim_sim::report::table;
use redsim_sim::scenario::toml::load;
use redsim_sim::scenario::Scenario;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (corpus/scenarios/*.toml).
    pub scenario: PathBuf,
    /// The server, HOST:PORT; loopback only. Not for a scenario with `shards = N`: it
    /// runs on a Redis Cluster of N redis-server processes started for the run (on ports
    /// 7000.. when free) and stopped after it.
    #[arg(long)]
    pub addr: Option<String>,
    /// A replica of the server, HOST:PORT, for the clients the scenario puts on a
    /// replica (`node = 1`), and the one a scenario's `failover_step` promotes
    /// (REPLICAOF NO ONE; the primary's clients then move to it).
    #[arg(long)]
    pub replica: Option<String>,
    /// Clients (threads) in each client group, instead of the scenario's count.
    #[arg(long)]
    pub threads: Option<u32>,
    /// Operations per client, instead of the scenario's.
    #[arg(long)]
    pub ops: Option<u32>,
    /// How scripts are sent (default: as the scenario says).
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// FLUSHALL and SCRIPT FLUSH first (otherwise the database must be empty).
    #[arg(long)]
    pub flush: bool,
    /// No operation starts after this many seconds.
    #[arg(long, default_value_t = 60.0)]
    pub time_limit: f64,
    /// A reply later than this many seconds makes its operation's outcome unknown.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// The checker gives up (verdict unknown) after exploring this many states (a count,
    /// not a time: the same history gets the same verdict on any machine).
    #[arg(long, default_value_t = 20_000_000)]
    pub check_states: u64,
    /// Write the recorded history here (redsim-history/1 JSON, for `redsim check`).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write an HTML report (summary, timeline picture and table) here.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Simulated seeds run for the comparison of anomaly rates (0: no comparison).
    #[arg(long, default_value_t = 20)]
    pub sim_seeds: u64,
}

/// The command line that runs the same workload again.
fn rerun_command(args: &Args, scenario: &Scenario) -> String {
    let mut line = format!("redsim real {}", args.scenario.display());
    if let Some(addr) = &args.addr {
        line += &format!(" --addr {addr}");
    }
    if let Some(group) = scenario.groups.first() {
        line += &format!(" --threads {} --ops {}", group.count, group.ops);
    }
    if let Some(m) = args.mode {
        line += &format!(" --mode {}", m.name());
    }
    if let Some(replica) = &args.replica {
        line += &format!(" --replica {replica}");
    }
    if args.flush {
        line += " --flush";
    }
    line
}

fn seconds(name: &str, value: f64) -> Result<Duration, String> {
    if value.is_finite() && value > 0.0 && value < 1e6 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(format!("--{name} must be a positive number of seconds"))
    }
}

fn bad(message: String) -> ExitCode {
    eprintln!("redsim real: {message}");
    ExitCode::from(2)
}

pub fn run(args: Args) -> ExitCode {
    let mut scenario = match load(&args.scenario) {
        Ok(s) => s,
        Err(e) => return bad(e),
    };
    let shards = scenario.options.shards as usize;
    let addr = match (&args.addr, shards) {
        (Some(_), 1..) => {
            return bad(format!(
                "the scenario runs on a cluster of {shards} masters that redsim real starts: \
                 leave out --addr"
            ))
        }
        (Some(text), 0) => match real::loopback_addr(text) {
            Ok(a) => a,
            Err(e) => return bad(e),
        },
        (None, 1..) => std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        (None, 0) => return bad("--addr HOST:PORT names the server".into()),
    };
    if let Some(m) = args.mode {
        scenario = match mode::apply(&scenario, m) {
            Ok(s) => s,
            Err(e) => return bad(e),
        };
    }
    for group in &mut scenario.groups {
        if let Some(n) = args.threads {
            group.count = n;
        }
        if let Some(n) = args.ops {
            group.ops = n;
        }
    }
    let limits = (
        seconds("time-limit", args.time_limit),
        seconds("timeout", args.timeout),
    );
    let (time_limit, io_timeout) = match limits {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return bad(e),
    };
    let replica = match args.replica.as_deref().map(real::loopback_addr) {
        Some(Ok(a)) => Some(a),
        Some(Err(e)) => return bad(e),
        None => None,
    };
    let options = RealOptions {
        addr,
        io_timeout,
        time_limit,
        flush: args.flush,
        replica,
    };
    let label = mode::mode_of(&scenario);
    // Started before the run, killed (by PID) when dropped at the end of this function,
    // on every return.
    let cluster = if shards > 0 {
        match real::LocalCluster::start(shards) {
            Ok(c) => Some(c),
            Err(e) => return bad(format!("starting a cluster of {shards} masters: {e}")),
        }
    } else {
        None
    };
    let against = match &cluster {
        Some(c) => {
            let ports: Vec<String> = c.addrs().iter().map(|a| a.port().to_string()).collect();
            format!("a cluster on 127.0.0.1 ports {}", ports.join(", "))
        }
        None => addr.to_string(),
    };
    println!(
        "redsim real: {} ({label}), {} clients, against {against}",
        scenario.name,
        scenario.client_count()
    );
    let recorded = match &cluster {
        Some(c) => real::run_on_cluster(&scenario, &options, c),
        None => real::run(&scenario, &options),
    };
    let recorded = match recorded {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    println!("server: {}", recorded.server);
    println!(
        "ran {:.3} s{}",
        recorded.elapsed.as_secs_f64(),
        if recorded.hit_time_limit {
            " (time limit reached: some clients stopped early)"
        } else {
            ""
        }
    );
    for (client, e) in &recorded.client_errors {
        println!("client {client} stopped: {e}");
    }
    if let Some(path) = &args.json {
        if let Err(e) = std::fs::write(path, json::to_string(&recorded.history)) {
            return bad(format!("cannot write {}: {e}", path.display()));
        }
        println!("history: {}", path.display());
    }
    let verdict = real::judge(&scenario, &recorded.history, args.check_states);
    let total = recorded.history.ops.len();
    let shown = report::window(
        &scenario,
        label,
        &recorded.server,
        &recorded.history,
        &verdict,
    );
    if verdict.is_anomalous() && !shown.rows.is_empty() {
        println!("{}", report::window_heading(&shown, total));
        println!("{}", table::render(&shown, Style::detect()));
    }
    // The verdict comes last, ending with the checker's word as `redsim check` prints it.
    let mut summary = format!("server: {}\n", recorded.server);
    if args.sim_seeds > 0 {
        let sim = compare::simulated_rate(&scenario, 0..args.sim_seeds);
        summary += &compare::render(verdict.violating.len(), verdict.ok, &sim);
    }
    summary += &real::render(&verdict);
    if let Some(path) = &args.html {
        let title = format!("redsim real: {} ({label})", scenario.name);
        let page = report::html(
            &title,
            &summary,
            &shown,
            total,
            &rerun_command(&args, &scenario),
        );
        if let Err(e) = redsim_sim::report::html::write(path, &page) {
            return bad(format!("cannot write {}: {e}", path.display()));
        }
        println!("report: {}", path.display());
    }
    print!("{}", summary.split_once('\n').map_or("", |(_, rest)| rest));
    if verdict.is_anomalous() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
