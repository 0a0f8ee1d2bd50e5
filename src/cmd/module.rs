//! MODULE: redsim loads no modules. As a Redis started with its default
//! `enable-module-command no` (an immutable parameter), LIST answers that none is loaded
//! and LOAD / LOADEX / UNLOAD are refused with Redis's text.

use super::flags::{ADMIN, LOADING, NOSCRIPT, NO_ASYNC_LOADING, STALE};
use super::spec::CommandSpec;
use super::Ctx;
use crate::resp::Reply;

const CHANGE: u32 = ADMIN | NOSCRIPT | NO_ASYNC_LOADING;
const CHANGE_ACL: &str = "admin slow dangerous";

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new("module", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow"),
        CommandSpec::new("list", 2, ADMIN | NOSCRIPT, list).acl(CHANGE_ACL),
        CommandSpec::new("load", -3, CHANGE, not_allowed).acl(CHANGE_ACL),
        CommandSpec::new("loadex", -3, CHANGE, not_allowed).acl(CHANGE_ACL),
        CommandSpec::new("unload", 3, CHANGE, not_allowed).acl(CHANGE_ACL),
    ])];

fn list(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Array(Vec::new())
}

fn not_allowed(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::error(
        "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", \
         you can run it from a local connection, otherwise you need to set this option in the \
         configuration file, and then restart the server.",
    )
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("module");
    }
    let lines = [
        "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LIST",
        "    Return a list of loaded modules.",
        "LOAD <path> [<arg> ...]",
        "    Load a module library from <path>, passing to it any optional arguments.",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "    Load a module library from <path>, while passing it module configurations and optional arguments.",
        "UNLOAD <name>",
        "    Unload a module.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
