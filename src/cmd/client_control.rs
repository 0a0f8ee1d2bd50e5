//! CLIENT KILL, UNBLOCK, PAUSE and UNPAUSE: one client acting on others
//! (`clientCommand` in Redis's `networking.c`).
//!
//! The engine decides and records; the TCP server carries it out between commands: it
//! closes the connections of killed clients, ends the wait of unblocked ones, and holds
//! back the commands of paused ones until the pause ends.

use super::{args, Ctx};
use crate::resp::{errors, Reply};
use crate::session::{ClientId, Unblock};
use crate::store::ClientPause;

/// What CLIENT KILL's filters select (Redis's new form; the old form is `addr` alone).
#[derive(Default)]
struct Filter<'a> {
    addr: Option<&'a [u8]>,
    laddr: Option<&'a [u8]>,
    id: Option<u64>,
    /// `TYPE normal|pubsub|…`.
    client_type: Option<super::client_list::ClientType>,
    /// `USER name`: clients logged in as that ACL user.
    user: Option<&'a [u8]>,
    skip_me: bool,
}

fn parse_filter<'a>(argv: &'a [Vec<u8>], acl: &crate::acl::Acl) -> Result<Filter<'a>, Reply> {
    let mut filter = Filter {
        skip_me: true,
        ..Filter::default()
    };
    // Read in order, as Redis does: an option without its value is a syntax error only
    // once the options before it were accepted.
    for pair in argv[2..].chunks(2) {
        let [option, value] = pair else {
            return Err(Reply::error(errors::SYNTAX));
        };
        if args::is(option, "ID") {
            match args::parse_i64(value) {
                Some(id) if id >= 1 => filter.id = Some(id as u64),
                _ => return Err(Reply::error("ERR client-id should be greater than 0")),
            }
        } else if args::is(option, "TYPE") {
            filter.client_type = Some(super::client_list::ClientType::parse(value)?);
        } else if args::is(option, "ADDR") {
            filter.addr = Some(value);
        } else if args::is(option, "LADDR") {
            filter.laddr = Some(value);
        } else if args::is(option, "USER") {
            if acl.user(value).is_none() {
                return Err(Reply::error(format!(
                    "ERR No such user '{}'",
                    String::from_utf8_lossy(value)
                )));
            }
            filter.user = Some(value);
        } else if args::is(option, "SKIPME") {
            filter.skip_me = if args::is(value, "YES") {
                true
            } else if args::is(value, "NO") {
                false
            } else {
                return Err(Reply::error(errors::SYNTAX));
            };
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok(filter)
}

/// CLIENT KILL addr:port | CLIENT KILL [ID id] [TYPE t] [USER u] [ADDR a] [LADDR a]
/// [SKIPME yes|no]: closes the matching connections. The caller itself is closed after
/// its reply (old form, or SKIPME no).
pub(super) fn kill(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let old_form = argv.len() == 3;
    let filter = if old_form {
        Filter {
            addr: Some(&argv[2]),
            ..Filter::default()
        }
    } else {
        match parse_filter(argv, &ctx.store.acl) {
            Ok(filter) => filter,
            Err(e) => return e,
        }
    };
    let me = ctx.client;
    let pubsub = &ctx.store.pubsub;
    let matches = |s: &crate::session::Session| {
        let addr = s.addr.as_deref().unwrap_or_default().as_bytes();
        let laddr = s.laddr.as_deref().unwrap_or_default().as_bytes();
        !s.killed
            && filter.addr.is_none_or(|a| a == addr)
            && filter.laddr.is_none_or(|a| a == laddr)
            && filter.id.is_none_or(|id| id == s.id.id)
            && filter.user.is_none_or(|u| s.user == u)
            && filter
                .client_type
                .is_none_or(|t| t.includes(pubsub.is_subscriber(s.id)))
            && !(filter.skip_me && s.id == me)
    };
    let victims: Vec<ClientId> = ctx
        .store
        .sessions()
        .filter(|s| matches(s))
        .map(|s| s.id)
        .collect();
    for &victim in &victims {
        if victim == me {
            ctx.session().closing = true;
        } else {
            ctx.store.kill(victim);
        }
    }
    match (old_form, victims.len()) {
        (true, 0) => Reply::error("ERR No such client"),
        (true, _) => Reply::ok(),
        (false, n) => Reply::Integer(n as i64),
    }
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends the wait of a client blocked in BLPOP & co,
/// with the command's timeout reply or an UNBLOCKED error. 1 if it was blocked.
pub(super) fn unblock(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 4 {
        return syntax_error(&argv[1]);
    }
    let how = match argv.get(3) {
        None => Unblock::Timeout,
        Some(reason) if args::is(reason, "TIMEOUT") => Unblock::Timeout,
        Some(reason) if args::is(reason, "ERROR") => Unblock::Error,
        Some(_) => return Reply::error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
    };
    let Some(id) = args::parse_i64(&argv[2]) else {
        return Reply::error(errors::NOT_INTEGER);
    };
    let target = ctx
        .store
        .sessions()
        .find(|s| s.id.id as i64 == id && s.blocked.is_some() && s.unblock.is_none())
        .map(|s| s.id);
    match target {
        Some(client) => {
            ctx.store.session_mut(client).unblock = Some(how);
            Reply::Integer(1)
        }
        None => Reply::Integer(0),
    }
}

/// CLIENT PAUSE timeout [WRITE|ALL]: other commands wait for `timeout` milliseconds
/// (only those that may write, in WRITE mode). A second pause extends the first: the
/// later end and the wider mode win.
pub(super) fn pause(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 4 {
        return syntax_error(&argv[1]);
    }
    let writes_only = match argv.get(3) {
        None => false,
        Some(mode) if args::is(mode, "WRITE") => true,
        Some(mode) if args::is(mode, "ALL") => false,
        Some(_) => return Reply::error("ERR CLIENT PAUSE mode must be WRITE or ALL"),
    };
    let Some(timeout) = args::parse_i64(&argv[2]) else {
        return Reply::error("ERR timeout is not an integer or out of range");
    };
    if timeout < 0 {
        return Reply::error("ERR timeout is negative");
    }
    let now = (ctx.host.now_us() / 1000) as i64;
    // Redis adds the clock in C `long long`: past its range the end wraps into the past,
    // and the pause is over at once.
    let end_ms = if timeout == 0 {
        0
    } else {
        timeout.wrapping_add(now)
    };
    let pause = match ctx.store.pause {
        Some(old) => ClientPause {
            end_ms: old.end_ms.max(end_ms),
            writes_only: old.writes_only && writes_only,
        },
        None => ClientPause {
            end_ms,
            writes_only,
        },
    };
    ctx.store.set_pause(Some(pause));
    Reply::ok()
}

/// Redis's `addReplySubcommandSyntaxError`, for a subcommand given too many arguments.
fn syntax_error(sub: &[u8]) -> Reply {
    Reply::error(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
        super::truncated(sub)
    ))
}

/// CLIENT UNPAUSE: ends a pause at once.
pub(super) fn unpause(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    ctx.store.set_pause(None);
    Reply::ok()
}
