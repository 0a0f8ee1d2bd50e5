//! Functions (Redis 7.0): FUNCTION LOAD / LIST / DELETE / FLUSH / DUMP / RESTORE / STATS /
//! KILL, FCALL and FCALL_RO.
//!
//! A library is Lua code whose first line is `#!lua name=<library>`; loading it runs the
//! code once, with only `redis.register_function`, `redis.log` and the version fields
//! reachable, and keeps the functions it registers. FCALL calls one with its keys and
//! arguments tables. Function libraries live in their own Lua VM, apart from EVAL's.

use super::eval::{check_flags, with_scripts};
use super::run::{self, RunMode};
use super::shebang::{self, ScriptFlags};
use super::vm::{Flavor, Vm};
use super::Scripting;
use crate::cmd::{args, Ctx};
use crate::resp::Reply;
use mlua::{Function, Lua, Value};
use std::collections::BTreeMap;

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

/// The function libraries and their VM. Libraries and functions are listed in name
/// order (Redis's order is its dict's, which varies from run to run).
#[derive(Default)]
pub struct Functions {
    vm: Option<Vm>,
    libraries: BTreeMap<String, Library>,
    /// Function name → library name.
    index: BTreeMap<String, String>,
}

/// Functions registered by the library being loaded (the VM's app data).
#[derive(Default)]
struct Pending {
    active: bool,
    functions: Vec<(String, FunctionDef)>,
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

    /// FUNCTION LOAD: compiles and runs a library, keeping what it registers.
    fn load_library(&mut self, code: &[u8], replace: bool) -> Result<String, Reply> {
        let (engine, name, shebang_len) = shebang::library_metadata(code).map_err(Reply::error)?;
        if !engine.eq_ignore_ascii_case("lua") {
            return Err(Reply::error(format!("ERR Engine '{engine}' not found")));
        }
        if !valid_name(&name) {
            return Err(Reply::error(format!("ERR {BAD_NAME}")));
        }
        if self.functions.libraries.contains_key(&name) && !replace {
            return Err(Reply::error(format!("ERR Library '{name}' already exists")));
        }
        let vm = self.functions_vm()?;
        let chunk = vm
            .compile(&code[shebang_len..])
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
        for (fname, _) in &registered {
            if let Some(owner) = self.functions.index.get(fname) {
                if *owner != name {
                    return Err(Reply::error(format!("ERR Function {fname} already exists")));
                }
            }
        }
        self.remove_library(&name);
        let mut functions = BTreeMap::new();
        for (fname, def) in registered {
            self.functions.index.insert(fname.clone(), name.clone());
            functions.insert(fname, def);
        }
        self.functions.libraries.insert(
            name.clone(),
            Library {
                code: code.to_vec(),
                functions,
            },
        );
        Ok(name)
    }

    fn remove_library(&mut self, name: &str) -> bool {
        match self.functions.libraries.remove(name) {
            Some(lib) => {
                for fname in lib.functions.keys() {
                    self.functions.index.remove(fname);
                }
                true
            }
            None => false,
        }
    }

    fn fcall(&mut self, ctx: &mut Ctx<'_>, argv: &[Vec<u8>], ro: bool) -> Reply {
        let fname = String::from_utf8_lossy(&argv[1]).into_owned();
        let Some(lib) = self.functions.index.get(&fname).cloned() else {
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
        let (Some(vm), Some(def)) = (
            self.functions.vm.as_ref(),
            self.functions
                .libraries
                .get(&lib)
                .and_then(|l| l.functions.get(&fname)),
        ) else {
            return Reply::error("ERR Function not found");
        };
        if let Err(e) = check_flags(def.flags, ro) {
            return e;
        }
        let mode = RunMode {
            read_only: ro || def.flags.no_writes,
            is_function: true,
        };
        let mut outcome = run::run(
            vm,
            super::lua_c::Callee::Function(&def.func),
            &fname,
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
        super::lua_c::Ended::Ok(_) => (true, Value::Nil),
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
        if s.remove_library(&name) {
            Reply::ok()
        } else {
            Reply::error("ERR Library not found")
        }
    })
}

/// FUNCTION FLUSH [ASYNC|SYNC]: deletes every library and starts a fresh VM.
pub fn function_flush(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 3
        || (argv.len() == 3 && !args::is(&argv[2], "sync") && !args::is(&argv[2], "async"))
    {
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

/// FUNCTION STATS: no script is running when a command runs.
pub fn function_stats(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, _| {
        let functions: usize = s
            .functions
            .libraries
            .values()
            .map(|l| l.functions.len())
            .sum();
        Reply::Map(vec![
            (Reply::bulk("running_script"), Reply::Null),
            (
                Reply::bulk("engines"),
                Reply::Map(vec![(
                    Reply::bulk("LUA"),
                    Reply::Map(vec![
                        (
                            Reply::bulk("libraries_count"),
                            Reply::Integer(s.functions.libraries.len() as i64),
                        ),
                        (
                            Reply::bulk("functions_count"),
                            Reply::Integer(functions as i64),
                        ),
                    ]),
                )]),
            ),
        ])
    })
}

/// FUNCTION LIST [WITHCODE] [LIBRARYNAME pattern]
pub fn function_list(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut with_code = false;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 2;
    while i < argv.len() {
        if !with_code && args::is(&argv[i], "withcode") {
            with_code = true;
        } else if pattern.is_none() && args::is(&argv[i], "libraryname") {
            if i >= argv.len() - 1 {
                return Reply::error("ERR library name argument was not given");
            }
            i += 1;
            pattern = Some(&argv[i]);
        } else {
            return Reply::error(format!(
                "ERR Unknown argument {}",
                String::from_utf8_lossy(&argv[i])
            ));
        }
        i += 1;
    }
    with_scripts(ctx, |s, _| {
        let mut out = Vec::new();
        for (name, lib) in &s.functions.libraries {
            if let Some(p) = pattern {
                if !glob_match(p, name.as_bytes()) {
                    continue;
                }
            }
            let functions = lib
                .functions
                .iter()
                .map(|(fname, def)| {
                    Reply::Map(vec![
                        (Reply::bulk("name"), Reply::bulk(fname.as_bytes())),
                        (
                            Reply::bulk("description"),
                            Reply::bulk_or_null(
                                def.description.as_ref().map(|d| d.as_bytes().to_vec()),
                            ),
                        ),
                        (
                            Reply::bulk("flags"),
                            Reply::Set(def.flags.names().into_iter().map(Reply::simple).collect()),
                        ),
                    ])
                })
                .collect();
            let mut fields = vec![
                (Reply::bulk("library_name"), Reply::bulk(name.as_bytes())),
                (Reply::bulk("engine"), Reply::bulk("LUA")),
                (Reply::bulk("functions"), Reply::Array(functions)),
            ];
            if with_code {
                fields.push((Reply::bulk("library_code"), Reply::Bulk(lib.code.clone())));
            }
            out.push(Reply::Map(fields));
        }
        Reply::Array(out)
    })
}

/// Redis's `stringmatchlen` with nocase: `*`, `?`, `[...]` (with `^` and ranges), `\`.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star_p, mut star_t) = (None, 0);
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star_p = Some(p);
                    star_t = t;
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class_match(pattern, p, text[t]) {
                        if matched {
                            p = next;
                            t += 1;
                            continue;
                        }
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    if pattern[p + 1].eq_ignore_ascii_case(&text[t]) {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c => {
                    if c.eq_ignore_ascii_case(&text[t]) {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        match star_p {
            Some(sp) => {
                p = sp + 1;
                star_t += 1;
                t = star_t;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `c` against the class starting at `pattern[start] == '['`; returns whether it
/// matched and where the pattern continues.
fn class_match(pattern: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let lc = c.to_ascii_lowercase();
    while i < pattern.len() && pattern[i] != b']' {
        if pattern[i] == b'\\' && i + 1 < pattern.len() {
            i += 1;
            matched |= pattern[i].to_ascii_lowercase() == lc;
        } else if i + 2 < pattern.len() && pattern[i + 1] == b'-' && pattern[i + 2] != b']' {
            let (mut a, mut b) = (
                pattern[i].to_ascii_lowercase(),
                pattern[i + 2].to_ascii_lowercase(),
            );
            if a > b {
                std::mem::swap(&mut a, &mut b);
            }
            matched |= lc >= a && lc <= b;
            i += 2;
        } else {
            matched |= pattern[i].to_ascii_lowercase() == lc;
        }
        i += 1;
    }
    let next = if i < pattern.len() { i + 1 } else { i };
    Some((matched != negate, next))
}

/// FUNCTION DUMP: every library as Redis's DUMP payload (RDB function opcodes, RDB
/// version 10, CRC64). redsim does not LZF-compress the code, so the bytes differ from
/// Redis's for long libraries, but either side can RESTORE them.
pub fn function_dump(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, _| {
        let mut out = Vec::new();
        for lib in s.functions.libraries.values() {
            out.push(super::dump::RDB_OPCODE_FUNCTION2);
            super::dump::write_string(&mut out, &lib.code);
        }
        super::dump::finish(&mut out);
        Reply::Bulk(out)
    })
}

/// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
pub fn function_restore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    #[derive(PartialEq)]
    enum Policy {
        Flush,
        Append,
        Replace,
    }
    let policy =
        match argv.get(3) {
            None => Policy::Append,
            Some(p) if args::is(p, "flush") => Policy::Flush,
            Some(p) if args::is(p, "append") => Policy::Append,
            Some(p) if args::is(p, "replace") => Policy::Replace,
            Some(_) => return Reply::error(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ),
        };
    if argv.len() > 4 {
        return Reply::error(
            "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
        );
    }
    let Some(codes) = super::dump::read_functions(&argv[2]) else {
        return Reply::error("ERR DUMP payload version or checksum are wrong");
    };
    with_scripts(ctx, |s, _| {
        let mut libraries = std::mem::take(&mut s.functions.libraries);
        let mut index = std::mem::take(&mut s.functions.index);
        // Load into an empty set first; nothing changes unless every library loads.
        for code in &codes {
            if let Err(e) = s.load_library(code, false) {
                s.functions.libraries = libraries;
                s.functions.index = index;
                return e;
            }
        }
        let fresh = std::mem::take(&mut s.functions.libraries);
        s.functions.index.clear();
        if policy == Policy::Flush {
            libraries.clear();
            index.clear();
        }
        let conflict = fresh.iter().find_map(|(name, lib)| {
            if libraries.contains_key(name) && policy == Policy::Append {
                return Some(format!("ERR Library {name} already exists"));
            }
            lib.functions.keys().find_map(|f| match index.get(f) {
                Some(owner) if owner != name => Some(format!("ERR Function {f} already exists")),
                _ => None,
            })
        });
        if let Some(text) = conflict {
            s.functions.libraries = libraries;
            s.functions.index = index;
            return Reply::error(text);
        }
        for (name, lib) in fresh {
            if let Some(old) = libraries.remove(&name) {
                for f in old.functions.keys() {
                    index.remove(f);
                }
            }
            for f in lib.functions.keys() {
                index.insert(f.clone(), name.clone());
            }
            libraries.insert(name, lib);
        }
        s.functions.libraries = libraries;
        s.functions.index = index;
        Reply::ok()
    })
}

pub fn function_help(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let lines = [
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Print this help.",
    ];
    Reply::Array(
        lines
            .iter()
            .map(|l| Reply::Simple(l.as_bytes().to_vec()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob_patterns_match_like_redis() {
        assert!(glob_match(b"my*", b"mylib"));
        assert!(glob_match(b"M?LIB", b"mylib"));
        assert!(glob_match(b"[a-m]ylib", b"mylib"));
        assert!(!glob_match(b"[^m]ylib", b"mylib"));
        assert!(!glob_match(b"lib", b"mylib"));
        assert!(glob_match(b"*", b""));
    }
}
