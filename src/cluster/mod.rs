//! Redis Cluster, as one node sees it (`cluster-enabled yes`): this node's id, the other
//! masters it knows and the slots each serves (`nodes.rs`), the slots it is migrating or
//! importing and to or from which node, the epochs and the cluster state (Redis's
//! `clusterState`, `cluster.c`). A redsim node has no cluster bus: it learns of the
//! others from whoever runs it ([`crate::Engine::cluster_learn`]), and every known node
//! is reachable (no failure detection, no replicas).
//!
//! The state follows `clusterUpdateState`: `fail` until the reachable masters that hold
//! slots are a quorum of them (every one is reachable here) and, under
//! `cluster-require-full-coverage yes`, until all 16384 slots are assigned. Two delays of
//! Redis are kept, on the host's clock: a master stays `fail` for the first 2 s after the
//! state is first computed (`CLUSTER_WRITABLE_DELAY`), and a master that was in the
//! minority turns `ok` only once the rejoin delay (`cluster-node-timeout` clamped to
//! 500..5000 ms) has passed since it last saw itself in the minority. Redis evaluates the
//! state after a CLUSTER command that changed the configuration (`clusterBeforeSleep`)
//! and, while the state is `fail`, in its cron, ten times a second; redsim does the same
//! on the host's clock ([`Cluster::cron`], [`Cluster::refresh`]). So a CONFIG SET of
//! `cluster-require-full-coverage` shows in CLUSTER INFO at the next cron tick, as in
//! Redis.

mod engine;
mod nodes;
pub(crate) mod route;
pub mod slot;

use crate::config::Config;
use std::collections::BTreeMap;
use std::fmt::Write;

pub(crate) use engine::script_refusal;
pub use nodes::ClusterPeer;
pub(crate) use nodes::{Owner, Peer, SlotSet};
pub use route::command_slot;
pub use slot::{key_hash_slot, slot_ranges, SLOTS};

/// `CLUSTER_WRITABLE_DELAY`, ms.
const WRITABLE_DELAY_MS: u64 = 2000;

/// One node's view of its cluster.
#[derive(Clone, Debug)]
pub(crate) struct Cluster {
    /// The node id: 40 lowercase hex digits.
    pub(crate) id: String,
    /// The slots this node serves.
    owned: SlotSet,
    /// The other masters this node knows, in the order it learnt of them.
    pub(crate) peers: Vec<Peer>,
    /// Slots this node is migrating, with the id of the node they go to.
    pub(crate) migrating: BTreeMap<u16, String>,
    /// Slots this node is importing, with the id of the node they come from.
    pub(crate) importing: BTreeMap<u16, String>,
    pub(crate) current_epoch: u64,
    pub(crate) config_epoch: u64,
    /// `cluster_state:ok`.
    pub(crate) ok: bool,
    /// `cluster_size`: masters serving at least one slot, as of the last evaluation
    /// (Redis starts it at 1).
    pub(crate) size: u32,
    /// When the state was first evaluated (Redis's `first_call_time`), ms.
    first_eval_ms: Option<u64>,
    /// When the node last found itself in the minority (`among_minority_time`), ms.
    among_minority_ms: u64,
    /// The slot of the running command's keys (Redis's `client->slot`): a script's
    /// commands must keep to it unless it allows cross-slot keys.
    pub(crate) command_slot: Option<u16>,
    /// The running command's time, ms (read once for it).
    pub(crate) command_ms: u64,
    /// When the cron last ran, ms.
    last_cron_ms: u64,
    /// A CLUSTER command changed the configuration: the state is re-evaluated after it
    /// (Redis's `CLUSTER_TODO_UPDATE_STATE`).
    pub(crate) todo_update: bool,
}

impl Cluster {
    /// A fresh node: no slot, epoch 0, state `fail`, with the node id `id`.
    pub(crate) fn new(id: String) -> Self {
        Cluster {
            id,
            owned: SlotSet::default(),
            peers: Vec::new(),
            migrating: BTreeMap::new(),
            importing: BTreeMap::new(),
            current_epoch: 0,
            config_epoch: 0,
            ok: false,
            size: 1,
            first_eval_ms: None,
            among_minority_ms: 0,
            command_slot: None,
            command_ms: 0,
            last_cron_ms: 0,
            todo_update: false,
        }
    }

    /// A node id from the host's randomness (Redis's `getRandomHexChars`).
    pub(crate) fn random_id(host: &mut dyn crate::host::Host) -> String {
        (0..40)
            .map(|_| char::from_digit(host.random_below(16) as u32, 16).unwrap_or('0'))
            .collect()
    }

    /// Whether this node serves `slot`.
    pub(crate) fn owns(&self, slot: u16) -> bool {
        self.owned.contains(slot)
    }

    /// Who serves `slot` (`server.cluster->slots[slot]`).
    pub(crate) fn owner(&self, slot: u16) -> Owner {
        if self.owned.contains(slot) {
            return Owner::Me;
        }
        match self.peers.iter().position(|p| p.slots.contains(slot)) {
            Some(i) => Owner::Peer(i),
            None => Owner::Nobody,
        }
    }

    /// How many slots this node serves.
    pub(crate) fn owned_count(&self) -> usize {
        self.owned.len()
    }

    /// How many slots some node serves (`cluster_slots_assigned`).
    pub(crate) fn assigned_count(&self) -> usize {
        self.owned.len() + self.peers.iter().map(|p| p.slots.len()).sum::<usize>()
    }

    /// The known node named `id` (`clusterLookupNode`: the exact 40-character id).
    pub(crate) fn lookup(&self, id: &[u8]) -> Option<Owner> {
        if id == self.id.as_bytes() {
            return Some(Owner::Me);
        }
        self.peers
            .iter()
            .position(|p| p.id.as_bytes() == id)
            .map(Owner::Peer)
    }

    /// The id of a node.
    pub(crate) fn id_of(&self, node: Owner) -> &str {
        match node {
            Owner::Peer(i) => &self.peers[i].id,
            _ => &self.id,
        }
    }

    /// Assigns the unassigned `slot` to this node (`clusterAddSlot`); false if it was
    /// assigned.
    pub(crate) fn add_slot(&mut self, slot: u16) -> bool {
        if self.owner(slot) != Owner::Nobody {
            return false;
        }
        self.owned.insert(slot)
    }

    /// Unassigns `slot`, whoever serves it (`clusterDelSlot`); false if it was not
    /// assigned. Migrating and importing marks stay, as in Redis.
    pub(crate) fn del_slot(&mut self, slot: u16) -> bool {
        match self.owner(slot) {
            Owner::Nobody => false,
            Owner::Me => self.owned.remove(slot),
            Owner::Peer(i) => self.peers[i].slots.remove(slot),
        }
    }

    /// Gives `slot` to `node` (`clusterDelSlot` then `clusterAddSlot`).
    pub(crate) fn assign(&mut self, slot: u16, node: Owner) {
        self.del_slot(slot);
        match node {
            Owner::Nobody => {}
            Owner::Me => {
                self.owned.insert(slot);
            }
            Owner::Peer(i) => {
                self.peers[i].slots.insert(slot);
            }
        }
    }

    /// Unassigns every slot this node serves (`clusterDelNodeSlots(myself)`).
    pub(crate) fn flush_own_slots(&mut self) {
        self.owned.clear();
    }

    /// The slots this node serves as inclusive ranges, in order.
    pub(crate) fn owned_ranges(&self) -> Vec<(u16, u16)> {
        self.owned.ranges()
    }

    /// What a gossip message from `peer` would teach this node: the node itself (added,
    /// or its address and epoch updated) and the slots it claims. A claimed slot that is
    /// unassigned or another peer's becomes the sender's; one this node serves stays its
    /// own (Redis would hand it over when the sender's config epoch is greater and drop
    /// the keys left in it; redsim's runner hands slots over with SETSLOT … NODE instead).
    pub(crate) fn learn(&mut self, peer: &ClusterPeer) {
        if peer.id == self.id {
            return;
        }
        let index = match self.peers.iter().position(|p| p.id == peer.id) {
            Some(i) => i,
            None => {
                self.peers.push(Peer {
                    id: peer.id.clone(),
                    ip: String::new(),
                    port: 0,
                    bus_port: 0,
                    config_epoch: 0,
                    slots: SlotSet::default(),
                });
                self.peers.len() - 1
            }
        };
        let known = &mut self.peers[index];
        known.ip = peer.ip.clone();
        known.port = peer.port;
        known.bus_port = peer.bus_port;
        known.config_epoch = peer.config_epoch;
        self.current_epoch = self.current_epoch.max(peer.config_epoch);
        for &(start, end) in &peer.slots {
            for slot in start..=end.min(SLOTS as u16 - 1) {
                if self.owner(slot) != Owner::Me {
                    self.assign(slot, Owner::Peer(index));
                }
            }
        }
        self.todo_update = true;
    }

    /// `clusterBumpConfigEpochWithoutConsensus`: takes a new epoch unless this node's is
    /// already the greatest non-zero one. Returns whether it did.
    pub(crate) fn bump_epoch(&mut self) -> bool {
        let max_epoch = self
            .peers
            .iter()
            .map(|p| p.config_epoch)
            .fold(self.current_epoch.max(self.config_epoch), u64::max);
        if self.config_epoch == 0 || self.config_epoch != max_epoch {
            self.current_epoch += 1;
            self.config_epoch = self.current_epoch;
            true
        } else {
            false
        }
    }

    /// `clusterReset`: closes every slot, unassigns them all, forgets every other node;
    /// a hard reset also zeroes the epochs and takes the new id `new_id`.
    pub(crate) fn reset(&mut self, new_id: Option<String>) {
        self.migrating.clear();
        self.importing.clear();
        self.owned.clear();
        self.peers.clear();
        if let Some(id) = new_id {
            self.current_epoch = 0;
            self.config_epoch = 0;
            self.id = id;
        }
    }

    /// The cron's share (`clusterCron`, every 100 ms): a `fail` state is re-evaluated.
    pub(crate) fn cron(&mut self, config: &Config, now_ms: u64) {
        if self.first_eval_ms.is_none() {
            // The node's start: the first evaluation starts the writable delay.
            self.last_cron_ms = now_ms;
            self.refresh(config, now_ms);
            return;
        }
        if now_ms.saturating_sub(self.last_cron_ms) < 100 {
            return;
        }
        self.last_cron_ms = now_ms;
        if !self.ok {
            self.refresh(config, now_ms);
        }
    }

    /// Re-evaluates the cluster state at `now_ms` (`clusterUpdateState`).
    pub(crate) fn refresh(&mut self, config: &Config, now_ms: u64) {
        let first = *self.first_eval_ms.get_or_insert(now_ms);
        if !self.ok && now_ms.saturating_sub(first) < WRITABLE_DELAY_MS {
            return;
        }
        let full_coverage = config.get("cluster-require-full-coverage").as_deref() == Some("yes");
        let mut ok = !(full_coverage && self.assigned_count() < SLOTS);
        let serving =
            std::iter::once(self.owned.len()).chain(self.peers.iter().map(|p| p.slots.len()));
        self.size = serving.filter(|&n| n > 0).count() as u32;
        let reachable = self.size; // every known node is reachable
        if reachable < self.size / 2 + 1 {
            ok = false;
            self.among_minority_ms = now_ms;
        }
        if ok != self.ok {
            let timeout_ms = config
                .get("cluster-node-timeout")
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(15000);
            let rejoin_ms = timeout_ms.clamp(500, 5000);
            if ok && now_ms.saturating_sub(self.among_minority_ms) < rejoin_ms {
                return;
            }
            self.ok = ok;
        }
    }
}

/// Where this node says it is reached: its IP (empty until announced, as a node that
/// has met no other), client port, bus port and hostname, from the `cluster-announce-*`
/// settings, `port` and `cluster-port`.
pub(crate) struct Address {
    pub(crate) ip: String,
    pub(crate) port: u16,
    pub(crate) bus_port: u32,
    pub(crate) hostname: String,
}

impl Address {
    pub(crate) fn of(config: &Config) -> Address {
        let number = |name: &str| {
            config
                .get(name)
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        };
        let port = match number("cluster-announce-port") {
            0 => number("port"),
            p => p,
        };
        let bus_port = match (number("cluster-announce-bus-port"), number("cluster-port")) {
            (0, 0) => number("port") + 10000,
            (0, p) | (p, _) => p,
        };
        Address {
            ip: config.get("cluster-announce-ip").unwrap_or_default(),
            port: port as u16,
            bus_port,
            hostname: config.get("cluster-announce-hostname").unwrap_or_default(),
        }
    }

    /// Where `node` is reached, as this node knows it.
    pub(crate) fn of_node(cluster: &Cluster, node: Owner, config: &Config) -> Address {
        match node {
            Owner::Peer(i) => {
                let peer = &cluster.peers[i];
                Address {
                    ip: peer.ip.clone(),
                    port: peer.port,
                    bus_port: peer.bus_port,
                    hostname: String::new(),
                }
            }
            _ => Address::of(config),
        }
    }

    /// Redis's `getPreferredEndpoint`, by `cluster-preferred-endpoint-type`.
    pub(crate) fn endpoint(&self, config: &Config) -> String {
        match config.get("cluster-preferred-endpoint-type").as_deref() {
            Some("hostname") if self.hostname.is_empty() => "?".into(),
            Some("hostname") => self.hostname.clone(),
            Some("unknown-endpoint") => String::new(),
            _ => self.ip.clone(),
        }
    }
}

/// CLUSTER NODES (`clusterGenNodesDescription`): this node's line, then the other
/// nodes' in the order it learnt of them (Redis's order is its dict's, which varies),
/// each with its newline. `now_ms` stands for the last pong of every peer, all of which
/// are reachable.
pub(crate) fn node_lines(cluster: &Cluster, config: &Config, now_ms: u64) -> String {
    let at = Address::of(config);
    let mut text = format!("{} {}:{}@{}", cluster.id, at.ip, at.port, at.bus_port);
    if !at.hostname.is_empty() {
        let _ = write!(text, ",{}", at.hostname);
    }
    let _ = write!(
        text,
        " myself,master - 0 0 {} connected",
        cluster.config_epoch
    );
    write_ranges(&mut text, &cluster.owned_ranges());
    for slot in 0..SLOTS as u16 {
        if let Some(to) = cluster.migrating.get(&slot) {
            let _ = write!(text, " [{slot}->-{to}]");
        } else if let Some(from) = cluster.importing.get(&slot) {
            let _ = write!(text, " [{slot}-<-{from}]");
        }
    }
    text.push('\n');
    for peer in &cluster.peers {
        let _ = write!(
            text,
            "{} {}:{}@{} master - 0 {now_ms} {} connected",
            peer.id, peer.ip, peer.port, peer.bus_port, peer.config_epoch
        );
        write_ranges(&mut text, &peer.slots.ranges());
        text.push('\n');
    }
    text
}

/// ` start-end` or ` slot` for each range (`representSlotInfo`).
fn write_ranges(text: &mut String, ranges: &[(u16, u16)]) {
    for &(start, end) in ranges {
        if start == end {
            let _ = write!(text, " {start}");
        } else {
            let _ = write!(text, " {start}-{end}");
        }
    }
}
