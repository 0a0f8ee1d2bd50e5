//! ACL (Redis's `aclCommand`): SETUSER, GETUSER, DELUSER, USERS, LIST, WHOAMI, CAT,
//! GENPASS, LOG, DRYRUN, SAVE, LOAD, HELP. The users and their rules are in
//! [`crate::acl`]; this file parses arguments and shapes replies.

use super::flags::{ADMIN, LOADING, NOSCRIPT, STALE};
use super::glob;
use super::spec::CommandSpec;
use super::{args, Ctx};
use crate::acl::selector::{has_spaces, Selector};
use crate::acl::universe::{category_bit, universe, CATEGORIES};
use crate::resp::{errors, Reply};
use crate::session::ClientId;

const SUB: u32 = ADMIN | NOSCRIPT | LOADING | STALE;
const SUB_ACL: &str = "admin slow dangerous";
const PLAIN: u32 = NOSCRIPT | LOADING | STALE;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("acl", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("cat", -2, PLAIN, cat).acl("slow"),
        CommandSpec::new("deluser", -3, SUB, deluser).acl(SUB_ACL),
        CommandSpec::new("dryrun", -4, SUB, super::acl_check::dryrun).acl(SUB_ACL),
        CommandSpec::new("genpass", -2, PLAIN, genpass).acl("slow"),
        CommandSpec::new("getuser", 3, SUB, getuser).acl(SUB_ACL),
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow"),
        CommandSpec::new("list", 2, SUB, list).acl(SUB_ACL),
        CommandSpec::new("load", 2, SUB, no_file).acl(SUB_ACL),
        CommandSpec::new("log", -2, SUB, super::acl_check::log_cmd).acl(SUB_ACL),
        CommandSpec::new("save", 2, SUB, no_file).acl(SUB_ACL),
        CommandSpec::new("setuser", -3, SUB, setuser).acl(SUB_ACL),
        CommandSpec::new("users", 2, SUB, users).acl(SUB_ACL),
        CommandSpec::new("whoami", 2, PLAIN, whoami).acl("slow"),
    ])];

/// Whether new users and selectors start with `&*` (`acl-pubsub-default`).
pub(crate) fn allchannels_default(ctx: &Ctx<'_>) -> bool {
    ctx.store.config.get("acl-pubsub-default").as_deref() == Some("allchannels")
}

/// ACL SETUSER name rule...: every rule applies, or none.
fn setuser(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let name = &argv[2];
    if has_spaces(name) {
        return Reply::error("ERR Usernames can't contain spaces or null characters");
    }
    let allchannels = allchannels_default(ctx);
    let original = ctx.store.acl.user(name).cloned();
    match ctx.store.acl.set_user(name, &argv[3..], allchannels) {
        Ok(()) => {
            if let Some(original) = original {
                let new = ctx.store.acl.user(name).expect("just set");
                if let Some(upcoming) = crate::acl::Acl::narrowed_channels(&original, new) {
                    close_unpermitted_subscribers(ctx, name, &upcoming);
                }
            }
            Reply::ok()
        }
        Err(text) => {
            // `addReplyErrorSdsSafe`: CR and LF would break the protocol.
            let safe: Vec<u8> = text
                .into_iter()
                .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b })
                .collect();
            let mut error = b"ERR ".to_vec();
            error.extend(safe);
            Reply::error(error)
        }
    }
}

/// Closes the clients of `user` subscribed to a channel or pattern `upcoming` no longer
/// allows (a pattern must be listed as it is; a channel may match a listed pattern).
fn close_unpermitted_subscribers(ctx: &mut Ctx<'_>, user: &[u8], upcoming: &[Vec<u8>]) {
    use crate::store::ChannelKind;
    let pubsub = &ctx.store.pubsub;
    let matches = |channel: &[u8]| upcoming.iter().any(|p| glob::matches(p, channel, false));
    let victims: Vec<ClientId> = ctx
        .store
        .sessions()
        .filter(|s| s.user == user && !s.killed && pubsub.is_subscriber(s.id))
        .filter(|s| {
            pubsub
                .patterns_of(s.id)
                .iter()
                .any(|p| !upcoming.contains(p))
                || pubsub
                    .channels_of(s.id, ChannelKind::Plain)
                    .iter()
                    .any(|c| !matches(c))
                || pubsub
                    .channels_of(s.id, ChannelKind::Shard)
                    .iter()
                    .any(|c| !matches(c))
        })
        .map(|s| s.id)
        .collect();
    for victim in victims {
        if victim == ctx.client {
            ctx.session().closing = true;
        } else {
            ctx.store.kill(victim);
        }
    }
}

/// ACL DELUSER name...: how many existed. `default` cannot go; clients logged in as a
/// deleted user are disconnected (the one running DELUSER after its reply).
fn deluser(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv[2..].iter().any(|name| name == b"default") {
        return Reply::error("ERR The 'default' user cannot be removed");
    }
    let mut deleted = 0;
    for name in &argv[2..] {
        if ctx.store.acl.users.remove(name).is_some() {
            deleted += 1;
            ctx.store.log_out_user(name, ctx.client);
        }
    }
    Reply::Integer(deleted)
}

/// Redis's `aclAddReplySelectorDescription`: commands, keys, channels.
fn selector_fields(selector: &Selector) -> Vec<(Reply, Reply)> {
    let keys = if selector.allkeys {
        b"~*".to_vec()
    } else {
        let patterns: Vec<Vec<u8>> = selector.patterns.iter().map(|p| p.describe()).collect();
        patterns.join(&b' ')
    };
    let channels = if selector.allchannels {
        b"&*".to_vec()
    } else {
        let channels: Vec<Vec<u8>> = selector
            .channels
            .iter()
            .map(|c| [&b"&"[..], c].concat())
            .collect();
        channels.join(&b' ')
    };
    vec![
        (
            Reply::bulk("commands"),
            Reply::Bulk(crate::acl::describe_commands(selector)),
        ),
        (Reply::bulk("keys"), Reply::Bulk(keys)),
        (Reply::bulk("channels"), Reply::Bulk(channels)),
    ]
}

/// ACL GETUSER name: flags, passwords, the root selector's rules and the others.
fn getuser(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let Some(user) = ctx.store.acl.user(&argv[2]) else {
        return Reply::Null;
    };
    let flags = user.flag_names().into_iter().map(Reply::bulk).collect();
    let passwords = user
        .passwords
        .iter()
        .map(|p| Reply::bulk(p.as_str()))
        .collect();
    let mut fields = vec![
        (Reply::bulk("flags"), Reply::Set(flags)),
        (Reply::bulk("passwords"), Reply::Array(passwords)),
    ];
    fields.extend(selector_fields(user.root()));
    let others = user.selectors[1..]
        .iter()
        .map(|s| Reply::Map(selector_fields(s)))
        .collect();
    fields.push((Reply::bulk("selectors"), Reply::Array(others)));
    Reply::Map(fields)
}

/// ACL LIST: `user <name> <rules>` for each user, as a config file would have it.
fn list(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let lines = ctx.store.acl.users.values().map(|user| {
        let mut line = b"user ".to_vec();
        line.extend_from_slice(&user.name);
        line.push(b' ');
        line.extend(user.describe());
        Reply::Bulk(line)
    });
    Reply::Array(lines.collect())
}

fn users(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Array(
        ctx.store
            .acl
            .users
            .keys()
            .map(|n| Reply::Bulk(n.clone()))
            .collect(),
    )
}

fn whoami(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Bulk(ctx.session().user.clone())
}

/// ACL CAT [category]: the categories, or the commands (and subcommands) in one.
fn cat(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match argv.len() {
        2 => Reply::Array(CATEGORIES.iter().map(|c| Reply::bulk(*c)).collect()),
        3 => {
            let Some(bit) = category_bit(&argv[2]) else {
                let mut text = b"ERR Unknown category '".to_vec();
                let name = &argv[2];
                text.extend_from_slice(&name[..name.len().min(128)]);
                text.push(b'\'');
                return Reply::error(text);
            };
            let names = universe()
                .commands
                .iter()
                .filter(|c| c.categories & bit != 0)
                .map(|c| Reply::bulk(c.full_name.as_str()));
            Reply::Array(names.collect())
        }
        _ => super::subcommand_syntax_error(argv),
    }
}

/// ACL GENPASS [bits]: `bits` (256 by default) of random hex, rounded up to a digit.
fn genpass(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    const MAX_BITS: i64 = 4096;
    let bits = match argv.len() {
        2 => 256,
        3 => match args::parse_i64(&argv[2]) {
            Some(bits) => bits,
            None => return Reply::error(errors::NOT_INTEGER),
        },
        _ => return super::subcommand_syntax_error(argv),
    };
    if bits <= 0 || bits > MAX_BITS {
        return Reply::error(format!(
            "ERR ACL GENPASS argument must be the number of bits for the output password, \
             a positive number up to {MAX_BITS}"
        ));
    }
    let digits = (bits + 3) / 4;
    let hex: Vec<u8> = (0..digits)
        .map(|_| b"0123456789abcdef"[ctx.random_below(16) as usize])
        .collect();
    Reply::Bulk(hex)
}

/// ACL LOAD / SAVE: redsim has no `aclfile`, so Redis's answer without one.
fn no_file(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::error(
        "ERR This Redis instance is not configured to use an ACL file. You may want to \
         specify users via the ACL SETUSER command and then issue a CONFIG REWRITE \
         (assuming you have a Redis configuration file set) in order to store users in the \
         Redis configuration.",
    )
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("acl");
    }
    let lines = [
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
