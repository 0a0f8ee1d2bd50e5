//! CONFIG GET / SET / RESETSTAT / HELP over the parameters redsim honours
//! (`crate::config::PARAMS`). Other Redis parameters are unknown here: CONFIG GET does
//! not list them and CONFIG SET refuses them with Redis's "Unknown option" error.

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
        for param in PARAMS {
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

/// CONFIG SET parameter value [parameter value ...]: all or nothing.
fn set(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if !argv.len().is_multiple_of(2) {
        return Reply::error(errors::SYNTAX);
    }
    let mut changes: Vec<(&config::Param, i64)> = Vec::new();
    for pair in argv[2..].chunks(2) {
        let Some(param) = config::find(&pair[0]) else {
            return Reply::error(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                String::from_utf8_lossy(&pair[0])
            ));
        };
        let failed = |why: &str| {
            Reply::error(format!(
                "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
                String::from_utf8_lossy(&pair[0])
            ))
        };
        let position = changes.len();
        if argv[2..]
            .chunks(2)
            .take(position)
            .any(|p| p[0].eq_ignore_ascii_case(&pair[0]))
        {
            return failed("duplicate parameter");
        }
        match param.parse(&pair[1]) {
            Ok(v) => changes.push((param, v)),
            Err(why) => return failed(&why),
        }
    }
    for (param, value) in changes {
        param.apply(&mut ctx.store.config, value);
    }
    Reply::ok()
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
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
