//! EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD / EXISTS / FLUSH / KILL.
//!
//! `EVAL script numkeys key... arg...` runs a Lua script; it is compiled once and cached
//! under its SHA1, which EVALSHA names. `numkeys` must be an integer between 0 and the
//! number of remaining arguments. The `_RO` variants refuse writes, and refuse outright a
//! script whose shebang does not declare `no-writes`.

use super::lua_c::Callee;
use super::run::{self, RunMode};
use super::shebang::{self, ScriptFlags};
use super::{cached_script_bytes, sha1_hex, CachedScript, Scripting};
use crate::cmd::{args, Ctx};
use crate::resp::{errors, Reply};

pub const NOSCRIPT: &str = "NOSCRIPT No matching script. Please use EVAL.";

/// The keys of EVAL/EVALSHA/FCALL: argv[3 .. 3 + numkeys].
pub fn numkeys_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    match argv.get(2).and_then(|n| args::parse_i64(n)) {
        Some(n) if n > 0 && (n as usize) <= argv.len().saturating_sub(3) => {
            (3..3 + n as usize).collect()
        }
        _ => Vec::new(),
    }
}

/// Parses numkeys with Redis's errors; returns (keys, args).
#[allow(clippy::type_complexity)] // a pair of argument slices reads clearer than an alias
pub fn split_keys(argv: &[Vec<u8>]) -> Result<(&[Vec<u8>], &[Vec<u8>]), Reply> {
    let numkeys = args::int(&argv[2])?;
    if numkeys > (argv.len() - 3) as i64 {
        return Err(Reply::error(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    if numkeys < 0 {
        return Err(Reply::error("ERR Number of keys can't be negative"));
    }
    let rest = &argv[3..];
    Ok(rest.split_at(numkeys as usize))
}

pub fn eval(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, ctx| s.eval(ctx, argv, false, false))
}

pub fn evalsha(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, ctx| s.eval(ctx, argv, true, false))
}

pub fn eval_ro(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, ctx| s.eval(ctx, argv, false, true))
}

pub fn evalsha_ro(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, ctx| s.eval(ctx, argv, true, true))
}

/// Lends the script engine to `f` (it is absent only inside a script, where these
/// commands are refused before they get here).
pub fn with_scripts(
    ctx: &mut Ctx<'_>,
    f: impl FnOnce(&mut Scripting, &mut Ctx<'_>) -> Reply,
) -> Reply {
    let Some(scripts) = ctx.scripts.take() else {
        return Reply::error(errors::NOT_ALLOWED_FROM_SCRIPT);
    };
    let reply = f(scripts, ctx);
    ctx.scripts = Some(scripts);
    reply
}

/// A SHA1 given by the user, lowercased, if it has the right length.
fn sha_key(sha: &[u8]) -> Option<[u8; 40]> {
    let mut key = [0u8; 40];
    if sha.len() != 40 {
        return None;
    }
    for (k, b) in key.iter_mut().zip(sha) {
        *k = b.to_ascii_lowercase();
    }
    Some(key)
}

impl Scripting {
    /// Compiles and caches `body` (EVAL, SCRIPT LOAD); returns its SHA1.
    pub(super) fn load_script(&mut self, body: &[u8]) -> Result<[u8; 40], Reply> {
        let sha = sha1_hex(body);
        let key = sha_key(sha.as_bytes()).expect("a SHA1 has 40 digits");
        if self.scripts.contains_key(&key) {
            return Ok(key);
        }
        let (flags, shebang_len) = shebang::eval_flags(body).map_err(Reply::error)?;
        // Scripts are only removed all at once, with their VM (SCRIPT FLUSH).
        let id = self.scripts.len() as i64 + 1;
        let vm = self.eval_vm().map_err(Reply::error)?;
        // The shebang line is skipped but its newline kept, so line numbers stay right.
        let func = vm.compile(&body[shebang_len..]).map_err(|msg| {
            Reply::error(format!("ERR Error compiling script (new function): {msg}"))
        })?;
        vm.script_store
            .raw_set(id, func)
            .map_err(|e| Reply::error(format!("ERR Error caching the script: {e}")))?;
        self.scripts.insert(key, CachedScript { id, flags });
        self.scripts_bytes += cached_script_bytes(body.len());
        Ok(key)
    }

    /// The flags a script command's script declares, when it has a shebang (Redis's
    /// `evalGetCommandFlags` / `fcallGetCommandFlags`): the cached script's, else the
    /// body's shebang for EVAL, the function's for FCALL; `None` when unknown or
    /// without shebang.
    fn declared_flags(&self, argv: &[Vec<u8>]) -> Option<ScriptFlags> {
        let name = argv.first()?.to_ascii_lowercase();
        let body = argv.get(1)?;
        let flags = match name.as_slice() {
            b"fcall" | b"fcall_ro" => return self.functions.flags_of(body),
            b"evalsha" | b"evalsha_ro" => self.scripts.get(&sha_key(body)?)?.flags,
            _ => match sha_key(sha1_hex(body).as_bytes()).and_then(|k| self.scripts.get(&k)) {
                Some(script) => script.flags,
                None => shebang::eval_flags(body).ok()?.0,
            },
        };
        (!flags.compat).then_some(flags)
    }

    /// A script command's flags as `processCommand` sees them (`scriptFlagsToCmdFlags`):
    /// with declared flags, `denyoom` unless `allow-oom` or `no-writes`, `write` unless
    /// `no-writes`, `stale` with `allow-stale`; the table's flags without.
    pub fn command_flags(&self, table_flags: u32, argv: &[Vec<u8>]) -> u32 {
        use crate::cmd::flags::{DENYOOM, MAY_REPLICATE, STALE, WRITE};
        let Some(declared) = self.declared_flags(argv) else {
            return table_flags;
        };
        let mut flags = table_flags & !(STALE | DENYOOM | WRITE | MAY_REPLICATE);
        if !(declared.allow_oom || declared.no_writes) {
            flags |= DENYOOM;
        }
        if !declared.no_writes {
            flags |= WRITE;
        }
        if declared.allow_stale {
            flags |= STALE;
        }
        flags
    }

    fn eval(&mut self, ctx: &mut Ctx<'_>, argv: &[Vec<u8>], by_sha: bool, ro: bool) -> Reply {
        let (keys, args) = match split_keys(argv) {
            Ok(split) => split,
            Err(e) => return e,
        };
        let key = if by_sha {
            match sha_key(&argv[1]) {
                Some(key) if self.scripts.contains_key(&key) => key,
                _ => return Reply::error(NOSCRIPT),
            }
        } else {
            match self.load_script(&argv[1]) {
                Ok(key) => key,
                Err(e) => return e,
            }
        };
        let lua_client = self.lua_client(ctx);
        let (Some(vm), Some(script)) = (self.eval_vm.as_ref(), self.scripts.get(&key)) else {
            return Reply::error(NOSCRIPT);
        };
        if let Err(e) = check_flags(script.flags, ro) {
            return e;
        }
        if let Err(e) = check_oom(script.flags, ctx) {
            return e;
        }
        let mode = RunMode {
            read_only: ro || script.flags.no_writes,
            is_function: false,
            allow_oom: !script.flags.compat && script.flags.allow_oom,
            allow_cross_slot: script.flags.compat || script.flags.allow_cross_slot_keys,
            loaded: (0, 0),
        };
        let name = std::str::from_utf8(&key).unwrap_or_default();
        let mut outcome = run::run(
            vm,
            Callee::Stored(&vm.script_store, script.id),
            name,
            argv,
            keys,
            args,
            mode,
            ctx,
            lua_client,
        );
        self.record(name, &mut outcome);
        outcome.reply
    }
}

/// The checks Redis's `scriptPrepareForRun` makes on a script's declared flags.
pub fn check_flags(flags: ScriptFlags, ro: bool) -> Result<(), Reply> {
    if !flags.compat && !flags.no_writes && ro {
        return Err(Reply::error(
            "ERR Can not execute a script with write flag using *_ro command.",
        ));
    }
    Ok(())
}

/// A script with a shebang (or a function) that does not declare `allow-oom` or
/// `no-writes` does not start when the server was over `maxmemory` as the command began
/// (Redis's `scriptPrepareForRun`). Scripts without a shebang start, and their deny-oom
/// commands are refused instead (`script::call`).
pub fn check_oom(flags: ScriptFlags, ctx: &Ctx<'_>) -> Result<(), Reply> {
    if !flags.compat
        && crate::cmd::maxmemory::over_at_start(ctx.store)
        && !(flags.allow_oom || flags.no_writes)
    {
        return Err(Reply::error(
            "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'",
        ));
    }
    Ok(())
}

/// SCRIPT LOAD script: compiles and caches, replies the SHA1.
pub fn script_load(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, _| match s.load_script(&argv[2]) {
        Ok(key) => Reply::Bulk(key.to_vec()),
        Err(e) => e,
    })
}

/// SCRIPT EXISTS sha...: 1 or 0 for each.
pub fn script_exists(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, _| {
        Reply::Array(
            argv[2..]
                .iter()
                .map(|sha| {
                    Reply::Integer(sha_key(sha).is_some_and(|k| s.scripts.contains_key(&k)) as i64)
                })
                .collect(),
        )
    })
}

/// SCRIPT FLUSH [ASYNC|SYNC]: forgets every script and starts a fresh Lua VM.
pub fn script_flush(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 3
        || (argv.len() == 3 && !args::is(&argv[2], "sync") && !args::is(&argv[2], "async"))
    {
        return Reply::error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    with_scripts(ctx, |s, _| {
        s.scripts.clear();
        s.scripts_bytes = 0;
        s.eval_vm = None;
        Reply::ok()
    })
}

/// SCRIPT KILL: a busy script is stopped through the host (`Host::script_tick`); when a
/// command can run at all, no script is running.
pub fn script_kill(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::error("NOTBUSY No scripts in execution right now.")
}

/// SCRIPT DEBUG YES|SYNC|NO: redsim has no Lua debugger; NO is accepted.
pub fn script_debug(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if args::is(&argv[2], "no") {
        Reply::ok()
    } else if args::is(&argv[2], "yes") || args::is(&argv[2], "sync") {
        Reply::error("ERR redsim does not implement the Lua debugger (SCRIPT DEBUG)")
    } else {
        Reply::error("ERR Use SCRIPT DEBUG YES/SYNC/NO")
    }
}

pub fn script_help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() != 2 || !args::is(&argv[1], "help") {
        return crate::cmd::wrong_arity("script");
    }
    let lines = [
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(
        lines
            .iter()
            .map(|l| Reply::Simple(l.as_bytes().to_vec()))
            .collect(),
    )
}
