//! Running one script or function call: the bridge that lets `redis.call` reach the
//! store, the busy-script hook, the error handler, and the shaping of the reply.
//!
//! The Lua VM lives in `Scripting`, the store in `Store`; both are borrowed for the
//! length of one call. `redis.call` is created once per VM and reaches the call's state
//! through the VM's `RunSlot` (lua_c.rs), set for the length of the call only; the
//! script itself runs under one raw `lua_pcall` (`lua_c::call_script`).
//!
//! Errors (Redis 7.0, `luaCallFunction`): the error object is a table `{err=…}` with the
//! source and line of the user's code added by the error handler; the client gets
//! `-<err> script: <name>, on <source>:<line>.`. Runtime errors become
//! `ERR user_script:<line>: <message>`. There is no rollback: writes made before the
//! error stay.

use super::convert;
use super::lua_c::{Callee, Ended};
use super::vm::{HookState, Vm, PRELUDE_SOURCE, TICK_INSTRUCTIONS};
use super::{Effect, LogLine};
use crate::busy::RunningScript;
use crate::cmd::Ctx;
use crate::host::{BusyReply, BusyRequest, BusyScript, ScriptTick};
use crate::resp::{Protocol, Reply};
use crate::session::ClientId;
use crate::stats::ReplyErrors;
use mlua::{Function, HookTriggers, Lua, Table, Value, VmState};
use std::cell::RefCell;

use super::api::{
    find_raise, raise_table, Raise, OP_ACL_CHECK, OP_LOG, OP_SETREPL, OP_SETRESP, OP_TICK,
};

/// Redis's text for a script stopped by SCRIPT KILL / FUNCTION KILL.
pub const KILLED: &str = "Script killed by user with SCRIPT KILL...";

/// Hook calls allowed with no script running (library loading) before it is stopped,
/// standing in for Redis's 500 ms FUNCTION LOAD timeout.
pub const LOAD_TICKS_MAX: u64 = 500;

/// What one script call may read and change while it runs.
pub struct RunState<'c, 'a> {
    pub ctx: &'c mut Ctx<'a>,
    /// The scripts' own session (Redis's lua client).
    pub lua_client: ClientId,
    /// EVAL_RO, FCALL_RO or a `no-writes` script.
    pub read_only: bool,
    /// A script declaring `allow-oom`: its deny-oom commands run over `maxmemory`.
    pub allow_oom: bool,
    /// Cluster mode: the script may use keys of several slots (no shebang, or
    /// `allow-cross-slot-keys`).
    pub allow_cross_slot: bool,
    /// After `redis.setresp(3)`.
    pub resp3: bool,
    /// `redis.set_repl` flags; effects are recorded unless REPL_NONE.
    pub repl_flags: u8,
    /// A write command was called (the script can no longer be killed).
    pub wrote: bool,
    pub started_us: u64,
    pub ticks: u64,
    pub is_function: bool,
    pub effects: Vec<Effect>,
    pub log: Vec<LogLine>,
    /// The argv of the latest `redis.call`, kept for the next one to reuse.
    pub argv_buf: Vec<Vec<u8>>,
    /// The function's name or the script's SHA1, and the command that runs it, for the
    /// clients the script serves while busy (FUNCTION STATS).
    pub name: &'c str,
    pub command: &'c [Vec<u8>],
    /// (libraries, functions) loaded, for FUNCTION STATS.
    pub loaded: (usize, usize),
}

/// How a call should run.
#[derive(Clone, Copy, Debug)]
pub struct RunMode {
    pub read_only: bool,
    pub is_function: bool,
    /// The script's shebang or function declares `allow-oom`.
    pub allow_oom: bool,
    /// See [`RunState::allow_cross_slot`].
    pub allow_cross_slot: bool,
    /// (libraries, functions) loaded, which FUNCTION STATS reports during a busy FCALL.
    pub loaded: (usize, usize),
}

/// What a call produced besides its reply.
pub struct Outcome {
    pub reply: Reply,
    pub effects: Vec<Effect>,
    pub log: Vec<LogLine>,
    pub wrote: bool,
    pub killed: bool,
}

/// Runs `func` (a compiled script, or a registered function) with KEYS/ARGV. `name`
/// appears in error texts: the script's SHA1 or the function's name; `command` is the
/// EVAL / FCALL that runs it.
#[allow(clippy::too_many_arguments)]
pub fn run(
    vm: &Vm,
    func: Callee<'_>,
    name: &str,
    command: &[Vec<u8>],
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
    mode: RunMode,
    ctx: &mut Ctx<'_>,
    lua_client: ClientId,
) -> Outcome {
    let caller_db = ctx.store.session(ctx.client).db;
    {
        let session = ctx.store.session_mut(lua_client);
        session.db = caller_db;
        session.protocol = Protocol::Resp2;
    }
    let started_us = ctx.host.now_us();
    let state = RefCell::new(RunState {
        ctx,
        lua_client,
        read_only: mode.read_only,
        allow_oom: mode.allow_oom,
        allow_cross_slot: mode.allow_cross_slot,
        resp3: false,
        repl_flags: 3,
        wrote: false,
        started_us,
        ticks: 0,
        is_function: mode.is_function,
        effects: Vec::new(),
        log: Vec::new(),
        argv_buf: vm.argv_buf.take(),
        name,
        command,
        loaded: mode.loaded,
    });
    let lua = &vm.lua;
    set_running(lua, true);
    let result: mlua::Result<(bool, Reply, ReplyErrors)> = vm.slot.during(&state, || {
        let ended = super::lua_c::call_script(
            lua,
            &super::lua_c::Call {
                handler: &vm.handler,
                func,
                globals: (!mode.is_function).then_some(&vm.globals),
                keys,
                args,
                memory_limit: vm.memory_limit,
                names: &vm.names,
                convert: true,
            },
            || state.borrow().resp3,
        )?;
        Ok(match ended {
            Ended::Ok(reply, errors) => (true, reply, errors),
            Ended::Err(value) => {
                let (reply, counted) = script_error(&value, name);
                let errors = ReplyErrors::one(reply.error_text().unwrap_or_default(), counted);
                (false, reply, errors)
            }
        })
    });
    vm.bridge.resume_panic();
    set_running(lua, false);
    let killed = take_killing(lua);
    let (reply, errors) = match result {
        Ok((_, reply, errors)) if !killed => (reply, errors),
        Ok((false, reply, errors)) => (reply, errors),
        Ok((true, ..)) | Err(_) if killed => new_error(format!("ERR {KILLED}")),
        Ok((true, reply, errors)) => (reply, errors),
        Err(e) => new_error(format!(
            "ERR Error running script {name}, {}",
            root_message(&e)
        )),
    };
    // A memory error may leave garbage behind, and so may a run that filled the heap and
    // still succeeded: Lua 5.1 has no emergency collection, so the next script would fail
    // its first allocation (tests/lua_boundary.rs). Reclaim it so the next script has room.
    let heap_mostly_used = vm.memory_limit > 0 && lua.used_memory() > vm.memory_limit / 2;
    if reply.is_error() || heap_mostly_used {
        let _ = lua.gc_collect();
    }
    let mut state = state.into_inner();
    state.ctx.store.stats.count_reply_errors(&errors);
    // A MULTI the script ran (possible once DEBUG SET-DISABLE-DENY-SCRIPTS lifts the
    // noscript rule) ends with it, as Redis's scriptResetRun clears CLIENT_MULTI.
    state.ctx.store.session_mut(lua_client).multi = None;
    // Small argument buffers go back to the VM for the next run; large ones are freed.
    state.argv_buf.truncate(ARGV_BUF_ENTRIES);
    state.argv_buf.retain(|a| a.capacity() <= ARGV_BUF_BYTES);
    vm.argv_buf.replace(std::mem::take(&mut state.argv_buf));
    Outcome {
        reply,
        effects: state.effects,
        log: state.log,
        wrote: state.wrote,
        killed,
    }
}

/// How many argument buffers, each of at most how many bytes, a VM keeps between runs.
const ARGV_BUF_ENTRIES: usize = 16;
const ARGV_BUF_BYTES: usize = 256;

fn set_running(lua: &Lua, running: bool) {
    if let Some(mut h) = lua.app_data_mut::<HookState>() {
        h.running = running;
    }
}

/// The side operations of the redis.* Rust functions and of the hook, called as
/// `side(op, …)` (see the VM's `side` function); `redis.call` itself is the C function of
/// lua_call.rs.
pub fn side(state: &RefCell<RunState<'_, '_>>, args: &[Value]) -> mlua::Result<Value> {
    let mut st = state
        .try_borrow_mut()
        .map_err(|_| raise_table("ERR redis.call: recursive call detected"))?;
    side_op(&mut st, args)
}

fn side_op(st: &mut RunState<'_, '_>, args: &[Value]) -> mlua::Result<Value> {
    let op = match args.first() {
        Some(Value::Integer(i)) => *i,
        _ => 0,
    };
    match op {
        OP_LOG => {
            let level = match args.get(1) {
                Some(Value::Integer(i)) => *i as u8,
                _ => 0,
            };
            let text = match args.get(2) {
                Some(Value::String(s)) => s.as_bytes().to_vec(),
                _ => Vec::new(),
            };
            st.log.push(LogLine { level, text });
            Ok(Value::Nil)
        }
        OP_SETRESP => {
            let resp3 = matches!(args.get(1), Some(Value::Integer(3)));
            st.resp3 = resp3;
            let client = st.lua_client;
            st.ctx.store.session_mut(client).protocol = if resp3 {
                Protocol::Resp3
            } else {
                Protocol::Resp2
            };
            Ok(Value::Nil)
        }
        OP_ACL_CHECK => {
            let mut argv = Vec::new();
            if let Some(Value::Table(words)) = args.get(1) {
                for word in words.clone().sequence_values::<mlua::LuaString>() {
                    argv.push(word?.as_bytes().to_vec());
                }
            }
            let allowed = super::call::lookup(&argv).is_some_and(|(spec, sub)| {
                let (store, client) = (&*st.ctx.store, st.ctx.client);
                crate::cmd::acl_check::allowed(store, client, spec, sub, &argv)
            });
            Ok(Value::Boolean(allowed))
        }
        OP_SETREPL => {
            if let Some(Value::Integer(flags)) = args.get(1) {
                st.repl_flags = *flags as u8;
            }
            Ok(Value::Nil)
        }
        OP_TICK => {
            st.ticks += 1;
            let now = st.ctx.host.now_us();
            let busy = BusyScript {
                elapsed_ms: now.saturating_sub(st.started_us) / 1000,
                instructions: st.ticks * TICK_INSTRUCTIONS as u64,
                has_written: st.wrote,
                is_function: st.is_function,
            };
            let answer = st.ctx.host.script_tick(&busy);
            // A script that has written cannot be killed (Redis answers UNKILLABLE), only
            // aborted with the server.
            let mut stop = match answer {
                ScriptTick::Continue => false,
                ScriptTick::Kill => !st.wrote,
                ScriptTick::Abort => true,
            };
            for request in st.ctx.host.busy_requests(&busy) {
                stop |= serve_busy(st, &busy, request);
            }
            Ok(Value::Boolean(stop))
        }
        _ => Ok(Value::Nil),
    }
}

/// Serves another client's request from the busy script's tick, as Redis does from its
/// hook, and hands the answer to the host; whether it was a granted kill.
fn serve_busy(st: &mut RunState<'_, '_>, busy: &BusyScript, request: BusyRequest) -> bool {
    let running = RunningScript {
        busy,
        name: st.name,
        command: st.command,
        libraries: st.loaded.0,
        functions: st.loaded.1,
    };
    let served = crate::busy::serve(st.ctx, &running, request.client, &request.argv);
    let protocol = served
        .opened
        .or(request.client)
        .filter(|c| st.ctx.store.is_connected(*c))
        .map_or(Protocol::Resp2, |c| st.ctx.store.session(c).protocol);
    st.ctx.host.busy_reply(
        request.ticket,
        BusyReply {
            reply: served.reply,
            protocol,
            opened: served.opened,
        },
    );
    served.kill
}

/// The instruction-count hook: lets the host see a busy script, and stops it when the
/// host says Kill. Once killed it raises at every instruction, so a `pcall` in the
/// script cannot swallow the kill (Redis switches to a line hook for the same reason).
pub fn hook(lua: &Lua, debug: &mlua::debug::Debug) -> mlua::Result<VmState> {
    let (killing, running, side) = match lua.app_data_ref::<HookState>() {
        Some(h) => (h.killing, h.running, h.side.clone()),
        None => return Ok(VmState::Continue),
    };
    if killing {
        // Only user code is stopped: redsim's own Lua must finish shaping the error.
        if debug.source().source.as_deref() == Some(PRELUDE_SOURCE) {
            return Ok(VmState::Continue);
        }
        return Err(mlua::Error::runtime(KILLED));
    }
    let Some(side) = side else {
        return Ok(VmState::Continue);
    };
    if !running {
        let loading_too_long = match lua.app_data_mut::<HookState>() {
            Some(mut h) => {
                h.idle_ticks += 1;
                h.idle_ticks > LOAD_TICKS_MAX
            }
            None => false,
        };
        if loading_too_long {
            return Err(mlua::Error::runtime("FUNCTION LOAD timeout"));
        }
        return Ok(VmState::Continue);
    };
    let kill: bool = side.call(OP_TICK)?;
    if kill {
        if let Some(mut h) = lua.app_data_mut::<HookState>() {
            h.killing = true;
        }
        lua.set_global_hook(HookTriggers::new().every_nth_instruction(1), hook)?;
        return Err(mlua::Error::runtime(KILLED));
    }
    Ok(VmState::Continue)
}

/// Clears the kill state after a run; returns whether the run was killed.
fn take_killing(lua: &Lua) -> bool {
    let killed = match lua.app_data_mut::<HookState>() {
        Some(mut h) => {
            h.idle_ticks = 0;
            std::mem::take(&mut h.killing)
        }
        None => false,
    };
    if killed {
        let _ = lua.set_global_hook(
            HookTriggers::new().every_nth_instruction(TICK_INSTRUCTIONS),
            hook,
        );
    }
    killed
}

/// The error handler of every run (`__redis__err__handler`): makes the error a table
/// `{err=…}` ("ERR " + message for non-table errors) and adds the source and line of the
/// frame Redis's `__redis__err__handler` would name.
pub fn error_handler(lua: &Lua, err: Value) -> mlua::Result<Table> {
    let table = match err {
        Value::Table(t) => t,
        Value::Error(e) => {
            let t = lua.create_table()?;
            let text = match find_raise(&e) {
                Some(Raise::Table(text)) => text.clone(),
                None => format!("ERR {}", root_message(&e)).into_bytes(),
            };
            t.raw_set("err", lua.create_string(text)?)?;
            t
        }
        other => {
            let text = match lua.coerce_string(other.clone())? {
                Some(s) => s.as_bytes().to_vec(),
                None => {
                    let tostring: Function = lua.globals().get("tostring")?;
                    let s: mlua::LuaString = tostring.call(other)?;
                    s.as_bytes().to_vec()
                }
            };
            let t = lua.create_table()?;
            let mut msg = b"ERR ".to_vec();
            msg.extend_from_slice(&text);
            t.raw_set("err", lua.create_string(msg)?)?;
            t
        }
    };
    // Redis's handler reports the function that raised, or its caller when that is a C
    // function (one level only: `string.gsub(s, p, error)` reports gsub, `=[C]:-1`).
    let frames = logical_frames(lua, 2);
    let frame = match frames.first() {
        Some(f) if f.c => frames.get(1),
        f => f,
    };
    if let Some(f) = frame {
        table.raw_set("source", f.source.as_str())?;
        table.raw_set("line", f.line)?;
    }
    Ok(table)
}

/// The registry key of the set of redsim's Rust functions that only redsim's own
/// functions call (the side operations): their frames are not Redis's.
pub const INTERNAL_FUNCTIONS: &str = "redsim.internal_functions";

/// A stack frame as Redis's Lua would show it to `debug.getinfo`.
struct Frame {
    c: bool,
    source: String,
    line: i64,
}

/// The innermost `n` frames as Redis would have them: redsim's prelude functions stand
/// for Redis's C functions (read-only tables, `redis.register_function`), so each call
/// of one, with the C functions it calls (`error`), reads as a single C frame.
fn logical_frames(lua: &Lua, n: usize) -> Vec<Frame> {
    let c_frame = || Frame {
        c: true,
        source: "=[C]".to_string(),
        line: -1,
    };
    let mut out: Vec<Frame> = Vec::new();
    // C frames not yet known to be the user's: those called by a prelude function are not.
    let mut pending: Vec<Frame> = Vec::new();
    let mut after_prelude = false;
    let internal: Option<Table> = lua.named_registry_value(INTERNAL_FUNCTIONS).ok();
    let mut level = 1;
    while out.len() < n {
        let Some((what, source, line, hidden)) = lua.inspect_stack(level, |d| {
            let s = d.source();
            let hidden = s.what == "C"
                && internal
                    .as_ref()
                    .is_some_and(|t| t.raw_get::<bool>(d.function()).unwrap_or(false));
            (
                s.what,
                s.source.map(|c| c.into_owned()).unwrap_or_default(),
                d.current_line().map_or(-1, |l| l as i64),
                hidden,
            )
        }) else {
            break;
        };
        level += 1;
        if hidden {
            continue;
        }
        if source == PRELUDE_SOURCE {
            pending.clear();
            if !after_prelude {
                out.push(c_frame());
                after_prelude = true;
            }
        } else if what == "C" {
            pending.push(Frame {
                c: true,
                source,
                line,
            });
        } else {
            out.append(&mut pending);
            out.push(Frame {
                c: false,
                source,
                line,
            });
            after_prelude = false;
        }
    }
    out.append(&mut pending);
    out
}

/// The innermost message of an mlua error.
pub fn root_message(e: &mlua::Error) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => root_message(cause),
        mlua::Error::ExternalError(inner) => inner.to_string(),
        mlua::Error::RuntimeError(m) | mlua::Error::MemoryError(m) => m.clone(),
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// An error reply of the run itself, with its statistics entry.
fn new_error(text: String) -> (Reply, ReplyErrors) {
    let errors = ReplyErrors::one(text.as_bytes(), false);
    (Reply::error(text), errors)
}

/// The client's error for a failed run, as `luaCallFunction` writes it, and whether it
/// was counted when made (the error table's `ignore_error_stats_update`: an error a
/// `redis.call` raised).
fn script_error(value: &Value, name: &str) -> (Reply, bool) {
    let Value::Table(t) = value else {
        let msg = match value {
            Value::String(s) => s.to_string_lossy().to_string(),
            Value::Error(e) => root_message(e),
            _ => "execution failure".to_string(),
        };
        let msg: String = msg.chars().take(100).collect();
        return (
            Reply::error(format!("ERR Error running script {name}, {msg}")),
            false,
        );
    };
    let text = |key: &str| -> Option<Vec<u8>> {
        match t.get::<Value>(key).ok()? {
            Value::String(s) => Some(convert::c_string(&s.as_bytes()).to_vec()),
            v @ (Value::Integer(_) | Value::Number(_)) => Some(convert::lua_tostring_number(&v)),
            _ => None,
        }
    };
    // Redis 7.0.15 crashes on an error object without `err` (error({})); redsim answers.
    let Some(mut msg) = text("err") else {
        return (
            Reply::error(format!(
                "ERR Error running script {name}, execution failure"
            )),
            false,
        );
    };
    if let (Some(source), Some(line)) = (text("source"), text("line")) {
        msg.extend_from_slice(format!(" script: {name}, on ").as_bytes());
        msg.extend_from_slice(&source);
        msg.push(b':');
        msg.extend_from_slice(&line);
        msg.push(b'.');
    }
    let counted = matches!(
        t.get::<Value>("ignore_error_stats_update"),
        Ok(Value::Boolean(true))
    );
    (Reply::error(msg), counted)
}
