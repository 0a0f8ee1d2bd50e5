//! Redis Cluster, as one node sees it (`cluster-enabled yes`): this node's id, the slot
//! table, the slots it is migrating or importing, the epochs and the cluster state
//! (Redis's `clusterState`, `cluster.c`). redsim's node knows no other node (no cluster
//! bus, no MEET): every assigned slot is its own, and the only node a SETSLOT can name
//! is itself.
//!
//! The state follows `clusterUpdateState`: `fail` until the node serves a quorum of the
//! masters that hold slots (with one node: until it holds a slot) and, under
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
pub(crate) mod route;
pub mod slot;

use crate::config::Config;
use std::collections::BTreeSet;
use std::fmt::Write;

pub(crate) use engine::script_refusal;
pub use slot::{key_hash_slot, SLOTS};

/// `CLUSTER_WRITABLE_DELAY`, ms.
const WRITABLE_DELAY_MS: u64 = 2000;

/// One node's view of its cluster.
#[derive(Clone, Debug)]
pub(crate) struct Cluster {
    /// The node id: 40 lowercase hex digits.
    pub(crate) id: String,
    /// The slots this node serves (one bit a slot).
    owned: Box<[u64; SLOTS / 64]>,
    owned_count: usize,
    /// Slots this node is migrating to a node (itself: the only node it knows).
    pub(crate) migrating: BTreeSet<u16>,
    /// Slots this node is importing from a node (itself).
    pub(crate) importing: BTreeSet<u16>,
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
            owned: Box::new([0; SLOTS / 64]),
            owned_count: 0,
            migrating: BTreeSet::new(),
            importing: BTreeSet::new(),
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
        self.owned[slot as usize / 64] & (1 << (slot % 64)) != 0
    }

    /// How many slots this node serves.
    pub(crate) fn owned_count(&self) -> usize {
        self.owned_count
    }

    /// Assigns `slot` to this node (`clusterAddSlot`); false if it was assigned.
    pub(crate) fn add_slot(&mut self, slot: u16) -> bool {
        if self.owns(slot) {
            return false;
        }
        self.owned[slot as usize / 64] |= 1 << (slot % 64);
        self.owned_count += 1;
        true
    }

    /// Unassigns `slot` (`clusterDelSlot`); false if it was not assigned. Migrating and
    /// importing marks stay, as in Redis.
    pub(crate) fn del_slot(&mut self, slot: u16) -> bool {
        if !self.owns(slot) {
            return false;
        }
        self.owned[slot as usize / 64] &= !(1 << (slot % 64));
        self.owned_count -= 1;
        true
    }

    /// The assigned slots as inclusive ranges, in order.
    pub(crate) fn owned_ranges(&self) -> Vec<(u16, u16)> {
        let mut ranges: Vec<(u16, u16)> = Vec::new();
        for slot in 0..SLOTS as u16 {
            if !self.owns(slot) {
                continue;
            }
            match ranges.last_mut() {
                Some((_, end)) if *end + 1 == slot => *end = slot,
                _ => ranges.push((slot, slot)),
            }
        }
        ranges
    }

    /// `clusterBumpConfigEpochWithoutConsensus`: takes a new epoch unless this node's is
    /// already the greatest non-zero one. Returns whether it did.
    pub(crate) fn bump_epoch(&mut self) -> bool {
        let max_epoch = self.current_epoch.max(self.config_epoch);
        if self.config_epoch == 0 || self.config_epoch != max_epoch {
            self.current_epoch += 1;
            self.config_epoch = self.current_epoch;
            true
        } else {
            false
        }
    }

    /// `clusterReset`: closes every slot, unassigns them all; a hard reset also zeroes
    /// the epochs and takes the new id `new_id`.
    pub(crate) fn reset(&mut self, new_id: Option<String>) {
        self.migrating.clear();
        self.importing.clear();
        *self.owned = [0; SLOTS / 64];
        self.owned_count = 0;
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
        let mut ok = !(full_coverage && self.owned_count < SLOTS);
        self.size = u32::from(self.owned_count > 0);
        let reachable = self.size; // this node is the only master, and it is reachable
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

/// This node's line of CLUSTER NODES (`clusterGenNodeDescription`), with its newline.
pub(crate) fn node_line(cluster: &Cluster, config: &Config) -> String {
    let at = Address::of(config);
    let mut line = format!("{} {}:{}@{}", cluster.id, at.ip, at.port, at.bus_port);
    if !at.hostname.is_empty() {
        let _ = write!(line, ",{}", at.hostname);
    }
    let _ = write!(
        line,
        " myself,master - 0 0 {} connected",
        cluster.config_epoch
    );
    for (start, end) in cluster.owned_ranges() {
        if start == end {
            let _ = write!(line, " {start}");
        } else {
            let _ = write!(line, " {start}-{end}");
        }
    }
    for slot in 0..SLOTS as u16 {
        if cluster.migrating.contains(&slot) {
            let _ = write!(line, " [{slot}->-{}]", cluster.id);
        } else if cluster.importing.contains(&slot) {
            let _ = write!(line, " [{slot}-<-{}]", cluster.id);
        }
    }
    line.push('\n');
    line
}
