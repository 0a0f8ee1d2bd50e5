//! The servers of a world. A world holds one or more nodes, each a whole server: its own
//! [`Engine`] (keyspace, script cache, sessions, config) with its own host, whose clock is
//! the world's one virtual clock and whose random stream is the node's own. A client is
//! connected to one node at a time (its session lives there); a request runs on the node
//! of the connection it was sent on.
//!
//! Node 0 is the one a world starts with; more are added with [`World::add_node`]
//! (replicas, cluster shards). What they do with each other (replication links, slot
//! routing) is built on top: this layer only knows that there are several servers.

use super::{ClientState, World};
use crate::clock::{SimClock, SimHost};
use rand_chacha::ChaCha8Rng;
use redsim::store::Store;
use redsim::{ClientId, Engine};
use std::sync::{Arc, Mutex};

/// One server of the world.
pub struct Node {
    /// The server.
    pub engine: Engine,
    /// The operator's connection to it (admin commands, faults).
    pub(crate) admin: ClientId,
    /// The engine's random stream (re-seeded on reset).
    rng: Arc<Mutex<ChaCha8Rng>>,
    /// Its number in the world, which picks its random stream.
    index: usize,
}

impl Node {
    /// A server numbered `index`, reading `clock`; [`Node::reset`] readies it for a run.
    pub(super) fn new(clock: Arc<SimClock>, seed: u64, index: usize) -> Node {
        let (host, rng) = SimHost::new(clock, seed);
        Node {
            engine: Engine::new(host),
            admin: ClientId { slot: 0, id: 0 },
            rng,
            index,
        }
    }

    /// Gives the engine its random stream for `seed` (node 0's is the one-server world's,
    /// so adding nodes changes nothing a one-node run draws).
    fn reseed(&mut self, seed: u64) {
        if let Ok(mut rng) = self.rng.lock() {
            *rng = crate::clock::engine_rng(seed, self.index);
        }
    }

    /// The server as a fresh one for a run with `seed`: `store` (empty, configured), no
    /// cached script, no function, math.random at its initial state (the EVAL VM is kept:
    /// nothing a script can see survives).
    pub(super) fn reset(&mut self, seed: u64, store: Store) {
        self.reseed(seed);
        self.engine.store = store;
        self.engine.scripts.restart();
        self.admin = self.engine.connect();
    }

    /// The server after a process restart: `store`, and a new script engine.
    pub(super) fn restarted(&mut self, store: Store) {
        self.engine.store = store;
        self.engine.scripts = redsim::script::Scripting::new();
        self.admin = self.engine.connect();
    }
}

impl World {
    /// Adds a server to the world (an empty one, configured as the scenario says) and
    /// returns its number. Clients stay where they are; see [`World::connect_client`].
    pub fn add_node(&mut self) -> usize {
        let index = self.nodes.len();
        let mut node = Node::new(self.clock.clone(), self.seed, index);
        node.reset(self.seed, self.fresh_store());
        self.nodes.push(node);
        index
    }

    /// The node that is the primary now (node 0 unless a failover promoted a replica):
    /// the server whose data a run's final state is read from.
    pub fn primary(&self) -> &Node {
        &self.nodes[self.primary_index()]
    }

    /// How many servers the world holds.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Client `client` starts every run connected to node `node` (from the next
    /// [`World::reset`] on; node 0 unless set).
    pub fn set_home_node(&mut self, client: usize, node: usize) {
        assert!(node < self.nodes.len(), "no node {node}");
        self.slots[client].home = node as u32;
    }

    /// The node client `client` is connected to.
    pub fn node_of(&self, client: usize) -> usize {
        self.slots[client].node as usize
    }

    /// Client `client` leaves its connection and opens one to node `node` (what a client
    /// does when told the primary moved). The old connection closes as a lost one does:
    /// an operation in progress ends as a crash leaves it, unless it is one request the
    /// client sends again on the new connection.
    pub fn connect_client(&mut self, client: usize, node: usize) {
        assert!(node < self.nodes.len(), "no node {node}");
        let slot = &mut self.slots[client];
        slot.target = node as u32;
        if slot.state != ClientState::Running || slot.node == slot.target {
            return;
        }
        self.reconnected_in_step = true;
        if slot.inflight.is_empty() && slot.awaiting == 0 {
            let old = (slot.node as usize, slot.session);
            self.open_connection(client);
            self.nodes[old.0].engine.disconnect(old.1);
            return;
        }
        // The requests in flight were sent on the old connection: they are lost with it.
        self.lose_connection(client, None);
    }

    /// Client `client` opens a new connection, to the node it is told to use.
    pub(super) fn open_connection(&mut self, client: usize) {
        let slot = &mut self.slots[client];
        slot.node = slot.target;
        slot.session = self.nodes[slot.node as usize].engine.connect();
    }

    /// The server closes client `client`'s current connection.
    pub(super) fn close_connection(&mut self, client: usize) {
        let slot = &self.slots[client];
        self.nodes[slot.node as usize]
            .engine
            .disconnect(slot.session);
    }
}
