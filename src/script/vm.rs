//! One Lua 5.1 VM with Redis 7.0's sandbox: the libraries Redis loads (base trimmed,
//! table, string, math, and the bundled cjson, cmsgpack, bit, struct), the `redis`
//! table, read-only globals and library tables, and Redis's PRNG behind math.random.
//!
//! EVAL scripts and FUNCTION libraries each get their own VM, as in Redis. A VM is built
//! once and reused: per call, only the KEYS/ARGV tables and the bridge to the store are
//! set (see `run.rs`).

use super::libs;
use super::rand::Lrand48;
use mlua::{Function, HookTriggers, Lua, LuaOptions, StdLib, Table, Value};
use std::sync::{Arc, Mutex};

/// Chunk name of redsim's own Lua code; error positions skip its frames.
pub const PRELUDE_SOURCE: &str = "=redsim";

/// Lua instructions between two calls of the busy-script hook (Redis uses 100000; a
/// smaller step lets the simulator's virtual clock move in finer steps).
pub const TICK_INSTRUCTIONS: u32 = 10_000;

/// What a script's chunk is called, which shows in its error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// EVAL scripts: `@user_script`.
    Eval,
    /// FUNCTION libraries: `@user_function`.
    Function,
}

impl Flavor {
    pub fn chunk_name(self) -> &'static str {
        match self {
            Flavor::Eval => "@user_script",
            Flavor::Function => "@user_function",
        }
    }
}

pub struct Vm {
    pub lua: Lua,
    /// The running script's state, which `redis.call` reaches through.
    pub slot: Arc<super::lua_c::RunSlot>,
    /// The compiled EVAL scripts, by the id their cache entry holds.
    pub script_store: Table,
    /// Field names interned in the registry (lua_reply.rs).
    pub names: super::lua_reply::Names,
    /// What the C `redis.call` / `redis.pcall` point at (dropped after `lua`).
    pub bridge: Box<super::lua_call::Bridge>,
    /// The real globals table (scripts see a read-only view): EVAL sets KEYS and ARGV here.
    pub globals: Table,
    /// `__redis__err__handler`, the message handler of every run.
    pub handler: Function,
    /// set_loading(on): switches the globals to the library-loading API (functions only).
    pub set_loading: Option<Function>,
    pub flavor: Flavor,
    /// Heap bound while user code runs (0: none). Off while Rust code works on the VM:
    /// with a limit set, mlua must protect every allocating call, which costs more than
    /// the whole of a small script; Rust code between two Lua steps allocates little.
    pub memory_limit: usize,
    /// Argument buffers of `redis.call`, reused from run to run.
    pub argv_buf: std::cell::RefCell<Vec<Vec<u8>>>,
}

/// Lifts the VM's heap bound while Rust code works on it (the bridge), restoring it
/// when dropped.
pub struct Unlimited<'a> {
    lua: &'a Lua,
    limit: usize,
}

impl<'a> Unlimited<'a> {
    pub fn new(lua: &'a Lua, limit: usize) -> Self {
        if limit > 0 {
            let _ = lua.set_memory_limit(0);
        }
        Unlimited { lua, limit }
    }
}

impl Drop for Unlimited<'_> {
    fn drop(&mut self) {
        if self.limit > 0 {
            let _ = self.lua.set_memory_limit(self.limit);
        }
    }
}

/// What the busy-script hook needs, kept in the VM's app data.
#[derive(Default)]
pub struct HookState {
    /// The host answered Kill: raise at every hook call from now until the run ends.
    pub killing: bool,
    /// A script is running (its bridge is `redis.call`).
    pub running: bool,
    /// The VM's function for side operations (the busy tick).
    pub side: Option<Function>,
    /// Hook calls while no script runs (a library being loaded).
    pub idle_ticks: u64,
}

/// Backs `redis.register_function`: (name, callback, flags, description) → error text.
pub type AddFunction =
    fn(&Lua, (String, Function, Vec<String>, Option<String>)) -> mlua::Result<Option<String>>;

impl Vm {
    /// Builds a VM. `add_function` backs redis.register_function (function libraries
    /// only); `memory_limit` bounds the VM's heap in bytes.
    pub fn new(
        flavor: Flavor,
        rand: Arc<Mutex<Lrand48>>,
        add_function: Option<AddFunction>,
        memory_limit: usize,
    ) -> mlua::Result<Vm> {
        let lua = Lua::new_with(
            StdLib::TABLE | StdLib::STRING | StdLib::MATH,
            LuaOptions::new(),
        )?;
        libs::install_all(&lua)?;
        // Before the prelude, which keeps its own reference to it.
        lua.globals()
            .raw_set("unpack", super::lua_c::create_unpack(&lua)?)?;
        let r = lua.create_table()?;
        let redis = lua.create_table()?;
        let slot = Arc::new(super::lua_c::RunSlot::default());
        // The side operations of redsim's redis.* functions and of the hook (log,
        // setresp, set_repl, acl_check_cmd, the busy tick), for the life of the VM:
        // ignored between runs.
        let side = {
            let slot = slot.clone();
            lua.create_function(move |lua, args: mlua::Variadic<Value>| {
                slot.with(|state| match state {
                    Some(state) => {
                        let _unlimited = Unlimited::new(lua, memory_limit);
                        super::run::side(state, &args)
                    }
                    None => Ok(Value::Nil),
                })
            })?
        };
        // Called only by redsim's own functions: a frame of its is not the user's.
        let internal = lua.create_table()?;
        internal.raw_set(&side, true)?;
        lua.set_named_registry_value(super::run::INTERNAL_FUNCTIONS, internal)?;
        // redis.call and redis.pcall: C functions (lua_call.rs), the one path a script's
        // command takes to the store.
        let bridge = super::lua_call::Bridge::new(&lua, slot.clone(), memory_limit);
        redis.raw_set("call", bridge.function(&lua, true)?)?;
        redis.raw_set("pcall", bridge.function(&lua, false)?)?;
        let (random, randomseed) = super::api::install(&lua, &redis, &side, rand)?;
        r.raw_set("redis", &redis)?;
        r.raw_set("random", random)?;
        r.raw_set("randomseed", randomseed)?;
        let unwrap_error = lua.create_function(super::api::unwrap_error)?;
        r.raw_set("unwrap_error", &unwrap_error)?;
        let handler = lua.create_function(super::run::error_handler)?;
        r.raw_set("handler", &handler)?;
        r.raw_set("version", super::REDIS_VERSION)?;
        r.raw_set("version_num", super::REDIS_VERSION_NUM)?;
        r.raw_set(
            "base",
            lua.create_function(|lua, (proxies, bare): (Table, Table)| {
                super::lua_base::create(lua, &proxies, &bare).map(mlua::Variadic::from_iter)
            })?,
        )?;
        if let Some(f) = add_function {
            r.raw_set("add_function", lua.create_function(f)?)?;
        }
        let prelude = lua
            .load(include_str!("prelude.lua"))
            .set_name(PRELUDE_SOURCE)
            .into_function()?;
        let (proxy, globals, set_loading): (Table, Table, Option<Function>) = prelude.call(r)?;
        let (pcall, xpcall) = super::lua_c::create_pcalls(&lua, &unwrap_error)?;
        globals.raw_set("pcall", pcall)?;
        globals.raw_set("xpcall", xpcall)?;
        lua.set_globals(proxy)?;
        lua.set_app_data(HookState {
            side: Some(side),
            ..HookState::default()
        });
        lua.set_global_hook(
            HookTriggers::new().every_nth_instruction(TICK_INSTRUCTIONS),
            super::run::hook,
        )?;
        Ok(Vm {
            names: super::lua_reply::Names::new(&lua),
            script_store: lua.create_table()?,
            lua,
            slot,
            bridge,
            globals,
            handler,
            set_loading,
            flavor,
            memory_limit,
            argv_buf: Default::default(),
        })
    }

    /// Compiles a script body as a chunk of this VM's flavor.
    pub fn compile(&self, body: &[u8]) -> Result<Function, String> {
        self.lua
            .load(body)
            .set_name(self.flavor.chunk_name())
            .set_mode(mlua::chunk::ChunkMode::Text)
            .into_function()
            .map_err(|e| match e {
                mlua::Error::SyntaxError { message, .. } => message,
                other => other.to_string(),
            })
    }
}
