//! Where cluster mode enters the engine's command path: the node is made on the first
//! command, its state re-evaluated around each command (Redis's cron and
//! `clusterBeforeSleep`), each command routed before it runs or is queued
//! (`processCommand`'s call to `getNodeByQuery`), each command a script calls routed as
//! `scriptVerifyClusterState` does, and ASKING dropped after the command it was for.

use super::route::{route, Query};
use super::{Address, Cluster, ClusterPeer};
use crate::cmd::{self, CommandSpec, Resolved};
use crate::session::ClientId;
use crate::Engine;

impl Engine {
    /// Tells this node of another master (what its cluster bus would learn by gossip):
    /// the node is added, or its address and epoch updated, and the slots it claims
    /// become its own unless this node serves them. Does nothing outside cluster mode.
    pub fn cluster_learn(&mut self, peer: &ClusterPeer) {
        if !self.store.config.cluster_enabled {
            return;
        }
        let now_ms = self.cluster_before_command();
        if let Some(cluster) = self.store.cluster.as_deref_mut() {
            cluster.learn(peer);
            cluster.todo_update = false;
            cluster.refresh(&self.store.config, now_ms);
        }
    }

    /// This node as another one learns of it ([`Engine::cluster_learn`]): its id, the
    /// address it announces (`cluster-announce-ip`, `port`), its config epoch and slots.
    /// `None` outside cluster mode.
    pub fn cluster_myself(&mut self) -> Option<ClusterPeer> {
        if !self.store.config.cluster_enabled {
            return None;
        }
        self.cluster_before_command();
        let cluster = self.store.cluster.as_deref()?;
        let at = Address::of(&self.store.config);
        Some(ClusterPeer {
            id: cluster.id.clone(),
            ip: at.ip,
            port: at.port,
            bus_port: at.bus_port,
            config_epoch: cluster.config_epoch,
            slots: cluster.owned_ranges(),
        })
    }

    /// Serves a MIGRATE transfer another node's host delivers here: the requests run in
    /// order on a connection of their own, opened and closed for them.
    pub fn serve_transfer(&mut self, commands: &[Vec<Vec<u8>>]) -> crate::MigrateTransfer {
        let client = self.connect();
        let replies = commands
            .iter()
            .map(|argv| self.execute(client, argv))
            .collect();
        self.disconnect(client);
        crate::MigrateTransfer {
            replies,
            failure: None,
        }
    }

    /// Makes the node on the first command and re-evaluates its state; returns the
    /// command's time, ms.
    pub(crate) fn cluster_before_command(&mut self) -> u64 {
        let now_ms = self.host.now_us() / 1000;
        if self.store.cluster.is_none() {
            let id = Cluster::random_id(&mut *self.host);
            self.store.cluster = Some(Box::new(Cluster::new(id)));
        }
        if let Some(cluster) = self.store.cluster.as_deref_mut() {
            cluster.cron(&self.store.config, now_ms);
            cluster.command_slot = None;
            cluster.command_ms = now_ms;
        }
        now_ms
    }

    /// After a command: ASKING lasts for one command, or for the transaction it was sent
    /// in (Redis's `resetClient`); slot changes are reflected in the state at once.
    pub(crate) fn cluster_after_command(
        &mut self,
        client: ClientId,
        argv: &[Vec<u8>],
        now_ms: u64,
    ) {
        if self.store.is_connected(client) {
            let session = self.store.session_mut(client);
            let was_asking = argv
                .first()
                .is_some_and(|a| a.eq_ignore_ascii_case(b"asking"));
            if session.multi.is_none() && !was_asking {
                session.cluster_asking = false;
            }
        }
        if let Some(cluster) = self.store.cluster.as_deref_mut() {
            if std::mem::take(&mut cluster.todo_update) {
                cluster.refresh(&self.store.config, now_ms);
            }
        }
    }

    /// The redirection or error that keeps this node from serving `argv` (or, for EXEC,
    /// the queued commands), if any; otherwise notes the keys' slot for the command.
    pub(crate) fn cluster_redirect(
        &mut self,
        client: ClientId,
        spec: &'static CommandSpec,
        sub: Option<&'static CommandSpec>,
        argv: &[Vec<u8>],
    ) -> Option<crate::resp::Reply> {
        let cluster = self.store.cluster.as_deref()?;
        let target = sub.unwrap_or(spec);
        let session = self.store.session(client);
        let commands: Vec<(&'static CommandSpec, &[Vec<u8>])> = if spec.name == "exec" {
            // EXEC outside MULTI just fails: nothing to route.
            let multi = session.multi.as_ref()?;
            multi
                .queued
                .iter()
                .filter_map(|queued| match cmd::resolve(queued) {
                    Resolved::Found(spec, sub) => Some((sub.unwrap_or(spec), queued.as_slice())),
                    Resolved::Refused(_) => None,
                })
                .collect()
        } else {
            vec![(target, argv)]
        };
        let query = Query {
            commands: &commands,
            command_flags: cmd::maxmemory::command_flags(target, argv, &self.scripts),
            asking: session.cluster_asking,
        };
        let routed = route(
            cluster,
            &self.store.config,
            &self.store.dbs[0],
            cluster.command_ms,
            &query,
        );
        match routed {
            Ok(slot) => {
                if let Some(cluster) = self.store.cluster.as_deref_mut() {
                    cluster.command_slot = slot;
                }
                None
            }
            Err(redirect) => Some(redirect.reply()),
        }
    }
}

/// `scriptVerifyClusterState`: the error text a script's call of `spec` gets, if any.
/// `caller` is the client running the script (its ASKING counts), `cross_slot_ok` the
/// script's permission to use keys of several slots (scripts without a shebang have it).
pub(crate) fn script_refusal(
    store: &mut crate::store::Store,
    caller: ClientId,
    target: &'static CommandSpec,
    argv: &[Vec<u8>],
    now_ms: u64,
    cross_slot_ok: bool,
) -> Option<&'static str> {
    let cluster = store.cluster.as_deref()?;
    let commands = [(target, argv)];
    let query = Query {
        commands: &commands,
        command_flags: target.flags,
        asking: store.session(caller).cluster_asking,
    };
    let slot = match route(cluster, &store.config, &store.dbs[0], now_ms, &query) {
        Ok(slot) => slot,
        Err(redirect) => return Some(redirect.script_text()),
    };
    let (Some(slot), false) = (slot, cross_slot_ok) else {
        return None;
    };
    let cluster = store.cluster.as_deref_mut()?;
    match cluster.command_slot {
        None => {
            cluster.command_slot = Some(slot);
            None
        }
        Some(held) if held != slot => {
            Some("ERR Script attempted to access keys that do not hash to the same slot")
        }
        Some(_) => None,
    }
}
