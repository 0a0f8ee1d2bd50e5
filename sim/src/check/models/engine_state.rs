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
use std::sync::{Arc, Mutex};

/// A state of the engine model.
#[derive(Clone, Debug, Default)]
pub struct EngineState {
    /// The databases, trailing empty ones left out.
    pub dbs: Vec<Db>,
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
