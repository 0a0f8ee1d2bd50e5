//! Program order at equal times.
//!
//! A client's op invoked at the very instant its previous op returned must still come
//! after it, although closed intervals let two ops that meet at an instant go either way.
//! The times are refined so that real time says it: every instant `t` opens into five,
//! calls at `5t + 1` and returns at `5t + 4` (so ops that met still overlap), and for one
//! such pair per instant the earlier op returns at `5t + 2`, its successor is invoked at
//! `5t + 3`. Nothing else changes: the other calls at `t` still come before that return,
//! the other returns after that call. Real time stays an interval order, so the history
//! still splits by keys (P-compositionality needs that).
//!
//! A second pair at the same instant cannot be refined too (two clients each continuing
//! at `t` would need their four ops ordered two by two, which no timeline does): it keeps
//! its tie, the partition puts both of its ops into one part, and the search orders them
//! by program order (`search.rs`).

use super::PartOp;
use rustc_hash::FxHashSet;

pub(crate) fn refine_program_order(ops: &mut [PartOp<'_>]) {
    let latest = ops
        .iter()
        .map(|o| o.ret.unwrap_or(o.call).max(o.call))
        .max()
        .unwrap_or(0);
    if latest > (u64::MAX - 4) / 5 {
        // No room to refine: every tie is left to the partition and the search.
        return;
    }
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| (ops[i].client, ops[i].call, ops[i].index));
    let mut refined_at: FxHashSet<u64> = FxHashSet::default();
    let mut pairs = Vec::new();
    for w in order.windows(2) {
        let (a, b) = (&ops[w[0]], &ops[w[1]]);
        if a.client == b.client && a.ret == Some(b.call) && refined_at.insert(b.call) {
            pairs.push((w[0], w[1]));
        }
    }
    for o in ops.iter_mut() {
        o.call = 5 * o.call + 1;
        o.ret = o.ret.map(|r| 5 * r + 4);
    }
    for (a, b) in pairs {
        ops[a].ret = ops[a].ret.map(|r| r - 2);
        ops[b].call += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Operation;

    fn op(index: usize, client: u64, call: u64, ret: u64, what: &Operation) -> PartOp<'_> {
        PartOp {
            index,
            client,
            call,
            ret: Some(ret),
            op: what,
            observed: None,
        }
    }

    #[test]
    fn a_lone_continuation_is_ordered_by_time_and_other_overlaps_stay() {
        let what = Operation::Command(vec![b"PING".to_vec()]);
        let mut ops = vec![
            op(0, 1, 0, 5, &what),
            op(1, 1, 5, 9, &what),
            op(2, 2, 2, 5, &what),
        ];
        refine_program_order(&mut ops);
        assert!(ops[0].ret < Some(ops[1].call), "program order by time");
        assert!(
            ops[2].ret >= Some(ops[1].call),
            "another client's return still meets it"
        );
        assert!(ops[0].ret >= Some(ops[2].call));
        assert!(ops[1].call <= ops[1].ret.unwrap());
    }

    #[test]
    fn a_continuation_beside_other_calls_is_refined_without_ordering_them() {
        let what = Operation::Command(vec![b"PING".to_vec()]);
        let mut ops = vec![
            op(0, 1, 0, 5, &what),
            op(1, 1, 5, 9, &what),
            op(2, 2, 5, 7, &what),
        ];
        refine_program_order(&mut ops);
        assert!(ops[0].ret < Some(ops[1].call));
        assert!(
            Some(ops[2].call) <= ops[0].ret,
            "the other call still meets the return"
        );
    }

    #[test]
    fn a_second_continuation_at_one_instant_keeps_its_tie() {
        let what = Operation::Command(vec![b"PING".to_vec()]);
        let mut ops = vec![
            op(0, 1, 0, 5, &what),
            op(1, 1, 5, 9, &what),
            op(2, 2, 0, 5, &what),
            op(3, 2, 5, 9, &what),
        ];
        refine_program_order(&mut ops);
        assert!(ops[0].ret < Some(ops[1].call));
        assert!(
            Some(ops[3].call) <= ops[2].ret,
            "left to the partition and the search"
        );
        assert!(Some(ops[1].call) <= ops[2].ret && Some(ops[3].call) <= ops[0].ret);
    }
}
