//! The key-value model: GET, SET key value, DEL key and APPEND on plain strings.

use super::strings_spec::StringsModel;

/// A key-value map of strings: GET, SET, DEL, EXISTS.
#[derive(Clone, Copy, Debug, Default)]
pub struct KvModel;

impl StringsModel for KvModel {
    const NAME: &'static str = "kv";
    const COMMANDS: &'static [(&'static str, usize)] =
        &[("get", 2), ("set", 3), ("del", 2), ("append", 3)];
    const REFUSAL: &'static str = "only GET, SET key value, DEL key, APPEND fit the kv model";
}
