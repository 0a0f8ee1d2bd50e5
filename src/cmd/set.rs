//! set commands. Owned by the engine work (issue 2, step 4).

use super::CommandSpec;

pub static COMMANDS: &[CommandSpec] = &[];
