//! The key-value model: GET, SET key value, DEL key and APPEND on plain strings.

use super::strings::{apply, command, shaped, single_key_footprint, Strings};
use crate::check::{Footprint, SequentialSpec};
use crate::history::Operation;
use redsim::Reply;

const COMMANDS: &[(&str, usize)] = &[("get", 2), ("set", 3), ("del", 2), ("append", 3)];

#[derive(Clone, Copy, Debug, Default)]
pub struct KvModel;

impl SequentialSpec for KvModel {
    type State = Strings;

    fn name(&self) -> &'static str {
        "kv"
    }

    fn init(&mut self) -> Strings {
        Strings::default()
    }

    fn supports(&self, op: &Operation) -> Result<(), String> {
        match command(op) {
            Some((name, argv)) => shaped(name, argv, COMMANDS),
            None => Err("only GET, SET key value, DEL key, APPEND fit the kv model".into()),
        }
    }

    fn step(&mut self, state: &Strings, op: &Operation) -> (Option<Strings>, Reply) {
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
