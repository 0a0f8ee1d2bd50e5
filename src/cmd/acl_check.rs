//! Where ACL permissions meet command dispatch: the check every command passes (at the
//! top level, queued in MULTI, at EXEC, and in a script's `redis.call`), the ACL log it
//! feeds, and ACL DRYRUN / ACL LOG that show them.

use super::spec::CommandSpec;
use super::{args, client_list, lookup, lookup_subcommand, Ctx};
use crate::acl::check::{check, Denied};
use crate::acl::log::{Context, Entry, Reason};
use crate::resp::{errors, Reply};

/// Whether `client`'s user may run `argv`: the check alone, without logging (the
/// common case, answered before anything else is prepared).
pub(crate) fn allowed(
    store: &crate::store::Store,
    client: crate::session::ClientId,
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
    argv: &[Vec<u8>],
) -> bool {
    let acl = &store.acl;
    let user = acl
        .user(&store.session(client).user)
        .or_else(|| acl.user(b"default"));
    user.is_none_or(|user| check(user, spec, sub, argv).is_ok())
}

/// Checks the calling client's user against `argv`; a refusal is logged (`context`
/// says where it ran) and returned.
fn refusal(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
    argv: &[Vec<u8>],
    context: Context,
) -> Option<Denied> {
    let username = &ctx.store.session(ctx.client).user;
    // A user deleted while its client was logged in: the client is closing; Redis
    // checks such clients against the default user it falls back to.
    let user = ctx
        .store
        .acl
        .user(username)
        .or_else(|| ctx.store.acl.user(b"default"))?;
    let denied = check(user, spec, sub, argv).err()?;
    let username = user.name.clone();
    let (reason, object) = match denied {
        Denied::Command => {
            let name = match sub {
                Some(sub) => format!("{}|{}", spec.name, sub.name),
                None => spec.name.to_string(),
            };
            (Reason::Command, name.into_bytes())
        }
        Denied::Key(at) => (Reason::Key, argv[at].clone()),
        Denied::Channel(at) => (Reason::Channel, argv[at].clone()),
    };
    log(ctx, reason, context, object, username, argv);
    Some(denied)
}

/// The NOPERM a client gets for a command refused before it runs (`processCommand`),
/// at the top level or queued in MULTI.
pub(crate) fn command_refusal(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
    argv: &[Vec<u8>],
) -> Option<Reply> {
    let context = if ctx.store.session(ctx.client).multi.is_some() {
        Context::Multi
    } else {
        Context::Toplevel
    };
    let text = match refusal(ctx, spec, sub, argv, context)? {
        Denied::Command => format!(
            "NOPERM this user has no permissions to run the '{}' command",
            full_name(spec, sub)
        ),
        Denied::Key(_) => {
            "NOPERM this user has no permissions to access one of the keys used as arguments"
                .to_string()
        }
        Denied::Channel(_) => "NOPERM this user has no permissions to access one of the \
                               channels used as arguments"
            .to_string(),
    };
    Some(Reply::error(text))
}

/// The error a queued command gets at EXEC when the rules changed since it was queued.
pub(crate) fn exec_refusal(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
    argv: &[Vec<u8>],
) -> Option<Reply> {
    let reason = match refusal(ctx, spec, sub, argv, Context::Multi)? {
        Denied::Command => "no permission to execute the command or subcommand",
        Denied::Key(_) => "no permission to touch the specified keys",
        Denied::Channel(_) => "no permission to access one of the channels used as arguments",
    };
    Some(Reply::error(format!(
        "NOPERM ACLs rules changed between the moment the transaction was accumulated and \
         the EXEC call. This command is no longer allowed for the following reason: {reason}"
    )))
}

/// The error `redis.call` raises for a command the script's user may not run
/// (`scriptVerifyACL`).
pub(crate) fn script_refusal(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
    argv: &[Vec<u8>],
) -> Option<&'static str> {
    Some(match refusal(ctx, spec, sub, argv, Context::Lua)? {
        Denied::Command => "ERR The user executing the script can't run this command or subcommand",
        Denied::Key(_) => {
            "ERR The user executing the script can't access at least one of the keys \
             mentioned in the command arguments"
        }
        Denied::Channel(_) => {
            "ERR The user executing the script can't publish to the channel mentioned in \
             the command"
        }
    })
}

/// Whether the calling client's user may run `argv` with read access to every key
/// (`ACLUserCheckCmdWithUnrestrictedKeyAccess` with `CMD_KEY_ACCESS`), for SORT's BY
/// and GET.
pub(crate) fn all_keys_readable(ctx: &Ctx<'_>, argv: &[Vec<u8>]) -> bool {
    let acl = &ctx.store.acl;
    let Some(user) = acl.user(&ctx.store.session(ctx.client).user) else {
        return true;
    };
    let Some(spec) = lookup(&argv[0]) else {
        return true;
    };
    crate::acl::check::reads_every_key(user, spec, argv)
}

/// Adds an entry to the ACL log for the calling client.
pub(crate) fn log(
    ctx: &mut Ctx<'_>,
    reason: Reason,
    context: Context,
    object: Vec<u8>,
    username: Vec<u8>,
    argv: &[Vec<u8>],
) {
    let mut client_info = client_list::info_line(ctx, argv);
    client_info.pop(); // the newline
    let entry = Entry {
        count: 1,
        reason,
        context,
        object,
        username,
        time_ms: ctx.now_ms,
        client_info,
    };
    let max_len = ctx
        .store
        .config
        .get("acllog-max-len")
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    ctx.store.acl.log.add(entry, max_len);
}

/// The full name Redis's errors give a command: `get`, `config|get`.
pub(crate) fn full_name(spec: &CommandSpec, sub: Option<&CommandSpec>) -> String {
    match sub {
        Some(sub) => format!("{}|{}", spec.name, sub.name),
        None => spec.name.to_string(),
    }
}

/// ACL DRYRUN user command [arg ...]: OK, or (as a bulk string) why `user` may not run it.
pub(super) fn dryrun(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let Some(user) = ctx.store.acl.user(&argv[2]) else {
        let mut text = b"ERR User '".to_vec();
        text.extend_from_slice(&argv[2]);
        text.extend_from_slice(b"' not found");
        return Reply::error(text);
    };
    let line = &argv[3..];
    let not_found = || {
        let mut text = b"ERR Command '".to_vec();
        text.extend_from_slice(&line[0]);
        text.extend_from_slice(b"' not found");
        Reply::error(text)
    };
    let Some(spec) = lookup(&line[0]) else {
        return not_found();
    };
    let sub = if spec.subcommands.is_empty() || line.len() == 1 {
        None
    } else {
        match lookup_subcommand(spec, &line[1]) {
            Some(sub) => Some(sub),
            None => return not_found(),
        }
    };
    let name = full_name(spec, sub);
    if !sub.unwrap_or(spec).arity_ok(line.len()) {
        return Reply::error(format!(
            "ERR wrong number of arguments for '{name}' command"
        ));
    }
    let why = match check(user, spec, sub, line) {
        Ok(()) => return Reply::ok(),
        Err(Denied::Command) => {
            format!("This user has no permissions to run the '{name}' command").into_bytes()
        }
        Err(Denied::Key(at)) => [
            &b"This user has no permissions to access the '"[..],
            &line[at],
            b"' key",
        ]
        .concat(),
        Err(Denied::Channel(at)) => [
            &b"This user has no permissions to access the '"[..],
            &line[at],
            b"' channel",
        ]
        .concat(),
    };
    Reply::Bulk(why)
}

/// ACL LOG [count | RESET]: the newest `count` (10 by default) entries.
pub(super) fn log_cmd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut count = 10;
    match argv.len() {
        2 => {}
        3 if args::is(&argv[2], "RESET") => {
            ctx.store.acl.log.entries.clear();
            return Reply::ok();
        }
        3 => match args::parse_i64(&argv[2]) {
            Some(n) => count = n.max(0),
            None => return Reply::error(errors::NOT_INTEGER),
        },
        _ => return super::subcommand_syntax_error(argv),
    }
    let now_ms = ctx.now_ms;
    let entries = ctx.store.acl.log.entries.iter().take(count as usize);
    Reply::Array(
        entries
            .map(|e| {
                let age_s = (now_ms as f64 - e.time_ms as f64) / 1000.0;
                Reply::Map(vec![
                    (Reply::bulk("count"), Reply::Integer(e.count as i64)),
                    (Reply::bulk("reason"), Reply::bulk(e.reason.name())),
                    (Reply::bulk("context"), Reply::bulk(e.context.name())),
                    (Reply::bulk("object"), Reply::Bulk(e.object.clone())),
                    (Reply::bulk("username"), Reply::Bulk(e.username.clone())),
                    (Reply::bulk("age-seconds"), Reply::Double(age_s)),
                    (
                        Reply::bulk("client-info"),
                        Reply::bulk(e.client_info.as_str()),
                    ),
                ])
            })
            .collect(),
    )
}
