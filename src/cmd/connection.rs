//! Connection commands: PING, ECHO, SELECT, QUIT.

use super::{args, flags::*, CommandSpec, Ctx};
use crate::db::DB_COUNT;
use crate::resp::{errors, Reply};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("ping", -1, FAST, ping).acl("fast connection"),
    CommandSpec::new("echo", 2, FAST, echo).acl("fast connection"),
    CommandSpec::new("select", 2, LOADING | STALE | FAST, select).acl("fast connection"),
    CommandSpec::new("quit", -1, ALLOW_BUSY | NOSCRIPT | LOADING | STALE | FAST | NO_AUTH, quit)
        .acl("fast connection"),
];

/// PING [message]: PONG, or the message as a bulk string.
fn ping(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match argv.len() {
        1 => Reply::simple("PONG"),
        2 => Reply::Bulk(argv[1].clone()),
        _ => super::wrong_arity("ping"),
    }
}

fn echo(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    Reply::Bulk(argv[1].clone())
}

/// SELECT index: changes the client's database.
fn select(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let Some(index) = args::parse_i64(&argv[1]) else {
        return Reply::error(errors::NOT_INTEGER);
    };
    if index < 0 || index >= DB_COUNT as i64 {
        return Reply::error(errors::DB_INDEX_OUT_OF_RANGE);
    }
    ctx.session().db = index as usize;
    Reply::ok()
}

/// QUIT: OK, then the server closes the connection.
fn quit(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    ctx.session().closing = true;
    Reply::ok()
}
