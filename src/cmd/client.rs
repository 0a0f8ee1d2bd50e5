//! CLIENT: ID, SETNAME, GETNAME, LIST, INFO, NO-EVICT, GETREDIR, TRACKINGINFO, HELP.
//!
//! The engine has no sockets, so CLIENT LIST shows what a session knows: its address
//! when the TCP server set one (`fd=-1` and an empty `addr` otherwise, as Redis shows
//! its internal clients), and zero for the buffer and memory fields.

use super::{args, flags::*, CommandSpec, Ctx};
use crate::resp::{errors, Reply};
use crate::session::Session;

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

/// One line of CLIENT LIST / CLIENT INFO, with Redis 7.0's fields in Redis's order.
fn describe(s: &Session, now_ms: u64) -> String {
    let (flags, multi) = match &s.multi {
        Some(m) => ("x", m.queued.len() as i64),
        None => ("N", -1),
    };
    let (addr, fd) = match &s.addr {
        Some(a) => (a.as_str(), 8),
        None => ("", -1),
    };
    format!(
        "id={} addr={addr} laddr= fd={fd} name={} age={} idle=0 flags={flags} db={} sub=0 psub=0 ssub=0 \
         multi={multi} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 \
         events=r cmd={} user=default redir=-1 resp={}\n",
        s.id.id,
        String::from_utf8_lossy(s.name.as_deref().unwrap_or_default()),
        now_ms.saturating_sub(s.created_ms) / 1000,
        s.db,
        s.last_command,
        s.protocol.number(),
    )
}

fn verbatim(text: String) -> Reply {
    Reply::Verbatim {
        format: *b"txt",
        text: text.into_bytes(),
    }
}

/// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]].
fn list(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut ids: Option<Vec<u64>> = None;
    let mut only_normal = true;
    if argv.len() == 4 && args::is(&argv[2], "TYPE") {
        let t = argv[3].to_ascii_lowercase();
        match t.as_slice() {
            b"normal" => {}
            b"master" | b"replica" | b"slave" | b"pubsub" => only_normal = false,
            _ => {
                return Reply::error(format!(
                    "ERR Unknown client type '{}'",
                    String::from_utf8_lossy(&argv[3])
                ))
            }
        }
    } else if argv.len() > 3 && args::is(&argv[2], "ID") {
        let mut wanted = Vec::new();
        for arg in &argv[3..] {
            match args::parse_i64(arg) {
                Some(n) => wanted.push(n as u64),
                None => return Reply::error("ERR Invalid client ID"),
            }
        }
        ids = Some(wanted);
    } else if argv.len() != 2 {
        return Reply::error(errors::SYNTAX);
    }
    let now = ctx.now_ms;
    let text: String = ctx
        .store
        .sessions()
        .filter(|s| only_normal && ids.as_ref().is_none_or(|ids| ids.contains(&s.id.id)))
        .map(|s| describe(s, now))
        .collect();
    verbatim(text)
}

fn info(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms;
    verbatim(describe(ctx.store.session(ctx.client), now))
}

/// CLIENT NO-EVICT ON|OFF: accepted; redsim never evicts clients.
fn no_evict(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if args::is(&argv[2], "ON") || args::is(&argv[2], "OFF") {
        Reply::ok()
    } else {
        Reply::error(errors::SYNTAX)
    }
}

/// CLIENT GETREDIR: -1, tracking is never enabled.
fn getredir(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Integer(-1)
}

/// CLIENT TRACKINGINFO: tracking is never enabled.
fn trackinginfo(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Map(vec![
        (Reply::bulk("flags"), Reply::Set(vec![Reply::bulk("off")])),
        (Reply::bulk("redirect"), Reply::Integer(-1)),
        (Reply::bulk("prefixes"), Reply::Array(Vec::new())),
    ])
}

/// CLIENT HELP, and CLIENT with no subcommand (Redis answers arity there; see `help`).
fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("client");
    }
    let lines = [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
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
