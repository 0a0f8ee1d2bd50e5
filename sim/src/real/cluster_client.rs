//! The cluster client of a real run, as the simulator's (`world/shards.rs`): a map of
//! slots to nodes (the slot split the cluster was formed with), a connection per node
//! opened when first needed, each round trip sent to the node of its first keyed
//! command's slot; a lone command redirected with `-MOVED` is sent again to the node
//! named (and the map updated), with `-ASK` as ASKING + the command to that node, up to
//! 16 times; with `tryagain_retry` one refused with TRYAGAIN is sent again after 50 ms.
//! A pipeline gets its redirections as replies.
//!
//! The [`Pacer`] stands in for the simulator's steps: a simulated step delivers one
//! command, so step `s` is "the `s`-th command sent by any client". Each send takes the
//! next step numbers, and a command whose step has a resharding action planned at or
//! before it waits until the operator did it; the operator ([`super::reshard`]) acts
//! once the commands of the steps before are answered and a client reaches the action's
//! step. Between actions the clients run freely, concurrently.

use super::codec::Connection;
use redsim::{command_slot, slot_ranges, Reply};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How many times a client follows redirections (or retries TRYAGAIN) for one command.
const REDIRECTS_MAX: u32 = 16;

/// The pause before a TRYAGAIN is sent again (redis-py's).
const TRYAGAIN_PAUSE: Duration = Duration::from_millis(50);

#[derive(Default)]
struct PaceState {
    /// Commands sent so far by all clients: the next step number.
    sent: u64,
    /// Commands answered (or lost with their connection) so far.
    answered: u64,
    /// The first step whose planned actions the operator has not done (`u64::MAX`: none
    /// left).
    pending: u64,
    /// Clients that finished (the operator stops waiting when all have).
    finished: usize,
}

/// Steps shared by the clients and the operator of one run.
pub(crate) struct Pacer {
    state: Mutex<PaceState>,
    changed: Condvar,
    clients: usize,
}

impl Pacer {
    /// A pacer for `clients` clients whose first planned action is at step `first`.
    pub(crate) fn new(clients: usize, first: u64) -> Arc<Pacer> {
        Arc::new(Pacer {
            state: Mutex::new(PaceState {
                pending: first,
                ..PaceState::default()
            }),
            changed: Condvar::new(),
            clients,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A client is about to send `count` commands: it takes their steps, and waits while
    /// an action is planned at or before the first of them.
    pub(crate) fn take_steps(&self, count: usize) {
        let mut state = self.lock();
        let first = state.sent;
        state.sent += count as u64;
        self.changed.notify_all();
        while state.pending <= first {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// A client's `count` commands got their replies (or their connection failed).
    pub(crate) fn answered(&self, count: usize) {
        self.lock().answered += count as u64;
        self.changed.notify_all();
    }

    /// A client is done (or stopped).
    pub(crate) fn finish(&self) {
        self.lock().finished += 1;
        self.changed.notify_all();
    }

    /// The operator: waits until the commands of every step before `step` are answered
    /// and a client takes step `step` (so the action comes between them, as a simulated
    /// step runs alone); false when every client finished before.
    pub(crate) fn wait_for_step(&self, step: u64) -> bool {
        let mut state = self.lock();
        while state.answered < step || state.sent <= step {
            if state.finished >= self.clients {
                return false;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        true
    }

    /// The operator of a failover: waits until a client takes step `step`, whether or
    /// not the commands before it are answered; false when every client finished before.
    pub(crate) fn wait_for_sent(&self, step: u64) -> bool {
        let mut state = self.lock();
        while state.sent <= step {
            if state.finished >= self.clients {
                return false;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        true
    }

    /// The operator did every action planned before step `next` (`u64::MAX`: all).
    pub(crate) fn done_until(&self, next: u64) {
        self.lock().pending = next;
        self.changed.notify_all();
    }
}

/// Calls `Pacer::finish` when dropped: a client thread counts as finished however it
/// ends.
pub(crate) struct Finished(pub(crate) Arc<Pacer>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// One client's connections to the cluster.
pub(crate) struct ClusterConn {
    addrs: Vec<SocketAddr>,
    conns: Vec<Option<Connection>>,
    /// The node of each slot, as this client believes.
    map: Vec<u8>,
    /// The node its keyless commands go to (the last one used).
    current: usize,
    timeout: Duration,
    tryagain_retry: bool,
    pacer: Arc<Pacer>,
    /// Replies of the last round trip by which the cluster refused the command.
    refused: usize,
}

/// A reply by which the cluster refused a command before running it (as the
/// simulator's `note_refusal`).
fn is_refusal(reply: &Reply) -> bool {
    let Reply::Error(text) = reply else {
        return false;
    };
    ["CROSSSLOT ", "TRYAGAIN ", "CLUSTERDOWN ", "MOVED ", "ASK "]
        .iter()
        .any(|code| text.starts_with(code.as_bytes()))
}

fn is_asking(argv: &[Vec<u8>]) -> bool {
    matches!(argv, [name] if name.eq_ignore_ascii_case(b"asking"))
}

impl ClusterConn {
    pub(crate) fn new(
        addrs: &[SocketAddr],
        timeout: Duration,
        tryagain_retry: bool,
        pacer: Arc<Pacer>,
    ) -> ClusterConn {
        let mut map = vec![0u8; redsim::SLOTS];
        for (i, &(start, end)) in slot_ranges(addrs.len()).iter().enumerate() {
            map[start as usize..=end as usize].fill(i as u8);
        }
        ClusterConn {
            addrs: addrs.to_vec(),
            conns: addrs.iter().map(|_| None).collect(),
            map,
            current: 0,
            timeout,
            tryagain_retry,
            pacer,
            refused: 0,
        }
    }

    /// Opens the connection to `node` (the clients connect before the run starts, as
    /// the simulator's are connected at reset).
    pub(crate) fn connect(&mut self, node: usize) -> io::Result<()> {
        if self.conns[node].is_none() {
            self.conns[node] = Some(Connection::connect(self.addrs[node], self.timeout)?);
        }
        Ok(())
    }

    /// Replies of the last round trip that were cluster refusals.
    pub(crate) fn refused(&self) -> usize {
        self.refused
    }

    fn send(&mut self, node: usize, commands: &[Vec<Vec<u8>>]) -> io::Result<Vec<Reply>> {
        self.connect(node)?;
        self.current = node;
        // ASKING is not a step: the simulated client runs it with the command it flags.
        let steps = commands.iter().filter(|c| !is_asking(c)).count();
        self.pacer.take_steps(steps);
        let replies = match self.conns[node].as_mut() {
            Some(conn) => conn.round_trip(commands),
            None => Err(io::Error::other("no connection")),
        };
        self.pacer.answered(steps);
        replies
    }

    /// The node a redirection's `host:port` names.
    fn node_named(&self, address: &str) -> Option<usize> {
        let port: u16 = address.rsplit_once(':')?.1.parse().ok()?;
        self.addrs.iter().position(|a| a.port() == port)
    }

    /// Sends `commands` where the map says, following redirections of a lone command.
    pub(crate) fn round_trip(&mut self, commands: &[Vec<Vec<u8>>]) -> io::Result<Vec<Reply>> {
        let node = commands
            .iter()
            .find_map(|argv| command_slot(argv))
            .map_or(self.current, |slot| self.map[slot as usize] as usize);
        let mut replies = self.send(node, commands)?;
        if let [argv] = commands {
            for _ in 0..REDIRECTS_MAX {
                let Some(Reply::Error(text)) = replies.first() else {
                    break;
                };
                let text = String::from_utf8_lossy(text).into_owned();
                let mut words = text.split(' ');
                let (code, slot, address) = (words.next(), words.next(), words.next());
                let slot: Option<usize> = slot.and_then(|s| s.parse().ok());
                let target = address.and_then(|a| self.node_named(a));
                match (code, slot, target) {
                    (Some("MOVED"), Some(slot), Some(target)) if slot < redsim::SLOTS => {
                        self.map[slot] = target as u8;
                        replies = self.send(target, commands)?;
                    }
                    (Some("ASK"), Some(_), Some(target)) => {
                        // ASKING flags the connection for the next command: sent together.
                        let asking = vec![b"ASKING".to_vec()];
                        let both = self.send(target, &[asking, argv.clone()])?;
                        replies = both.into_iter().skip(1).collect();
                    }
                    (Some("TRYAGAIN"), _, _) if self.tryagain_retry => {
                        std::thread::sleep(TRYAGAIN_PAUSE);
                        replies = self.send(self.current, commands)?;
                    }
                    _ => break,
                }
            }
        }
        self.refused = replies.iter().filter(|r| is_refusal(r)).count();
        Ok(replies)
    }
}
