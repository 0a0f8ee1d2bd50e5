//! A Redis Cluster of real `redis-server` processes on loopback, started and formed as
//! the simulator forms its sharded world (`world/shards.rs`): node `i` gets config epoch
//! `i + 1` and the `i`-th share of the slots (`redsim::slot_ranges`, redis-cli's split),
//! the nodes meet, and the cluster is ready once every node says `cluster_state:ok`
//! (which Redis delays by its 2 s writable delay after start-up).
//!
//! Node `i` listens on 7000 + i, as in the simulator, when that port is free, else on a
//! free port the OS picks (the clients map MOVED/ASK addresses back to node indices, so
//! the ports only change the text of redirections). Each node has its own directory under
//! the system's temporary directory (`--dir`, `--cluster-config-file nodes.conf`, `--save
//! ''`). The processes are killed by their PIDs when the [`LocalCluster`] is dropped, on
//! success and on error alike, and their directories removed.

use super::codec::Connection;
use super::runner::text;
use crate::world::BASE_PORT;
use redsim::{slot_ranges, Reply};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long the nodes may take to listen and then to agree that the cluster is ok.
const PATIENCE: Duration = Duration::from_secs(20);

/// N redis-server processes forming one Redis Cluster; killed on drop.
pub struct LocalCluster {
    children: Vec<Child>,
    addrs: Vec<SocketAddr>,
    dir: PathBuf,
}

/// Port 7000 + `index` when nothing listens there and it can be bound, else one the OS
/// picks.
fn port_for(index: usize) -> Result<u16, String> {
    let wanted = BASE_PORT + index as u16;
    // The cluster bus listens on port + 10000: both must be free.
    let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
    if free(wanted) && free(wanted + 10_000) {
        return Ok(wanted);
    }
    for _ in 0..20 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        if port < 55_000 && free(port + 10_000) {
            return Ok(port);
        }
    }
    Err("no free port pair (port, port + 10000) for a cluster node".into())
}

impl LocalCluster {
    /// Starts `n` masters and forms the cluster; the error says what failed (the
    /// processes started so far are killed).
    pub fn start(n: usize) -> Result<LocalCluster, String> {
        if !(1..=16).contains(&n) {
            return Err(format!("a local cluster has 1 to 16 masters, not {n}"));
        }
        // One directory per cluster: several may run in one process (tests).
        static STARTED: AtomicU64 = AtomicU64::new(0);
        let number = STARTED.fetch_add(1, Ordering::Relaxed);
        let name = format!("redsim-real-cluster-{}-{number}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        let mut cluster = LocalCluster {
            children: Vec::new(),
            addrs: Vec::new(),
            dir,
        };
        for i in 0..n {
            let port = port_for(i)?;
            let node_dir = cluster.dir.join(format!("node{i}"));
            std::fs::create_dir_all(&node_dir)
                .map_err(|e| format!("cannot create {}: {e}", node_dir.display()))?;
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .args(["--cluster-enabled", "yes"])
                .args(["--cluster-config-file", "nodes.conf"])
                .arg("--dir")
                .arg(&node_dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start redis-server: {e}"))?;
            cluster.children.push(child);
            cluster.addrs.push(([127, 0, 0, 1], port).into());
        }
        cluster.wait_listening()?;
        cluster.form()?;
        Ok(cluster)
    }

    /// The nodes' addresses, node 0 first.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    fn wait_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        for i in 0..self.addrs.len() {
            while TcpStream::connect(self.addrs[i]).is_err() {
                if let Ok(Some(status)) = self.children[i].try_wait() {
                    return Err(format!(
                        "redis-server on {} exited: {status}",
                        self.addrs[i]
                    ));
                }
                if Instant::now() >= deadline {
                    return Err(format!("redis-server did not listen on {}", self.addrs[i]));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }

    fn admin(&self, node: usize) -> Result<Connection, String> {
        Connection::connect(self.addrs[node], Duration::from_secs(5))
            .map_err(|e| format!("cannot connect to {}: {e}", self.addrs[node]))
    }

    /// Epochs and slots first (SET-CONFIG-EPOCH needs a node that knows no other), then
    /// every node meets node 0, then the wait for every node to see an ok cluster.
    fn form(&self) -> Result<(), String> {
        let ranges = slot_ranges(self.addrs.len());
        let mut conns = Vec::new();
        for (i, &(start, end)) in ranges.iter().enumerate() {
            let mut conn = self.admin(i)?;
            let epoch = (i + 1).to_string();
            let (s, e) = (start.to_string(), end.to_string());
            call_ok(&mut conn, &["CLUSTER", "SET-CONFIG-EPOCH", &epoch])?;
            call_ok(&mut conn, &["CLUSTER", "ADDSLOTSRANGE", &s, &e])?;
            conns.push(conn);
        }
        let first = self.addrs[0];
        for conn in conns.iter_mut().skip(1) {
            let port = first.port().to_string();
            call_ok(conn, &["CLUSTER", "MEET", "127.0.0.1", &port])?;
        }
        let deadline = Instant::now() + PATIENCE;
        let known = format!("cluster_known_nodes:{}", self.addrs.len());
        for (i, conn) in conns.iter_mut().enumerate() {
            loop {
                let info = conn
                    .call(&["CLUSTER", "INFO"])
                    .map_err(|e| format!("CLUSTER INFO on node {i}: {e}"))?;
                let info = text(&info);
                let has = |line: &str| info.lines().any(|l| l.trim() == line);
                if has("cluster_state:ok") && has(&known) && has("cluster_slots_assigned:16384") {
                    break;
                }
                if Instant::now() >= deadline {
                    return Err(format!("node {i} did not see an ok cluster: {info}"));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }
}

/// Runs `argv` on `conn`; an error reply or an I/O error is the error.
pub(crate) fn call_ok(conn: &mut Connection, argv: &[&str]) -> Result<Reply, String> {
    match conn.call(argv) {
        Ok(Reply::Error(e)) => Err(format!(
            "{} failed: {}",
            argv.join(" "),
            String::from_utf8_lossy(&e)
        )),
        Ok(reply) => Ok(reply),
        Err(e) => Err(format!("{}: {e}", argv.join(" "))),
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        for child in &mut self.children {
            // Child::kill sends SIGKILL to this child's PID only.
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
