//! `redis.call` / `redis.pcall`: a script's command goes through the same dispatch as a
//! network client's (`cmd::run`), after the checks Redis 7.0's `scriptCall` makes first,
//! each with its own text (the script's error then reads `ERR <text>`):
//! unknown command or subcommand → "Unknown Redis command called from script";
//! wrong arity → "Wrong number of args calling Redis command from script";
//! `noscript` commands (MULTI, EVAL, blocking commands…) → "This Redis command is not
//! allowed from script", unless DEBUG SET-DISABLE-DENY-SCRIPTS 1; a write (or may-replicate) command in a read-only script
//! (EVAL_RO, FCALL_RO, `no-writes`) → "Write commands are not allowed from read-only
//! scripts."; a script's first write while `min-replicas-to-write` is unmet →
//! "NOREPLICAS Not enough good replicas to write."; a deny-oom command before the script's first write, when the server was
//! over `maxmemory` as the script began and the script does not declare `allow-oom` →
//! Redis's OOM text (`scriptVerifyOOM`).

use super::convert::number_arg;
use super::run::RunState;
use crate::cmd::{self, flags, Caller, CommandSpec, Ctx};
use crate::resp::Reply;
use mlua::Value;

pub const UNKNOWN: &str = "ERR Unknown Redis command called from script";
pub const WRONG_ARGS: &str = "ERR Wrong number of args calling Redis command from script";
pub const NOT_ALLOWED: &str = "ERR This Redis command is not allowed from script";
pub const READ_ONLY: &str = "ERR Write commands are not allowed from read-only scripts.";
pub const NO_ARGS: &str = "ERR Please specify at least one argument for this redis lib call";
pub const BAD_ARG: &str = "ERR Lua redis lib command arguments must be strings or integers";

/// Builds argv from a script's arguments as `luaArgsToRedisArgv`: strings as they are,
/// numbers with `%.17g`, anything else refused.
pub fn lua_args_to_argv<'v>(
    args: impl Iterator<Item = &'v Value>,
) -> Result<Vec<Vec<u8>>, &'static str> {
    let mut argv = Vec::with_capacity(4);
    for v in args {
        argv.push(match v {
            Value::String(s) => s.as_bytes().to_vec(),
            Value::Integer(i) => number_arg(*i as f64),
            Value::Number(n) => number_arg(*n),
            _ => return Err(BAD_ARG),
        });
    }
    if argv.is_empty() {
        return Err(NO_ARGS);
    }
    Ok(argv)
}

/// [`lua_args_to_argv`] into `buf`, reusing its vectors (a script's calls then allocate
/// nothing for their arguments); returns how many of `buf`'s entries are the argv.
pub fn fill_argv<'v>(
    buf: &mut Vec<Vec<u8>>,
    args: impl Iterator<Item = &'v Value>,
) -> Result<usize, &'static str> {
    let mut n = 0;
    for v in args {
        if n == buf.len() {
            buf.push(Vec::new());
        }
        let slot = &mut buf[n];
        slot.clear();
        match v {
            Value::String(s) => slot.extend_from_slice(&s.as_bytes()),
            Value::Integer(i) => slot.extend_from_slice(&number_arg(*i as f64)),
            Value::Number(d) => slot.extend_from_slice(&number_arg(*d)),
            _ => return Err(BAD_ARG),
        }
        n += 1;
    }
    if n == 0 {
        return Err(NO_ARGS);
    }
    Ok(n)
}

/// Finds argv's command (and subcommand) as Redis's `lookupCommand`.
pub(super) fn lookup(
    argv: &[Vec<u8>],
) -> Option<(&'static CommandSpec, Option<&'static CommandSpec>)> {
    let spec = cmd::lookup(&argv[0])?;
    if spec.subcommands.is_empty() || argv.len() < 2 {
        return Some((spec, None));
    }
    let sub = cmd::lookup_subcommand(spec, &argv[1])?;
    Some((spec, Some(sub)))
}

/// Runs one command for the script; refusals come back as error replies.
pub fn script_call(state: &mut RunState<'_, '_>, argv: &[Vec<u8>]) -> Reply {
    let Some((spec, sub)) = lookup(argv) else {
        return refuse(state, None, UNKNOWN);
    };
    let target = sub.unwrap_or(spec);
    if !target.arity_ok(argv.len()) {
        return refuse(state, Some((spec, sub)), WRONG_ARGS);
    }
    if target.has(flags::NOSCRIPT) && !state.ctx.store.config.scripts_may_call_noscript {
        return refuse(state, Some((spec, sub)), NOT_ALLOWED);
    }
    if let Some(text) = cmd::acl_check::script_refusal(state.ctx, spec, sub, argv) {
        return refuse(state, Some((spec, sub)), text);
    }
    let writes = target.has(flags::WRITE);
    if state.read_only && (writes || target.has(flags::MAY_REPLICATE)) {
        return refuse(state, Some((spec, sub)), READ_ONLY);
    }
    if writes && !state.wrote && cmd::replicas::read_only_replica(state.ctx.store, state.ctx.client)
    {
        return refuse(state, Some((spec, sub)), cmd::replicas::READONLY);
    }
    let now_ms = state.ctx.now_ms;
    if writes && !state.wrote && cmd::replicas::writes_refused(state.ctx.store, now_ms) {
        return refuse(state, Some((spec, sub)), cmd::replicas::NOREPLICAS);
    }
    if !state.allow_oom
        && !state.wrote
        && target.has(flags::DENYOOM)
        && cmd::maxmemory::over_at_start(state.ctx.store)
    {
        return refuse(state, Some((spec, sub)), cmd::maxmemory::OOM);
    }
    if state.ctx.store.cluster.is_some() {
        let refusal = crate::cluster::script_refusal(
            state.ctx.store,
            state.ctx.client,
            target,
            argv,
            state.ctx.now_ms,
            state.allow_cross_slot,
        );
        if let Some(text) = refusal {
            return refuse(state, Some((spec, sub)), text);
        }
    }
    if writes {
        state.wrote = true;
    }
    let dirty_before = state.ctx.store.dirty;
    let client = state.lua_client;
    // The script's client runs as the caller's user (SORT's BY / GET ask it).
    let caller = state.ctx.client;
    if state.ctx.store.session(client).user != state.ctx.store.session(caller).user {
        let user = state.ctx.store.session(caller).user.clone();
        state.ctx.store.session_mut(client).user = user;
    }
    let mut ctx = Ctx {
        store: &mut *state.ctx.store,
        host: &mut *state.ctx.host,
        scripts: None,
        client,
        now_ms: state.ctx.now_ms,
        caller: Caller::Script,
    };
    let reply = cmd::run(&mut ctx, spec, sub, argv);
    if state.ctx.store.dirty != dirty_before && state.repl_flags != 0 {
        let db = state.ctx.store.session(client).db;
        state.effects.push(super::Effect {
            db,
            argv: argv.to_vec(),
        });
    }
    reply
}

fn refuse(
    state: &mut RunState<'_, '_>,
    command: Option<(&'static CommandSpec, Option<&'static CommandSpec>)>,
    text: &'static str,
) -> Reply {
    let stats = &mut state.ctx.store.stats;
    if let Some((spec, sub)) = command {
        stats
            .commands
            .entry((spec.name, sub.map(|s| s.name)))
            .or_default()
            .rejected_calls += 1;
    }
    stats.count_error(text.as_bytes());
    Reply::error(text)
}

/// Whether argv names a known command (and subcommand), as `redis.acl_check_cmd` checks.
pub fn command_exists(argv: &[Vec<u8>]) -> bool {
    lookup(argv).is_some()
}
