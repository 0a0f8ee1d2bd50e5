//! How one connection's command reaches another connection: each connection registers
//! its signals under its client id. After a command, the server fires the `killed`
//! signal of the clients CLIENT KILL closed (each closes as soon as it wakes, while
//! reading or parked in a blocking command, as Redis frees a killed client at once), and
//! puts the MONITOR feed and pub/sub messages in the outboxes of their connections.
//! A connection writes its outbox when woken, and before the reply of each command it
//! runs, so that what Redis wrote to a client before a reply comes before it.

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
    /// Replies from elsewhere (MONITOR lines, pub/sub messages), written as they come.
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

    /// Appends `bytes` to the outbox of `client_id`'s connection and wakes it.
    fn send(&self, client_id: u64, bytes: &[u8]) {
        let Some(signals) = self.find(client_id) else {
            return;
        };
        super::host::lock(&signals.outbox).extend_from_slice(bytes);
        signals.mail.notify_one();
    }

    /// Sends the pub/sub messages the last commands published (`Store::deliveries`),
    /// each encoded in its receiver's protocol.
    pub(crate) fn deliver(&self, store: &mut crate::store::Store) {
        let deliveries = std::mem::take(&mut store.deliveries);
        let mut pending: Option<(u64, Vec<u8>)> = None;
        for (client, frame) in deliveries {
            if !store.is_connected(client) {
                continue;
            }
            let protocol = store.session(client).protocol;
            match &mut pending {
                Some((id, bytes)) if *id == client.id => {
                    crate::resp::encode_into(&frame, protocol, bytes);
                }
                _ => {
                    if let Some((id, bytes)) = pending.take() {
                        self.send(id, &bytes);
                    }
                    pending = Some((client.id, crate::resp::encode(&frame, protocol)));
                }
            }
        }
        if let Some((id, bytes)) = pending {
            self.send(id, &bytes);
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
