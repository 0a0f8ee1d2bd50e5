//! P-compositionality: a history is linearizable iff each of its independent parts is.
//! Two ops are in the same part when they touch a common key (transitively); an op that
//! may touch any key (a keyless command such as DBSIZE or FLUSHALL, a script without
//! KEYS) joins everything into one part; an op that touches nothing (PING, an unknown
//! command) is a part of its own.
//!
//! Scripts are split by the KEYS they declare, as Redis asks of them (Redis 7.0 does not
//! enforce it outside a cluster). The engine model checks that assumption on every run of
//! a script: one that reaches a key it did not declare makes the checker judge the history
//! whole (`SequentialSpec::take_reached_outside`). A script in another part that was never
//! run before a violation was found is not checked; the violation is then reported as
//! found in its part.

use super::{PartOp, SequentialSpec};
use crate::history::Operation;
use redsim::cmd::{self, flags, Resolved};
use rustc_hash::FxHashMap;

/// What an op may read or write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Footprint {
    /// These (database, key) pairs and nothing else.
    Keys(Vec<(usize, Vec<u8>)>),
    /// Possibly anything.
    Global,
    /// Nothing: its reply does not depend on the data.
    Pure,
}

/// The footprint of `op` from the engine's command table (key positions as Redis's).
pub fn engine_footprint(op: &Operation) -> Footprint {
    match op {
        Operation::Command(argv) => command_footprint(argv),
        Operation::Script { keys, .. } => {
            if keys.is_empty() {
                Footprint::Global
            } else {
                Footprint::Keys(keys.iter().map(|k| (0, k.clone())).collect())
            }
        }
        Operation::Multi(cmds) => {
            let mut all = Vec::new();
            for argv in cmds {
                match command_footprint(argv) {
                    Footprint::Global => return Footprint::Global,
                    Footprint::Keys(keys) => all.extend(keys),
                    Footprint::Pure => {}
                }
            }
            if all.is_empty() {
                Footprint::Pure
            } else {
                Footprint::Keys(all)
            }
        }
    }
}

fn command_footprint(argv: &[Vec<u8>]) -> Footprint {
    if argv.is_empty() {
        return Footprint::Pure;
    }
    match cmd::resolve(argv) {
        // Refused for its name or arity: the same error whatever the data.
        Resolved::Refused(_) => Footprint::Pure,
        Resolved::Found(spec, sub) => {
            let target = sub.unwrap_or(spec);
            // A history does not say which database a client selected: ops are taken to
            // run in database 0, so SELECT, which moves a client's later ops elsewhere,
            // joins everything.
            if target.name == "select" {
                return Footprint::Global;
            }
            if target.has(flags::SESSION_ONLY) {
                return Footprint::Pure;
            }
            // The engine's own key extraction (MOVE and COPY … DB reach another database).
            match cmd::keys_of(target, argv, 0) {
                Some(keys) if !keys.is_empty() => {
                    Footprint::Keys(keys.into_iter().map(|(db, k)| (db, k.to_vec())).collect())
                }
                _ => Footprint::Global,
            }
        }
    }
}

/// Splits `ops` into independent parts, each in call order; parts ordered by their
/// first op.
pub(crate) fn split<'h, M: SequentialSpec>(ops: &[PartOp<'h>], model: &M) -> Vec<Vec<PartOp<'h>>> {
    let mut key_ids: FxHashMap<(usize, Vec<u8>), usize> = FxHashMap::default();
    let mut parent: Vec<usize> = Vec::new();
    // Per op: the union-find node of its part, or None for a pure op.
    let mut node_of: Vec<Option<usize>> = Vec::with_capacity(ops.len());
    let mut global = false;
    for op in ops {
        match model.footprint(op.op) {
            Footprint::Pure => node_of.push(None),
            Footprint::Global => {
                global = true;
                node_of.push(Some(0));
            }
            Footprint::Keys(keys) => {
                let mut first = None;
                for key in keys {
                    let next = parent.len();
                    let id = *key_ids.entry(key).or_insert_with(|| {
                        parent.push(next);
                        next
                    });
                    match first {
                        None => first = Some(id),
                        Some(f) => union(&mut parent, f, id),
                    }
                }
                node_of.push(first);
            }
        }
    }
    let mut parts: Vec<Vec<PartOp<'h>>> = Vec::new();
    if global {
        return vec![ops.to_vec()];
    }
    join_program_order_ties(ops, &node_of, &mut parent);
    let mut part_of_root: FxHashMap<usize, usize> = FxHashMap::default();
    for (op, node) in ops.iter().zip(node_of) {
        match node {
            None => parts.push(vec![op.clone()]),
            Some(n) => {
                let root = find(&mut parent, n);
                let next = parts.len();
                let p = *part_of_root.entry(root).or_insert(next);
                if p == parts.len() {
                    parts.push(Vec::new());
                }
                parts[p].push(op.clone());
            }
        }
    }
    for part in &mut parts {
        part.sort_by_key(|o| (o.call, o.index));
    }
    parts
}

/// A client's op invoked at (or before) the instant its previous op returned must still
/// come after it. Where real time does not say so (`order.rs` refines the times where it
/// can), two such pairs on different keys could leave each part linearizable while the
/// whole is not (locality needs real time to be an interval order): the two ops of a
/// pair go into one part, where the search orders them.
fn join_program_order_ties(ops: &[PartOp<'_>], node_of: &[Option<usize>], parent: &mut [usize]) {
    let mut order: Vec<usize> = (0..ops.len()).filter(|&i| node_of[i].is_some()).collect();
    order.sort_by_key(|&i| (ops[i].client, ops[i].call, ops[i].index));
    // (client, node, return) of the client's last op with a known return.
    let mut last: Option<(u64, usize, u64)> = None;
    for i in order {
        let (op, node) = (&ops[i], node_of[i].unwrap_or(0));
        if let Some((client, prev, ret)) = last {
            if client == op.client && op.call <= ret {
                union(parent, prev, node);
            }
        }
        if let Some(ret) = op.ret {
            last = Some((op.client, node, ret));
        } else if last.is_some_and(|l| l.0 != op.client) {
            last = None;
        }
    }
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Operation {
        Operation::Command(words.iter().map(|w| w.as_bytes().to_vec()).collect())
    }

    #[test]
    fn a_get_touches_its_key() {
        assert_eq!(
            engine_footprint(&argv(&["GET", "x"])),
            Footprint::Keys(vec![(0, b"x".to_vec())])
        );
    }

    #[test]
    fn a_keyless_command_may_touch_everything_and_ping_nothing() {
        assert_eq!(engine_footprint(&argv(&["SELECT", "1"])), Footprint::Global);
        assert_eq!(engine_footprint(&argv(&["PING"])), Footprint::Pure);
        assert_eq!(
            engine_footprint(&argv(&["NOSUCHCOMMAND", "x"])),
            Footprint::Pure
        );
    }

    #[test]
    fn a_multi_block_touches_the_keys_of_all_its_commands() {
        let block = Operation::Multi(vec![
            vec![b"INCR".to_vec(), b"a".to_vec()],
            vec![b"GET".to_vec(), b"b".to_vec()],
        ]);
        assert_eq!(
            engine_footprint(&block),
            Footprint::Keys(vec![(0, b"a".to_vec()), (0, b"b".to_vec())])
        );
    }
}
