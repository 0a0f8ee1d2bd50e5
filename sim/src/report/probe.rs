//! The keys a scenario is about (the probe) and their values at any moment of a run, for
//! the "state after" column of the table and the judge's end-of-run checks.

use crate::history::Operation;
use crate::scenario::{Program, Scenario};
use crate::world::World;

/// The keys whose values the reports show after each command.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Probe {
    /// The keys, in the order they are shown.
    pub keys: Vec<Vec<u8>>,
    /// The key each operation increments once, when every client runs the same program.
    pub counter: Option<Vec<u8>>,
}

/// The keys of `argv` by the engine's command table: SCRIPT LOAD has none, EVALSHA's
/// are its KEYS, not its SHA.
fn push_command_keys(keys: &mut Vec<Vec<u8>>, argv: &[Vec<u8>]) {
    if let crate::check::Footprint::Keys(found) =
        crate::check::partition_footprint(&Operation::Command(argv.to_vec()))
    {
        found.iter().for_each(|(_, k)| push_key(keys, k));
    }
}

fn push_key(keys: &mut Vec<Vec<u8>>, key: &[u8]) {
    // A templated key ({client}…) names a different key per operation: not probed.
    if !key.contains(&b'{') && !keys.iter().any(|k| k == key) {
        keys.push(key.to_vec());
    }
}

impl Probe {
    /// The keys `scenario` is about.
    pub fn of(scenario: &Scenario) -> Probe {
        let mut keys = Vec::new();
        for group in &scenario.groups {
            match &group.program {
                Program::Script { spec, .. } => {
                    spec.keys.iter().for_each(|k| push_key(&mut keys, k))
                }
                Program::Commands { commands, .. } | Program::Multi { commands, .. } => commands
                    .iter()
                    .for_each(|c| push_command_keys(&mut keys, c)),
                Program::Watch {
                    watch,
                    reads,
                    writes,
                    ..
                } => {
                    watch.iter().for_each(|k| push_key(&mut keys, k));
                    reads
                        .iter()
                        .chain(writes)
                        .for_each(|c| push_command_keys(&mut keys, c));
                }
                Program::Rust(_) | Program::Subscriber { .. } => {}
            }
        }
        let counter = if scenario.groups.len() == 1 {
            keys.first().cloned()
        } else {
            None
        };
        Probe { keys, counter }
    }
}

/// A key's value as the reports show it.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyState {
    /// The key does not exist.
    Missing,
    /// A string value.
    Str(Vec<u8>),
    /// A sorted set's cardinality (what ZCARD replies).
    ZCard(usize),
    /// Another type, by name.
    Other(&'static str),
}

impl KeyState {
    /// The value as an integer, if it is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            KeyState::Missing => Some(0),
            KeyState::Str(s) => std::str::from_utf8(s).ok()?.parse().ok(),
            KeyState::ZCard(n) => Some(*n as i64),
            KeyState::Other(_) => None,
        }
    }

    /// The value as the table shows it.
    pub fn render(&self) -> String {
        match self {
            KeyState::Missing => "-".into(),
            KeyState::Str(s) => match std::str::from_utf8(s) {
                // Quoted when plain text would hide something: control bytes, invalid
                // UTF-8, or spaces at an end (a bitmap of bit 2 is one space).
                Ok(text)
                    if !text.is_empty()
                        && !text.chars().any(char::is_control)
                        && text.trim() == text =>
                {
                    text.into()
                }
                _ => quoted(s),
            },
            KeyState::ZCard(n) => n.to_string(),
            KeyState::Other(t) => format!("<{t}>"),
        }
    }
}

/// Bytes as redis-cli quotes a binary value (`sdscatrepr`): `"\x05\xa0"` — a bitmap, say.
fn quoted(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// The probed keys of database 0, read without running a command (and without expiring).
pub(crate) fn read_state(world: &mut World, probe: &Probe) -> Vec<KeyState> {
    let primary = world.primary_index();
    let db = &mut world.nodes[primary].engine.store.dbs[0];
    probe
        .keys
        .iter()
        .map(|key| match db.get(key, 0) {
            None => KeyState::Missing,
            Some(redsim::db::Value::Str(s)) => KeyState::Str(s.clone()),
            Some(redsim::db::Value::ZSet(z)) => KeyState::ZCard(z.len()),
            Some(other) => KeyState::Other(other.type_name()),
        })
        .collect()
}

/// `counter=2 ts_set(zcard)=1`.
pub(crate) fn render_state(probe: &Probe, state: &[KeyState]) -> String {
    let parts: Vec<String> = probe
        .keys
        .iter()
        .zip(state)
        .map(|(k, v)| {
            let name = String::from_utf8_lossy(k);
            match v {
                KeyState::ZCard(_) => format!("zcard({name})={}", v.render()),
                _ => format!("{name}={}", v.render()),
            }
        })
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod render_tests {
    use super::KeyState;

    #[test]
    fn binary_values_are_quoted_as_redis_cli_does() {
        assert_eq!(KeyState::Str(b"12".to_vec()).render(), "12");
        assert_eq!(KeyState::Str(vec![0xe0]).render(), "\"\\xe0\"");
        assert_eq!(KeyState::Str(b" ".to_vec()).render(), "\" \"");
        assert_eq!(KeyState::Str(b"a\n\"".to_vec()).render(), "\"a\\n\\\"\"");
    }
}
