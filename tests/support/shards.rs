//! A cluster of redsim nodes in one test process, and a real one on loopback, for the
//! tests that compare several nodes with redis-server: engines whose hosts carry MIGRATE
//! to each other by port ([`ShardHost`]), told of each other as gossip would
//! ([`SimCluster::gossip`]), and real servers met and given the same slots.

use super::{RawConn, RedisServer};
use redsim::{slot_ranges, ClientId, Engine, Host, ManualHost, MigrateFailure, MigrateTransfer};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The redsim nodes by port, for MIGRATE.
pub type Net = Arc<Mutex<Vec<(u16, Arc<Mutex<Engine>>)>>>;

/// A test clock plus a network that reaches the other redsim nodes on 127.0.0.1.
pub struct ShardHost {
    pub clock: ManualHost,
    pub net: Net,
}

impl Host for ShardHost {
    fn now_us(&mut self) -> u64 {
        self.clock.now_us()
    }

    fn random_u64(&mut self) -> u64 {
        self.clock.random_u64()
    }

    fn sleep_us(&mut self, us: u64) {
        self.clock.sleep_us(us)
    }

    fn migrate(
        &mut self,
        host: &[u8],
        port: &[u8],
        _timeout_ms: u64,
        commands: &[Vec<Vec<u8>>],
    ) -> MigrateTransfer {
        let failed = |failure| MigrateTransfer {
            replies: Vec::new(),
            failure: Some(failure),
        };
        // Only loopback resolves here: another name fails before any connection.
        if host != b"127.0.0.1" {
            return failed(MigrateFailure::Connect);
        }
        let port: Option<u16> = std::str::from_utf8(port).ok().and_then(|p| p.parse().ok());
        let target = self
            .net
            .lock()
            .unwrap()
            .iter()
            .find(|(p, _)| Some(*p) == port)
            .map(|(_, e)| e.clone());
        // Nobody there: the connection is refused, which Redis finds on its first write.
        let Some(target) = target else {
            return failed(MigrateFailure::Write);
        };
        // The node migrating is busy with this MIGRATE: a transfer to itself times out.
        let Ok(mut engine) = target.try_lock() else {
            return failed(MigrateFailure::ReadTimeout);
        };
        engine.serve_transfer(commands)
    }
}

pub fn words(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// The text of a bulk reply.
pub fn bulk_text(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply);
    let body = text.split_once("\r\n").map(|(_, b)| b).unwrap_or("");
    body.strip_suffix("\r\n").unwrap_or(body).to_string()
}

/// Real masters on loopback, each with config epoch i+1 and its share of the slots.
pub struct RealCluster {
    pub servers: Vec<RedisServer>,
    pub conns: Vec<RawConn>,
    pub ids: Vec<String>,
}

impl RealCluster {
    /// `n` masters, met and given their slots, once every node sees them all.
    pub fn start(n: usize) -> RealCluster {
        let servers: Vec<RedisServer> = (0..n)
            .map(|_| RedisServer::start_with(&["--cluster-enabled", "yes"]))
            .collect();
        let mut conns: Vec<RawConn> = servers.iter().map(|s| s.connect()).collect();
        for (i, conn) in conns.iter_mut().enumerate() {
            conn.call(&words(&[
                "CLUSTER",
                "SET-CONFIG-EPOCH",
                &(i + 1).to_string(),
            ]));
        }
        for server in &servers[1..] {
            let port = server.port.to_string();
            conns[0].call(&words(&["CLUSTER", "MEET", "127.0.0.1", &port]));
        }
        for (conn, (start, end)) in conns.iter_mut().zip(slot_ranges(n)) {
            let (s, e) = (start.to_string(), end.to_string());
            conn.call(&words(&["CLUSTER", "ADDSLOTSRANGE", &s, &e]));
        }
        let ids = conns
            .iter_mut()
            .map(|c| bulk_text(&c.call(&words(&["CLUSTER", "MYID"]))))
            .collect();
        let mut real = RealCluster {
            servers,
            conns,
            ids,
        };
        real.converge();
        real
    }

    pub fn ports(&self) -> Vec<u16> {
        self.servers.iter().map(|s| s.port).collect()
    }

    /// Waits until every node is `ok`, knows every other, and lists the same slot
    /// owners and current epoch.
    pub fn converge(&mut self) {
        let n = self.conns.len();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let views: Vec<String> = self
                .conns
                .iter_mut()
                .map(|c| {
                    let info = bulk_text(&c.call(&words(&["CLUSTER", "INFO"])));
                    let slots = super::escape(&c.call(&words(&["CLUSTER", "SLOTS"])));
                    let state = info.contains("cluster_state:ok")
                        && info.contains(&format!("cluster_known_nodes:{n}\r"));
                    let epoch = info
                        .lines()
                        .find(|l| l.starts_with("cluster_current_epoch"))
                        .unwrap_or("")
                        .to_string();
                    format!("{state} {epoch} {slots}")
                })
                .collect();
            if views
                .iter()
                .all(|v| v.starts_with("true") && *v == views[0])
            {
                // Settled; let the last pongs carry the epochs too.
                std::thread::sleep(Duration::from_millis(300));
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the real cluster never settled: {views:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The same cluster in redsim: engines on the given ports, one client each.
pub struct SimCluster {
    pub engines: Vec<Arc<Mutex<Engine>>>,
    pub clients: Vec<ClientId>,
    pub ids: Vec<String>,
}

impl SimCluster {
    /// Masters on `ports` (announcing 127.0.0.1), epochs and slots as
    /// [`RealCluster::start`] gives them, told of each other, 2.1 s on (past Redis's
    /// writable delay). `now_us` is their clock's start.
    pub fn start(ports: &[u16], now_us: u64) -> SimCluster {
        let net: Net = Arc::new(Mutex::new(Vec::new()));
        let ranges = slot_ranges(ports.len());
        let mut sim = SimCluster {
            engines: Vec::new(),
            clients: Vec::new(),
            ids: Vec::new(),
        };
        for (i, &port) in ports.iter().enumerate() {
            // ManualHost seeds that differ only in bit 0 give the same numbers.
            let host = ShardHost {
                clock: ManualHost::new(now_us, (i as u64 + 1) * 16),
                net: net.clone(),
            };
            let mut engine = Engine::new(host);
            engine.store.config.set_startup("cluster-enabled", "yes");
            engine.store.config.set_startup("port", &port.to_string());
            engine
                .store
                .config
                .set_startup("cluster-announce-ip", "127.0.0.1");
            let client = engine.connect();
            let epoch = (i + 1).to_string();
            engine.call(client, &["CLUSTER", "SET-CONFIG-EPOCH", &epoch]);
            let (s, e) = (ranges[i].0.to_string(), ranges[i].1.to_string());
            engine.call(client, &["CLUSTER", "ADDSLOTSRANGE", &s, &e]);
            sim.ids
                .push(engine.cluster_node_id().expect("a cluster node"));
            sim.clients.push(client);
            let engine = Arc::new(Mutex::new(engine));
            net.lock().unwrap().push((port, engine.clone()));
            sim.engines.push(engine);
        }
        sim.gossip();
        for engine in &sim.engines {
            engine.lock().unwrap().host.sleep_us(2_100_000);
        }
        sim
    }

    /// What the cluster bus would carry: every node tells every other of itself.
    pub fn gossip(&mut self) {
        let selves: Vec<_> = self
            .engines
            .iter()
            .map(|e| e.lock().unwrap().cluster_myself().expect("a cluster node"))
            .collect();
        for (i, engine) in self.engines.iter().enumerate() {
            let mut engine = engine.lock().unwrap();
            for (j, peer) in selves.iter().enumerate() {
                if i != j {
                    engine.cluster_learn(peer);
                }
            }
        }
    }
}

/// CLUSTER NODES or CLUSTER INFO text made comparable across runs: the ping and pong
/// times zeroed, the bus message counts left out, the lines sorted (Redis lists the
/// nodes in its dict's order).
pub fn cluster_view(text: &str) -> String {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with("cluster_stats_messages"))
        .map(|line| {
            let mut fields: Vec<&str> = line.split(' ').collect();
            if fields.len() > 7 {
                fields[4] = "0";
                fields[5] = "0";
            }
            fields.join(" ")
        })
        .collect();
    lines.sort();
    lines.join("\n")
}
