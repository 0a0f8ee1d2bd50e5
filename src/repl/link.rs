//! The engine's side of replication links, for whoever carries the bytes (the
//! simulator's world, tests): a primary hands out its stream and takes
//! acknowledgements; a replica is synchronised and applies the stream as its primary's
//! connection.

use super::{encoded_len, propagate};
use crate::resp::Reply;
use crate::session::ClientId;
use crate::Engine;

impl Engine {
    /// The end of one client command (an execution unit): its effects go on the
    /// stream, and the client's write offset moves to the end of them; a WAIT's request
    /// for acknowledgements follows (`REPLCONF GETACK *`, sent before the event loop
    /// sleeps).
    pub(crate) fn end_of_unit(&mut self, client: ClientId) {
        if propagate::flush(&mut self.store) {
            let offset = self.store.repl.offset;
            self.store.session_mut(client).woff = offset;
        }
        if std::mem::take(&mut self.store.repl.getack_due) && !self.store.repl.replicas.is_empty() {
            let getack = [&b"REPLCONF"[..], b"GETACK", b"*"];
            self.store
                .repl
                .feed(None, getack.iter().map(|a| a.to_vec()).collect());
        }
    }

    /// `master_repl_offset`.
    pub fn replication_offset(&self) -> u64 {
        self.store.repl.offset
    }

    /// The replication id (`master_replid`).
    pub fn replication_id(&self) -> String {
        self.store.process.replid.clone()
    }

    /// A primary: a replica listening on `ip:port` finished its full synchronisation
    /// at the current offset and is online. Returns its index for
    /// [`Engine::replica_ack`].
    pub fn attach_replica(&mut self, ip: &str, port: u16) -> usize {
        let now_ms = self.host.now_us() / 1000;
        self.store.repl.attach(ip, port, now_ms)
    }

    /// A primary: every replica's link is gone (a primary that restarts, a partition
    /// the host models as a broken connection).
    pub fn detach_replicas(&mut self) {
        self.store.repl.replicas.clear();
        self.store.repl.outbox.clear();
    }

    /// A primary: replica `index` acknowledged `offset` (`REPLCONF ACK`).
    pub fn replica_ack(&mut self, index: usize, offset: u64) {
        let now_ms = self.host.now_us() / 1000;
        if let Some(r) = self.store.repl.replicas.get_mut(index) {
            r.ack_offset = r.ack_offset.max(offset);
            r.ack_ms = now_ms;
        }
    }

    /// A primary: the commands put on the stream since the last call, in order.
    pub fn take_replication_stream(&mut self) -> Vec<Vec<Vec<u8>>> {
        std::mem::take(&mut self.store.repl.outbox)
    }

    /// A replica: the full synchronisation is done — the host loaded the primary's
    /// dataset — and the link is up at the primary's `offset` under its id `replid`.
    pub fn replica_synchronised(&mut self, replid: &str, offset: u64) {
        let now_ms = self.host.now_us() / 1000;
        let master_client = self.connect();
        let repl = &mut self.store.repl;
        let Some(master) = repl.master.as_mut() else {
            return;
        };
        master.up = true;
        master.last_io_ms = now_ms;
        repl.offset = offset;
        repl.backlog_first = Some(offset + 1);
        repl.master_client = Some(master_client);
        self.store.process.replid = replid.to_string();
    }

    /// A replica: one command of the primary's stream, run as the primary's connection
    /// (which may write); the offset moves by its bytes.
    pub fn apply_replicated(&mut self, argv: &[Vec<u8>]) -> Reply {
        let Some(master_client) = self.store.repl.master_client else {
            return Reply::error("ERR no link to a primary");
        };
        self.store.repl.offset += encoded_len(argv) as u64;
        if let Some(master) = self.store.repl.master.as_mut() {
            master.last_io_ms = self.host.now_us() / 1000;
        }
        if argv
            .first()
            .is_some_and(|c| c.eq_ignore_ascii_case(b"replconf"))
        {
            // REPLCONF GETACK: the replica answers with its offset (the host sends it).
            return Reply::ok();
        }
        self.execute(master_client, argv)
    }

    /// A client blocked in WAIT: what it waits for (taken: the host now owns the wait).
    pub fn take_wait(&mut self, client: ClientId) -> Option<super::WaitRequest> {
        self.store.session_mut(client).wait.take()
    }

    /// How many replicas acknowledged `offset`.
    pub fn acks_at(&self, offset: u64) -> usize {
        self.store.repl.acks_at(offset)
    }
}
