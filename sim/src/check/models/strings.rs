//! The state the hand models share: string keys, each absent or holding bytes — what
//! GET, SET, DEL, APPEND and INCR see of a Redis keyspace of plain strings.

use crate::check::Footprint;
use crate::history::Operation;
use redsim::cmd::args;
use redsim::resp::errors;
use redsim::Reply;
use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};

/// String keys and their values, sorted by key (so equal maps are equal vectors).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Strings(pub Vec<(Vec<u8>, Vec<u8>)>);

impl Strings {
    /// The value of `key`, if set.
    pub fn get(&self, key: &[u8]) -> Option<&Vec<u8>> {
        self.0
            .binary_search_by(|(k, _)| k.as_slice().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// A copy with `key` holding `value`, without copying the old value first.
    pub fn with(&self, key: &[u8], value: Vec<u8>) -> Strings {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        let mut value = Some(value);
        for (k, v) in &self.0 {
            match k.as_slice().cmp(key) {
                std::cmp::Ordering::Less => out.push((k.clone(), v.clone())),
                std::cmp::Ordering::Equal => {
                    out.push((k.clone(), value.take().unwrap_or_default()))
                }
                std::cmp::Ordering::Greater => {
                    if let Some(v) = value.take() {
                        out.push((key.to_vec(), v));
                    }
                    out.push((k.clone(), v.clone()));
                }
            }
        }
        if let Some(v) = value {
            out.push((key.to_vec(), v));
        }
        Strings(out)
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &[u8], value: Vec<u8>) {
        match self.0.binary_search_by(|(k, _)| k.as_slice().cmp(key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key.to_vec(), value)),
        }
    }

    /// Removes `key`; whether it existed.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        match self.0.binary_search_by(|(k, _)| k.as_slice().cmp(key)) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// A hash of the whole map, for interning states.
    pub fn fingerprint(&self) -> u64 {
        let mut h = FxHasher::default();
        self.hash(&mut h);
        h.finish()
    }

    /// The map as text, for counterexamples.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            return "(no keys)".into();
        }
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={:?}",
                    String::from_utf8_lossy(k),
                    String::from_utf8_lossy(v)
                )
            })
            .collect();
        items.join(", ")
    }
}

/// The commands the hand models know, by lowercase name.
const KNOWN: &[&str] = &[
    "get", "set", "del", "append", "incr", "decr", "incrby", "decrby",
];

/// A known command's lowercase name and its argv, if `op` is one.
pub fn command(op: &Operation) -> Option<(&'static str, &[Vec<u8>])> {
    match op {
        Operation::Command(argv) if !argv.is_empty() => {
            let name = KNOWN
                .iter()
                .find(|k| k.as_bytes().eq_ignore_ascii_case(&argv[0]))?;
            Some((name, argv.as_slice()))
        }
        _ => None,
    }
}

/// The footprint of a hand-model op: the single key it names.
pub fn single_key_footprint(op: &Operation) -> Footprint {
    match op {
        Operation::Command(argv) if argv.len() >= 2 => Footprint::Keys(vec![(0, argv[1].clone())]),
        Operation::Script { keys, .. } if !keys.is_empty() => {
            Footprint::Keys(keys.iter().map(|k| (0, k.clone())).collect())
        }
        _ => Footprint::Global,
    }
}

/// Runs one plain-string command with Redis 7.0's replies: GET, SET key value, DEL key,
/// APPEND, INCR, DECR, INCRBY, DECRBY. `name` is lowercase and the argv shape has been
/// checked by the model's `supports`.
pub fn apply(state: &Strings, name: &str, argv: &[Vec<u8>]) -> (Option<Strings>, Reply) {
    let key = &argv[1];
    match name {
        "get" => (None, Reply::bulk_or_null(state.get(key).cloned())),
        "set" => (Some(state.with(key, argv[2].clone())), Reply::ok()),
        "del" => {
            if state.get(key).is_none() {
                return (None, Reply::Integer(0));
            }
            let mut next = state.clone();
            next.remove(key);
            (Some(next), Reply::Integer(1))
        }
        "append" => {
            let old = state.get(key).map(|v| v.as_slice()).unwrap_or_default();
            let mut value = Vec::with_capacity(old.len() + argv[2].len());
            value.extend_from_slice(old);
            value.extend_from_slice(&argv[2]);
            let len = value.len() as i64;
            (Some(state.with(key, value)), Reply::Integer(len))
        }
        _ => {
            let by = match name {
                "incr" => 1,
                "decr" => -1,
                _ => match args::parse_i64(&argv[2]) {
                    Some(n) if name == "incrby" => n,
                    // DECRBY of i64::MIN cannot be negated: Redis refuses it the same way.
                    Some(n) if n != i64::MIN => -n,
                    Some(_) => return (None, Reply::error("ERR decrement would overflow")),
                    None => return (None, Reply::error(errors::NOT_INTEGER)),
                },
            };
            let current = match state.get(key) {
                None => 0,
                Some(text) => match args::parse_i64(text) {
                    Some(n) => n,
                    None => return (None, Reply::error(errors::NOT_INTEGER)),
                },
            };
            let Some(value) = current.checked_add(by) else {
                return (None, Reply::error(errors::OVERFLOW));
            };
            (
                Some(state.with(key, value.to_string().into_bytes())),
                Reply::Integer(value),
            )
        }
    }
}

/// Whether `argv` is `name` with exactly `argc` words (argv[0] included).
pub fn shaped(name: &str, argv: &[Vec<u8>], allowed: &[(&str, usize)]) -> Result<(), String> {
    match allowed.iter().find(|(n, _)| *n == name) {
        Some(&(_, argc)) if argv.len() == argc => Ok(()),
        Some(&(_, argc)) => Err(format!(
            "{} needs exactly {} arguments here",
            name.to_uppercase(),
            argc - 1
        )),
        None => Err(format!(
            "{} is not one of this model's commands",
            name.to_uppercase()
        )),
    }
}
