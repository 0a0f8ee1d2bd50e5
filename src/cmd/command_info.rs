//! COMMAND, COMMAND COUNT / INFO / LIST / GETKEYS / DOCS / HELP, from redsim's own
//! command table (so COUNT is the number of commands redsim implements, not Redis's
//! 240). Each COMMAND INFO entry has Redis 7.0's ten fields; the command tips and the
//! key specifications are not modelled and are always empty, and COMMAND DOCS gives
//! each command an empty documentation map.

use super::{all_commands, flags::*, lookup, lookup_subcommand, CommandSpec, Ctx};
use crate::resp::Reply;

const FLAGS: u32 = LOADING | STALE;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("command", -1, FLAGS, command_all)
    .acl("slow connection")
    .subcommands(&[
        CommandSpec::new("count", 2, FLAGS, count).acl("slow connection"),
        CommandSpec::new("info", -2, FLAGS, info).acl("slow connection"),
        CommandSpec::new("list", -2, FLAGS, list).acl("slow connection"),
        CommandSpec::new("docs", -2, FLAGS, docs).acl("slow connection"),
        CommandSpec::new("getkeys", -4, FLAGS, getkeys).acl("slow connection"),
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
    Reply::Array(vec![
        Reply::bulk(name),
        Reply::Integer(spec.arity as i64),
        Reply::Set(names(flags).map(Reply::simple).collect()),
        Reply::Integer(spec.first_key as i64),
        Reply::Integer(spec.last_key as i64),
        Reply::Integer(spec.key_step as i64),
        Reply::Set(categories),
        Reply::Set(Vec::new()),
        Reply::Array(Vec::new()),
        Reply::Array(
            spec.subcommands
                .iter()
                .map(|s| describe(s, Some(spec)))
                .collect(),
        ),
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

/// COMMAND LIST: every command name (filters are not supported).
fn list(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 2 {
        return Reply::error(crate::resp::errors::SYNTAX);
    }
    let mut names = Vec::new();
    for spec in sorted() {
        names.push(Reply::bulk(spec.name));
        for sub in spec.subcommands {
            names.push(Reply::bulk(format!("{}|{}", spec.name, sub.name)));
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
    let line = &argv[2..];
    let Some(mut spec) = lookup(&line[0]) else {
        return Reply::error("ERR Invalid command specified");
    };
    if !spec.subcommands.is_empty() && line.len() >= 2 {
        match lookup_subcommand(spec, &line[1]) {
            Some(sub) => spec = sub,
            None => return Reply::error("ERR Invalid command specified"),
        }
    }
    if spec.first_key == 0 && spec.key_finder.is_none() {
        return Reply::error("ERR The command has no key arguments");
    }
    if !spec.arity_ok(line.len()) {
        return Reply::error("ERR Invalid number of arguments specified for command");
    }
    let keys = spec.key_positions(line);
    if keys.is_empty() && !spec.has(NO_MANDATORY_KEYS) {
        return Reply::error("ERR Invalid arguments specified for command");
    }
    Reply::Array(
        keys.into_iter()
            .map(|i| Reply::Bulk(line[i].clone()))
            .collect(),
    )
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
