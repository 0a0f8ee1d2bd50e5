//! A sharded world: its nodes are the masters of one Redis Cluster. Node `i` answers at
//! 127.0.0.1:7000+i, has config epoch i+1 and the `i`-th share of the slots as
//! `redis-cli --cluster create` splits them; every node knows every other (the world
//! stands in for the cluster bus: what a node changes reaches the others when the world
//! gossips, after each resharding step). The cluster is formed at every reset, and the
//! clock moves past Redis's 2 s writable delay before the clients start.
//!
//! Clients are cluster clients, as redis-rs and redis-py are: each keeps a map of slots
//! to nodes (read from CLUSTER SLOTS when it connects), sends a command to the node of its
//! first key's slot, and follows redirections — on `-MOVED` it updates the map and sends
//! the command again to the node named; on `-ASK` it sends ASKING and the command to that
//! node, map unchanged — up to 16 times for one command (redis-py's `RedisClusterRequestTTL`).
//! With `tryagain_retry` a command refused with TRYAGAIN is sent again 50 ms later (as
//! redis-py and redis-rs do); without, TRYAGAIN is the reply. A client with several
//! requests in flight (a pipeline) gets its redirections as errors.
//!
//! Resharding is scheduled: at its steps a slot is opened (IMPORTING on the target,
//! MIGRATING on the source), its keys are moved with MIGRATE … KEYS (as `redis-cli
//! --cluster reshard`, from the operator's connection), and it is closed with SETSLOT …
//! NODE on every node. None of this enters the history: the keys change node, not value.

use super::{Request, World};
use redsim::{command_slot, slot_ranges, ClusterPeer, Reply};

/// The first port of a sharded world's nodes.
pub const BASE_PORT: u16 = 7000;

/// How many times a client follows redirections for one command.
const REDIRECTS_MAX: u32 = 16;

/// One slot's move from one node to another, at three steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reshard {
    /// The slot.
    pub slot: u16,
    /// The node serving it before, and the one serving it after.
    pub from: usize,
    /// The node serving it after.
    pub to: usize,
    /// The step at which the slot is opened (IMPORTING, MIGRATING).
    pub open_step: u64,
    /// The step from which its keys are migrated, `batch` keys a step (one MIGRATE …
    /// KEYS each, as `redis-cli --cluster reshard --cluster-pipeline batch`), until none
    /// is left.
    pub migrate_step: u64,
    /// Keys moved by one MIGRATE.
    pub batch: u32,
    /// The step at which it is closed (SETSLOT … NODE on every node).
    pub close_step: u64,
}

/// The cluster's state in the world.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cluster {
    /// How many masters.
    pub(crate) shards: usize,
    /// The resharding to do in each run.
    pub(crate) reshards: Vec<Reshard>,
    /// Each client's slot map (the node of each slot).
    maps: Vec<Vec<u8>>,
    /// Each client's redirections followed for its current command.
    redirects: Vec<u32>,
}

fn words(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

impl World {
    /// Makes the world a Redis Cluster of `n` masters (nodes are added up to `n`), from
    /// the next reset on; this one is done at once.
    pub fn shard(&mut self, n: usize) {
        assert!(
            (1..=255).contains(&n),
            "a cluster has 1 to 255 masters here"
        );
        self.options.shards = n as u32;
        while self.nodes.len() < n {
            self.add_node();
        }
        self.cluster = Some(Box::new(Cluster {
            shards: n,
            ..Cluster::default()
        }));
        let seed = self.seed;
        self.reset(seed);
    }

    /// Schedules `reshard` in every run (the world must be sharded).
    pub fn add_reshard(&mut self, reshard: Reshard) {
        let cluster = self.cluster.as_mut().expect("a sharded world");
        assert!(reshard.from < cluster.shards && reshard.to < cluster.shards);
        if !self.options.reshards.contains(&reshard) {
            self.options.reshards.push(reshard.clone());
        }
        cluster.reshards.push(reshard);
    }

    /// How many masters the world's cluster has (0: not sharded).
    pub fn shards(&self) -> usize {
        self.cluster.as_ref().map_or(0, |c| c.shards)
    }

    /// The node listening on `port`, if any.
    fn node_at(&self, port: u16) -> Option<usize> {
        let index = port.checked_sub(BASE_PORT)? as usize;
        (index < self.shards()).then_some(index)
    }

    /// At reset: the nodes form the cluster, the clients read its slot map, and the clock
    /// moves past the writable delay.
    pub(super) fn form_cluster(&mut self) {
        let Some(shards) = self.cluster.as_ref().map(|c| c.shards) else {
            return;
        };
        let ranges = slot_ranges(shards);
        for (i, &(start, end)) in ranges.iter().enumerate() {
            let config = &mut self.nodes[i].engine.store.config;
            config.set_startup("cluster-enabled", "yes");
            config.set_startup("port", &(BASE_PORT + i as u16).to_string());
            config.set_startup("cluster-announce-ip", "127.0.0.1");
            let epoch = (i + 1).to_string();
            self.admin_command_on(i, words(&["CLUSTER", "SET-CONFIG-EPOCH", &epoch]));
            let (s, e) = (start.to_string(), end.to_string());
            self.admin_command_on(i, words(&["CLUSTER", "ADDSLOTSRANGE", &s, &e]));
        }
        self.gossip();
        let now = self.clock.now_us();
        self.clock.advance_to(now + 2_100_000);
        // Forming the cluster is the world's set-up, not part of the run's trace.
        self.trace.clear();
        let mut map = vec![0u8; redsim::SLOTS];
        for (i, &(start, end)) in ranges.iter().enumerate() {
            map[start as usize..=end as usize].fill(i as u8);
        }
        let clients = self.slots.len();
        if let Some(cluster) = self.cluster.as_mut() {
            cluster.maps = vec![map; clients];
            cluster.redirects = vec![0; clients];
        }
    }

    /// What the cluster bus would carry: every node tells every other of itself.
    fn gossip(&mut self) {
        let shards = self.shards();
        let selves: Vec<Option<ClusterPeer>> = (0..shards)
            .map(|i| self.nodes[i].engine.cluster_myself())
            .collect();
        for i in 0..shards {
            for (j, peer) in selves.iter().enumerate() {
                if let (true, Some(peer)) = (i != j, peer) {
                    self.nodes[i].engine.cluster_learn(peer);
                }
            }
        }
    }

    /// Runs `argv` on `node` for `session`; in a sharded world the other nodes are where
    /// its MIGRATE delivers meanwhile.
    pub(super) fn execute_on(
        &mut self,
        node: usize,
        session: redsim::ClientId,
        argv: &[Vec<u8>],
    ) -> Reply {
        let migrates = argv
            .first()
            .is_some_and(|a| a.eq_ignore_ascii_case(b"migrate"));
        if !migrates || self.cluster.is_none() {
            return self.nodes[node].engine.execute(session, argv);
        }
        let mut nodes = std::mem::take(&mut self.nodes);
        let mut source = nodes.remove(node);
        if let Ok(mut peers) = self.clock.peers.0.lock() {
            *peers = nodes
                .into_iter()
                .enumerate()
                .map(|(i, n)| {
                    let index = if i < node { i } else { i + 1 };
                    (BASE_PORT + index as u16, n)
                })
                .collect();
        }
        let reply = source.engine.execute(session, argv);
        let mut rest: Vec<crate::world::Node> = match self.clock.peers.0.lock() {
            Ok(mut peers) => peers.drain(..).map(|(_, n)| n).collect(),
            Err(_) => Vec::new(),
        };
        rest.insert(node, source);
        self.nodes = rest;
        reply
    }

    /// Before a client's commands go on the wire: a cluster client with nothing in
    /// flight connects to the node its map gives for the first keyed command's slot.
    pub(super) fn route(&mut self, client: usize, sent: &[Vec<Vec<u8>>]) {
        let Some(cluster) = self.cluster.as_ref() else {
            return;
        };
        let slot = &self.slots[client];
        if !slot.inflight.is_empty() || !slot.orphans.is_empty() {
            return;
        }
        let Some(key_slot) = sent.iter().find_map(|a| command_slot(a)) else {
            return;
        };
        let target = cluster.maps[client][key_slot as usize] as usize;
        if let Some(c) = self.cluster.as_mut() {
            c.redirects[client] = 0;
        }
        self.switch_node(client, target);
    }

    /// Client `client`, with nothing unanswered on its connection but the request being
    /// redirected, moves to a connection to `node` (a cluster client keeps one per node;
    /// here it has one at a time).
    fn switch_node(&mut self, client: usize, node: usize) {
        let slot = &mut self.slots[client];
        slot.target = node as u32;
        if slot.node as usize == node {
            return;
        }
        let old = (slot.node as usize, slot.session);
        self.open_connection(client);
        self.nodes[old.0].engine.disconnect(old.1);
        self.reconnected_in_step = true;
    }

    /// A reply to a cluster client's only request in flight that redirects it: the
    /// client follows it (connects to the node named and sends the command again, after
    /// ASKING for `-ASK`), and true is returned; the reply goes to the trace only.
    pub(super) fn follow_redirect(
        &mut self,
        client: usize,
        argv: &[Vec<u8>],
        reply: &Reply,
        time_us: u64,
    ) -> bool {
        let Some(cluster) = self.cluster.as_ref() else {
            return false;
        };
        let Reply::Error(text) = reply else {
            return false;
        };
        if text.starts_with(b"TRYAGAIN ") {
            return self.retry_later(client, argv, reply, time_us);
        }
        let (ask, rest) = if let Some(rest) = text.strip_prefix(b"MOVED ") {
            (false, rest)
        } else if let Some(rest) = text.strip_prefix(b"ASK ") {
            (true, rest)
        } else {
            return false;
        };
        let slot = &self.slots[client];
        if !slot.inflight.is_empty() || slot.awaiting != 1 || !slot.replies.is_empty() {
            return false;
        }
        if cluster.redirects[client] >= REDIRECTS_MAX {
            return false;
        }
        let text = String::from_utf8_lossy(rest);
        let mut parts = text.split(' ');
        let key_slot: Option<usize> = parts.next().and_then(|s| s.parse().ok());
        let port: Option<u16> = parts
            .next()
            .and_then(|a| a.rsplit_once(':'))
            .and_then(|(_, p)| p.parse().ok());
        let (Some(key_slot), Some(target)) = (key_slot, port.and_then(|p| self.node_at(p))) else {
            return false;
        };
        if let Some(cluster) = self.cluster.as_mut() {
            cluster.redirects[client] += 1;
            if !ask && key_slot < redsim::SLOTS {
                cluster.maps[client][key_slot] = target as u8;
            }
        }
        self.trace_command(time_us, Some(client), argv.to_vec(), reply);
        self.switch_node(client, target);
        let session = self.slots[client].session;
        if ask {
            // ASKING only flags the connection for the next command, which is this one:
            // sent together, they run as one.
            let asking = words(&["ASKING"]);
            let answer = self.nodes[target].engine.execute(session, &asking);
            self.trace_command(time_us, Some(client), asking, &answer);
        }
        self.send_again(client, argv, self.clock.now_us());
        true
    }

    /// Client `client` sends `argv` again, first on its connection, at `ready_at_us`.
    fn send_again(&mut self, client: usize, argv: &[Vec<u8>], ready_at_us: u64) {
        let attempt = self.slots[client].attempt;
        self.slots[client].inflight.push_front(Request {
            argv: argv.to_vec(),
            ready_at_us,
            session: None,
            attempt,
        });
    }

    /// TRYAGAIN to a client that retries it: the command goes again on the same
    /// connection after a pause of 50 ms (redis-py's), within the redirection budget.
    fn retry_later(
        &mut self,
        client: usize,
        argv: &[Vec<u8>],
        reply: &Reply,
        time_us: u64,
    ) -> bool {
        const PAUSE_US: u64 = 50_000;
        let slot = &self.slots[client];
        let alone = slot.inflight.is_empty() && slot.awaiting == 1 && slot.replies.is_empty();
        let Some(cluster) = self.cluster.as_mut() else {
            return false;
        };
        if !self.options.tryagain_retry || !alone || cluster.redirects[client] >= REDIRECTS_MAX {
            return false;
        }
        cluster.redirects[client] += 1;
        self.trace_command(time_us, Some(client), argv.to_vec(), reply);
        self.send_again(client, argv, self.clock.now_us() + PAUSE_US);
        true
    }

    /// A reply by which the cluster refused a command before running it (CROSSSLOT,
    /// TRYAGAIN, CLUSTERDOWN, a redirection not followed): the command had no effect, and
    /// an operation all of whose commands were refused failed (the checker leaves it out).
    pub(super) fn note_refusal(&mut self, client: usize, reply: &Reply) {
        if self.cluster.is_none() {
            return;
        }
        let Reply::Error(text) = reply else {
            return;
        };
        let refused = ["CROSSSLOT ", "TRYAGAIN ", "CLUSTERDOWN ", "MOVED ", "ASK "]
            .iter()
            .any(|code| text.starts_with(code.as_bytes()));
        if refused {
            self.slots[client].refused_in_op += 1;
        }
    }

    /// The resharding steps planned for the current step (on its first visit).
    pub(super) fn reshard_steps(&mut self, first_visit: bool) {
        let Some(cluster) = self.cluster.as_ref() else {
            return;
        };
        if !first_visit || cluster.reshards.is_empty() {
            return;
        }
        let step = self.step;
        let due: Vec<Reshard> = cluster
            .reshards
            .iter()
            .filter(|r| {
                step == r.open_step
                    || step == r.close_step
                    || (r.migrate_step..r.close_step).contains(&step)
            })
            .cloned()
            .collect();
        for reshard in due {
            let (from, to) = (reshard.from, reshard.to);
            let slot = reshard.slot.to_string();
            let id = |world: &World, n: usize| world.nodes[n].engine.cluster_node_id();
            let (Some(from_id), Some(to_id)) = (id(self, from), id(self, to)) else {
                continue;
            };
            if step == reshard.open_step {
                self.operator(to, &["CLUSTER", "SETSLOT", &slot, "IMPORTING", &from_id]);
                self.operator(from, &["CLUSTER", "SETSLOT", &slot, "MIGRATING", &to_id]);
            }
            if (reshard.migrate_step..reshard.close_step).contains(&step) {
                let batch = reshard.batch.max(1).to_string();
                let keys = self.peek_keys(from, &slot, &batch);
                if let Reply::Array(keys) = keys {
                    let port = (BASE_PORT + to as u16).to_string();
                    let mut migrate = words(&["MIGRATE", "127.0.0.1", &port, "", "0", "5000"]);
                    migrate.push(b"KEYS".to_vec());
                    let count = keys.len();
                    migrate.extend(keys.into_iter().filter_map(|k| match k {
                        Reply::Bulk(k) => Some(k),
                        _ => None,
                    }));
                    if count > 0 {
                        let admin = self.nodes[from].admin;
                        let reply = self.execute_on(from, admin, &migrate);
                        let time_us = self.clock.now_us();
                        self.trace_command(time_us, None, migrate, &reply);
                    }
                }
            }
            if step == reshard.close_step {
                for n in 0..self.shards() {
                    self.operator(n, &["CLUSTER", "SETSLOT", &slot, "NODE", &to_id]);
                }
                self.gossip();
            }
        }
    }

    /// GETKEYSINSLOT on `node`, traced only when it finds keys (it runs at every step of
    /// a migration, most of which find the slot empty).
    fn peek_keys(&mut self, node: usize, slot: &str, count: &str) -> Reply {
        let admin = self.nodes[node].admin;
        let command = words(&["CLUSTER", "GETKEYSINSLOT", slot, count]);
        let reply = self.nodes[node].engine.execute(admin, &command);
        if matches!(&reply, Reply::Array(keys) if !keys.is_empty()) {
            let time_us = self.clock.now_us();
            self.trace_command(time_us, None, command, &reply);
        }
        reply
    }

    /// A command from the operator's connection to `node`, traced, not in the history.
    fn operator(&mut self, node: usize, command: &[&str]) -> Reply {
        let command = words(command);
        let admin = self.nodes[node].admin;
        let reply = self.nodes[node].engine.execute(admin, &command);
        let time_us = self.clock.now_us();
        self.trace_command(time_us, None, command, &reply);
        reply
    }
}
