//! How CLIENT KILL reaches another connection: each connection registers a wake-up under
//! its client id; after a command that killed clients, the server fires theirs, and each
//! killed connection closes as soon as it wakes (while reading, or parked in a blocking
//! command), as Redis frees a killed client at once.

use super::sync::{Mutex, Notify};
use std::sync::Arc;

#[derive(Default)]
pub(crate) struct KillBoard {
    /// (client id, its connection's wake-up), in the order connections opened.
    wakeups: Mutex<Vec<(u64, Arc<Notify>)>>,
}

impl KillBoard {
    /// Registers the connection of `client_id`; its wake-up fires if it is killed.
    pub(crate) fn register(&self, client_id: u64, wakeup: Arc<Notify>) {
        super::host::lock(&self.wakeups).push((client_id, wakeup));
    }

    /// Forgets a connection that closed.
    pub(crate) fn unregister(&self, client_id: u64) {
        super::host::lock(&self.wakeups).retain(|(id, _)| *id != client_id);
    }

    /// Wakes the connections of the killed clients (a wake-up is kept until the
    /// connection next waits, so none is lost).
    pub(crate) fn kill(&self, client_ids: impl IntoIterator<Item = u64>) {
        let wakeups = super::host::lock(&self.wakeups);
        for id in client_ids {
            if let Some((_, wakeup)) = wakeups.iter().find(|(c, _)| *c == id) {
                wakeup.notify_one();
            }
        }
    }
}
