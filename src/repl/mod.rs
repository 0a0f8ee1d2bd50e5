//! Replication as a Redis 7.0 server sees it (`replication.c`): the role (primary, or
//! replica of `host:port`), the replicas attached to a primary with the offsets they
//! acknowledged, and the replication stream — the effects of the commands run, as Redis
//! 7 propagates them (`propagate.rs`).
//!
//! The engine does no I/O: whoever hosts it (the simulator's world, a test) carries the
//! stream from a primary to its replicas ([`crate::Engine::take_replication_stream`],
//! [`crate::Engine::apply_replicated`]) and the acknowledgements back
//! ([`crate::Engine::replica_ack`]). REPLICAOF only records where the primary is; the
//! link comes up when the host says the replica has synchronised
//! ([`crate::Engine::replica_link_up`]).

mod link;
pub(crate) mod propagate;

use crate::session::ClientId;

/// A replica attached to this primary (Redis's slave client in `server.slaves`).
#[derive(Clone, Debug)]
pub struct ReplicaLink {
    /// The address it announced (`slave_addr`).
    pub ip: String,
    /// The port it listens on (`slave_listening_port`).
    pub port: u16,
    /// The offset it acknowledged last (`repl_ack_off`).
    pub ack_offset: u64,
    /// When it acknowledged last, Unix ms (`repl_ack_time`).
    pub ack_ms: u64,
}

/// The primary this server replicates from.
#[derive(Clone, Debug)]
pub struct MasterLink {
    /// REPLICAOF's host.
    pub host: String,
    /// REPLICAOF's port.
    pub port: u16,
    /// The link is up (`REPL_STATE_CONNECTED`): synchronised, applying the stream.
    pub up: bool,
    /// When the stream last brought something, Unix ms (`lastinteraction`).
    pub last_io_ms: u64,
}

/// The server's replication state.
#[derive(Clone, Debug, Default)]
pub struct Replication {
    /// `Some` on a replica (`server.masterhost`).
    pub master: Option<MasterLink>,
    /// The replicas of a primary, in the order they attached.
    pub replicas: Vec<ReplicaLink>,
    /// `master_repl_offset`: bytes of replication stream produced (on a primary) or
    /// applied (on a replica).
    pub offset: u64,
    /// The backlog's first byte offset; `None` until a replica first attached (Redis
    /// creates the backlog then, and produces no stream before).
    pub(crate) backlog_first: Option<u64>,
    /// The database the stream last SELECTed (`server.slaveseldb`).
    seldb: Option<usize>,
    /// Effects of the execution unit running now (`server.also_propagate`): (db, argv).
    pub(crate) pending: Vec<(usize, Vec<Vec<u8>>)>,
    /// Commands produced for the replicas, not yet taken by the host.
    pub(crate) outbox: Vec<Vec<Vec<u8>>>,
    /// The connection of the primary on a replica (its commands may write).
    pub(crate) master_client: Option<ClientId>,
    /// A WAIT asked the replicas for an acknowledgement (`get_ack_from_slaves`).
    pub(crate) getack_due: bool,
    /// `second_repl_offset`: where the previous replication id's history ended.
    pub(crate) second_offset: Option<u64>,
}

/// A client blocked in WAIT: it is answered once `numreplicas` replicas acknowledged
/// `offset`, or at `deadline_ms` (never, for `None`) with the count then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitRequest {
    /// The client's last write's offset (`c->woff`).
    pub offset: u64,
    /// How many replicas it waits for.
    pub numreplicas: usize,
    /// When it gives up, Unix ms.
    pub deadline_ms: Option<u64>,
}

impl Replication {
    /// Whether writes produce a stream (Redis: a backlog or a replica exists).
    #[inline]
    pub(crate) fn feeding(&self) -> bool {
        self.backlog_first.is_some()
    }

    /// Whether this server is a replica.
    pub fn is_replica(&self) -> bool {
        self.master.is_some()
    }

    /// Replicas whose acknowledged offset reached `offset`
    /// (`replicationCountAcksByOffset`).
    pub fn acks_at(&self, offset: u64) -> usize {
        self.replicas
            .iter()
            .filter(|r| r.ack_offset >= offset)
            .count()
    }

    /// Appends `argv` to the stream (`replicationFeedSlaves`): a SELECT first when the
    /// stream is on another database; the offset counts the encoded bytes.
    pub(crate) fn feed(&mut self, db: Option<usize>, argv: Vec<Vec<u8>>) {
        if let Some(db) = db {
            if self.seldb != Some(db) {
                let select = vec![b"SELECT".to_vec(), db.to_string().into_bytes()];
                self.emit(select);
                self.seldb = Some(db);
            }
        }
        self.emit(argv);
    }

    fn emit(&mut self, argv: Vec<Vec<u8>>) {
        self.offset += encoded_len(&argv) as u64;
        if !self.replicas.is_empty() {
            self.outbox.push(argv);
        }
    }

    /// The backlog's fields for INFO: active, first byte offset, history length.
    pub(crate) fn backlog(&self) -> (bool, u64, u64) {
        match self.backlog_first {
            Some(first) => (true, first, (self.offset + 1).saturating_sub(first)),
            None => (false, 0, 0),
        }
    }

    /// A replica attached after a full synchronisation at the current offset.
    pub(crate) fn attach(&mut self, ip: &str, port: u16, now_ms: u64) -> usize {
        self.backlog_first.get_or_insert(self.offset + 1);
        // The first command after a synchronisation selects its database again.
        self.seldb = None;
        self.replicas.push(ReplicaLink {
            ip: ip.to_string(),
            port,
            ack_offset: self.offset,
            ack_ms: now_ms,
        });
        self.replicas.len() - 1
    }
}

/// The bytes of `argv` as a RESP multibulk request.
pub(crate) fn encoded_len(argv: &[Vec<u8>]) -> usize {
    let digits = |n: usize| n.to_string().len();
    let mut len = 1 + digits(argv.len()) + 2;
    for arg in argv {
        len += 1 + digits(arg.len()) + 2 + arg.len() + 2;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_costs_its_multibulk_bytes() {
        // "*1\r\n$4\r\nPING\r\n" is the 14 bytes Redis adds to the offset per ping.
        assert_eq!(encoded_len(&[b"PING".to_vec()]), 14);
        let set = [b"SET".to_vec(), b"x".to_vec(), b"1".to_vec()];
        assert_eq!(
            encoded_len(&set),
            b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n".len()
        );
    }
}
