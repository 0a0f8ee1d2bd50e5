//! A register with compare-and-set: GET, SET key value, DEL key, and the CAS script
//! [`CAS_SCRIPT`] (Redis has no CAS command; this script is how clients do one).

use super::strings::{apply, command, shaped, single_key_footprint, Strings};
use crate::check::{Footprint, SequentialSpec};
use crate::history::Operation;
use redsim::Reply;

/// Compare-and-set as a script: KEYS[1] is set to ARGV[2] if it holds ARGV[1]; replies
/// 1 when it did, 0 when not. The register model recognises ops running exactly this
/// source (surrounding whitespace aside); the engine model runs it as EVAL.
pub const CAS_SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

const COMMANDS: &[(&str, usize)] = &[("get", 2), ("set", 3), ("del", 2)];

/// Whether `op` runs [`CAS_SCRIPT`] on one key with (expected, new).
pub fn is_cas(op: &Operation) -> bool {
    matches!(op, Operation::Script { source, keys, args, .. }
        if source.trim() == CAS_SCRIPT && keys.len() == 1 && args.len() == 2)
}

#[derive(Clone, Copy, Debug, Default)]
pub struct RegisterModel;

impl SequentialSpec for RegisterModel {
    type State = Strings;

    fn name(&self) -> &'static str {
        "register"
    }

    fn init(&mut self) -> Strings {
        Strings::default()
    }

    fn supports(&self, op: &Operation) -> Result<(), String> {
        if is_cas(op) {
            return Ok(());
        }
        match command(op) {
            Some((name, argv)) => shaped(name, argv, COMMANDS),
            None => Err("only GET, SET, DEL and the CAS script fit the register model".into()),
        }
    }

    fn step(&mut self, state: &Strings, op: &Operation) -> (Option<Strings>, Reply) {
        if let Operation::Script { keys, args, .. } = op {
            if state.get(&keys[0]) == Some(&args[0]) {
                return (Some(state.with(&keys[0], args[1].clone())), Reply::Integer(1));
            }
            return (None, Reply::Integer(0));
        }
        let (name, argv) = command(op).expect("supported ops are commands or CAS");
        apply(state, name, argv)
    }

    fn fingerprint(&self, state: &Strings) -> u64 {
        state.fingerprint()
    }

    fn same_state(&self, a: &Strings, b: &Strings) -> bool {
        a == b
    }

    fn describe(&self, state: &Strings) -> String {
        state.describe()
    }

    fn footprint(&self, op: &Operation) -> Footprint {
        single_key_footprint(op)
    }

    fn is_read_only(&self, op: &Operation) -> bool {
        matches!(command(op), Some(("get", _)))
    }
}
