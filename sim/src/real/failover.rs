//! A failover on a real primary and replica, as Sentinel does it: at the scenario's
//! `failover_step` an operator thread sends `REPLICAOF NO ONE` to the replica, and every
//! client of the primary reconnects to it before its next command (the simulator's
//! `World::failover`). Steps are paced as in a cluster run ([`Pacer`]): step `s` is the
//! `s`-th command sent by any client.
//!
//! Unlike a resharding action, the promotion does not wait for the commands of the steps
//! before it to be answered: Sentinel promotes the replica without stopping the primary,
//! so commands still in flight run on the old primary and are acknowledged there after
//! the replica stopped listening to it. Those, and those the replica had not yet
//! received, are the acknowledged writes a failover loses.

use super::cluster_client::Pacer;
use super::codec::Connection;
use redsim::Reply;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One client's connection, to the primary until the failover and to the promoted
/// replica after it.
pub(crate) struct FailoverConn {
    conn: Option<Connection>,
    replica: SocketAddr,
    timeout: Duration,
    promoted: Arc<AtomicBool>,
    moved: bool,
    pacer: Arc<Pacer>,
}

impl FailoverConn {
    /// A client connected to the primary by `conn`.
    pub(crate) fn new(
        conn: Connection,
        replica: SocketAddr,
        timeout: Duration,
        promoted: Arc<AtomicBool>,
        pacer: Arc<Pacer>,
    ) -> FailoverConn {
        FailoverConn {
            conn: Some(conn),
            replica,
            timeout,
            promoted,
            moved: false,
            pacer,
        }
    }

    /// Sends `commands` (taking their steps, so a planned failover comes first) to the
    /// current primary, reconnecting to the promoted replica once it is.
    pub(crate) fn round_trip(&mut self, commands: &[Vec<Vec<u8>>]) -> io::Result<Vec<Reply>> {
        self.pacer.take_steps(commands.len());
        let result = self.send(commands);
        self.pacer.answered(commands.len());
        result
    }

    fn send(&mut self, commands: &[Vec<Vec<u8>>]) -> io::Result<Vec<Reply>> {
        if !self.moved && self.promoted.load(Ordering::SeqCst) {
            // As a Sentinel client does on +switch-master: drop the old primary's link.
            self.moved = true;
            self.conn = None;
            self.conn = Some(Connection::connect(self.replica, self.timeout)?);
        }
        match &mut self.conn {
            Some(conn) => conn.round_trip(commands),
            None => Err(io::Error::other("no connection")),
        }
    }
}

/// The operator of a failover run: promotes the replica at `step`.
pub(crate) struct Promoter {
    conn: Connection,
    step: u64,
    promoted: Arc<AtomicBool>,
}

impl Promoter {
    /// Connects to the replica now, so that the promotion is not delayed by connecting.
    pub(crate) fn connect(
        replica: SocketAddr,
        timeout: Duration,
        step: u64,
        promoted: Arc<AtomicBool>,
    ) -> Result<Promoter, String> {
        let mut conn = Connection::connect(replica, timeout)
            .map_err(|e| format!("cannot connect to the replica {replica}: {e}"))?;
        let info = conn
            .call(&["INFO", "replication"])
            .map_err(|e| format!("the replica {replica}: {e}"))?;
        if !super::runner::text(&info).contains("master_link_status:up") {
            return Err(format!(
                "{replica} is not a replica linked to its primary (a failover run promotes it: \
                 attach it again with REPLICAOF HOST PORT)"
            ));
        }
        Ok(Promoter {
            conn,
            step,
            promoted,
        })
    }

    /// Waits until a client takes the failover step, promotes the replica and lets the
    /// clients go on (to it); does nothing when every client finished first. The pacer is
    /// released whatever happens.
    pub(crate) fn run(mut self, pacer: Arc<Pacer>) -> Result<(), String> {
        let result = if pacer.wait_for_sent(self.step) {
            self.promote()
        } else {
            Ok(())
        };
        pacer.done_until(u64::MAX);
        result
    }

    fn promote(&mut self) -> Result<(), String> {
        let reply = self
            .conn
            .call(&["REPLICAOF", "NO", "ONE"])
            .map_err(|e| format!("REPLICAOF NO ONE: {e}"))?;
        if reply != Reply::ok() {
            return Err(format!(
                "REPLICAOF NO ONE replied {}",
                super::runner::text(&reply)
            ));
        }
        self.promoted.store(true, Ordering::SeqCst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster_client::Finished;
    use super::*;

    #[test]
    fn the_failover_waits_for_the_step_to_be_taken_but_not_for_earlier_replies() {
        let pacer = Pacer::new(2, 2);
        // Two commands sent, neither answered: still in flight on the old primary.
        pacer.take_steps(2);
        let operator = {
            let pacer = pacer.clone();
            std::thread::spawn(move || pacer.wait_for_sent(2))
        };
        // The client that takes step 2 waits for the failover; the operator goes ahead.
        let client = {
            let pacer = pacer.clone();
            std::thread::spawn(move || pacer.take_steps(1))
        };
        assert!(operator.join().unwrap());
        assert!(!client.is_finished());
        pacer.done_until(u64::MAX);
        client.join().unwrap();
    }

    #[test]
    fn no_failover_when_every_client_finished_before_its_step() {
        let pacer = Pacer::new(2, 5);
        pacer.take_steps(3);
        drop((Finished(pacer.clone()), Finished(pacer.clone())));
        assert!(!pacer.wait_for_sent(5));
    }
}
