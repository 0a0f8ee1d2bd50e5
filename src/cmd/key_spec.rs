//! Key specifications (Redis 7.0's `keySpec`): where a command's keys are in its
//! arguments and what it does with each, as COMMAND INFO describes them and COMMAND
//! GETKEYS / GETKEYSANDFLAGS find them (`getKeysUsingKeySpecs` in Redis's `db.c`).
//!
//! The specs themselves are Redis's, generated into `command_meta.rs` from a real
//! server's COMMAND reply; the engine's own key positions (`CommandSpec::key_positions`,
//! used for WATCH and the simulator's access records) stay in the command table, and a
//! test checks the two agree.

use super::command_meta::META;
use crate::resp::Reply;

/// Key flags, in the order COMMAND INFO lists them.
pub mod key_flags {
    pub const RO: u16 = 1 << 0;
    pub const RW: u16 = 1 << 1;
    pub const OW: u16 = 1 << 2;
    pub const RM: u16 = 1 << 3;
    pub const ACCESS: u16 = 1 << 4;
    pub const UPDATE: u16 = 1 << 5;
    pub const INSERT: u16 = 1 << 6;
    pub const DELETE: u16 = 1 << 7;
    pub const NOT_KEY: u16 = 1 << 8;
    pub const INCOMPLETE: u16 = 1 << 9;
    pub const VARIABLE_FLAGS: u16 = 1 << 10;

    pub(super) const NAMES: [&str; 11] = [
        "RO",
        "RW",
        "OW",
        "RM",
        "access",
        "update",
        "insert",
        "delete",
        "not_key",
        "incomplete",
        "variable_flags",
    ];
}

/// Where the search for a spec's keys begins.
#[derive(Debug)]
pub enum Begin {
    /// At this argument.
    Index(i32),
    /// After this keyword, searched from `startfrom` (backwards from the end if negative).
    Keyword {
        keyword: &'static str,
        startfrom: i32,
    },
    Unknown,
}

/// How many keys follow the beginning.
#[derive(Debug)]
pub enum Find {
    /// Up to `lastkey` (relative; negative counts from the end, or with `limit` a share
    /// of what is left), every `keystep`.
    Range {
        lastkey: i32,
        keystep: i32,
        limit: i32,
    },
    /// A count at `keynumidx`, the keys from `firstkey` on, every `keystep`.
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        keystep: i32,
    },
    Unknown,
}

#[derive(Debug)]
pub struct KeySpec {
    pub notes: Option<&'static str>,
    pub flags: u16,
    pub begin: Begin,
    pub find: Find,
}

/// What COMMAND INFO shows of a command besides the engine's own table.
#[derive(Debug)]
pub struct CommandMeta {
    pub tips: &'static [&'static str],
    pub key_specs: &'static [KeySpec],
}

/// The metadata of a command by its full name (`get`, `config|get`).
pub fn meta(full_name: &str) -> Option<&'static CommandMeta> {
    META.binary_search_by(|(name, _)| (*name).cmp(full_name))
        .ok()
        .map(|at| &META[at].1)
}

/// The flag names of `flags`, as status replies in a set.
pub fn flag_names(flags: u16) -> Reply {
    Reply::Set(
        key_flags::NAMES
            .iter()
            .enumerate()
            .filter(|(bit, _)| flags & (1 << bit) != 0)
            .map(|(_, name)| Reply::simple(name))
            .collect(),
    )
}

fn map(entries: Vec<(&str, Reply)>) -> Reply {
    Reply::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Reply::bulk(k), v))
            .collect(),
    )
}

fn typed(kind: &str, spec: Vec<(&str, Reply)>) -> Reply {
    map(vec![("type", Reply::bulk(kind)), ("spec", map(spec))])
}

/// The key specs as COMMAND INFO's ninth field shows them (`addReplyCommandKeySpecs`).
pub fn describe(specs: &[KeySpec]) -> Reply {
    let int = |n: i32| Reply::Integer(n as i64);
    Reply::Set(
        specs
            .iter()
            .map(|spec| {
                let mut fields = Vec::new();
                if let Some(notes) = spec.notes {
                    fields.push(("notes", Reply::bulk(notes)));
                }
                fields.push(("flags", flag_names(spec.flags)));
                let begin = match spec.begin {
                    Begin::Index(index) => typed("index", vec![("index", int(index))]),
                    Begin::Keyword { keyword, startfrom } => typed(
                        "keyword",
                        vec![
                            ("keyword", Reply::bulk(keyword)),
                            ("startfrom", int(startfrom)),
                        ],
                    ),
                    Begin::Unknown => typed("unknown", Vec::new()),
                };
                fields.push(("begin_search", begin));
                let find = match spec.find {
                    Find::Range {
                        lastkey,
                        keystep,
                        limit,
                    } => typed(
                        "range",
                        vec![
                            ("lastkey", int(lastkey)),
                            ("keystep", int(keystep)),
                            ("limit", int(limit)),
                        ],
                    ),
                    Find::Keynum {
                        keynumidx,
                        firstkey,
                        keystep,
                    } => typed(
                        "keynum",
                        vec![
                            ("keynumidx", int(keynumidx)),
                            ("firstkey", int(firstkey)),
                            ("keystep", int(keystep)),
                        ],
                    ),
                    Find::Unknown => typed("unknown", Vec::new()),
                };
                fields.push(("find_keys", find));
                map(fields)
            })
            .collect(),
    )
}

/// The positions of the keys a write command modified, to signal to WATCH (Redis calls
/// `signalModifiedKey` on those): the keys its specs mark RW, OW or RM, not the ones it
/// only reads (SINTERSTORE's sources). Falls back to all its keys where the specs
/// cannot be followed.
pub fn written_keys(
    spec: &super::CommandSpec,
    sub: Option<&super::CommandSpec>,
    argv: &[Vec<u8>],
) -> Vec<usize> {
    let target = sub.unwrap_or(spec);
    let specs = match sub {
        Some(sub) => meta(&format!("{}|{}", spec.name, sub.name)),
        None => meta(spec.name),
    }
    .map_or(&[][..], |m| m.key_specs);
    const WRITES: u16 = key_flags::RW | key_flags::OW | key_flags::RM;
    match keys_by_specs(specs, argv) {
        Some(keys) => keys
            .into_iter()
            .filter(|(_, flags)| flags & WRITES != 0)
            .map(|(at, _)| at)
            .collect(),
        None => target.key_positions(argv),
    }
}

/// The keys of `argv` (argument positions) with their flags, by the specs; `None` when
/// a spec cannot be followed (an unknown or incomplete spec, a bad key count), as
/// `getKeysUsingKeySpecs` returns -1.
pub fn keys_by_specs(specs: &[KeySpec], argv: &[Vec<u8>]) -> Option<Vec<(usize, u16)>> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for spec in specs {
        if spec.flags & key_flags::NOT_KEY != 0 {
            continue;
        }
        let first = match spec.begin {
            Begin::Index(index) => index as i64,
            Begin::Keyword { keyword, startfrom } => {
                match find_keyword(argv, keyword, startfrom) {
                    Some(at) => at + 1,
                    None => continue, // keyword absent: no keys from this spec
                }
            }
            Begin::Unknown => return None,
        };
        let (first, last, step) = match spec.find {
            Find::Range {
                lastkey,
                keystep,
                limit,
            } => {
                let last = if lastkey >= 0 {
                    first + lastkey as i64
                } else if limit == 0 {
                    argc + lastkey as i64
                } else {
                    first + ((argc - first) / limit as i64 + lastkey as i64)
                };
                (first, last, keystep as i64)
            }
            Find::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                if keynumidx as i64 >= argc {
                    return None;
                }
                let count = argv
                    .get((first + keynumidx as i64) as usize)
                    .and_then(|a| super::args::parse_i64(a))
                    .filter(|n| *n >= 0)?;
                let first = first + firstkey as i64;
                // Redis adds the count as a C int: a huge count wraps (and is refused).
                (first, first + (count as i32) as i64 - 1, keystep as i64)
            }
            Find::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let mut at = first;
        while at <= last {
            keys.push((at as usize, spec.flags));
            at += step.max(1);
        }
        if spec.flags & key_flags::INCOMPLETE != 0 {
            return None;
        }
    }
    Some(keys)
}

/// The position of `keyword` (any case), searched as Redis does from `startfrom`.
fn find_keyword(argv: &[Vec<u8>], keyword: &str, startfrom: i32) -> Option<i64> {
    let argc = argv.len() as i64;
    let start = if startfrom > 0 {
        startfrom as i64
    } else {
        argc + startfrom as i64
    };
    let end = if startfrom > 0 { argc - 1 } else { 1 };
    let mut i = start;
    while i != end {
        if i >= argc || i < 1 {
            break;
        }
        if argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
            return Some(i);
        }
        i += if start <= end { 1 } else { -1 };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::{all_commands, CommandSpec};

    /// Argument lists to try on a command: plain words, and small counts in each place
    /// (for the commands that read a number of keys).
    fn candidates(spec: &CommandSpec) -> Vec<Vec<Vec<u8>>> {
        let min = spec.arity.unsigned_abs() as usize;
        let max = if spec.arity < 0 { min + 4 } else { min };
        let mut out = Vec::new();
        for len in min.max(1)..=max {
            let words: Vec<Vec<u8>> = (0..len)
                .map(|i| {
                    if i == 0 {
                        b"cmd".to_vec()
                    } else {
                        format!("w{i}").into_bytes()
                    }
                })
                .collect();
            out.push(words.clone());
            for at in 1..len {
                for count in [b"1".as_slice(), b"2"] {
                    let mut with_count = words.clone();
                    with_count[at] = count.to_vec();
                    out.push(with_count);
                }
            }
        }
        out
    }

    /// The engine's own key positions (WATCH, the simulator's access records) must be
    /// the keys Redis's key specs find, wherever the specs can be followed: a key the
    /// engine missed would make the simulator's reduction treat dependent steps as
    /// independent.
    #[test]
    fn the_engines_key_positions_are_the_key_specs_keys() {
        let mut checked = 0;
        for command in all_commands() {
            let mut specs_of = vec![(command.name.to_string(), command)];
            for sub in command.subcommands {
                specs_of.push((format!("{}|{}", command.name, sub.name), sub));
            }
            for (name, spec) in specs_of {
                let Some(meta) = meta(&name) else {
                    panic!("{name}: not a Redis 7.0 command");
                };
                for argv in candidates(spec) {
                    let Some(keys) = keys_by_specs(meta.key_specs, &argv) else {
                        continue;
                    };
                    let mut by_specs: Vec<usize> = keys.into_iter().map(|(at, _)| at).collect();
                    by_specs.sort_unstable();
                    by_specs.dedup();
                    let mut ours = spec.key_positions(&argv);
                    ours.sort_unstable();
                    ours.dedup();
                    assert_eq!(ours, by_specs, "{name} {argv:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "{checked}");
    }
}
