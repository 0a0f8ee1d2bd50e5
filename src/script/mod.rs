//! Lua scripting: EVAL, EVALSHA, SCRIPT, FUNCTION and FCALL with Redis 7.0's semantics.
//! Owned by the scripting work (issue 3).

pub mod libs;

use crate::cmd::CommandSpec;

/// The script engine: the Lua VMs, the script cache and the function libraries.
#[derive(Default)]
pub struct Scripting {}

impl Scripting {
    pub fn new() -> Self {
        Scripting {}
    }
}

pub static COMMANDS: &[CommandSpec] = &[];
