//! The race analysis of optimal DPOR (Abdulla, Aronis, Jonsson, Sagonas: "Optimal
//! dynamic partial order reduction", POPL 2014; "Source sets", JACM 2017): after each
//! complete run, every pair of steps in a race — dependent, of different clients, with no
//! step between them ordered after the first and before the second — names an
//! interleaving still to explore, the race reversed. It is added to the wakeup tree of the
//! node before the race's first step, unless a step asleep there or a branch already in
//! the tree covers it.
//!
//! Steps are named by index in the run; whether two steps conflict comes from what they
//! really touched ([`Access`]). A branch of a wakeup tree keeps the access of the step it
//! stands for when that step will run unchanged; the last step of a reversal (the race's
//! second step, which will no longer see the first) may touch other things, so its access
//! is taken as unknown — conflicting with everything — until it runs.

use super::Access;

/// One step of a run: which client took it and what it touched.
#[derive(Clone, Debug)]
pub(super) struct Step {
    pub client: u32,
    pub access: Access,
}

/// A node of a wakeup tree: a client's next step, and the branches below it in order.
#[derive(Clone, Debug)]
pub(super) struct Branch {
    pub client: u32,
    /// What the step touches; `None` when it may differ from what was seen.
    pub access: Option<Access>,
    pub children: Vec<Branch>,
}

impl Branch {
    pub fn leaf(client: u32) -> Branch {
        Branch {
            client,
            access: None,
            children: Vec::new(),
        }
    }
}

fn dependent(a: &Step, b: &Step) -> bool {
    a.client == b.client || !a.access.commutes_with(&b.access)
}

/// The happens-before order of a run: step i happens before step j when a chain of
/// dependent steps leads from i to j.
pub(super) struct HappensBefore {
    words: usize,
    /// Bit i of row j: step i happens before step j.
    rows: Vec<u64>,
}

impl HappensBefore {
    pub fn of(steps: &[Step]) -> HappensBefore {
        let words = steps.len().div_ceil(64).max(1);
        let mut rows = vec![0u64; words * steps.len()];
        for j in 0..steps.len() {
            for i in 0..j {
                if dependent(&steps[i], &steps[j]) {
                    rows[j * words + i / 64] |= 1 << (i % 64);
                    let (before, after) = rows.split_at_mut(j * words);
                    let from = &before[i * words..(i + 1) * words];
                    for (w, bits) in after[..words].iter_mut().zip(from) {
                        *w |= bits;
                    }
                }
            }
        }
        HappensBefore { words, rows }
    }

    pub fn before(&self, i: usize, j: usize) -> bool {
        self.rows[j * self.words + i / 64] & (1 << (i % 64)) != 0
    }
}

/// The races of a run: (i, j) with steps i < j of different clients that conflict, and
/// no step k between them with i before k before j.
pub(super) fn races(steps: &[Step], hb: &HappensBefore) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for j in 0..steps.len() {
        for i in 0..j {
            if steps[i].client == steps[j].client || steps[i].access.commutes_with(&steps[j].access)
            {
                continue;
            }
            let direct = (i + 1..j).all(|k| !(hb.before(i, k) && hb.before(k, j)));
            if direct {
                found.push((i, j));
            }
        }
    }
    found
}

/// The steps that reverse race (i, j): those after i that do not happen after i, in
/// order, then j (notdep(e, E).e' of the paper: steps after j are kept too, so that a
/// client counts as a weak initial only if it commutes with the whole rest of the run).
pub(super) fn reversal(hb: &HappensBefore, len: usize, i: usize, j: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (i + 1..len)
        .filter(|&k| k != j && !hb.before(i, k))
        .collect();
    v.push(j);
    v
}

/// Whether `client`'s next step (touching `access`, when known) can start the
/// sequence `v`: its first step in `v` follows no step of `v`, or it does not occur in
/// `v` and commutes with all of it (a weak initial).
pub(super) fn weak_initial(
    client: u32,
    access: Option<&Access>,
    v: &[usize],
    steps: &[Step],
    hb: &HappensBefore,
) -> bool {
    if let Some(k) = v.iter().position(|&x| steps[x].client == client) {
        return v[..k].iter().all(|&m| !hb.before(m, v[k]));
    }
    access.is_some_and(|a| v.iter().all(|&x| a.commutes_with(&steps[x].access)))
}

/// Adds the sequence `v` (step indices) to a wakeup tree given by its top branches,
/// unless a branch already starts an equivalent interleaving: follow the first branch
/// whose client can start `v` (dropping that client's step from `v`); stop at a leaf;
/// where none can, add the rest of `v` as a new last branch.
pub(super) fn insert(
    tree: &mut Vec<Branch>,
    mut v: Vec<usize>,
    steps: &[Step],
    hb: &HappensBefore,
) {
    let mut level = tree;
    loop {
        if v.is_empty() {
            return;
        }
        let found = level
            .iter()
            .position(|b| weak_initial(b.client, b.access.as_ref(), &v, steps, hb));
        let Some(index) = found else {
            level.push(chain(&v, steps));
            return;
        };
        if level[index].children.is_empty() {
            return;
        }
        let client = level[index].client;
        if let Some(k) = v.iter().position(|&x| steps[x].client == client) {
            v.remove(k);
        }
        level = &mut level[index].children;
    }
}

/// `v` as a chain of branches; the last step's access is unknown (see the module doc).
fn chain(v: &[usize], steps: &[Step]) -> Branch {
    let mut branch: Option<Branch> = None;
    for (n, &x) in v.iter().enumerate().rev() {
        let last = n + 1 == v.len();
        branch = Some(Branch {
            client: steps[x].client,
            access: (!last).then(|| steps[x].access.clone()),
            children: branch.into_iter().collect(),
        });
    }
    branch.expect("v is not empty")
}

#[cfg(test)]
mod tests {
    use super::*;
    use redsim::access::{Mode, Resource};

    fn step(client: u32, key: &[u8], mode: Mode) -> Step {
        let mut access = Access::default();
        access.touch(Resource::Key(0, key), mode);
        access.normalise();
        Step { client, access }
    }

    #[test]
    fn two_writes_of_one_key_race_and_disjoint_writes_do_not() {
        let steps = [
            step(0, b"a", Mode::Write),
            step(1, b"b", Mode::Write),
            step(1, b"a", Mode::Write),
        ];
        let hb = HappensBefore::of(&steps);
        assert!(hb.before(0, 2) && hb.before(1, 2) && !hb.before(0, 1));
        assert_eq!(races(&steps, &hb), vec![(0, 2)]);
        // Reversed: client 1's first step (independent of step 0), then its second.
        assert_eq!(reversal(&hb, steps.len(), 0, 2), vec![1, 2]);
    }

    #[test]
    fn a_race_through_a_step_in_between_is_not_direct() {
        let steps = [
            step(0, b"a", Mode::Write),
            step(1, b"a", Mode::Write),
            step(2, b"a", Mode::Write),
        ];
        let hb = HappensBefore::of(&steps);
        assert_eq!(races(&steps, &hb), vec![(0, 1), (1, 2)]);
    }

    #[test]
    fn an_equivalent_sequence_is_not_inserted_twice() {
        let steps = [
            step(0, b"a", Mode::Write),
            step(1, b"b", Mode::Write),
            step(2, b"a", Mode::Write),
        ];
        let hb = HappensBefore::of(&steps);
        let mut tree = Vec::new();
        insert(&mut tree, vec![1, 2], &steps, &hb);
        assert_eq!(tree.len(), 1);
        // Client 1's step (b) commutes with client 2's (a): 1.2 can start with 2.
        insert(&mut tree, vec![2], &steps, &hb);
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].children.len(), 1);
        // Client 0's step commutes with client 1's, but the branch's last step (client 2,
        // which will run in a new context) is unknown: 0 goes below 1, beside 2.
        insert(&mut tree, vec![0], &steps, &hb);
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].children.len(), 2);
    }
}
