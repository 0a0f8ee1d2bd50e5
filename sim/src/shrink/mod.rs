//! Shrinking: a failing run made as small as it can be while it still fails the same way,
//! before it is reported — fewer clients, fewer operations, fewer commands in command
//! lists, fewer preemptions.
//!
//! The input is a run as recorded: the scenario (in its mode), the seed and the schedule
//! it followed, plus an oracle that names the kind of failure of a finished run (the
//! judge's anomalies for `redsim run`; the failed checks for the Rust test API). Each
//! candidate is a [`Cut`] of the scenario with a proposed schedule; it is run
//! deterministically (the same seed, the schedule followed by [`Follow`]) and kept only if
//! it fails with the same [`FailureKind`] and its [`Size`] is smaller. The passes, repeated
//! until none changes anything or the budget of runs is spent:
//!
//! 1. **clients**: ddmin over the clients; a candidate's schedule is the current one
//!    without the removed clients' steps, then, if that passes, a few random schedules;
//! 2. **operations**: each group's trailing operations (1, half, one fewer);
//! 3. **commands**: ddmin over each command list (plain commands, MULTI blocks), which
//!    drops operations from the middle of a program;
//! 4. **preemptions**: delta debugging over the schedule — the schedule cut after a
//!    switch so that the rest runs serially (shortest first), or one client's block of
//!    steps moved next to its previous or next block, so that it runs contiguously.
//!
//! Every candidate run is deterministic and the passes try candidates in a fixed order,
//! so the same input gives the same output. The schedule kept is the one the candidate
//! run actually took: the result replays exactly with the strict replay scheduler, which
//! is what a replay file stores (the scenario, the cut and this schedule).

pub mod cut;
mod ddmin;
pub mod follow;
pub mod kind;
pub mod size;

pub use cut::{Cut, GroupCut};
pub use ddmin::ddmin;
pub use follow::Follow;
pub use kind::FailureKind;
pub use size::Size;

use crate::report::analysis::Judge;
use crate::report::capture::{capture, with_schedule, Capture};
use crate::scenario::Scenario;
use crate::world::World;

/// Names the kind of failure of the run `world` just finished (empty: it passed).
pub(crate) type Oracle<'a> = dyn FnMut(&Judge, &mut World) -> FailureKind + 'a;

/// The judge's verdict as the oracle: the anomalies `redsim run` reports.
pub fn judge_oracle(judge: &Judge, world: &mut World) -> FailureKind {
    FailureKind::of(&judge.judge(world))
}

/// How much work shrinking may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shrinker {
    /// Candidate runs at most (building a candidate's judge runs its serial orders too,
    /// which this does not count).
    pub runs_max: u32,
    /// Random schedules tried for a smaller scenario whose projected schedule passes.
    pub tries: u32,
    /// Rounds of the four passes at most.
    pub(crate) rounds_max: u32,
}

impl Default for Shrinker {
    fn default() -> Self {
        Shrinker {
            runs_max: 400,
            tries: 4,
            rounds_max: 6,
        }
    }
}

/// A shrunk run.
#[derive(Clone)]
pub struct Shrunk {
    /// What was removed from the original scenario.
    pub cut: Cut,
    /// The original scenario with the cut applied, following `schedule`.
    pub scenario: Scenario,
    /// The seed.
    pub seed: u64,
    /// The schedule of the run as found.
    pub original_schedule: Vec<u32>,
    /// The schedule the shrunk run follows.
    pub schedule: Vec<u32>,
    /// How the run fails.
    pub kind: FailureKind,
    /// The size of the run as found.
    pub before: Size,
    /// The size of the shrunk run.
    pub after: Size,
    /// Candidate runs made.
    pub runs: u32,
    /// The budget ran out before the passes stopped finding smaller runs.
    pub(crate) budget_spent: bool,
}

impl Shrunk {
    /// `shrunk from 3 clients / 3 ops / 12 commands / 2 preemptions to 2 clients / …`.
    pub fn summary(&self) -> String {
        let mut s = if self.after.smaller_than(&self.before) {
            format!("shrunk from {} to {}", self.before, self.after)
        } else {
            format!("already minimal: {}", self.after)
        };
        s.push_str(&format!(
            " ({} re-runs{}; same failure: {})",
            self.runs,
            if self.budget_spent {
                ", budget spent"
            } else {
                ""
            },
            self.kind
        ));
        s
    }

    /// The summary as a sentence's start: `Shrunk from … to …`.
    pub fn headline(&self) -> String {
        let s = self.summary();
        let mut chars = s.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => s,
        }
    }

    /// The shrunk run captured for the reports (the table, the verdict).
    pub fn capture(&self, mode: &str) -> Capture {
        let judge = Judge::new(&self.scenario);
        capture(&self.scenario, &judge, self.seed, mode)
    }
}

/// Shrinks with the default budget and the judge as the oracle (`redsim run`, `race`).
pub fn shrink_run(scenario: &Scenario, seed: u64, schedule: &[u32]) -> Result<Shrunk, String> {
    Shrinker::default().shrink(scenario, seed, schedule, &mut judge_oracle)
}

impl Shrinker {
    /// Shrinks the run of `scenario` with `seed` following `schedule`, which must fail
    /// (by `oracle`). Errors: the run does not fail.
    pub fn shrink(
        &self,
        scenario: &Scenario,
        seed: u64,
        schedule: &[u32],
        oracle: &mut Oracle<'_>,
    ) -> Result<Shrunk, String> {
        let base = scenario.clone().trace(false);
        let identity = Cut::identity(&base);
        let mut session = Session {
            base,
            seed,
            target: FailureKind::default(),
            oracle,
            runs: 0,
            runs_max: self.runs_max.max(1),
            tries: self.tries,
            built: None,
        };
        let (kind, actual, size) = session
            .run(&identity, Follow::new(schedule.to_vec()))
            .ok_or("the run hit steps_max")?;
        if kind.passed() {
            return Err(format!("seed {seed} with this schedule does not fail"));
        }
        session.target = kind.clone();
        let mut cur = Current {
            cut: identity,
            schedule: actual.clone(),
            size,
        };
        for _ in 0..self.rounds_max {
            let mut changed = session.drop_clients(&mut cur);
            changed |= session.cut_ops(&mut cur);
            changed |= session.cut_commands(&mut cur);
            changed |= session.cut_preemptions(&mut cur);
            if !changed || session.spent() {
                break;
            }
        }
        let shrunk = cur.cut.apply(scenario)?;
        Ok(Shrunk {
            scenario: with_schedule(&shrunk, cur.schedule.clone()),
            cut: cur.cut,
            seed,
            original_schedule: actual,
            schedule: cur.schedule,
            kind,
            before: size,
            after: cur.size,
            runs: session.runs,
            budget_spent: session.spent(),
        })
    }
}

/// The smallest failing run found so far.
struct Current {
    cut: Cut,
    schedule: Vec<u32>,
    size: Size,
}

struct Session<'o, 'a> {
    base: Scenario,
    seed: u64,
    target: FailureKind,
    oracle: &'o mut Oracle<'a>,
    runs: u32,
    runs_max: u32,
    tries: u32,
    /// The candidate scenario last built, kept while passes try schedules on it.
    built: Option<(Cut, Judge, World)>,
}

impl Session<'_, '_> {
    fn spent(&self) -> bool {
        self.runs >= self.runs_max
    }

    /// One run of the scenario cut by `cut` under `follow`: its failure kind, the
    /// schedule it took and its size. `None` when the budget is spent, the cut does not
    /// apply, or the run hit `steps_max` (a cut-short run proves nothing).
    fn run(&mut self, cut: &Cut, mut follow: Follow) -> Option<(FailureKind, Vec<u32>, Size)> {
        if self.spent() {
            return None;
        }
        if self.built.as_ref().is_none_or(|(c, _, _)| c != cut) {
            let scenario = cut.apply(&self.base).ok()?;
            let judge = Judge::new(&scenario);
            let world = scenario.world(self.seed);
            self.built = Some((cut.clone(), judge, world));
        }
        self.runs += 1;
        let (_, judge, world) = self.built.as_mut()?;
        world.reset(self.seed);
        let report = world.run(&mut follow);
        if report.hit_steps_max {
            return None;
        }
        let kind = (self.oracle)(judge, world);
        let clients = world.clients() as u32;
        let size = Size {
            clients,
            // The clients' operations (the admin connection's are not cut).
            ops: world
                .history
                .ops
                .iter()
                .filter(|op| op.client < clients as u64)
                .count() as u32,
            commands: world.schedule.len() as u32,
            commands_per_client_max: Size::per_client(&world.schedule, clients)
                .into_iter()
                .max()
                .unwrap_or(0),
            preemptions: follow.preemptions,
            program: cut.program_len(&self.base),
        };
        Some((kind, world.schedule.clone(), size))
    }

    /// `cut` following `proposal`: kept if it fails the same way and is smaller.
    fn attempt_exact(&mut self, cut: &Cut, proposal: &[u32], than: &Size) -> Option<Current> {
        let (kind, schedule, size) = self.run(cut, Follow::new(proposal.to_vec()))?;
        (kind.includes(&self.target) && size.smaller_than(than)).then(|| Current {
            cut: cut.clone(),
            schedule,
            size,
        })
    }

    /// `cut` following `proposal`, then, if that does not fail the same way, `tries`
    /// random schedules (streams derived from the seed, so deterministic).
    fn attempt(&mut self, cut: &Cut, proposal: &[u32], than: &Size) -> Option<Current> {
        if let Some(found) = self.attempt_exact(cut, proposal, than) {
            return Some(found);
        }
        for t in 0..self.tries as u64 {
            let stream = self
                .seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(t);
            let (kind, schedule, size) = self.run(cut, Follow::random(stream))?;
            if kind.includes(&self.target) && size.smaller_than(than) {
                return Some(Current {
                    cut: cut.clone(),
                    schedule,
                    size,
                });
            }
        }
        None
    }

    /// Pass 1: ddmin over the clients.
    fn drop_clients(&mut self, cur: &mut Current) -> bool {
        let n = cur.cut.clients();
        if n < 2 || self.spent() {
            return false;
        }
        let all: Vec<u32> = (0..n).collect();
        let (from_cut, from_schedule, from_size) =
            (cur.cut.clone(), cur.schedule.clone(), cur.size);
        let mut found: Option<Current> = None;
        ddmin(&all, |keep| {
            let mut cut = from_cut.clone();
            cut.groups.iter_mut().for_each(|g| g.clients = 0);
            for &c in keep {
                if let Some(g) = from_cut.group_of(c) {
                    cut.groups[g].clients += 1;
                }
            }
            let proposal = follow::drop_clients(&from_schedule, keep);
            match self.attempt(&cut, &proposal, &from_size) {
                Some(c) => {
                    found = Some(c);
                    true
                }
                None => false,
            }
        });
        match found {
            Some(c) => {
                *cur = c;
                true
            }
            None => false,
        }
    }

    /// Pass 2: each group's trailing operations.
    fn cut_ops(&mut self, cur: &mut Current) -> bool {
        let mut changed = false;
        for g in 0..cur.cut.groups.len() {
            loop {
                let group = &cur.cut.groups[g];
                let ops = group.ops;
                if ops <= 1 || group.clients == 0 || self.spent() {
                    break;
                }
                let mut fewer = vec![1, ops / 2, ops - 1];
                fewer.retain(|&o| o >= 1 && o < ops);
                fewer.dedup();
                let mut accepted = false;
                for o in fewer {
                    let mut cut = cur.cut.clone();
                    cut.groups[g].ops = o;
                    let proposal = cur.schedule.clone();
                    if let Some(c) = self.attempt(&cut, &proposal, &cur.size) {
                        *cur = c;
                        accepted = true;
                        changed = true;
                        break;
                    }
                }
                if !accepted {
                    break;
                }
            }
        }
        changed
    }

    /// Pass 3: ddmin over each group's command list.
    fn cut_commands(&mut self, cur: &mut Current) -> bool {
        let mut changed = false;
        for g in 0..cur.cut.groups.len() {
            if cur.cut.groups[g].clients == 0 || self.spent() {
                continue;
            }
            let Some(kept) = cur.cut.kept_commands(&self.base, g) else {
                continue;
            };
            if kept.len() < 2 {
                continue;
            }
            let (from_cut, from_schedule) = (cur.cut.clone(), cur.schedule.clone());
            let mut best = cur.size;
            let mut found: Option<Current> = None;
            ddmin(&kept, |keep| {
                let mut cut = from_cut.clone();
                cut.groups[g].commands = Some(keep.to_vec());
                match self.attempt(&cut, &from_schedule, &best) {
                    Some(c) => {
                        best = c.size;
                        found = Some(c);
                        true
                    }
                    None => false,
                }
            });
            if let Some(c) = found {
                *cur = c;
                changed = true;
            }
        }
        changed
    }

    /// Pass 4: fewer preemptions — a serial tail after a switch, or a block merged.
    fn cut_preemptions(&mut self, cur: &mut Current) -> bool {
        let mut changed = false;
        while cur.size.preemptions > 0 && !self.spent() {
            let mut proposals = follow::prefixes(&cur.schedule);
            proposals.extend(follow::merges(&cur.schedule));
            let mut accepted = false;
            for p in proposals {
                if let Some(c) = self.attempt_exact(&cur.cut, &p, &cur.size) {
                    *cur = c;
                    accepted = true;
                    changed = true;
                    break;
                }
            }
            if !accepted {
                break;
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests;
