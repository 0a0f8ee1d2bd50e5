//! A register with compare-and-set: GET, SET key value, DEL key, and the CAS script
//! [`CAS_SCRIPT`] (Redis has no CAS command; this script is how clients do one).

use super::strings::Strings;
use super::strings_spec::StringsModel;
use crate::history::Operation;
use redsim::Reply;

/// Compare-and-set as a script: `KEYS[1]` is set to `ARGV[2]` if it holds `ARGV[1]`; replies
/// 1 when it did, 0 when not. The register model recognises ops running exactly this
/// source (surrounding whitespace aside); the engine model runs it as EVAL.
pub const CAS_SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

/// Whether `op` runs [`CAS_SCRIPT`] on one key with (expected, new).
pub fn is_cas(op: &Operation) -> bool {
    matches!(op, Operation::Script { source, keys, args, .. }
        if source.trim() == CAS_SCRIPT && keys.len() == 1 && args.len() == 2)
}

/// One register per key: GET and SET.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegisterModel;

impl StringsModel for RegisterModel {
    const NAME: &'static str = "register";
    const COMMANDS: &'static [(&'static str, usize)] = &[("get", 2), ("set", 3), ("del", 2)];
    const REFUSAL: &'static str = "only GET, SET, DEL and the CAS script fit the register model";

    fn owns(&self, op: &Operation) -> bool {
        is_cas(op)
    }

    fn own_step(&self, state: &Strings, op: &Operation) -> (Option<Strings>, Reply) {
        let Operation::Script { keys, args, .. } = op else {
            unreachable!("the register owns only the CAS script");
        };
        if state.get(&keys[0]) == Some(&args[0]) {
            return (
                Some(state.with(&keys[0], args[1].clone())),
                Reply::Integer(1),
            );
        }
        (None, Reply::Integer(0))
    }
}
