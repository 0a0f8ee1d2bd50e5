//! COMMAND, COMMAND COUNT / INFO / LIST / GETKEYS / GETKEYSANDFLAGS / DOCS / HELP, from
//! redsim's own command table (so COUNT is the number of commands redsim implements, not
//! Redis's 240). Each COMMAND INFO entry has Redis 7.0's ten fields, the command tips and
//! key specifications taken from Redis's (`key_spec`); COMMAND DOCS gives each command an
//! empty documentation map.

use super::key_spec::{self, key_flags, KeySpec};
use super::{all_commands, args, flags::*, glob, lookup, lookup_subcommand, CommandSpec, Ctx};
use crate::resp::{errors, Reply};

const FLAGS: u32 = LOADING | STALE;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("command", -1, FLAGS, command_all)
    .acl("slow connection")
    .subcommands(&[
        CommandSpec::new("count", 2, FLAGS, count).acl("slow connection"),
        CommandSpec::new("info", -2, FLAGS, info).acl("slow connection"),
        CommandSpec::new("list", -2, FLAGS, list).acl("slow connection"),
        CommandSpec::new("docs", -2, FLAGS, docs).acl("slow connection"),
        CommandSpec::new("getkeys", -4, FLAGS, getkeys).acl("slow connection"),
        CommandSpec::new("getkeysandflags", -4, FLAGS, getkeysandflags).acl("slow connection"),
        CommandSpec::new("help", 2, FLAGS, help).acl("slow connection"),
    ])];

/// The ten-field description of one command (Redis's `addReplyCommandInfo`).
fn describe(spec: &CommandSpec, parent: Option<&CommandSpec>) -> Reply {
    let name = match parent {
        Some(p) => format!("{}|{}", p.name, spec.name),
        None => spec.name.to_string(),
    };
    let mut flags = spec.flags;
    if spec.key_finder.is_some() {
        flags |= MOVABLEKEYS;
    }
    let categories = spec
        .acl
        .split_whitespace()
        .map(|c| Reply::Simple(format!("@{c}").into_bytes()))
        .collect();
    let meta = key_spec::meta(&name);
    let tips = meta.map_or(&[][..], |m| m.tips);
    let key_specs = meta.map_or(&[][..], |m| m.key_specs);
    Reply::Array(vec![
        Reply::bulk(name),
        Reply::Integer(spec.arity as i64),
        Reply::Set(names(flags).map(Reply::simple).collect()),
        Reply::Integer(spec.first_key as i64),
        Reply::Integer(spec.last_key as i64),
        Reply::Integer(spec.key_step as i64),
        Reply::Set(categories),
        Reply::Set(tips.iter().map(|t| Reply::bulk(*t)).collect()),
        key_spec::describe(key_specs),
        if spec.subcommands.is_empty() {
            Reply::Set(Vec::new())
        } else {
            Reply::Array(
                spec.subcommands
                    .iter()
                    .map(|s| describe(s, Some(spec)))
                    .collect(),
            )
        },
    ])
}

/// Every command, sorted by name so the reply is reproducible.
fn sorted() -> Vec<&'static CommandSpec> {
    let mut all: Vec<_> = all_commands().collect();
    all.sort_by_key(|s| s.name);
    all
}

/// Finds `name` or `parent|sub`.
fn find(name: &[u8]) -> Option<(&'static CommandSpec, Option<&'static CommandSpec>)> {
    match name.iter().position(|&b| b == b'|') {
        Some(bar) => {
            let parent = lookup(&name[..bar])?;
            let sub = lookup_subcommand(parent, &name[bar + 1..])?;
            Some((sub, Some(parent)))
        }
        None => lookup(name).map(|s| (s, None)),
    }
}

fn command_all(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Array(sorted().into_iter().map(|s| describe(s, None)).collect())
}

fn count(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Integer(all_commands().count() as i64)
}

/// COMMAND INFO [name ...]: nil (a null bulk, as Redis's `addReplyNull`) for unknown names.
fn info(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() == 2 {
        return command_all(_ctx, argv);
    }
    Reply::Array(
        argv[2..]
            .iter()
            .map(|name| match find(name) {
                Some((spec, parent)) => describe(spec, parent),
                None => Reply::Null,
            })
            .collect(),
    )
}

/// Whether COMMAND LIST shows a command, given its spec and full name.
type NameFilter = dyn Fn(&CommandSpec, &str) -> bool;

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: the names of
/// every command and subcommand that passes the filter (redsim has no modules, and an
/// unknown category matches nothing, as in Redis).
fn list(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let keep: Box<NameFilter> = match argv.len() {
        2 => Box::new(|_, _| true),
        5 if args::is(&argv[2], "FILTERBY") => {
            let value = argv[4].clone();
            if args::is(&argv[3], "MODULE") {
                Box::new(|_, _| false)
            } else if args::is(&argv[3], "ACLCAT") {
                Box::new(move |spec, _| {
                    spec.acl
                        .split_whitespace()
                        .any(|c| c.as_bytes().eq_ignore_ascii_case(&value))
                })
            } else if args::is(&argv[3], "PATTERN") {
                Box::new(move |_, name| glob::matches(&value, name.as_bytes(), true))
            } else {
                return Reply::error(errors::SYNTAX);
            }
        }
        _ => return Reply::error(errors::SYNTAX),
    };
    let mut names = Vec::new();
    for spec in sorted() {
        if keep(spec, spec.name) {
            names.push(Reply::bulk(spec.name));
        }
        for sub in spec.subcommands {
            let name = format!("{}|{}", spec.name, sub.name);
            if keep(sub, &name) {
                names.push(Reply::bulk(name));
            }
        }
    }
    Reply::Array(names)
}

/// COMMAND DOCS [name ...]: a map of each known command to an empty documentation map.
fn docs(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let specs: Vec<(String, &CommandSpec)> = if argv.len() == 2 {
        sorted()
            .into_iter()
            .map(|s| (s.name.to_string(), s))
            .collect()
    } else {
        argv[2..]
            .iter()
            .filter_map(|n| {
                find(n).map(|(s, _)| (String::from_utf8_lossy(n).to_ascii_lowercase(), s))
            })
            .collect()
    };
    Reply::Map(
        specs
            .into_iter()
            .map(|(name, _)| (Reply::bulk(name), Reply::Map(Vec::new())))
            .collect(),
    )
}

/// COMMAND GETKEYS command [arg ...]: the key arguments of a full command line.
fn getkeys(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    keys_of_line(argv, false)
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]: each key with its key-spec flags.
fn getkeysandflags(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    keys_of_line(argv, true)
}

/// Redis's `getKeysSubcommandImpl`: the command (or subcommand) the line names, checked
/// for keys and arity, then its keys by the key specs (`getKeysFromCommandWithSpecs`).
fn keys_of_line(argv: &[Vec<u8>], with_flags: bool) -> Reply {
    let line = &argv[2..];
    let Some(mut spec) = lookup(&line[0]) else {
        return Reply::error("ERR Invalid command specified");
    };
    let mut name = spec.name.to_string();
    if !spec.subcommands.is_empty() && line.len() >= 2 {
        match lookup_subcommand(spec, &line[1]) {
            Some(sub) => {
                name = format!("{}|{}", spec.name, sub.name);
                spec = sub;
            }
            None => return Reply::error("ERR Invalid command specified"),
        }
    }
    let specs = key_spec::meta(&name).map_or(&[][..], |m| m.key_specs);
    let has_keys = specs.iter().any(|s| s.flags & key_flags::NOT_KEY == 0);
    if !has_keys {
        return Reply::error("ERR The command has no key arguments");
    }
    if !spec.arity_ok(line.len()) {
        return Reply::error("ERR Invalid number of arguments specified for command");
    }
    let keys = keys_with_flags(spec, specs, line);
    if keys.is_empty() {
        return if spec.has(NO_MANDATORY_KEYS) {
            Reply::Array(Vec::new())
        } else {
            Reply::error("ERR Invalid arguments specified for command")
        };
    }
    Reply::Array(
        keys.into_iter()
            .map(|(at, flags)| {
                let key = Reply::Bulk(line[at].clone());
                if with_flags {
                    Reply::Array(vec![key, key_spec::flag_names(flags)])
                } else {
                    key
                }
            })
            .collect(),
    )
}

/// The keys ACL checks in `argv` and the flags of each (`getKeysFromCommandWithSpecs`),
/// for the command the dispatcher resolved.
pub(crate) fn keys_for_acl(
    spec: &CommandSpec,
    sub: Option<&CommandSpec>,
    argv: &[Vec<u8>],
) -> Vec<(usize, u16)> {
    let (target, meta) = match sub {
        Some(sub) => (sub, key_spec::meta(&format!("{}|{}", spec.name, sub.name))),
        None => (spec, key_spec::meta(spec.name)),
    };
    let specs = meta.map_or(&[][..], |m| m.key_specs);
    if specs.iter().all(|s| s.flags & key_flags::NOT_KEY != 0) {
        return Vec::new();
    }
    keys_with_flags(target, specs, argv)
}

/// The keys by the specs when their flags are reliable, else by the command's own key
/// finder (Redis's getkeys procs): SET's flags depend on its GET option.
fn keys_with_flags(spec: &CommandSpec, specs: &[KeySpec], line: &[Vec<u8>]) -> Vec<(usize, u16)> {
    let variable = specs
        .iter()
        .any(|s| s.flags & key_flags::VARIABLE_FLAGS != 0);
    if !variable {
        if let Some(keys) = key_spec::keys_by_specs(specs, line) {
            return keys;
        }
    }
    if spec.name == "set" {
        // setGetKeys: the key is read too when GET is given.
        let flags = if line[3..].iter().any(|a| args::is(a, "GET")) {
            key_flags::RW | key_flags::ACCESS | key_flags::UPDATE
        } else {
            key_flags::OW | key_flags::UPDATE
        };
        return vec![(1, flags)];
    }
    if spec.name == "bitfield" {
        return vec![(1, super::bitfield::key_flags_of(line))];
    }
    if spec.name == "sort" {
        // sortGetKeys: the sorted key is read, a STORE key overwritten.
        return spec
            .key_positions(line)
            .into_iter()
            .map(|at| {
                let flags = if at == 1 {
                    key_flags::RO | key_flags::ACCESS
                } else {
                    key_flags::OW | key_flags::UPDATE
                };
                (at, flags)
            })
            .collect();
    }
    let flags = specs.first().map_or(0, |s| s.flags);
    spec.key_positions(line)
        .into_iter()
        .map(|at| (at, flags))
        .collect()
}

fn help(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let lines = [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
