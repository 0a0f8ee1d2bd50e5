//! The other nodes a node knows and who owns each slot (Redis's `clusterState.nodes` and
//! `clusterState.slots`). A redsim node has no cluster bus: what it knows of the others
//! is what it is told — by whoever runs it ([`crate::Engine::cluster_learn`], standing in
//! for the gossip a real node receives) and by its own CLUSTER commands (ADDSLOTS,
//! SETSLOT … NODE), which change its own view only, as in Redis until gossip carries them.

use super::slot::SLOTS;

/// A set of slots, one bit a slot (a node's `slots` bitmap and `numslots`).
#[derive(Clone, Debug)]
pub(crate) struct SlotSet {
    bits: Box<[u64; SLOTS / 64]>,
    count: usize,
}

impl Default for SlotSet {
    fn default() -> Self {
        SlotSet {
            bits: Box::new([0; SLOTS / 64]),
            count: 0,
        }
    }
}

impl SlotSet {
    pub(crate) fn contains(&self, slot: u16) -> bool {
        self.bits[slot as usize / 64] & (1 << (slot % 64)) != 0
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Adds `slot`; false if it was in.
    pub(crate) fn insert(&mut self, slot: u16) -> bool {
        if self.contains(slot) {
            return false;
        }
        self.bits[slot as usize / 64] |= 1 << (slot % 64);
        self.count += 1;
        true
    }

    /// Removes `slot`; false if it was not in.
    pub(crate) fn remove(&mut self, slot: u16) -> bool {
        if !self.contains(slot) {
            return false;
        }
        self.bits[slot as usize / 64] &= !(1 << (slot % 64));
        self.count -= 1;
        true
    }

    pub(crate) fn clear(&mut self) {
        *self.bits = [0; SLOTS / 64];
        self.count = 0;
    }

    /// The slots as inclusive ranges, in order.
    pub(crate) fn ranges(&self) -> Vec<(u16, u16)> {
        let mut ranges: Vec<(u16, u16)> = Vec::new();
        if self.count == 0 {
            return ranges;
        }
        for slot in 0..SLOTS as u16 {
            if !self.contains(slot) {
                continue;
            }
            match ranges.last_mut() {
                Some((_, end)) if *end + 1 == slot => *end = slot,
                _ => ranges.push((slot, slot)),
            }
        }
        ranges
    }
}

/// Another master this node knows: its id, where clients reach it, its config epoch and
/// the slots this node believes it serves.
#[derive(Clone, Debug)]
pub(crate) struct Peer {
    pub(crate) id: String,
    pub(crate) ip: String,
    pub(crate) port: u16,
    pub(crate) bus_port: u32,
    pub(crate) config_epoch: u64,
    pub(crate) slots: SlotSet,
}

/// Who serves a slot, as this node sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Nobody,
    Me,
    /// The peer at this index of [`super::Cluster::peers`].
    Peer(usize),
}

/// What a node is told of another master (the part of a gossip message redsim models):
/// its id, address, config epoch and the slots it claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterPeer {
    /// The node id: 40 lowercase hex digits.
    pub id: String,
    /// The address clients reach it at.
    pub ip: String,
    /// The port clients reach it at.
    pub port: u16,
    /// Its cluster bus port (Redis's default: `port + 10000`).
    pub bus_port: u32,
    /// Its config epoch.
    pub config_epoch: u64,
    /// The slots it serves, as inclusive ranges.
    pub slots: Vec<(u16, u16)>,
}

impl ClusterPeer {
    /// A master at `ip:port` (bus port `port + 10000`, epoch 0) serving `slots`.
    pub fn new(id: &str, ip: &str, port: u16, slots: &[(u16, u16)]) -> Self {
        ClusterPeer {
            id: id.to_string(),
            ip: ip.to_string(),
            port,
            bus_port: u32::from(port) + 10000,
            config_epoch: 0,
            slots: slots.to_vec(),
        }
    }
}
