//! Replicas in the world: node 0 starts as the primary and nodes `1..=replicas` as its
//! replicas, synchronised at the start of every run. The primary's replication stream
//! (the engine's, effects as Redis 7 propagates them) goes on one link per replica; a
//! link delivers one command of it per step, `link_delay_us` after it was written, and
//! the replica acknowledges at once. Deliveries are scheduled like client requests
//! (candidates numbered after the clients), so the scheduler chooses how far each
//! replica lags; a partition stops the links for a range of steps.
//!
//! WAIT parks its client until enough replicas acknowledged its last write or its
//! timeout passes (virtual time). A failover promotes replica 1 (REPLICAOF NO ONE, as
//! Sentinel or an operator does), points the other replicas at it, and moves the old
//! primary's clients to it; acknowledged writes the new primary never received are
//! recorded as lost (the judge's "lost acknowledged write").

use super::{ClientState, World};
use crate::client::Argv;
use redsim::repl::WaitRequest;
use redsim::Reply;
use std::collections::VecDeque;

/// The port node `n` says it listens on (what REPLICAOF and ROLE name).
fn port_of(node: usize) -> u16 {
    6379 + node as u16
}

/// A link from the primary to one replica.
struct Link {
    node: usize,
    /// The replica's index on the primary (for its acknowledgements).
    index: usize,
    /// Commands of the stream on the wire, with when they can arrive.
    queue: VecDeque<(u64, Argv)>,
}

/// A client blocked in WAIT.
pub(super) struct Parked {
    client: usize,
    node: usize,
    wait: WaitRequest,
    argv: Argv,
}

/// The replication state of a run.
#[derive(Default)]
pub(crate) struct Links {
    links: Vec<Link>,
    /// The node that is the primary now.
    primary: usize,
    /// Writes acknowledged to clients by the primary: (history index, the primary's
    /// offset after the write).
    acked: Vec<(usize, u64)>,
    parked: Vec<Parked>,
}

impl World {
    /// The node that is the primary now.
    pub(crate) fn primary_index(&self) -> usize {
        self.links.primary
    }

    /// How many links can deliver (candidates after the clients).
    pub(super) fn link_count(&self) -> usize {
        self.links.links.len()
    }

    /// The primary and its replicas, synchronised, for a run that starts now.
    pub(super) fn reset_replication(&mut self) {
        self.links = Links::default();
        let replicas = self.options.faults.replication.replicas as usize;
        for node in 1..=replicas.min(self.nodes.len() - 1) {
            self.follow(node, 0);
        }
    }

    /// Node `node` becomes a replica of `primary`, fully synchronised now.
    fn follow(&mut self, node: usize, primary: usize) {
        let port = port_of(primary).to_string();
        let argv: Argv = vec![
            b"REPLICAOF".to_vec(),
            b"127.0.0.1".to_vec(),
            port.into_bytes(),
        ];
        let admin = self.nodes[node].admin;
        self.nodes[node].engine.execute(admin, &argv);
        // The full synchronisation: the replica's dataset becomes the primary's.
        let image = self.nodes[primary].engine.rdb_image();
        if let Err(e) = self.nodes[node].engine.load_rdb(&image) {
            panic!("a replica cannot load its primary's RDB image: {e}");
        }
        let id = self.nodes[primary].engine.replication_id();
        let offset = self.nodes[primary].engine.replication_offset();
        self.nodes[node].engine.replica_synchronised(&id, offset);
        let index = self.nodes[primary]
            .engine
            .attach_replica("127.0.0.1", port_of(node));
        self.links.links.push(Link {
            node,
            index,
            queue: VecDeque::new(),
        });
    }

    /// Between steps: the failover planned now (on the step's `first_visit`), the
    /// primary's new stream onto the links, and the WAITs that can be answered.
    /// Returns when the next link delivery or WAIT timeout is due (for the clock).
    pub(super) fn replication_between_steps(&mut self, first_visit: bool) -> u64 {
        let plan = &self.options.faults.replication;
        if first_visit && plan.failover_step == Some(self.step) && self.links.primary == 0 {
            self.failover();
        }
        let now = self.clock.now_us();
        let delay = self.options.faults.replication.link_delay_us;
        let primary = self.links.primary;
        let stream = self.nodes[primary].engine.take_replication_stream();
        if !stream.is_empty() {
            for link in &mut self.links.links {
                link.queue
                    .extend(stream.iter().map(|argv| (now + delay, argv.clone())));
            }
        }
        self.answer_waits(now)
    }

    /// Whether the links carry nothing at this step.
    fn partitioned(&self) -> bool {
        let step = self.step;
        self.options
            .faults
            .replication
            .partitions
            .iter()
            .any(|&(from, to)| (from..to).contains(&step))
    }

    /// Adds the links that can deliver now to the candidates (numbered after the
    /// clients); returns the earliest time one could later.
    pub(super) fn link_candidates(&mut self, now: u64) -> u64 {
        let mut next = u64::MAX;
        if self.partitioned() {
            return next;
        }
        let clients = self.slots.len() as u32;
        for (i, link) in self.links.links.iter().enumerate() {
            match link.queue.front() {
                Some(&(at, _)) if at <= now => self.candidates.push(crate::scheduler::Candidate {
                    client: clients + i as u32,
                }),
                Some(&(at, _)) => next = next.min(at),
                None => {}
            }
        }
        next
    }

    /// Link `i` delivers its next command; the replica applies it and acknowledges.
    pub(super) fn deliver_link(&mut self, i: usize) {
        self.clock.advance_us(self.options.command_cost_us);
        let Some((_, argv)) = self.links.links[i].queue.pop_front() else {
            return;
        };
        let (node, index) = (self.links.links[i].node, self.links.links[i].index);
        let engine = &mut self.nodes[node].engine;
        engine.apply_replicated(&argv);
        let offset = engine.replication_offset();
        let primary = self.links.primary;
        self.nodes[primary].engine.replica_ack(index, offset);
    }

    /// A reply of node `node` to client `client` was a write the client saw
    /// acknowledged (history index `op`).
    pub(super) fn replicated_write_acked(&mut self, node: usize, op: usize) {
        if node == self.links.primary && !self.links.links.is_empty() {
            let offset = self.nodes[node].engine.replication_offset();
            self.links.acked.push((op, offset));
        }
    }

    /// Client `client`'s WAIT on `node` blocks: it is answered later.
    pub(super) fn park(&mut self, client: usize, node: usize, wait: WaitRequest, argv: Argv) {
        self.links.parked.push(Parked {
            client,
            node,
            wait,
            argv,
        });
    }

    /// Answers the parked WAITs whose replicas acknowledged or whose time is up (with
    /// the count then); returns when the next timeout is due.
    fn answer_waits(&mut self, now: u64) -> u64 {
        let mut next = u64::MAX;
        let mut i = 0;
        while i < self.links.parked.len() {
            let p = &self.links.parked[i];
            let acks = self.nodes[p.node].engine.acks_at(p.wait.offset);
            let due = p.wait.deadline_ms.map(|ms| ms * 1000);
            if acks >= p.wait.numreplicas || due.is_some_and(|t| t <= now) {
                let p = self.links.parked.remove(i);
                let time_us = now;
                self.reply_arrived(
                    p.client,
                    p.node,
                    p.argv,
                    time_us,
                    Reply::Integer(acks as i64),
                    false,
                );
                continue;
            }
            if let Some(t) = due {
                next = next.min(t);
            }
            i += 1;
        }
        next
    }

    /// Replica 1 becomes the primary; the others follow it; the old primary's clients
    /// move to it. What the old primary acknowledged past what replica 1 had applied is
    /// lost.
    fn failover(&mut self) {
        let old = self.links.primary;
        let new = self.links.links[0].node;
        let applied = self.nodes[new].engine.replication_offset();
        for &(op, offset) in &self.links.acked {
            if offset > applied && !self.disk.lost_in_failover.contains(&op) {
                self.disk.lost_in_failover.push(op);
            }
        }
        let admin = self.nodes[new].admin;
        let no_one: Argv = vec![b"REPLICAOF".to_vec(), b"NO".to_vec(), b"ONE".to_vec()];
        self.nodes[new].engine.execute(admin, &no_one);
        self.nodes[old].engine.detach_replicas();
        let others: Vec<usize> = self.links.links.iter().skip(1).map(|l| l.node).collect();
        self.links.links.clear();
        self.links.acked.clear();
        self.links.primary = new;
        for node in others {
            self.follow(node, new);
        }
        // WAITs on the old primary end with their connections.
        self.links.parked.retain(|p| p.node != old);
        for client in 0..self.slots.len() {
            if self.slots[client].node as usize == old
                && self.slots[client].state == ClientState::Running
            {
                self.connect_client(client, new);
            } else if self.slots[client].target as usize == old {
                self.slots[client].target = new as u32;
            }
        }
        let argv: Argv = vec![b"FAILOVER".to_vec(), new.to_string().into_bytes()];
        self.trace_command(self.clock.now_us(), None, argv, &Reply::ok());
    }
}
