//! The operator of a real cluster run: a scenario's `[[reshard]]` steps done as real
//! commands, at the steps the simulator does them (`World::reshard_steps`), paced by the
//! clients' commands ([`super::cluster_client::Pacer`]): at `open_step` CLUSTER SETSLOT
//! IMPORTING on the target and MIGRATING on the source; at each step from `migrate_step`
//! to `close_step` GETKEYSINSLOT `batch` on the source and one MIGRATE … KEYS of what it
//! found (as `redis-cli --cluster reshard`); at `close_step` CLUSTER SETSLOT … NODE on
//! every node. The operator's commands are not in the history.

use super::cluster::call_ok;
use super::cluster_client::Pacer;
use super::codec::Connection;
use crate::world::Reshard;
use redsim::Reply;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The steps at which `reshards` act, in order.
pub(crate) fn action_steps(reshards: &[Reshard]) -> BTreeSet<u64> {
    let mut steps = BTreeSet::new();
    for r in reshards {
        steps.insert(r.open_step);
        steps.extend(r.migrate_step..r.close_step);
        steps.insert(r.close_step);
    }
    steps
}

/// The operator's connections and the nodes' ids.
pub(crate) struct Operator {
    addrs: Vec<SocketAddr>,
    conns: Vec<Connection>,
    ids: Vec<String>,
}

impl Operator {
    pub(crate) fn connect(addrs: &[SocketAddr], timeout: Duration) -> Result<Operator, String> {
        let mut conns = Vec::new();
        let mut ids = Vec::new();
        for addr in addrs {
            let mut conn = Connection::connect(*addr, timeout)
                .map_err(|e| format!("the operator cannot connect to {addr}: {e}"))?;
            let id = call_ok(&mut conn, &["CLUSTER", "MYID"])?;
            ids.push(super::runner::text(&id));
            conns.push(conn);
        }
        Ok(Operator {
            addrs: addrs.to_vec(),
            conns,
            ids,
        })
    }

    /// Does every action of `reshards` at its step; stops early (without error) when
    /// every client finished first. The pacer is released whatever happens.
    pub(crate) fn run(mut self, reshards: &[Reshard], pacer: Arc<Pacer>) -> Result<(), String> {
        let result = self.act(reshards, &pacer);
        pacer.done_until(u64::MAX);
        result
    }

    fn act(&mut self, reshards: &[Reshard], pacer: &Pacer) -> Result<(), String> {
        let steps: Vec<u64> = action_steps(reshards).into_iter().collect();
        for (i, &step) in steps.iter().enumerate() {
            if !pacer.wait_for_step(step) {
                return Ok(());
            }
            for r in reshards {
                self.act_at(r, step)?;
            }
            pacer.done_until(steps.get(i + 1).copied().unwrap_or(u64::MAX));
        }
        Ok(())
    }

    fn act_at(&mut self, r: &Reshard, step: u64) -> Result<(), String> {
        let slot = r.slot.to_string();
        let (from_id, to_id) = (self.ids[r.from].clone(), self.ids[r.to].clone());
        if step == r.open_step {
            let importing = ["CLUSTER", "SETSLOT", &slot, "IMPORTING", &from_id];
            call_ok(&mut self.conns[r.to], &importing)?;
            let migrating = ["CLUSTER", "SETSLOT", &slot, "MIGRATING", &to_id];
            call_ok(&mut self.conns[r.from], &migrating)?;
        }
        if (r.migrate_step..r.close_step).contains(&step) {
            let batch = r.batch.max(1).to_string();
            let keys = call_ok(
                &mut self.conns[r.from],
                &["CLUSTER", "GETKEYSINSLOT", &slot, &batch],
            )?;
            let keys: Vec<Vec<u8>> = match keys {
                Reply::Array(keys) => keys
                    .into_iter()
                    .filter_map(|k| match k {
                        Reply::Bulk(k) => Some(k),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if !keys.is_empty() {
                let port = self.addrs[r.to].port().to_string();
                let mut migrate: Vec<Vec<u8>> = ["MIGRATE", "127.0.0.1", &port, "", "0", "5000"]
                    .iter()
                    .map(|w| w.as_bytes().to_vec())
                    .collect();
                migrate.push(b"KEYS".to_vec());
                migrate.extend(keys);
                let reply = self.conns[r.from]
                    .round_trip(&[migrate])
                    .map_err(|e| format!("MIGRATE: {e}"))?;
                if let Some(Reply::Error(e)) = reply.first() {
                    return Err(format!("MIGRATE failed: {}", String::from_utf8_lossy(e)));
                }
            }
        }
        if step == r.close_step {
            for conn in &mut self.conns {
                call_ok(conn, &["CLUSTER", "SETSLOT", &slot, "NODE", &to_id])?;
            }
        }
        Ok(())
    }
}
