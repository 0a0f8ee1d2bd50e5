//! What the engine model's state holds besides the data, and the host that lets it try
//! every random choice.
//!
//! A server's replies depend on more than its keyspace: EVALSHA on the script cache, FCALL
//! on the function libraries, OBJECT ENCODING or an OOM error on the configuration. Ops
//! that change those (SCRIPT LOAD, SCRIPT FLUSH, FUNCTION LOAD, CONFIG SET — admin faults
//! included) must change the model's state, or an order the search tries leaks into the
//! next: an EVALSHA answered NOSCRIPT could never come before a SCRIPT LOAD once the
//! model had run the load. The caches are followed only when some op of the history can
//! observe them (EVALSHA, SCRIPT, FUNCTION, FCALL); otherwise they stay out of the state,
//! so that EVAL, which fills the cache as in Redis, does not multiply states for nothing.

use redsim::config::Config;
use redsim::db::Db;
use redsim::{BusyScript, Host, ScriptTick};
use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// A state of the engine model.
#[derive(Clone, Debug, Default)]
pub struct EngineState {
    /// The databases, trailing empty ones left out; shared, since a state never changes
    /// once made and the search copies states often (memo, remembered steps, outcomes).
    pub dbs: Arc<[Db]>,
    /// SHA1s in the script cache, sorted (empty when the caches are not followed).
    pub scripts: Vec<String>,
    /// FUNCTION DUMP of the libraries, when there are any (and the caches are followed).
    pub functions: Option<Vec<u8>>,
    /// The configuration, when it differs from the default.
    pub config: Option<Box<Config>>,
    /// The state of math.random's generator, shared by every script and not reseeded
    /// per script in Redis 7.0, when it has left its initial state.
    pub lua_random: Option<u64>,
}

/// Whether two snapshots hold the same data (a missing database is an empty one).
pub(super) fn same_dbs(a: &[Db], b: &[Db]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.iter().zip(long).all(|(x, y)| x.same_data(y))
        && long[short.len()..].iter().all(Db::is_empty)
}

/// The engine's databases as a snapshot: trailing empty databases left out, so that the
/// usual state (data in db 0 only) is one `Db` to copy rather than sixteen.
pub(super) fn snapshot(dbs: &[Db]) -> Arc<[Db]> {
    let used = dbs
        .iter()
        .rposition(|db| !db.is_empty())
        .map_or(0, |i| i + 1);
    dbs[..used].into()
}

/// Loads `state` into the engine's databases, reusing their allocations.
pub(super) fn load(dbs: &mut [Db], state: &[Db]) {
    for (i, db) in dbs.iter_mut().enumerate() {
        match state.get(i) {
            Some(s) => db.clone_from(s),
            None if !db.is_empty() => *db = Db::new(),
            None => {}
        }
    }
}

/// Order-independent digest of a snapshot (as `Store::fingerprint`).
fn dbs_fingerprint(dbs: &[Db]) -> u64 {
    dbs.iter().enumerate().fold(0u64, |acc, (i, db)| {
        if db.is_empty() {
            acc
        } else {
            let fp = db.fingerprint();
            let mut h = FxHasher::default();
            (i, fp).hash(&mut h);
            acc.wrapping_add(h.finish().wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ fp)
        }
    })
}

/// Whether two states are the same.
pub(super) fn same_state(a: &EngineState, b: &EngineState) -> bool {
    a.scripts == b.scripts
        && a.functions == b.functions
        && a.config == b.config
        && a.lua_random == b.lua_random
        && (Arc::ptr_eq(&a.dbs, &b.dbs) || same_dbs(&a.dbs, &b.dbs))
}

/// A hash of a state; equal states hash equal.
pub(super) fn state_fingerprint(state: &EngineState) -> u64 {
    let mut h = FxHasher::default();
    dbs_fingerprint(&state.dbs).hash(&mut h);
    state.scripts.hash(&mut h);
    state.functions.hash(&mut h);
    state.config.hash(&mut h);
    state.lua_random.hash(&mut h);
    h.finish()
}

/// Whether `argv` reads or changes the script cache or the function libraries.
pub fn touches_caches(argv: &[Vec<u8>]) -> bool {
    argv.first().is_some_and(|name| {
        [
            "evalsha",
            "evalsha_ro",
            "script",
            "function",
            "fcall",
            "fcall_ro",
        ]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
    })
}

/// The random choices of one run of an op: the first ones replayed from `prefix`, the rest
/// 0; `ranges` records how many options each choice had.
#[derive(Debug, Default)]
pub struct Choices {
    pub prefix: Vec<u64>,
    pub ranges: Vec<u64>,
}

/// The model's host: a frozen clock (TTLs set by the history never run out), random
/// choices dictated by [`Choices`], and the world's bound on a script that never
/// finishes (a killed loop must not run for ever when the model replays it).
pub struct ChoiceHost {
    pub now_us: u64,
    pub choices: Arc<Mutex<Choices>>,
    pub instructions_max: u64,
}

impl Host for ChoiceHost {
    fn now_us(&mut self) -> u64 {
        self.now_us
    }

    fn random_u64(&mut self) -> u64 {
        self.random_below(u64::MAX)
    }

    fn random_below(&mut self, n: u64) -> u64 {
        let mut c = self.choices.lock().unwrap_or_else(|p| p.into_inner());
        let at = c.ranges.len();
        c.ranges.push(n);
        c.prefix
            .get(at)
            .copied()
            .unwrap_or(0)
            .min(n.saturating_sub(1))
    }

    fn script_tick(&mut self, busy: &BusyScript) -> ScriptTick {
        if busy.instructions >= self.instructions_max {
            ScriptTick::Abort
        } else {
            ScriptTick::Continue
        }
    }
}

/// The next choice sequence after `choices` (with `ranges`) in odometer order, or `None`
/// when every sequence was tried. Later choices may depend on earlier ones (a script that
/// pops twice), so only a prefix is kept and the run that follows reports the rest.
pub fn next_choices(mut choices: Vec<u64>, mut ranges: Vec<u64>) -> Option<Vec<u64>> {
    choices.resize(ranges.len(), 0);
    while let (Some(c), Some(r)) = (choices.last_mut(), ranges.last()) {
        if *c + 1 < *r {
            *c += 1;
            return Some(choices);
        }
        choices.pop();
        ranges.pop();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_odometer_visits_every_choice_sequence_once() {
        let mut seen = vec![vec![0, 0]];
        let mut current = vec![0, 0];
        while let Some(next) = next_choices(current.clone(), vec![2, 3]) {
            seen.push(next.clone());
            current = next;
        }
        assert_eq!(seen.len(), 6);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 6);
    }
}
