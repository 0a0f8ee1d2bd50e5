//! CLIENT: the connection's own settings (ID, SETNAME, GETNAME, REPLY, NO-EVICT, the
//! tracking state, HELP). LIST and INFO are in `client_list`; the subcommands that act
//! on other clients (KILL, UNBLOCK, PAUSE, UNPAUSE) in `client_control`.

use super::client_control::{kill, pause, unblock, unpause};
use super::client_list::{info, list};
use super::client_tracking::{caching, getredir, tracking, trackinginfo};
use super::{args, flags::*, CommandSpec, Ctx};
use crate::resp::{errors, Reply};

const SUB: u32 = NOSCRIPT | LOADING | STALE;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec::new("client", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("id", 2, SUB | SESSION_ONLY, id).acl("slow connection"),
        CommandSpec::new("setname", 3, SUB | SESSION_ONLY, setname).acl("slow connection"),
        CommandSpec::new("getname", 2, SUB | SESSION_ONLY, getname).acl("slow connection"),
        CommandSpec::new("list", -2, ADMIN | SUB, list).acl("admin slow dangerous connection"),
        CommandSpec::new("info", 2, SUB, info).acl("slow connection"),
        CommandSpec::new("no-evict", 3, ADMIN | SUB, no_evict)
            .acl("admin slow dangerous connection"),
        CommandSpec::new("getredir", 2, SUB, getredir).acl("slow connection"),
        CommandSpec::new("trackinginfo", 2, SUB, trackinginfo).acl("slow connection"),
        CommandSpec::new("reply", 3, SUB | SESSION_ONLY, reply).acl("slow connection"),
        CommandSpec::new("kill", -3, ADMIN | SUB, kill).acl("admin slow dangerous connection"),
        CommandSpec::new("unblock", -3, ADMIN | SUB, unblock)
            .acl("admin slow dangerous connection"),
        CommandSpec::new("pause", -3, ADMIN | SUB, pause).acl("admin slow dangerous connection"),
        CommandSpec::new("unpause", 2, ADMIN | SUB, unpause).acl("admin slow dangerous connection"),
        CommandSpec::new("tracking", -3, SUB, tracking).acl("slow connection"),
        CommandSpec::new("caching", 3, SUB, caching).acl("slow connection"),
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow connection"),
    ])];

/// Redis's `validateClientName`: printable ASCII without spaces.
pub fn validate_name(name: &[u8]) -> Result<(), Reply> {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(Reply::error(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

fn id(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.client.id as i64)
}

/// CLIENT SETNAME name: an empty name removes the name.
fn setname(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if let Err(e) = validate_name(&argv[2]) {
        return e;
    }
    ctx.session().name = if argv[2].is_empty() {
        None
    } else {
        Some(argv[2].clone())
    };
    Reply::ok()
}

fn getname(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::bulk_or_null(ctx.session().name.clone())
}

/// CLIENT NO-EVICT ON|OFF: the client's `e` flag (redsim never evicts clients).
fn no_evict(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let on = if args::is(&argv[2], "ON") {
        true
    } else if args::is(&argv[2], "OFF") {
        false
    } else {
        return Reply::error(errors::SYNTAX);
    };
    ctx.session().no_evict = on;
    Reply::ok()
}

/// CLIENT REPLY ON|OFF|SKIP: OFF and SKIP answer nothing themselves; the server drops
/// the replies they switch off (`ReplyMode::reply_goes_out`).
fn reply(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let replies = &mut ctx.session().replies;
    // SKIP drops its own reply too: Redis adds none.
    if args::is(&argv[2], "ON") {
        replies.off = false;
        replies.skip = false;
        Reply::ok()
    } else if args::is(&argv[2], "OFF") {
        replies.off = true;
        Reply::ok()
    } else if args::is(&argv[2], "SKIP") {
        if !replies.off {
            replies.skip = true;
            replies.skip_next = true;
        }
        Reply::ok()
    } else {
        Reply::error(errors::SYNTAX)
    }
}

/// CLIENT HELP, and CLIENT with no subcommand (Redis answers arity there; see `help`).
fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("client");
    }
    let lines = [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(
        lines
            .iter()
            .map(|l| Reply::Simple(l.as_bytes().to_vec()))
            .collect(),
    )
}
