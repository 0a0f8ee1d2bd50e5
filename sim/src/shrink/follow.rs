//! Schedules as shrinking proposes them, and the scheduler that follows a proposal.
//!
//! A candidate run changes the scenario (a client fewer, an operation fewer), so the
//! recorded schedule no longer fits it exactly. [`Follow`] treats the proposal as an
//! order of preference: at each step it serves the earliest remaining entry whose client
//! is enabled (entries of a client that finished early, or no longer exists, stay
//! unused), and past the proposal it keeps the client that ran last while it can, then
//! the lowest-numbered one — no switch that the proposal does not ask for. For a schedule
//! the run really followed, this is the strict replay. The schedule a candidate run
//! actually took is what shrinking keeps, so the result replays with the strict
//! [`Replay`](crate::scheduler::Replay).
//!
//! The proposals: a client's entries removed ([`drop_clients`]), the schedule cut after a
//! block boundary so that the rest runs serially ([`prefixes`]), and one client's block
//! moved next to its previous or next block ([`merges`]) — each removes preemptions.

use crate::scheduler::{Candidate, Scheduler};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Follows a proposed schedule leniently (see the module doc) and counts preemptions.
pub struct Follow {
    proposal: Vec<u32>,
    /// Whether `proposal[i]` was served.
    used: Vec<bool>,
    /// The first entry not yet served.
    start: usize,
    last: Option<u32>,
    /// Past the proposal, draw among the enabled clients instead of running serially.
    random: Option<ChaCha8Rng>,
    /// Preemptions so far.
    pub preemptions: u32,
}

impl Follow {
    /// A scheduler following `proposal` where it can.
    pub fn new(proposal: Vec<u32>) -> Follow {
        let used = vec![false; proposal.len()];
        Follow {
            proposal,
            used,
            start: 0,
            last: None,
            random: None,
            preemptions: 0,
        }
    }

    /// A uniformly random schedule from the stream `stream` (for a candidate scenario whose
    /// projected schedule no longer fails). Deterministic in `stream`.
    pub fn random(stream: u64) -> Follow {
        let mut f = Follow::new(Vec::new());
        let mut rng = ChaCha8Rng::seed_from_u64(stream);
        rng.set_stream(7);
        f.random = Some(rng);
        f
    }
}

impl Scheduler for Follow {
    fn begin(&mut self, _seed: u64, _clients: usize) {
        self.used.iter_mut().for_each(|u| *u = false);
        self.start = 0;
        self.last = None;
        self.preemptions = 0;
    }

    fn pick(&mut self, _step: u64, enabled: &[Candidate]) -> Option<usize> {
        let find = |client: u32| enabled.iter().position(|c| c.client == client);
        while self.start < self.used.len() && self.used[self.start] {
            self.start += 1;
        }
        let mut chosen = None;
        for i in self.start..self.proposal.len() {
            if self.used[i] {
                continue;
            }
            if let Some(at) = find(self.proposal[i]) {
                self.used[i] = true;
                chosen = Some(at);
                break;
            }
        }
        let chosen = match (chosen, &mut self.random) {
            (Some(at), _) => at,
            (None, Some(rng)) => rng.random_range(0..enabled.len()),
            (None, None) => self.last.and_then(find).unwrap_or(0),
        };
        let client = enabled[chosen].client;
        if let Some(last) = self.last {
            if last != client && find(last).is_some() {
                self.preemptions += 1;
            }
        }
        self.last = Some(client);
        Some(chosen)
    }
}

/// The schedule without the entries of the clients not in `keep` (sorted), the kept
/// clients renumbered 0, 1, … in order.
pub fn drop_clients(schedule: &[u32], keep: &[u32]) -> Vec<u32> {
    schedule
        .iter()
        .filter_map(|c| keep.iter().position(|k| k == c).map(|i| i as u32))
        .collect()
}

/// Runs of one client: `(client, start, length)`.
pub fn blocks(schedule: &[u32]) -> Vec<(u32, usize, usize)> {
    let mut out: Vec<(u32, usize, usize)> = Vec::new();
    for (i, &c) in schedule.iter().enumerate() {
        match out.last_mut() {
            Some((last, _, len)) if *last == c => *len += 1,
            _ => out.push((c, i, 1)),
        }
    }
    out
}

/// The schedule cut after each block boundary, shortest first (the rest then runs
/// without preemption).
pub fn prefixes(schedule: &[u32]) -> Vec<Vec<u32>> {
    blocks(schedule)
        .iter()
        .map(|&(_, start, len)| schedule[..start + len].to_vec())
        .filter(|p| p.len() < schedule.len())
        .collect()
}

/// For each block followed later by another block of the same client: that later block
/// moved up to join it, and it moved down to join the later one. Each has fewer blocks
/// (the blocks around a moved one may join too); all are permutations of `schedule`.
pub fn merges(schedule: &[u32]) -> Vec<Vec<u32>> {
    let bs = blocks(schedule);
    let mut out = Vec::new();
    for (i, &(client, start, len)) in bs.iter().enumerate() {
        let Some(j) = (i + 1..bs.len()).find(|&j| bs[j].0 == client) else {
            continue;
        };
        let (_, nstart, nlen) = bs[j];
        // The later block pulled up: … A A' (between) …
        let mut up = schedule[..start + len].to_vec();
        up.extend_from_slice(&schedule[nstart..nstart + nlen]);
        up.extend_from_slice(&schedule[start + len..nstart]);
        up.extend_from_slice(&schedule[nstart + nlen..]);
        out.push(up);
        // The earlier block pushed down: … (between) A A' …
        let mut down = schedule[..start].to_vec();
        down.extend_from_slice(&schedule[start + len..nstart]);
        down.extend_from_slice(&schedule[start..start + len]);
        down.extend_from_slice(&schedule[nstart..]);
        out.push(down);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enabled(clients: &[u32]) -> Vec<Candidate> {
        clients.iter().map(|&client| Candidate { client }).collect()
    }

    #[test]
    fn dropping_a_client_removes_its_steps_and_renumbers_the_rest() {
        assert_eq!(drop_clients(&[0, 1, 2, 1, 0, 2], &[0, 2]), vec![0, 1, 0, 1]);
    }

    #[test]
    fn blocks_and_prefixes_follow_the_switches() {
        let s = [0, 0, 1, 0, 1, 1];
        assert_eq!(blocks(&s), vec![(0, 0, 2), (1, 2, 1), (0, 3, 1), (1, 4, 2)]);
        assert_eq!(
            prefixes(&s),
            vec![vec![0, 0], vec![0, 0, 1], vec![0, 0, 1, 0]]
        );
    }

    #[test]
    fn a_merge_has_one_block_fewer_and_the_same_steps() {
        let s = vec![0, 1, 0, 1];
        for m in merges(&s) {
            assert!(blocks(&m).len() < blocks(&s).len(), "{m:?}");
            let mut sorted = m.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, vec![0, 0, 1, 1]);
        }
        assert_eq!(merges(&s)[0], vec![0, 0, 1, 1]);
        assert_eq!(merges(&s)[1], vec![1, 0, 0, 1]);
    }

    #[test]
    fn follow_skips_clients_that_are_not_enabled_and_counts_preemptions() {
        let mut f = Follow::new(vec![2, 0, 1, 0]);
        f.begin(0, 2);
        // Client 2 does not exist: its entry stays unused.
        assert_eq!(f.pick(0, &enabled(&[0, 1])), Some(0));
        assert_eq!(f.pick(1, &enabled(&[0, 1])), Some(1));
        assert_eq!(f.preemptions, 1, "0 could have gone on");
        // Client 1 finished: switching back to 0 is no preemption.
        assert_eq!(f.pick(2, &enabled(&[0])), Some(0));
        assert_eq!(f.preemptions, 1);
        // Past the proposal the last client goes on.
        assert_eq!(f.pick(3, &enabled(&[0, 1])), Some(0));
        assert_eq!(f.pick(4, &enabled(&[0, 1])), Some(0));
        assert_eq!(f.preemptions, 1);
    }
}
