//! What a [`SimTest`](super::SimTest)'s invariants see: a finished run's history and its
//! final keyspace.

use crate::history::{History, Status};
use crate::world::World;
use redsim::Reply;

/// A run after every client finished: the history of its operations and the final
/// keyspace, read through the admin connection (those reads are not in the history).
pub struct FinishedRun<'a> {
    world: &'a mut World,
}

impl<'a> FinishedRun<'a> {
    pub(super) fn new(world: &'a mut World) -> FinishedRun<'a> {
        FinishedRun { world }
    }

    /// Every operation of the run, with its client, times, status and result.
    pub fn history(&self) -> &History {
        &self.world.history
    }

    /// The results of the operations that completed without an error, with their
    /// clients, in the order they were invoked.
    pub fn results(&self) -> impl Iterator<Item = (u64, &Reply)> + '_ {
        self.world
            .history
            .ops
            .iter()
            .filter(|op| op.status == Status::Ok)
            .filter_map(|op| op.result.as_ref().map(|r| (op.client, r)))
    }

    /// The seed of the run.
    pub fn seed(&self) -> u64 {
        self.world.seed()
    }

    /// Runs one command on the final keyspace and returns its reply.
    pub fn call<S: AsRef<[u8]>>(&mut self, argv: &[S]) -> Reply {
        self.world
            .admin_command(argv.iter().map(|a| a.as_ref().to_vec()).collect())
    }

    /// `GET key` as an integer; `None` if the key is missing or not an integer.
    pub fn int(&mut self, key: &str) -> Option<i64> {
        crate::scenario::as_int(&self.call(&["GET", key]))
    }

    /// `GET key`; `None` if the key is missing (or holds another type).
    pub fn get(&mut self, key: &str) -> Option<Vec<u8>> {
        match self.call(&["GET", key]) {
            Reply::Bulk(b) => Some(b),
            _ => None,
        }
    }
}
