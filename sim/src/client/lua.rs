//! A Lua script run client-side: raw mode.
//!
//! The very file EVAL would run executes in the client's own Lua 5.1 VM, as a coroutine.
//! Every `redis.call` / `redis.pcall` yields its argv out to the simulator, which sends it
//! to the server as one command — a round trip and a scheduling point — and resumes the
//! coroutine with the reply converted as EVAL converts it (`lua_convert`). So one script
//! runs atomically (EVAL) or command by command (here) by a switch, and the difference
//! between the two is exactly the interleaving.
//!
//! Lua 5.1 cannot yield across `pcall`, so the VM's `pcall` and `xpcall` are replaced with
//! coroutine-based versions ("coxpcall"): the protected function runs in a nested
//! coroutine whose yields are passed through to the outer one.
//!
//! Differences from EVAL: an error raised by `redis.call` reaches the client without
//! Redis's ` script: <sha>, on @user_script:<line>.` suffix; globals are not read-only;
//! cjson, cmsgpack, bit, struct and `redis.sha1hex` are not loaded; replies are RESP2;
//! `math.random` is Redis's generator but per client, not shared with other scripts.

use super::lua_convert::{lua_arg, lua_error_to_reply, lua_to_reply, reply_to_lua};
use super::template::OpSlot;
use super::{Argv, Outbox, Outcome, Program, Progress};
use crate::history::{Operation, ScriptMode};
use mlua::{Function, Lua, LuaOptions, MultiValue, StdLib, Thread, Value};
use redsim::script::convert;
use redsim::Reply;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A script and the KEYS / ARGV templates of each run of it.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptSpec {
    /// The Lua source.
    pub source: String,
    /// `KEYS`, with per-operation templates.
    pub keys: Vec<Vec<u8>>,
    /// `ARGV`, with per-operation templates.
    pub args: Vec<Vec<u8>>,
}

impl ScriptSpec {
    /// `KEYS` and `ARGV` of the operation at `slot`, templates expanded.
    pub(crate) fn expand(&self, slot: &OpSlot) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        (slot.expand_all(&self.keys), slot.expand_all(&self.args))
    }
}

const PRELUDE: &str = r#"
local co_create, co_resume, co_status, co_yield = coroutine.create, coroutine.resume, coroutine.status, coroutine.yield
local type, error = type, error
local function finish(co, ok, ...)
  if not ok then return false, ... end
  if co_status(co) == 'dead' then return true, ... end
  return finish(co, co_resume(co, co_yield(...)))
end
function pcall(f, ...)
  local co = co_create(function(...) return f(...) end)
  return finish(co, co_resume(co, ...))
end
function xpcall(f, handler)
  local co = co_create(function() return f() end)
  local function xfinish(ok, ...)
    if not ok then return false, handler(...) end
    if co_status(co) == 'dead' then return true, ... end
    return xfinish(co_resume(co, co_yield(...)))
  end
  return xfinish(co_resume(co))
end
redis = {}
function redis.call(...)
  local reply = co_yield(true, ...)
  if type(reply) == 'table' and reply.err then error(reply) end
  return reply
end
function redis.pcall(...) return co_yield(false, ...) end
function redis.status_reply(s) return {ok = s} end
function redis.error_reply(s) return {err = s} end
function redis.log() end
function redis.set_repl() end
function redis.replicate_commands() return true end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
coroutine, dofile, loadfile, print = nil, nil, nil, nil
"#;

/// A table for the script's globals: what it assigns lands here, what it reads falls
/// through to the VM's globals (the libraries, `redis`). A new one for each run of the
/// world, so that no run sees what a script of an earlier run left.
fn fresh_environment(lua: &Lua) -> mlua::Result<mlua::Table> {
    let env = lua.create_table()?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", lua.globals())?;
    env.set_metatable(Some(meta))?;
    Ok(env)
}

const BAD_ARGS: &str = "ERR Lua redis lib command arguments must be strings or integers";
const NO_ARGS: &str = "ERR Please specify at least one argument for this redis lib call";

/// Redis's PRNG behind `math.random` (`redisLrand48`), in its initial state.
const LRAND48_INITIAL: u64 = 0x1234_ABCD_330E;

/// A client running its script client-side: each `redis.call` is a round trip.
pub struct LuaClient {
    /// This client's `math.random` state; each run starts from Redis's initial state.
    rand: Arc<AtomicU64>,
    spec: Arc<ScriptSpec>,
    slot: OpSlot,
    ops: u32,
    lua: Lua,
    /// The script itself, whose environment is replaced for each run of the world.
    script: Function,
    runner: Function,
    thread: Option<Thread>,
    /// A finished coroutine kept for reuse (`Thread::reset` is cheaper than a new one).
    spare_thread: Option<Thread>,
    /// The KEYS and ARGV tables, refilled for each run of the script.
    keys_table: mlua::Table,
    args_table: mlua::Table,
}

impl LuaClient {
    /// A client that runs `spec` `ops` times as client `client` of `clients`.
    pub fn new(
        spec: Arc<ScriptSpec>,
        client: u32,
        clients: u32,
        ops: u32,
    ) -> mlua::Result<LuaClient> {
        let lua = Lua::new_with(
            StdLib::TABLE | StdLib::STRING | StdLib::MATH,
            LuaOptions::default(),
        )?;
        lua.load(PRELUDE).set_name("=prelude").exec()?;
        let rand = Arc::new(AtomicU64::new(LRAND48_INITIAL));
        install_random(&lua, rand.clone())?;
        let script = lua
            .load(spec.source.as_str())
            .set_name("@user_script")
            .into_function()?;
        let runner: Function = lua
            .load("local script = ... return function() return pcall(script) end")
            .call(script.clone())?;
        let keys_table = lua.create_table()?;
        let args_table = lua.create_table()?;
        script.set_environment(fresh_environment(&lua)?)?;
        Ok(LuaClient {
            rand,
            spec,
            slot: OpSlot::first(client, clients),
            ops,
            lua,
            script,
            runner,
            thread: None,
            spare_thread: None,
            keys_table,
            args_table,
        })
    }

    /// Refills KEYS and ARGV (the same tables every run; a script that replaced the
    /// globals gets them back).
    fn set_globals(&self, keys: &[Vec<u8>], args: &[Vec<u8>]) -> mlua::Result<()> {
        let globals = self
            .script
            .environment()
            .unwrap_or_else(|| self.lua.globals());
        for (name, table, values) in [
            ("KEYS", &self.keys_table, keys),
            ("ARGV", &self.args_table, args),
        ] {
            let old_len = table.raw_len();
            for (i, v) in values.iter().enumerate() {
                table.raw_set(i + 1, self.lua.create_string(v)?)?;
            }
            for i in values.len() + 1..=old_len {
                table.raw_set(i, Value::Nil)?;
            }
            globals.raw_set(name, table)?;
        }
        Ok(())
    }

    /// A coroutine at the start of the script.
    fn new_thread(&mut self) -> mlua::Result<Thread> {
        if let Some(thread) = self.spare_thread.take() {
            if thread.reset(self.runner.clone()).is_ok() {
                return Ok(thread);
            }
        }
        self.lua.create_thread(self.runner.clone())
    }

    /// Resumes the coroutine until it sends a command or finishes.
    fn step(&mut self, mut input: Option<Value>, out: &mut Outbox) -> mlua::Result<Progress> {
        let Some(thread) = self.thread.clone() else {
            return Ok(Progress::Done(Outcome::ok(Reply::error(
                "ERR no script running",
            ))));
        };
        loop {
            let values: MultiValue = match input.take() {
                Some(v) => thread.resume(v)?,
                None => thread.resume(())?,
            };
            if thread.is_resumable() {
                // Yielded by redis.call / redis.pcall: (raise, argv...).
                let argv: Option<Argv> = values.iter().skip(1).map(lua_arg).collect();
                match argv {
                    Some(argv) if !argv.is_empty() => {
                        out.push(argv);
                        return Ok(Progress::Sent);
                    }
                    Some(_) => input = Some(reply_to_lua(&self.lua, &Reply::error(NO_ARGS))?),
                    None => input = Some(reply_to_lua(&self.lua, &Reply::error(BAD_ARGS))?),
                }
                continue;
            }
            self.spare_thread = self.thread.take();
            let mut values = values.into_iter();
            let ok = matches!(values.next(), Some(Value::Boolean(true)));
            let value = values.next().unwrap_or(Value::Nil);
            let reply = if ok {
                lua_to_reply(&value)
            } else {
                lua_error_to_reply(&value)
            };
            return Ok(Progress::Done(Outcome::ok(reply)));
        }
    }
}

/// `math.random` and `math.randomseed` as Redis's `redis_math_random`: a 48-bit linear
/// congruential generator (`redisLrand48`) instead of C's `rand()`, so that client-side
/// runs are deterministic. Each client has its own generator, where EVAL scripts share
/// the server's.
fn install_random(lua: &Lua, state: Arc<AtomicU64>) -> mlua::Result<()> {
    const MAX: f64 = 2_147_483_647.0; // REDIS_LRAND48_MAX
    let math: mlua::Table = lua.globals().get("math")?;
    let draw = state.clone();
    let random = lua.create_function(move |_, args: mlua::Variadic<f64>| {
        let x = (0x5_DEEC_E66D_u64
            .wrapping_mul(draw.load(Ordering::Relaxed))
            .wrapping_add(0xB))
            & ((1 << 48) - 1);
        draw.store(x, Ordering::Relaxed);
        let r = ((x >> 17) as f64 % MAX) / MAX;
        // The bounds are C ints as in EVAL (`luaL_checkint`: 2^31 wraps to INT_MIN), and
        // so is the width `u - l + 1`.
        let int = |i: usize| convert::lua_checkint(args[i]);
        match args.len() {
            0 => Ok(r),
            1 if int(0) >= 1 => Ok((r * int(0) as f64).floor() + 1.0),
            2 if int(0) <= int(1) => {
                let (l, u) = (int(0), int(1));
                Ok((r * u.wrapping_sub(l).wrapping_add(1) as f64).floor() + l as f64)
            }
            1 => Err(mlua::Error::runtime(
                "bad argument #1 to 'random' (interval is empty)",
            )),
            2 => Err(mlua::Error::runtime(
                "bad argument #2 to 'random' (interval is empty)",
            )),
            _ => Err(mlua::Error::runtime("wrong number of arguments")),
        }
    })?;
    let randomseed = lua.create_function(move |_, seed: f64| {
        state.store(
            ((convert::lua_checkint(seed) as u32 as u64) << 16) | 0x330E,
            Ordering::Relaxed,
        );
        Ok(())
    })?;
    math.raw_set("random", random)?;
    math.raw_set("randomseed", randomseed)?;
    Ok(())
}

impl Program for LuaClient {
    fn reset(&mut self) {
        self.thread = None;
        self.rand.store(LRAND48_INITIAL, Ordering::Relaxed);
        // Globals the script set in the last run must not reach this one. Most scripts
        // set none (only KEYS and ARGV live there): then the table is kept.
        let assigned = self.script.environment().is_none_or(|env| {
            env.pairs::<Value, Value>().any(|pair| {
                !matches!(pair, Ok((Value::String(name), _))
                    if name.as_bytes().as_ref() == b"KEYS" || name.as_bytes().as_ref() == b"ARGV")
            })
        });
        if assigned {
            if let Ok(env) = fresh_environment(&self.lua) {
                let _ = self.script.set_environment(env);
            }
        }
    }

    fn begin(&mut self, op: u32) -> Option<Operation> {
        if op >= self.ops {
            return None;
        }
        self.slot.op = op;
        let (keys, args) = self.spec.expand(&self.slot);
        let started = self
            .set_globals(&keys, &args)
            .and_then(|_| self.new_thread());
        self.thread = started.ok();
        Some(Operation::Script {
            source: self.spec.source.clone(),
            keys,
            args,
            mode: ScriptMode::Raw,
        })
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress {
        let input = match replies.pop() {
            Some(reply) => match reply_to_lua(&self.lua, &reply) {
                Ok(v) => Some(v),
                Err(e) => return Progress::Done(Outcome::ok(Reply::error(format!("ERR {e}")))),
            },
            None => None,
        };
        replies.clear();
        match self.step(input, out) {
            Ok(progress) => progress,
            Err(e) => {
                self.thread = None;
                Progress::Done(Outcome::ok(Reply::error(format!("ERR {e}"))))
            }
        }
    }

    fn crash(&mut self, _unsent: usize, _replies: &[Reply]) -> Vec<super::Recorded> {
        self.thread = None;
        Vec::new()
    }
}
