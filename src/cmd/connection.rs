//! Connection commands: PING, ECHO, SELECT, HELLO, QUIT, RESET, AUTH, MONITOR.
//! (CLIENT lives in `client.rs`.)

use super::{args, client, flags::*, keys, CommandSpec, Ctx};
use crate::resp::{errors, Protocol, Reply};
use crate::session::ClientId;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("ping", -1, FAST | SESSION_ONLY, ping).acl("fast connection"),
    CommandSpec::new("echo", 2, LOADING | STALE | FAST | SESSION_ONLY, echo).acl("fast connection"),
    CommandSpec::new("select", 2, LOADING | STALE | FAST | SESSION_ONLY, select)
        .acl("fast connection"),
    CommandSpec::new(
        "hello",
        -1,
        NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        hello,
    )
    .acl("fast connection"),
    CommandSpec::new(
        "quit",
        -1,
        NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY | SESSION_ONLY,
        quit,
    )
    .acl("fast connection"),
    CommandSpec::new(
        "reset",
        1,
        NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        reset,
    )
    .acl("fast connection"),
    CommandSpec::new(
        "auth",
        -2,
        NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        auth,
    )
    .acl("fast connection"),
    CommandSpec::new(
        "monitor",
        1,
        ADMIN | NOSCRIPT | LOADING | STALE,
        super::monitor::monitor,
    )
    .acl("admin slow dangerous"),
];

pub(crate) const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
pub(crate) const NO_PASSWORD: &str =
    "ERR AUTH <password> called without any password configured for the default user. \
Are you sure your configuration is correct?";

const NOAUTH: &str = "NOAUTH Authentication required.";

/// Redis's `authRequired` wall: while the default user needs a password (or is off), a
/// client not logged in may only run `no-auth` commands (AUTH, HELLO, QUIT…).
pub(crate) fn auth_wall(
    store: &crate::store::Store,
    client: ClientId,
    target: &CommandSpec,
) -> Option<Reply> {
    let refused = !store.session(client).authenticated
        && !store.acl.default_lets_in()
        && !target.has(NO_AUTH);
    refused.then(|| Reply::error(NOAUTH))
}
const NOAUTH_HELLO: &str = "NOAUTH HELLO must be called with the client already authenticated, \
otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select \
the RESP protocol version at the same time";

/// AUTH [username] password: logs the client in as an ACL user. The one-argument form
/// means `default`, and is a configuration mistake while `default` needs no password.
fn auth(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (user, password) = match argv.len() {
        2 => {
            let default_nopass = ctx.store.acl.user(b"default").is_some_and(|u| u.nopass);
            if default_nopass {
                return Reply::error(NO_PASSWORD);
            }
            (&b"default"[..], &argv[1])
        }
        3 => (&argv[1][..], &argv[2]),
        _ => return Reply::error(errors::SYNTAX),
    };
    if log_in(ctx, user, password, argv) {
        Reply::ok()
    } else {
        Reply::error(WRONGPASS)
    }
}

/// `ACLAuthenticateUser`: on success the client runs as `user`; a failure is logged.
fn log_in(ctx: &mut Ctx<'_>, user: &[u8], password: &[u8], argv: &[Vec<u8>]) -> bool {
    if ctx.store.acl.credentials_ok(user, password) {
        let session = ctx.session();
        session.user = user.to_vec();
        session.authenticated = true;
        return true;
    }
    let context = if ctx.store.session(ctx.client).multi.is_some() {
        crate::acl::log::Context::Multi
    } else {
        crate::acl::log::Context::Toplevel
    };
    let reason = crate::acl::log::Reason::Auth;
    super::acl_check::log(ctx, reason, context, argv[0].clone(), user.to_vec(), argv);
    false
}

/// The version HELLO and INFO report: the Redis release redsim reproduces.
pub const REDIS_VERSION: &str = "7.0.15";

/// PING [message]: PONG, or the message as a bulk string. A RESP2 client in pub/sub
/// mode gets `*2 pong <message or "">` instead (a subscriber's replies are arrays).
fn ping(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() <= 2
        && ctx.store.pubsub.is_subscriber(ctx.client)
        && ctx.session().protocol == Protocol::Resp2
    {
        let message = argv.get(1).cloned().unwrap_or_default();
        return Reply::Array(vec![Reply::bulk("pong"), Reply::Bulk(message)]);
    }
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
    if ctx.store.config.cluster_enabled {
        // A cluster node has database 0 only; the number is still checked first.
        match args::int32(&argv[1], None) {
            Err(e) => return e,
            Ok(0) => {}
            Ok(_) => return Reply::error("ERR SELECT is not allowed in cluster mode"),
        }
    }
    match keys::db_index(&argv[1]) {
        Ok(index) => {
            ctx.session().db = index;
            Reply::ok()
        }
        Err(e) => e,
    }
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]: switches the
/// protocol and answers with the server's description, encoded in the new protocol.
/// AUTH logs in as an ACL user first; without it the client must be logged in already.
fn hello(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut version = None;
    if argv.len() >= 2 {
        let Some(v) = args::parse_i64(&argv[1]) else {
            return Reply::error("ERR Protocol version is not an integer or out of range");
        };
        if !(2..=3).contains(&v) {
            return Reply::error("NOPROTO unsupported protocol version");
        }
        version = Some(v);
    }
    let mut name: Option<&[u8]> = None;
    let mut j = 2;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if args::is(&argv[j], "AUTH") && more >= 2 {
            if !log_in(ctx, &argv[j + 1], &argv[j + 2], argv) {
                return Reply::error(WRONGPASS);
            }
            j += 2;
        } else if args::is(&argv[j], "SETNAME") && more >= 1 {
            if let Err(e) = client::validate_name(&argv[j + 1]) {
                return e;
            }
            name = Some(&argv[j + 1]);
            j += 1;
        } else {
            return Reply::error(format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(&argv[j])
            ));
        }
        j += 1;
    }
    if !ctx.session().authenticated {
        return Reply::error(NOAUTH_HELLO);
    }
    let role = if ctx.store.repl.is_replica() {
        "replica"
    } else {
        "master"
    };
    let session = ctx.session();
    if let Some(name) = name {
        session.name = if name.is_empty() {
            None
        } else {
            Some(name.to_vec())
        };
    }
    match version {
        Some(3) => session.protocol = Protocol::Resp3,
        Some(_) => session.protocol = Protocol::Resp2,
        None => {}
    }
    let pair = |k: &str, v: Reply| (Reply::bulk(k), v);
    Reply::Map(vec![
        pair("server", Reply::bulk("redis")),
        pair("version", Reply::bulk(REDIS_VERSION)),
        pair("proto", Reply::Integer(session.protocol.number())),
        pair("id", Reply::Integer(session.id.id as i64)),
        pair("mode", Reply::bulk("standalone")),
        pair("role", Reply::bulk(role)),
        pair("modules", Reply::Array(Vec::new())),
    ])
}

/// QUIT: OK, then the server closes the connection.
fn quit(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    ctx.session().closing = true;
    Reply::ok()
}

/// RESET: back to a fresh connection's state — database 0, RESP2, no name, no
/// transaction, nothing watched, no subscriptions (silently, as Redis's
/// `clearClientConnectionState`). Answers the status `RESET`.
fn reset(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let lets_in = ctx.store.acl.default_lets_in();
    let session = ctx.session();
    session.db = 0;
    session.protocol = Protocol::Resp2;
    session.name = None;
    session.multi = None;
    session.tracking = None;
    session.replies = Default::default();
    session.no_evict = false;
    session.monitor = false;
    // `clientSetDefaultAuth`: back to the default user.
    session.user = b"default".to_vec();
    session.authenticated = lets_in;
    ctx.store.monitors.retain(|c| *c != ctx.client);
    ctx.store.unwatch_all(ctx.client);
    ctx.store.pubsub.forget(ctx.client);
    Reply::simple("RESET")
}
