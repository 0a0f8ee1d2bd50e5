//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP over Redis 7.0's parameters
//! (`crate::config::PARAMS`): every one exists, with Redis's default and CONFIG SET's
//! checks and error texts; the engine acts on a few and stores the rest.

use super::{flags::*, glob, CommandSpec, Ctx};
use crate::config::{self, PARAMS};
use crate::resp::{errors, Reply};

const SUB: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("config", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("get", -3, SUB, get).acl("admin slow dangerous"),
        CommandSpec::new("set", -4, SUB, set).acl("admin slow dangerous"),
        CommandSpec::new("resetstat", 2, SUB, resetstat).acl("admin slow dangerous"),
        CommandSpec::new("rewrite", 2, SUB, rewrite).acl("admin slow dangerous"),
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow"),
    ])];

/// CONFIG GET pattern [pattern ...]: a map of every matching parameter (names and
/// aliases are matched and listed separately, each once) to its value.
fn get(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut seen: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    for pattern in &argv[2..] {
        // A name without glob characters is looked up directly and echoed as given.
        if !pattern.iter().any(|c| b"*?[".contains(c)) {
            let given = String::from_utf8_lossy(pattern).into_owned();
            if let Some(param) = config::find(pattern) {
                if !seen.iter().any(|s| s.eq_ignore_ascii_case(&given)) {
                    pairs.push((
                        Reply::bulk(given.clone()),
                        Reply::bulk(param.value(&ctx.store.config)),
                    ));
                    seen.push(given);
                }
            }
            continue;
        }
        // Hidden parameters answer to their exact name only, as in Redis.
        for param in PARAMS.iter().filter(|p| !p.hidden) {
            for name in std::iter::once(param.name).chain(param.alias) {
                if !seen.iter().any(|s| s == name) && glob::matches(pattern, name.as_bytes(), true)
                {
                    seen.push(name.to_string());
                    pairs.push((
                        Reply::bulk(name),
                        Reply::bulk(param.value(&ctx.store.config)),
                    ));
                }
            }
        }
    }
    Reply::Map(pairs)
}

/// CONFIG SET parameter value [parameter value ...]: all or nothing. As Redis, it first
/// looks at the names (unknown, immutable, protected, repeated: the first such problem is
/// the answer), then reads the values in order.
fn set(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if !argv.len().is_multiple_of(2) {
        return Reply::error(errors::SYNTAX);
    }
    // Each parameter with the name it was found by: Redis registers an alias as a
    // parameter of its own, so a value error names the alias given, and a name and its
    // alias in one CONFIG SET are not duplicates of each other.
    let mut params: Vec<(&config::Param, &'static str)> = Vec::new();
    for pair in argv[2..].chunks(2) {
        let given = String::from_utf8_lossy(&pair[0]);
        let Some(param) = config::find(&pair[0]) else {
            return Reply::error(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{given}'"
            ));
        };
        let found_as = match param.alias {
            Some(alias) if pair[0].eq_ignore_ascii_case(alias.as_bytes()) => alias,
            _ => param.name,
        };
        let refusal = match param.access {
            config::Access::Immutable => Some("can't set immutable config"),
            config::Access::Protected => Some("can't set protected config"),
            config::Access::Mutable
                if params
                    .iter()
                    .any(|(p, name)| std::ptr::eq(*p, param) && *name == found_as) =>
            {
                Some("duplicate parameter")
            }
            config::Access::Mutable => None,
        };
        if let Some(why) = refusal {
            return failed(&given, why);
        }
        params.push((param, found_as));
    }
    let mut changes = Vec::new();
    for ((param, found_as), pair) in params.into_iter().zip(argv[2..].chunks(2)) {
        match param.parse(&pair[1]) {
            Ok(value) => changes.push((param, value)),
            Err(why) => return failed(found_as, &why),
        }
    }
    for (param, value) in changes {
        if param.name == "requirepass" {
            // The default user's password (`updateRequirePass`).
            ctx.store.acl.set_default_password(value.as_bytes());
        }
        param.apply(&mut ctx.store.config, value);
    }
    Reply::ok()
}

fn failed(name: &str, why: &str) -> Reply {
    Reply::error(format!(
        "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
    ))
}

/// CONFIG REWRITE: redsim is never started from a config file.
fn rewrite(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::error("ERR The server is running without a config file")
}

/// CONFIG RESETSTAT: clears INFO's statistics (commandstats, errorstats, counters).
fn resetstat(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    ctx.store.stats.reset();
    for db in ctx.store.dbs.iter_mut() {
        db.expired_keys = 0;
    }
    Reply::ok()
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("config");
    }
    let lines = [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
