//! [`Judge::judge`]: a finished run's verdict, as the steps the module above describes —
//! each anomaly checked by one function, in the order the findings are listed.

use super::{
    check_on_this_thread, checker_verdict, completed_without_error, op_label, op_writes,
    overlaps_another, read_state, results_by_client, zcard, Judge, KeyState, Verdict,
};
use crate::history::{History, Op};
use crate::world::World;
use redsim::Reply;

impl Verdict {
    /// Points the report at the history's operation `i` (once).
    fn flag(&mut self, i: usize) {
        if !self.violating.contains(&i) {
            self.violating.push(i);
        }
    }
}

impl Judge {
    /// The verdict on the run `world` just finished.
    pub fn judge(&self, world: &mut World) -> Verdict {
        let mut v = Verdict {
            final_state: read_state(world, &self.probe),
            all_or_nothing: self.all_or_nothing,
            ..Verdict::default()
        };
        self.stale_messages(world, &mut v);
        let history = &world.history;
        let clients = world.clients() as u64;
        v.errors = history
            .ops
            .iter()
            .filter(|op| op.client < clients && matches!(op.result, Some(Reply::Error(_))))
            .count() as u32;
        self.result_fields(history, &mut v);
        self.serial_orders(history, &mut v);
        self.counter(history, clients, &mut v);
        self.checker(history, &mut v);
        partial_effects(world, self.all_or_nothing, &mut v);
        duplicate_effects(world, &mut v);
        lost_writes(world, &mut v);
        settle(&mut v);
        v
    }

    /// A subscriber's last message that announces a value the key no longer holds.
    fn stale_messages(&self, world: &World, v: &mut Verdict) {
        for invariant in &self.invariants {
            if let Some(why) = invariant.stale_message(world) {
                v.stale_message = true;
                v.findings.push(why);
            }
        }
    }

    /// `result_fields_equal(a, b)`: every completed operation's reply has equal fields.
    fn result_fields(&self, history: &History, v: &mut Verdict) {
        for invariant in &self.invariants {
            for (i, op) in history.ops.iter().enumerate() {
                if let Some(why) = invariant.unequal_fields(op) {
                    v.mismatch = true;
                    v.flag(i);
                    v.findings.push(why);
                }
            }
        }
    }

    /// One operation per client, no faults: the results against every serial order's.
    fn serial_orders(&self, history: &History, v: &mut Verdict) {
        let Some(serial) = &self.serial else {
            return;
        };
        let observed = results_by_client(history);
        v.serial_order = serial
            .iter()
            .find(|(_, s)| {
                s.len() == observed.len()
                    && s.iter().zip(&observed).all(|(s, o)| o.is_none() || s == o)
            })
            .map(|(order, _)| order.clone());
        let fits = v.serial_order.is_some()
            || checker_verdict(history) == Some(crate::check::Verdict::Linearizable);
        v.not_linearizable = Some(!fits);
        if fits {
            return;
        }
        // The clients whose own result no serial order gives them.
        let mut by_client: Vec<&Op> = history.ops.iter().collect();
        by_client.sort_by_key(|op| op.client);
        let mut any = false;
        for (k, op) in by_client.iter().enumerate() {
            if !serial.iter().any(|(_, s)| s.get(k) == Some(&op.result)) {
                any = true;
                if let Some(i) = history.ops.iter().position(|o| std::ptr::eq(o, *op)) {
                    v.flag(i);
                }
            }
        }
        if !any && v.violating.is_empty() {
            (0..history.ops.len()).for_each(|i| v.flag(i));
        }
        v.findings
            .push("no order of atomic operations gives these results".into());
    }

    /// The final counter against what the completed operations added (lost update), and
    /// against the set's cardinality (torn state).
    fn counter(&self, history: &History, clients: u64, v: &mut Verdict) {
        // An admin write (FLUSHALL, SET…) moves the counter by itself: what it ends at then
        // says nothing of lost updates or torn state.
        let admin_wrote = history
            .ops
            .iter()
            .any(|op| op.client >= clients && op_writes(op));
        let Some(counter) = self.probe.counter.as_ref().filter(|_| !admin_wrote) else {
            return;
        };
        let at = self
            .probe
            .keys
            .iter()
            .position(|k| k == counter)
            .unwrap_or(0);
        let done = completed_without_error(history, clients);
        let Some(value) = v.final_state.get(at).and_then(KeyState::as_int) else {
            return;
        };
        let expected = self.counter.per_op.map(|k| k.saturating_mul(done));
        if let Some(expected) = expected.filter(|&e| value < e) {
            v.lost_update = true;
            v.findings.push(format!(
                "{done} operations completed but {} ends at {value} (expected {expected}): an update was lost",
                String::from_utf8_lossy(counter)
            ));
            for (i, op) in history.ops.iter().enumerate() {
                if overlaps_another(history, op) {
                    v.flag(i);
                }
            }
        }
        let card = zcard(&v.final_state).filter(|_| self.counter.equals_cardinality);
        if let Some(card) = card.filter(|&c| c != value) {
            v.torn_state = true;
            v.findings.push(format!(
                "the run ends with counter {value} but {card} set entries"
            ));
        }
    }

    /// Several operations per client, or faults: the linearizability checker decides.
    /// Counted budgets only: a verdict that depended on the machine's speed could not be
    /// replayed.
    fn checker(&self, history: &History, v: &mut Verdict) {
        if self.serial.is_some() {
            return;
        }
        let options = crate::check::Options {
            max_states: self.check_states_max,
            counterexample: false,
            ..crate::check::Options::default()
        };
        match check_on_this_thread(history, &options) {
            Err(e) => v.inconclusive = Some(format!("the checker cannot judge it: {e}")),
            Ok(outcome) => match outcome.verdict {
                crate::check::Verdict::Linearizable => v.not_linearizable = Some(false),
                crate::check::Verdict::NotLinearizable => {
                    v.not_linearizable = Some(true);
                    v.findings.push(
                        "the linearizability checker finds no order of atomic operations".into(),
                    );
                    if v.violating.is_empty() {
                        for i in outcome.violated_part.unwrap_or_default() {
                            v.flag(i);
                        }
                    }
                }
                crate::check::Verdict::Unknown => {
                    v.inconclusive = Some(format!(
                        "the linearizability checker's {}",
                        outcome.reason.as_deref().unwrap_or("budget ran out")
                    ))
                }
            },
        }
    }
}

/// Operations a crash cut short after some of their writes ran (a failure only when the
/// scenario asks for all-or-nothing).
fn partial_effects(world: &World, all_or_nothing: bool, v: &mut Verdict) {
    for &i in &world.partial_ops {
        let op = &world.history.ops[i];
        v.partial_effects = true;
        if all_or_nothing {
            v.flag(i);
        }
        v.findings.push(format!(
            "partial effects: client {} crashed in the middle of its operation, after some of its writes had run; nothing undoes them",
            op.client
        ));
    }
}

/// Retried operations whose first attempt ran too, both changing the data.
fn duplicate_effects(world: &World, v: &mut Verdict) {
    for (first, again) in world.duplicate_effects() {
        v.duplicate_effect = true;
        v.flag(first);
        v.flag(again);
        v.findings.push(format!(
            "duplicate effect: client {} timed out and retried, but its first attempt ran too: the operation changed the data twice",
            world.history.ops[again].client
        ));
    }
}

/// Acknowledged writes a restart or a failover lost.
fn lost_writes(world: &World, v: &mut Verdict) {
    let restart = world.disk.lost.iter().map(|&i| (i, false));
    let failover = world.disk.lost_in_failover.iter().map(|&i| (i, true));
    for (i, in_failover) in restart.chain(failover) {
        v.lost_write = true;
        v.lost_in_failover |= in_failover;
        v.flag(i);
        let op = &world.history.ops[i];
        let how = if in_failover {
            "by the primary, then a failover promoted a replica that never received it".to_string()
        } else {
            format!(
                "then a restart (persistence {}) lost it",
                world.options.faults.persistence
            )
        };
        let (client, label) = (op.client, op_label(&op.op));
        let sep = if in_failover { " " } else { ", " };
        v.findings.push(format!(
            "lost acknowledged write: client {client}'s {label} was acknowledged{sep}{how}"
        ));
    }
}

/// Linearizability decided by an anomaly that rules out every atomic order, and no
/// "inconclusive" once it is decided.
fn settle(v: &mut Verdict) {
    if v.not_linearizable.is_none() && (v.mismatch || v.lost_update) {
        // Either anomaly alone rules out every atomic order.
        v.not_linearizable = Some(true);
    }
    if v.not_linearizable.is_some() {
        v.inconclusive = None;
    }
    v.violating.sort_unstable();
}
