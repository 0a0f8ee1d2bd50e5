//! The counter model: GET, SET key value, DEL key, INCR, DECR, INCRBY and DECRBY, with Redis's integer rules.

use super::strings_spec::StringsModel;

/// Counters: INCR, INCRBY, DECR, GET and SET of integers.
#[derive(Clone, Copy, Debug, Default)]
pub struct CounterModel;

impl StringsModel for CounterModel {
    const NAME: &'static str = "counter";
    const COMMANDS: &'static [(&'static str, usize)] = &[
        ("get", 2),
        ("set", 3),
        ("del", 2),
        ("incr", 2),
        ("decr", 2),
        ("incrby", 3),
        ("decrby", 3),
    ];
    const REFUSAL: &'static str =
        "only GET, SET key value, DEL key, INCR, DECR, INCRBY, DECRBY fit the counter model";
}
