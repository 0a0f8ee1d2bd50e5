//! Lua scripting: EVAL, EVALSHA, SCRIPT, FUNCTION and FCALL with Redis 7.0's semantics.
//!
//! A script runs atomically: nothing else runs until it returns. Its `redis.call`s go
//! through the same dispatch as a client's commands, on the scripts' own session (Redis's
//! "lua client"), whose database starts as the caller's (SELECT inside a script does not
//! change the caller's). Time is frozen for the length of a script. There is no rollback:
//! writes done before an error stay. EVAL scripts and function libraries live in two
//! separate Lua VMs, built once and reused; compiled scripts are cached by SHA1.

mod api;
mod call;
pub mod convert;
mod eval;
pub(crate) mod functions;
pub mod libs;
mod lua_base;
mod lua_c;
mod lua_call;
mod lua_reply;
mod rand;
mod run;
pub mod shebang;
mod vm;

pub use run::KILLED;
pub(crate) use shebang::ScriptFlags;

use crate::cmd::{flags::*, CommandSpec, Ctx};
use crate::session::ClientId;
use rand::Lrand48;
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};
use vm::{Flavor, Vm};

/// `redis.REDIS_VERSION` and `redis.REDIS_VERSION_NUM` (0x0007000f).
pub const REDIS_VERSION: &str = "7.0.15";
/// The Redis version scripts see (`redis.REDIS_VERSION_NUM`), 7.0.15.
pub const REDIS_VERSION_NUM: i64 = 0x0007_000f;

/// Default bound on each Lua VM's heap: a runaway script gets "not enough memory"
/// instead of taking the process down.
pub(crate) const MEMORY_LIMIT_DEFAULT: usize = 256 << 20;

/// How many `redis.log` lines are kept (oldest dropped first).
pub const LOG_LINES_MAX: usize = 1000;

/// A write command a script performed, as Redis's effects replication would emit it
/// (before Redis's own rewrites such as INCRBYFLOAT → SET).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    /// The database it ran in.
    pub db: usize,
    /// The command as the script sent it.
    pub argv: Vec<Vec<u8>>,
}

/// One `redis.log` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// 0 debug, 1 verbose, 2 notice, 3 warning (`redis.LOG_*`).
    pub level: u8,
    /// The line.
    pub text: Vec<u8>,
}

/// What the last script or function call did, for traces.
#[derive(Clone, Debug, Default)]
pub struct LastRun {
    /// The script's SHA1 or the function's name.
    pub name: String,
    /// What the script's commands did, in order.
    pub effects: Vec<Effect>,
    /// Its `redis.log` lines.
    pub log: Vec<LogLine>,
    /// Whether it wrote.
    pub wrote: bool,
    /// Whether it was killed.
    pub killed: bool,
}

struct CachedScript {
    /// Index in the EVAL VM's `script_store`.
    id: i64,
    flags: ScriptFlags,
}

/// INFO memory's scripting figures (see [`Scripting::memory_report`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ScriptMemory {
    pub(crate) eval_vm_bytes: usize,
    pub(crate) functions_vm_bytes: usize,
    pub cached_scripts: usize,
    /// Redis's `used_memory_scripts_eval`.
    pub scripts_eval_bytes: usize,
    pub functions: usize,
    pub libraries: usize,
    /// Source bytes of the loaded libraries.
    pub(crate) library_bytes: usize,
}

/// What Redis 7.0 reports for a Lua VM that has run nothing (`used_memory_vm_eval` of a
/// fresh server): redsim creates its VMs on first use and reports this until then.
const FRESH_VM_BYTES: usize = 32768;

/// What Redis allocates for one cached script: the SHA's SDS and the body's string
/// (`lua_scripts_mem`).
fn cached_script_bytes(body_len: usize) -> usize {
    use crate::db::footprint::sds_size;
    let body = if body_len <= crate::db::EMBSTR_SIZE_LIMIT {
        // An embstr body: the part of its allocation past the object header.
        crate::db::footprint::jemalloc_class(16 + 3 + body_len + 1) - 16
    } else {
        sds_size(body_len)
    };
    sds_size(40) + body
}

/// The script engine: the Lua VMs, the script cache and the function libraries.
pub struct Scripting {
    eval_vm: Option<Vm>,
    scripts: FxHashMap<[u8; 40], CachedScript>,
    /// What the cached scripts' SHA and body strings take (see `cached_script_bytes`).
    scripts_bytes: usize,
    functions: functions::Functions,
    /// Redis's PRNG behind math.random, shared by both VMs.
    rand: Arc<Mutex<Lrand48>>,
    lua_client: Option<ClientId>,
    /// Heap bound of each VM, bytes (0: none).
    pub memory_limit: usize,
    /// `redis.log` lines of all runs, oldest first (at most [`LOG_LINES_MAX`]).
    pub log: Vec<LogLine>,
    /// What the last script run did.
    pub last_run: LastRun,
}

impl Default for Scripting {
    fn default() -> Self {
        Scripting::new()
    }
}

impl Scripting {
    /// An engine with no VM built yet (the first script builds it).
    pub fn new() -> Self {
        Scripting {
            eval_vm: None,
            scripts: FxHashMap::default(),
            scripts_bytes: 0,
            functions: functions::Functions::default(),
            rand: Arc::new(Mutex::new(Lrand48::default())),
            lua_client: None,
            memory_limit: MEMORY_LIMIT_DEFAULT,
            log: Vec::new(),
            last_run: LastRun::default(),
        }
    }

    /// Puts the engine back as a fresh server has it — no cached script, no function
    /// library, math.random's generator at its initial state, no session — but keeps the
    /// EVAL VM, whose building costs far more than a simulated run. Nothing a script can
    /// see survives in that VM: Redis 7.0 makes its globals and library tables read-only.
    pub fn restart(&mut self) {
        self.scripts.clear();
        self.scripts_bytes = 0;
        self.functions = functions::Functions::default();
        if let Ok(mut rand) = self.rand.lock() {
            *rand = Lrand48::default();
        }
        self.lua_client = None;
        self.log.clear();
        self.last_run = LastRun::default();
    }

    /// What INFO memory says of scripting: VM heaps, cache and library counts.
    pub(crate) fn memory_report(&self) -> ScriptMemory {
        let (functions, libraries, library_bytes) = self.functions.counts();
        ScriptMemory {
            eval_vm_bytes: self
                .eval_vm
                .as_ref()
                .map_or(FRESH_VM_BYTES, |vm| vm.lua.used_memory()),
            functions_vm_bytes: self.functions.vm_bytes().unwrap_or(FRESH_VM_BYTES),
            cached_scripts: self.scripts.len(),
            scripts_eval_bytes: self.scripts_eval_bytes(),
            functions,
            libraries,
            library_bytes,
        }
    }

    /// Redis's `evalScriptsMemory`: the cached scripts' strings, their dict entries and
    /// `luaScript` structs, and the dict's table.
    pub fn scripts_eval_bytes(&self) -> usize {
        use crate::db::footprint::{dict_table, DICT_ENTRY};
        let n = self.scripts.len();
        if n == 0 {
            return 0;
        }
        self.scripts_bytes + n * (DICT_ENTRY + 16) + dict_table(n)
    }

    /// Number of cached EVAL scripts.
    pub fn cached_scripts(&self) -> usize {
        self.scripts.len()
    }

    /// The state of math.random's generator: it changes when a script draws or seeds.
    pub fn random_state(&self) -> u64 {
        self.rand.lock().map(|r| r.state()).unwrap_or(u64::MAX)
    }

    /// Puts math.random's generator back in a state [`random_state`](Self::random_state)
    /// returned (a model of the server that tries several orders of scripts needs it).
    pub fn set_random_state(&mut self, state: u64) {
        if let Ok(mut rand) = self.rand.lock() {
            rand.set_state(state);
        }
    }

    /// The state of math.random's generator in a fresh server.
    pub fn initial_random_state() -> u64 {
        Lrand48::default().state()
    }

    /// The SHA1s in the script cache, sorted (the checker's model keeps them in its state).
    pub fn cached_shas(&self) -> Vec<String> {
        let mut shas: Vec<String> = self
            .scripts
            .keys()
            .map(|sha| String::from_utf8_lossy(sha).into_owned())
            .collect();
        shas.sort_unstable();
        shas
    }

    /// Drains the `redis.log` lines collected so far.
    pub fn take_log(&mut self) -> Vec<LogLine> {
        std::mem::take(&mut self.log)
    }

    fn eval_vm(&mut self) -> Result<&Vm, String> {
        if self.eval_vm.is_none() {
            let vm = Vm::new(Flavor::Eval, self.rand.clone(), None, self.memory_limit)
                .map_err(|e| format!("ERR Error creating the Lua VM: {e}"))?;
            self.eval_vm = Some(vm);
        }
        Ok(self.eval_vm.as_ref().expect("created above"))
    }

    /// The scripts' session, opened on first use.
    fn lua_client(&mut self, ctx: &mut Ctx<'_>) -> ClientId {
        match self.lua_client {
            Some(id) if ctx.store.is_connected(id) => id,
            _ => {
                let id = ctx.store.connect(ctx.now_ms);
                ctx.store.session_mut(id).name = Some(b"lua".to_vec());
                self.lua_client = Some(id);
                id
            }
        }
    }

    fn record(&mut self, name: &str, outcome: &mut run::Outcome) {
        if !outcome.log.is_empty() {
            self.log.extend(outcome.log.iter().cloned());
            if self.log.len() > LOG_LINES_MAX {
                let extra = self.log.len() - LOG_LINES_MAX;
                self.log.drain(..extra);
            }
        }
        // The name's buffer is reused: a run then allocates nothing here.
        let last = &mut self.last_run;
        last.name.clear();
        last.name.push_str(name);
        last.effects = std::mem::take(&mut outcome.effects);
        last.log = std::mem::take(&mut outcome.log);
        last.wrote = outcome.wrote;
        last.killed = outcome.killed;
    }
}

/// SHA1 of `data` as 40 lowercase hex digits.
pub fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

const SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("debug", 3, NOSCRIPT, eval::script_debug).acl("slow scripting"),
    CommandSpec::new("exists", -3, NOSCRIPT, eval::script_exists).acl("slow scripting"),
    CommandSpec::new("flush", -2, NOSCRIPT, eval::script_flush).acl("slow scripting"),
    CommandSpec::new("help", 2, LOADING | STALE, eval::script_help).acl("slow scripting"),
    CommandSpec::new("kill", 2, NOSCRIPT | ALLOW_BUSY, eval::script_kill).acl("slow scripting"),
    CommandSpec::new("load", 3, NOSCRIPT | STALE, eval::script_load).acl("slow scripting"),
];

const FUNCTION_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("delete", 3, NOSCRIPT | WRITE, functions::function_delete)
        .acl("write slow scripting"),
    CommandSpec::new("dump", 2, NOSCRIPT, functions::function_dump).acl("slow scripting"),
    CommandSpec::new("flush", -2, NOSCRIPT | WRITE, functions::function_flush)
        .acl("write slow scripting"),
    CommandSpec::new("help", 2, LOADING | STALE, functions::function_help).acl("slow scripting"),
    CommandSpec::new("kill", 2, NOSCRIPT | ALLOW_BUSY, functions::function_kill)
        .acl("slow scripting"),
    CommandSpec::new("list", -2, NOSCRIPT, functions::function_list).acl("slow scripting"),
    CommandSpec::new(
        "load",
        -3,
        NOSCRIPT | WRITE | DENYOOM,
        functions::function_load,
    )
    .acl("write slow scripting"),
    CommandSpec::new(
        "restore",
        -3,
        NOSCRIPT | WRITE | DENYOOM,
        functions::function_restore,
    )
    .acl("write slow scripting"),
    CommandSpec::new("stats", 2, NOSCRIPT | ALLOW_BUSY, functions::function_stats)
        .acl("slow scripting"),
];

const EVAL_FLAGS: u32 =
    NOSCRIPT | SKIP_MONITOR | MAY_REPLICATE | NO_MANDATORY_KEYS | STALE | RUNS_SCRIPT;
const EVAL_RO_FLAGS: u32 =
    NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | READONLY | RUNS_SCRIPT;

/// EVAL, EVALSHA, SCRIPT, FUNCTION, FCALL and their variants.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("eval", -3, EVAL_FLAGS, eval::eval)
        .key_finder(eval::numkeys_keys)
        .acl("slow scripting"),
    CommandSpec::new("evalsha", -3, EVAL_FLAGS, eval::evalsha)
        .key_finder(eval::numkeys_keys)
        .acl("slow scripting"),
    CommandSpec::new("eval_ro", -3, EVAL_RO_FLAGS, eval::eval_ro)
        .key_finder(eval::numkeys_keys)
        .acl("slow scripting"),
    CommandSpec::new("evalsha_ro", -3, EVAL_RO_FLAGS, eval::evalsha_ro)
        .key_finder(eval::numkeys_keys)
        .acl("slow scripting"),
    CommandSpec::new("fcall", -3, EVAL_FLAGS, functions::fcall)
        .key_finder(eval::numkeys_keys)
        .acl("slow scripting"),
    CommandSpec::new("fcall_ro", -3, EVAL_RO_FLAGS, functions::fcall_ro)
        .key_finder(eval::numkeys_keys)
        .acl("slow scripting"),
    CommandSpec::new("script", -2, 0, eval::script_help)
        .subcommands(SCRIPT_SUBCOMMANDS)
        .acl("slow"),
    CommandSpec::new("function", -2, 0, functions::function_help)
        .subcommands(FUNCTION_SUBCOMMANDS)
        .acl("slow"),
];
