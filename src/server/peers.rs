//! How one connection's command reaches another connection: each connection registers
//! its signals under its client id. After a command, the server fires the `killed`
//! signal of the clients CLIENT KILL closed (each closes as soon as it wakes, while
//! reading or parked in a blocking command, as Redis frees a killed client at once), and
//! puts the MONITOR feed in the outboxes of the monitoring connections.

use super::sync::{Mutex, Notify};
use std::sync::Arc;

/// One connection's signals.
#[derive(Default)]
pub(crate) struct Signals {
    /// Fired when another client kills this one (a wake-up is kept until the connection
    /// next waits, so none is lost).
    pub(crate) killed: Notify,
    /// Fired when the outbox has bytes to write.
    pub(crate) mail: Notify,
    /// Replies from elsewhere (MONITOR lines), written as they come.
    pub(crate) outbox: Mutex<Vec<u8>>,
}

#[derive(Default)]
pub(crate) struct Peers {
    /// (client id, its connection's signals), in the order connections opened.
    signals: Mutex<Vec<(u64, Arc<Signals>)>>,
}

impl Peers {
    /// Registers the connection of `client_id`.
    pub(crate) fn register(&self, client_id: u64, signals: Arc<Signals>) {
        super::host::lock(&self.signals).push((client_id, signals));
    }

    /// Forgets a connection that closed.
    pub(crate) fn unregister(&self, client_id: u64) {
        super::host::lock(&self.signals).retain(|(id, _)| *id != client_id);
    }

    fn find(&self, client_id: u64) -> Option<Arc<Signals>> {
        super::host::lock(&self.signals)
            .iter()
            .find(|(id, _)| *id == client_id)
            .map(|(_, s)| s.clone())
    }

    /// Wakes the connections of the killed clients.
    pub(crate) fn kill(&self, client_ids: impl IntoIterator<Item = u64>) {
        for id in client_ids {
            if let Some(signals) = self.find(id) {
                signals.killed.notify_one();
            }
        }
    }

    /// Sends each MONITOR line, as a status reply, to each monitoring connection.
    pub(crate) fn feed_monitors(&self, monitors: impl IntoIterator<Item = u64>, lines: &[Vec<u8>]) {
        for id in monitors {
            let Some(signals) = self.find(id) else {
                continue;
            };
            let mut outbox = super::host::lock(&signals.outbox);
            for line in lines {
                outbox.push(b'+');
                outbox.extend_from_slice(line);
                outbox.extend_from_slice(b"\r\n");
            }
            drop(outbox);
            signals.mail.notify_one();
        }
    }
}
