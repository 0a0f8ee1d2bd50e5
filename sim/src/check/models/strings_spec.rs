//! The sequential spec the hand-written string models share: each says which commands
//! (name, arity) it judges and, for the register, which extra op it runs itself; state,
//! replies, fingerprints and footprints are the same for all of them.

use super::strings::{apply, command, shaped, single_key_footprint, Strings};
use crate::check::{Footprint, SequentialSpec};
use crate::history::Operation;
use redsim::Reply;

/// A model over plain strings, judged with [`apply`]'s Redis rules.
pub trait StringsModel {
    /// The name `--model` uses.
    const NAME: &'static str;
    /// The commands it judges, with their exact arity.
    const COMMANDS: &'static [(&'static str, usize)];
    /// Why an op that is not a command does not fit.
    const REFUSAL: &'static str;

    /// Whether `op` is one the model runs itself rather than through [`apply`].
    fn owns(&self, _op: &Operation) -> bool {
        false
    }

    /// Runs an op [`owns`](Self::owns) accepted.
    fn own_step(&self, _state: &Strings, _op: &Operation) -> (Option<Strings>, Reply) {
        unreachable!("{} owns no ops", Self::NAME)
    }
}

impl<M: StringsModel> SequentialSpec for M {
    type State = Strings;

    fn name(&self) -> &'static str {
        M::NAME
    }

    fn init(&mut self) -> Strings {
        Strings::default()
    }

    fn supports(&self, op: &Operation) -> Result<(), String> {
        if self.owns(op) {
            return Ok(());
        }
        match command(op) {
            Some((name, argv)) => shaped(name, argv, M::COMMANDS),
            None => Err(M::REFUSAL.into()),
        }
    }

    fn step(&mut self, state: &Strings, op: &Operation) -> (Option<Strings>, Reply) {
        if self.owns(op) {
            return self.own_step(state, op);
        }
        let (name, argv) = command(op).expect("supported ops are commands");
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
