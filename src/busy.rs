//! What another client's command gets while a script runs past `busy-reply-threshold`:
//! the one busy policy, which the TCP server and the simulator both reach through the
//! script's tick ([`crate::Host::busy_requests`]).
//!
//! Redis serves other clients from inside a busy script's hook (`processEventsWhileBlocked`)
//! and `processCommand` decides, in this order: an unknown command or a wrong arity; a
//! `no-multi` command inside MULTI; then, unless the command is flagged `allow-busy`,
//! `-BUSY`. Every refusal flags the client's transaction (its EXEC answers EXECABORT), and a
//! refused EXEC — even outside MULTI — answers `-EXECABORT Transaction discarded because
//! of: <error>` and ends the transaction. The `allow-busy` commands (MULTI, DISCARD, WATCH,
//! UNWATCH, HELLO, RESET, AUTH, QUIT, SCRIPT KILL, FUNCTION KILL, FUNCTION STATS, SHUTDOWN)
//! run; inside MULTI all but EXEC, DISCARD, MULTI, WATCH, QUIT and RESET are queued.
//! SHUTDOWN and QUIT belong to the connection and are the host's to handle.

use crate::cmd::{self, flags, transaction, Caller, Ctx, Resolved};
use crate::host::BusyScript;
use crate::resp::Reply;
use crate::session::{ClientId, CommandName};

/// `-BUSY` during an EVAL script (Redis's `shared.slowevalerr`).
pub const BUSY_EVAL: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/// `-BUSY` during a function (`shared.slowscripterr`).
pub const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
/// SCRIPT KILL / FUNCTION KILL with no script running.
pub const NOTBUSY: &str = "NOTBUSY No scripts in execution right now.";
/// SCRIPT KILL of a script that wrote.
pub const UNKILLABLE: &str = "UNKILLABLE Sorry the script already executed write commands against the dataset. \
You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";

/// The busy script, as the policy needs to know it.
pub struct RunningScript<'a> {
    /// Its start, time budget and whether it wrote.
    pub busy: &'a BusyScript,
    /// The function's name, or the script's SHA1.
    pub name: &'a str,
    /// The command that runs it (`FCALL spin 0`), for FUNCTION STATS.
    pub command: &'a [Vec<u8>],
    /// Libraries and functions loaded, for FUNCTION STATS.
    pub libraries: usize,
    /// Functions loaded, for FUNCTION STATS.
    pub functions: usize,
}

/// What a command got while the script was busy.
pub struct Served {
    /// The command's reply.
    pub reply: Reply,
    /// A SCRIPT KILL / FUNCTION KILL was granted (`+OK`): the script stops now.
    pub kill: bool,
    /// The session the command ran in, when the request came without one (a connection
    /// accepted during the script) and the command needed one.
    pub opened: Option<ClientId>,
}

impl Served {
    fn reply(reply: Reply) -> Served {
        Served {
            reply,
            kill: false,
            opened: None,
        }
    }
}

/// Answers `argv` of `client` (`None`: a connection with no session yet) while `running`
/// is busy. `ctx` is the script's own context: its store, host and clock.
pub fn serve(
    ctx: &mut Ctx<'_>,
    running: &RunningScript<'_>,
    client: Option<ClientId>,
    argv: &[Vec<u8>],
) -> Served {
    if argv.is_empty() {
        return Served::reply(Reply::error("ERR empty command"));
    }
    // A session closed meanwhile is as good as none.
    let client = client.filter(|c| ctx.store.is_connected(*c));
    let (spec, sub) = match cmd::resolve(argv) {
        Resolved::Found(spec, sub) => (spec, sub),
        Resolved::Refused(error) => {
            let known = cmd::lookup(&argv[0]).map(|spec| (spec.name, None));
            return Served::reply(refuse(ctx, client, known, argv, error));
        }
    };
    let key = Some((spec.name, sub.map(|s| s.name)));
    let target = sub.unwrap_or(spec);
    if let Some(error) = client.and_then(|c| cmd::connection::auth_wall(ctx.store, c, target)) {
        return Served::reply(refuse(ctx, client, key, argv, error));
    }
    let in_multi = client.is_some_and(|c| ctx.store.session(c).multi.is_some());
    if in_multi && target.has(flags::NO_MULTI) {
        let error = Reply::error("ERR Command not allowed inside a transaction");
        return Served::reply(refuse(ctx, client, key, argv, error));
    }
    if let Some(c) = client {
        if !cmd::acl_check::allowed(ctx.store, c, spec, sub, argv) {
            let now_ms = ctx.host.now_us() / 1000;
            let mut other = Ctx {
                store: &mut *ctx.store,
                host: &mut *ctx.host,
                scripts: None,
                client: c,
                now_ms,
                caller: Caller::Client,
            };
            if let Some(error) = cmd::acl_check::command_refusal(&mut other, spec, sub, argv) {
                return Served::reply(refuse(ctx, client, key, argv, error));
            }
        }
    }
    if !target.has(flags::ALLOW_BUSY) {
        let error = Reply::error(busy_error(running.busy.is_function));
        return Served::reply(refuse(ctx, client, key, argv, error));
    }
    if let (Some(c), true) = (client, in_multi) {
        if !transaction::controls_transaction(spec.name) {
            if let Some(multi) = ctx.store.session_mut(c).multi.as_mut() {
                multi.queued.push(argv.to_vec());
            }
            return Served::reply(Reply::simple("QUEUED"));
        }
    }
    match (spec.name, sub.map(|s| s.name)) {
        ("script", Some("kill")) | ("function", Some("kill")) => {
            kill(running.busy, spec.name == "script")
        }
        ("function", Some("stats")) => Served::reply(function_stats(running)),
        _ => {
            let (client, opened) = match client {
                Some(c) => (c, None),
                None => {
                    let now_ms = ctx.host.now_us() / 1000;
                    ctx.store.stats.total_connections_received += 1;
                    let c = ctx.store.connect(now_ms);
                    (c, Some(c))
                }
            };
            ctx.store.session_mut(client).last_command =
                CommandName(spec.name, sub.map(|s| s.name));
            let started_us = ctx.host.now_us();
            let mut other = Ctx {
                store: &mut *ctx.store,
                host: &mut *ctx.host,
                scripts: None,
                client,
                now_ms: started_us / 1000,
                caller: Caller::Client,
            };
            let reply = cmd::run_started_at(&mut other, spec, sub, argv, started_us);
            Served {
                reply,
                kill: false,
                opened,
            }
        }
    }
}

fn busy_error(is_function: bool) -> &'static str {
    if is_function {
        BUSY_FUNCTION
    } else {
        BUSY_EVAL
    }
}

/// Refuses a request during the busy script ([`crate::store::Store::reject`]); monitors
/// are told when a refused EXEC ends a transaction.
fn refuse(
    ctx: &mut Ctx<'_>,
    client: Option<ClientId>,
    command: Option<(&'static str, Option<&'static str>)>,
    argv: &[Vec<u8>],
    error: Reply,
) -> Reply {
    let is_exec = argv[0].eq_ignore_ascii_case(b"exec");
    let reply = ctx.store.reject(client, command, is_exec, error);
    if let (true, Some(c)) = (is_exec, client) {
        let now_us = ctx.host.now_us();
        crate::cmd::monitor::feed_store(ctx.store, c, now_us, false, argv);
    }
    reply
}

/// Redis's `scriptKill`: a script that wrote cannot be killed, SCRIPT KILL does not stop
/// a function nor FUNCTION KILL an EVAL script.
fn kill(busy: &BusyScript, by_script_kill: bool) -> Served {
    if busy.has_written {
        return Served::reply(Reply::error(UNKILLABLE));
    }
    if by_script_kill == busy.is_function {
        return Served::reply(Reply::error(busy_error(busy.is_function)));
    }
    Served {
        reply: Reply::ok(),
        kill: true,
        opened: None,
    }
}

/// FUNCTION STATS while a function runs: its name, its command and how long it has run;
/// during an EVAL script, `-BUSY`.
fn function_stats(running: &RunningScript<'_>) -> Reply {
    if !running.busy.is_function {
        return Reply::error(BUSY_EVAL);
    }
    let command = running.command.iter().map(|a| Reply::Bulk(a.clone()));
    let script = Reply::Map(vec![
        (Reply::bulk("name"), Reply::bulk(running.name.as_bytes())),
        (Reply::bulk("command"), Reply::Array(command.collect())),
        (
            Reply::bulk("duration_ms"),
            Reply::Integer(running.busy.elapsed_ms as i64),
        ),
    ]);
    crate::script::functions::stats_reply(script, running.libraries, running.functions)
}
