//! The FUNCTION subcommands that report on or replace the library set as a whole:
//! STATS, LIST (with its nocase glob for LIBRARYNAME), DUMP, RESTORE and HELP. The
//! libraries themselves, loading and FCALL are in the parent module.

use super::LibrarySet;
use crate::cmd::{args, Ctx};
use crate::resp::Reply;
use crate::script::eval::with_scripts;

/// FUNCTION STATS when no script runs (during a busy one it is answered by
/// `crate::busy`).
pub fn function_stats(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    with_scripts(ctx, |s, _| {
        let (functions, libraries, _) = s.functions.counts();
        stats_reply(Reply::Null, libraries, functions)
    })
}

/// FUNCTION STATS's reply: the running script (or null) and the one engine's counts.
pub fn stats_reply(running_script: Reply, libraries: usize, functions: usize) -> Reply {
    Reply::Map(vec![
        (Reply::bulk("running_script"), running_script),
        (
            Reply::bulk("engines"),
            Reply::Map(vec![(
                Reply::bulk("LUA"),
                Reply::Map(vec![
                    (
                        Reply::bulk("libraries_count"),
                        Reply::Integer(libraries as i64),
                    ),
                    (
                        Reply::bulk("functions_count"),
                        Reply::Integer(functions as i64),
                    ),
                ]),
            )]),
        ),
    ])
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
        for (name, lib) in &s.functions.set.libraries {
            if let Some(p) = pattern {
                if !crate::cmd::glob::matches(p, name.as_bytes(), true) {
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

/// FUNCTION DUMP: every library as Redis's DUMP payload (RDB function opcodes, the code
/// as an RDB string, RDB version 10, CRC64) — Redis's bytes for one library; with
/// several, Redis lists them in its hash order, redsim in its own.
pub fn function_dump(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let opts = crate::rdb::save::SaveOptions::of(&ctx.store.config);
    with_scripts(ctx, |s, _| {
        let codes = s.functions.set.libraries.values().map(|lib| &lib.code[..]);
        Reply::Bulk(crate::rdb::functions::dump_libraries(codes, &opts))
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
    if argv.len() > 4 {
        return crate::cmd::subcommand_syntax_error(argv);
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
    let codes = match crate::rdb::functions::read_functions(&argv[2]) {
        Ok(codes) => codes,
        Err(text) => return Reply::error(format!("ERR {text}")),
    };
    with_scripts(ctx, |s, _| {
        let mut current = std::mem::take(&mut s.functions.set);
        // Load into an empty set first; nothing changes unless every library loads.
        for code in &codes {
            if let Err(e) = s.load_library(code, false) {
                s.functions.set = current;
                return e;
            }
        }
        let fresh = std::mem::take(&mut s.functions.set);
        if policy == Policy::Flush {
            current = LibrarySet::default();
        }
        // Redis's `libraryJoin`: a library of the same name is an error (APPEND) or is
        // unlinked (REPLACE); then any function name still taken is an error, and
        // the unlinked libraries come back.
        let mut unlinked = Vec::new();
        let mut error = None;
        for name in fresh.libraries.keys() {
            if !current.libraries.contains_key(name) {
                continue;
            }
            if policy == Policy::Append {
                error = Some(format!("ERR Library {name} already exists"));
                break;
            }
            unlinked.extend(current.unlink(name).map(|lib| (name.clone(), lib)));
        }
        if error.is_none() {
            error = fresh
                .index
                .values()
                .find(|(_, f)| current.owner(f).is_some())
                .map(|(_, f)| format!("ERR Function {f} already exists"));
        }
        if let Some(text) = error {
            for (name, lib) in unlinked {
                current.link(name, lib);
            }
            s.functions.set = current;
            return Reply::error(text);
        }
        for (name, lib) in fresh.libraries {
            current.link(name, lib);
        }
        s.functions.set = current;
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
        "    Prints this help.",
    ];
    Reply::Array(
        lines
            .iter()
            .map(|l| Reply::Simple(l.as_bytes().to_vec()))
            .collect(),
    )
}
