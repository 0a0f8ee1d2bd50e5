//! Server restarts and what persistence keeps across them (see [`crate::fault`]).
//!
//! The "disk" is an RDB image written by the engine's own RDB writer and read back by
//! its loader, as a restarted Redis does: the RDB file of the last snapshot (`rdb`), or,
//! for an append-only file, the state its replay rebuilds — the dataset at the last
//! fsync (`everysec` after a power loss) or now (`always`; `everysec` after a process
//! crash or SHUTDOWN, which write the file to the OS before each reply and flush it on
//! shutdown).
//!
//! Which acknowledged writes a restart loses is known from Redis's `dirty` counter: each
//! write a client saw acknowledged is recorded with the counter after it, and the image
//! is taken at a known counter value; the later ones are gone.

use super::{ClientState, World};
use crate::fault::{Fsync, Persistence};
use crate::history::{Op, Operation, Status};
use redsim::Reply;

/// `appendfsync everysec`: the background fsync's period, virtual µs.
const FSYNC_PERIOD_US: u64 = 1_000_000;

/// The persisted state and the writes that may be lost with it.
#[derive(Debug, Default)]
pub(crate) struct Disk {
    /// The image a restart loads (`None`: no file yet).
    image: Option<Vec<u8>>,
    /// `dirty` when the image was taken.
    image_dirty: u64,
    /// When the next `everysec` fsync happens.
    next_fsync_us: u64,
    /// Writes acknowledged to a client since the last restart: (history index, `dirty`
    /// right after the write).
    acked: Vec<(usize, u64)>,
    /// Acknowledged writes a restart lost (history indices).
    pub(crate) lost: Vec<usize>,
    /// Acknowledged writes a failover lost: the promoted replica never had them.
    pub(crate) lost_in_failover: Vec<usize>,
}

impl Disk {
    /// Forgets everything, for a run starting at `now_us`.
    pub(super) fn reset(&mut self, now_us: u64) {
        self.image = None;
        self.image_dirty = 0;
        self.next_fsync_us = now_us + FSYNC_PERIOD_US;
        self.acked.clear();
        self.lost.clear();
        self.lost_in_failover.clear();
    }
}

impl World {
    /// Whether the server may restart in this run (so acknowledged writes are tracked).
    pub(super) fn may_restart(&self) -> bool {
        let faults = &self.options.faults;
        !faults.restarts.is_empty()
            || faults.admin.iter().any(|a| {
                a.argv
                    .first()
                    .is_some_and(|c| c.eq_ignore_ascii_case(b"shutdown"))
            })
    }

    /// Records that `op`'s write was acknowledged to its client.
    pub(super) fn acknowledged_write(&mut self, op: usize) {
        let dirty = self.nodes[0].engine.store.dirty;
        self.disk.acked.push((op, dirty));
    }

    /// Before each step: snapshots and fsyncs due now, then a restart planned here (the
    /// planned ones on the `first_visit` of the step only: after a jump of the clock the
    /// world comes back to the same step).
    pub(super) fn persistence_faults(&mut self, first_visit: bool) {
        let now = self.clock.now_us();
        match &self.options.faults.persistence {
            Persistence::Rdb { save_steps } if first_visit && save_steps.contains(&self.step) => {
                self.persist_now();
            }
            Persistence::Aof(Fsync::EverySec) if now >= self.disk.next_fsync_us => {
                self.persist_now();
                while self.disk.next_fsync_us <= now {
                    self.disk.next_fsync_us += FSYNC_PERIOD_US;
                }
            }
            _ => {}
        }
        let planned = self
            .options
            .faults
            .restarts
            .iter()
            .find(|r| first_visit && r.step == self.step)
            .map(|r| r.power_loss);
        if let Some(power_loss) = planned {
            self.restart(power_loss);
        }
    }

    /// The disk holds the server's state as of now.
    fn persist_now(&mut self) {
        self.disk.image = Some(self.nodes[0].engine.rdb_image());
        self.disk.image_dirty = self.nodes[0].engine.store.dirty;
    }

    /// Node 0 goes down (a process crash, or a power loss when `power_loss`) and comes
    /// back with what its persistence kept, without its script cache (persistence is
    /// modelled for node 0 only). Every connection to it closes: a client whose operation is one request sends it again on a
    /// new connection; any other stops as after a crash.
    pub(super) fn restart(&mut self, power_loss: bool) {
        self.coverage.event(crate::coverage::Event::Restart);
        let keep_all = match self.options.faults.persistence {
            Persistence::Aof(Fsync::Always) => true,
            Persistence::Aof(Fsync::EverySec) => !power_loss,
            Persistence::None | Persistence::Rdb { .. } => false,
        };
        if keep_all {
            self.persist_now();
        } else if self.options.faults.persistence == Persistence::None {
            self.disk.image = None;
            self.disk.image_dirty = 0;
        }
        let kept = self.disk.image_dirty;
        for &(op, dirty) in &self.disk.acked {
            if dirty > kept && !self.disk.lost.contains(&op) {
                self.disk.lost.push(op);
            }
        }
        self.disk.acked.clear();
        // An attempt whose writes the restart lost had no effect after all: a retry that
        // writes again does not double it.
        let nothing_kept = self.disk.image.is_none();
        for attempt in &mut self.attempts {
            if nothing_kept || attempt.dirty > kept {
                attempt.wrote = false;
            }
            attempt.dirty = 0;
        }
        let now = self.clock.now_us();
        let mut next_op = Vec::new();
        for client in 0..self.slots.len() {
            let slot = &mut self.slots[client];
            slot.orphans
                .retain(|r| r.session.is_some_and(|(node, _)| node != 0));
            if slot.state != ClientState::Running || slot.node != 0 {
                continue;
            }
            if slot.program.retryable() && slot.awaiting == 1 && slot.inflight.len() == 1 {
                self.resend(client, now, false);
            } else if slot.program.reconnects() {
                self.cut_operation(client);
                next_op.push(client);
            } else {
                self.crash(client);
            }
        }
        // CONFIG SET is not saved either: the server starts as configured.
        let store = self.fresh_store();
        let node = &mut self.nodes[0];
        node.restarted(store);
        if let Some(image) = &self.disk.image {
            // The engine wrote it: it loads.
            if let Err(e) = node.engine.load_rdb(image) {
                panic!("the simulated server cannot load its own RDB image: {e}");
            }
        }
        // The new server's counter starts over; the loaded image is its baseline.
        self.disk.image_dirty = node.engine.store.dirty;
        for slot in &mut self.slots {
            if slot.state == ClientState::Running && slot.node == 0 {
                slot.session = node.engine.connect();
            }
        }
        // The history's model of the server must know the cache is gone, or an EVALSHA
        // answered NOSCRIPT after the restart would look impossible. A lost write it
        // cannot be told of: that one is a real anomaly of what the clients saw.
        self.history.ops.push(Op {
            client: self.admin_client(),
            call: now,
            ret: Some(now),
            status: Status::Ok,
            op: Operation::Command(vec![b"SCRIPT".to_vec(), b"FLUSH".to_vec()]),
            result: Some(Reply::ok()),
            node: 0,
        });
        for client in next_op {
            self.advance(client);
        }
        let how = if power_loss { "power-loss" } else { "kill" };
        let argv = vec![b"RESTART".to_vec(), how.as_bytes().to_vec()];
        self.trace_command(now, None, argv, &Reply::ok());
    }
}
