//! Functions (Redis 7.0): FUNCTION LOAD / LIST / DELETE / FLUSH / DUMP / RESTORE / STATS /
//! KILL, FCALL and FCALL_RO.
//!
//! A library is Lua code whose first line is `#!lua name=<library>`; loading it runs the
//! code once, with only `redis.register_function`, `redis.log` and the version fields
//! reachable, and keeps the functions it registers. FCALL calls one with its keys and
//! arguments tables. Function libraries live in their own Lua VM, apart from EVAL's.
//! STATS, LIST, DUMP, RESTORE and HELP, which work on the library set as a whole, are in
//! `admin`.

use super::eval::{check_flags, check_oom, with_scripts};
use super::run::{self, RunMode};
use super::shebang::{self, ScriptFlags};
use super::vm::{Flavor, Vm};
use super::Scripting;
use crate::cmd::{args, Ctx};
use crate::resp::Reply;
use mlua::{Function, Lua, Value};
use std::collections::BTreeMap;

mod admin;
pub use admin::{
    function_dump, function_help, function_list, function_restore, function_stats, stats_reply,
};

const BAD_NAME: &str =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

struct FunctionDef {
    func: Function,
    flags: ScriptFlags,
    description: Option<String>,
}

struct Library {
    code: Vec<u8>,
    functions: BTreeMap<String, FunctionDef>,
}

/// The function libraries and their VM.
#[derive(Default)]
pub struct Functions {
    vm: Option<Vm>,
    set: LibrarySet,
}

/// The loaded libraries and the server-wide function names, as Redis's `functionsLibCtx`.
/// Libraries and functions are listed in name order (Redis's order is its dict's, which
/// varies from run to run).
///
/// Names follow Redis's dict types: library names, and function names inside one
/// library (`libraryFunctionDictType`), are case-sensitive; the server-wide function
/// names (`functionDictType`: `dictSdsCaseHash`, `dictSdsKeyCaseCompare`) are not, so
/// FCALL finds `myfunc` as `MYFUNC` and another library cannot load `MyFunc`. One
/// library may register both `f` and `F`; Redis then links whichever its dict lists
/// first (its hash seed is random), here the first in name order.
#[derive(Default)]
pub(super) struct LibrarySet {
    libraries: BTreeMap<String, Library>,
    /// ASCII-lowercased function name → (library, the name as registered).
    index: BTreeMap<String, (String, String)>,
}

impl LibrarySet {
    /// The library and registered name FCALL finds for `name`, in any case.
    fn owner(&self, name: &str) -> Option<&(String, String)> {
        self.index.get(&name.to_ascii_lowercase())
    }

    /// The first of `lib`'s functions whose name another library holds, in any case
    /// (Redis's "Function %s already exists" check, made once `name`'s own previous
    /// version is unlinked).
    fn conflict<'l>(&self, name: &str, lib: &'l Library) -> Option<&'l str> {
        lib.functions
            .keys()
            .find(|f| matches!(self.owner(f), Some((owner, _)) if owner != name))
            .map(String::as_str)
    }

    /// Adds a library and its function names (`libraryLink`).
    fn link(&mut self, name: String, lib: Library) {
        for fname in lib.functions.keys() {
            self.index
                .entry(fname.to_ascii_lowercase())
                .or_insert_with(|| (name.clone(), fname.clone()));
        }
        self.libraries.insert(name, lib);
    }

    /// Removes a library and its function names (`libraryUnlink`).
    fn unlink(&mut self, name: &str) -> Option<Library> {
        let lib = self.libraries.remove(name)?;
        for fname in lib.functions.keys() {
            let key = fname.to_ascii_lowercase();
            if matches!(self.index.get(&key), Some((owner, _)) if owner == name) {
                self.index.remove(&key);
            }
        }
        Some(lib)
    }
}

/// Functions registered by the library being loaded (the VM's app data).
#[derive(Default)]
struct Pending {
    active: bool,
    functions: Vec<(String, FunctionDef)>,
}

impl Functions {
    /// The flags the function `name` declares, if it exists.
    pub(super) fn flags_of(&self, name: &[u8]) -> Option<ScriptFlags> {
        let (lib, name) = self.set.owner(&String::from_utf8_lossy(name))?;
        Some(self.set.libraries.get(lib)?.functions.get(name)?.flags)
    }

    /// (functions, libraries, source bytes of the libraries), for INFO memory.
    pub(super) fn counts(&self) -> (usize, usize, usize) {
        let libraries = &self.set.libraries;
        let functions = libraries.values().map(|l| l.functions.len()).sum();
        let bytes = libraries.values().map(|l| l.code.len()).sum();
        (functions, libraries.len(), bytes)
    }

    /// The heap of the functions VM, if it was created.
    pub(super) fn vm_bytes(&self) -> Option<usize> {
        self.vm.as_ref().map(|vm| vm.lua.used_memory())
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Backs `redis.register_function`: returns an error text, or nothing.
fn add_function(
    lua: &Lua,
    (name, func, flag_names, description): (String, Function, Vec<String>, Option<String>),
) -> mlua::Result<Option<String>> {
    let Some(mut pending) = lua.app_data_mut::<Pending>() else {
        return Ok(Some(
            "redis.register_function can only be called on FUNCTION LOAD command".into(),
        ));
    };
    if !pending.active {
        return Ok(Some(
            "redis.register_function can only be called on FUNCTION LOAD command".into(),
        ));
    }
    let mut flags = ScriptFlags::default();
    for flag in &flag_names {
        if !flags.set(flag.as_bytes()) {
            return Ok(Some("unknown flag given".into()));
        }
    }
    if !valid_name(&name) {
        return Ok(Some(BAD_NAME.into()));
    }
    if pending.functions.iter().any(|(n, _)| *n == name) {
        return Ok(Some("Function already exists in the library".into()));
    }
    pending.functions.push((
        name,
        FunctionDef {
            func,
            flags,
            description,
        },
    ));
    Ok(None)
}

impl Scripting {
    fn functions_vm(&mut self) -> Result<&Vm, Reply> {
        if self.functions.vm.is_none() {
            let vm = Vm::new(
                Flavor::Function,
                self.rand.clone(),
                Some(add_function),
                self.memory_limit,
            )
            .map_err(|e| Reply::error(format!("ERR Error creating the Lua VM: {e}")))?;
            vm.lua.set_app_data(Pending::default());
            self.functions.vm = Some(vm);
        }
        Ok(self.functions.vm.as_ref().expect("created above"))
    }

    /// Every library's code, for an RDB file.
    pub(crate) fn library_codes(&self) -> Vec<Vec<u8>> {
        self.functions
            .set
            .libraries
            .values()
            .map(|lib| lib.code.clone())
            .collect()
    }

    /// Loads a library read from an RDB file (as FUNCTION LOAD, an existing one replaced).
    /// Only the server loads files, and the loom build has no server start-up.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn load_saved_library(&mut self, code: &[u8]) -> Result<String, Reply> {
        self.load_library(code, true)
    }

    /// FUNCTION LOAD: compiles and runs a library, keeping what it registers.
    fn load_library(&mut self, code: &[u8], replace: bool) -> Result<String, Reply> {
        let md = shebang::library_metadata(code).map_err(Reply::error)?;
        // Redis checks the name, then the engine, case-insensitively. (Its engines dict
        // hashes the whole name but compares with strcasecmp, so a name with a NUL byte,
        // `lua\0x`, is found only when the random hash seed puts it in Lua's bucket.)
        let name = match String::from_utf8(md.name) {
            Ok(name) if valid_name(&name) => name,
            _ => return Err(Reply::error(format!("ERR {BAD_NAME}"))),
        };
        if !md.engine.eq_ignore_ascii_case(b"lua") {
            let mut text = b"ERR Engine '".to_vec();
            text.extend_from_slice(&md.engine);
            text.extend_from_slice(b"' not found");
            return Err(Reply::error(text));
        }
        if self.functions.set.libraries.contains_key(&name) && !replace {
            return Err(Reply::error(format!("ERR Library '{name}' already exists")));
        }
        let vm = self.functions_vm()?;
        let chunk = vm
            .compile(&code[md.line_len..])
            .map_err(|msg| Reply::error(format!("ERR Error compiling function: {msg}")))?;
        let registered = run_library(vm, &chunk);
        let registered = registered.map_err(|msg| {
            let mut text = b"ERR Error registering functions: ".to_vec();
            text.extend_from_slice(&msg);
            Reply::error(text)
        })?;
        if registered.is_empty() {
            return Err(Reply::error("ERR No functions registered"));
        }
        let library = Library {
            code: code.to_vec(),
            functions: registered.into_iter().collect(),
        };
        if let Some(fname) = self.functions.set.conflict(&name, &library) {
            return Err(Reply::error(format!("ERR Function {fname} already exists")));
        }
        self.functions.set.unlink(&name);
        self.functions.set.link(name.clone(), library);
        Ok(name)
    }

    fn fcall(&mut self, ctx: &mut Ctx<'_>, argv: &[Vec<u8>], ro: bool) -> Reply {
        let typed = String::from_utf8_lossy(&argv[1]);
        let Some((lib, fname)) = self.functions.set.owner(&typed).cloned() else {
            return Reply::error("ERR Function not found");
        };
        if args::parse_i64(&argv[2]).is_none() {
            return Reply::error("ERR Bad number of keys provided");
        }
        let (keys, fargs) = match super::eval::split_keys(argv) {
            Ok(split) => split,
            Err(e) => return e,
        };
        let lua_client = self.lua_client(ctx);
        let (functions, libraries, _) = self.functions.counts();
        let (Some(vm), Some(def)) = (
            self.functions.vm.as_ref(),
            self.functions
                .set
                .libraries
                .get(&lib)
                .and_then(|l| l.functions.get(&fname)),
        ) else {
            return Reply::error("ERR Function not found");
        };
        if let Err(e) = check_flags(def.flags, ro) {
            return e;
        }
        if let Err(e) = check_oom(def.flags, ctx) {
            return e;
        }
        let mode = RunMode {
            read_only: ro || def.flags.no_writes,
            is_function: true,
            allow_oom: def.flags.allow_oom,
            allow_cross_slot: def.flags.allow_cross_slot_keys,
            loaded: (libraries, functions),
        };
        let mut outcome = run::run(
            vm,
            super::lua_c::Callee::Function(&def.func),
            &fname,
            argv,
            keys,
            fargs,
            mode,
            ctx,
            lua_client,
        );
        self.record(&fname, &mut outcome);
        outcome.reply
    }
}

/// Runs a library's code with the loading API; returns what it registered, or the error
/// message (`luaExtractErrorInformation`: "ERR " + a string error, or a table's `err`).
fn run_library(vm: &Vm, chunk: &Function) -> Result<Vec<(String, FunctionDef)>, Vec<u8>> {
    let lua = &vm.lua;
    if let Some(mut p) = lua.app_data_mut::<Pending>() {
        p.active = true;
        p.functions.clear();
    }
    let set_loading = |on: bool| {
        if let Some(f) = &vm.set_loading {
            let _ = f.call::<()>(on);
        }
    };
    set_loading(true);
    let result: mlua::Result<(bool, Value)> = super::lua_c::call_script(
        lua,
        &super::lua_c::Call {
            handler: &vm.handler,
            func: super::lua_c::Callee::Function(chunk),
            globals: None,
            keys: &[],
            args: &[],
            memory_limit: vm.memory_limit,
            names: &vm.names,
            convert: false,
        },
        || false,
    )
    .map(|ended| match ended {
        super::lua_c::Ended::Ok(..) => (true, Value::Nil),
        super::lua_c::Ended::Err(e) => (false, e),
    });
    set_loading(false);
    let registered = match lua.app_data_mut::<Pending>() {
        Some(mut p) => {
            p.active = false;
            std::mem::take(&mut p.functions)
        }
        None => Vec::new(),
    };
    if let Some(mut h) = lua.app_data_mut::<super::vm::HookState>() {
        h.idle_ticks = 0;
    }
    match result {
        Ok((true, _)) => Ok(registered),
        Ok((false, Value::Table(t))) => match t.get::<Value>("err") {
            Ok(Value::String(s)) => Err(s.as_bytes().to_vec()),
            _ => Err(b"ERR unknown error".to_vec()),
        },
        Ok((false, other)) => Err(format!("ERR {other:?}").into_bytes()),
        Err(e) => Err(format!("ERR {}", run::root_message(&e)).into_bytes()),
    }
}

pub fn fcall(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, ctx| s.fcall(ctx, argv, false))
}

pub fn fcall_ro(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, ctx| s.fcall(ctx, argv, true))
}

/// FUNCTION LOAD [REPLACE] code
pub fn function_load(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut replace = false;
    let mut i = 2;
    while i < argv.len() - 1 {
        if args::is(&argv[i], "replace") {
            replace = true;
            i += 1;
        } else {
            return Reply::error(format!(
                "ERR Unknown option given: {}",
                String::from_utf8_lossy(&argv[i])
            ));
        }
    }
    if i != argv.len() - 1 {
        return Reply::error("ERR Function code is missing");
    }
    let code = &argv[argv.len() - 1];
    with_scripts(ctx, |s, _| match s.load_library(code, replace) {
        Ok(name) => Reply::Bulk(name.into_bytes()),
        Err(e) => e,
    })
}

/// FUNCTION DELETE library
pub fn function_delete(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let name = String::from_utf8_lossy(&argv[2]).into_owned();
    with_scripts(ctx, |s, _| {
        if s.functions.set.unlink(&name).is_some() {
            Reply::ok()
        } else {
            Reply::error("ERR Library not found")
        }
    })
}

/// FUNCTION FLUSH [ASYNC|SYNC]: deletes every library and starts a fresh VM.
pub fn function_flush(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 3 {
        return crate::cmd::subcommand_syntax_error(argv);
    }
    if argv.len() == 3 && !args::is(&argv[2], "sync") && !args::is(&argv[2], "async") {
        return Reply::error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
    with_scripts(ctx, |s, _| {
        s.functions = Functions::default();
        Reply::ok()
    })
}

/// FUNCTION KILL: as SCRIPT KILL, a running function is stopped through the host.
pub fn function_kill(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::error("NOTBUSY No scripts in execution right now.")
}
