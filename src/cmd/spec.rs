//! The shape of one entry of the command table.

use super::Ctx;
use crate::resp::Reply;

/// A command's implementation: parse `argv` (argv[0] is the command name), apply it,
/// return the reply. It never writes to a socket.
pub(crate) type Handler = fn(&mut Ctx<'_>, &[Vec<u8>]) -> Reply;

/// For commands whose keys cannot be described by first/last/step (EVAL, ZUNION…):
/// the positions in argv that are keys.
pub(crate) type KeyFinder = fn(&[Vec<u8>]) -> Vec<usize>;

/// One command (or subcommand) as Redis 7.0 describes it in its command table.
pub struct CommandSpec {
    /// Lowercase name: `get`, or for a subcommand its own word (`get` under `config`).
    pub name: &'static str,
    /// Positive: exact argc; negative: at least -arity arguments (`argv[0]` included).
    pub arity: i32,
    /// Bits from [`super::flags`].
    pub flags: u32,
    /// ACL categories without the `@`, space separated, as COMMAND INFO lists them.
    pub(crate) acl: &'static str,
    /// Legacy key positions: first key, last key (negative counts from the end), step.
    pub(crate) first_key: i32,
    pub(crate) last_key: i32,
    pub(crate) key_step: i32,
    /// Set for commands with movable keys.
    pub(crate) key_finder: Option<KeyFinder>,
    /// Runs the command.
    pub handler: Handler,
    /// Subcommands (CONFIG GET, SCRIPT LOAD…); empty for plain commands.
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    /// A command with no keys and default metadata; fill the rest with struct update syntax.
    pub const fn new(name: &'static str, arity: i32, flags: u32, handler: Handler) -> Self {
        CommandSpec {
            name,
            arity,
            flags,
            acl: "",
            first_key: 0,
            last_key: 0,
            key_step: 0,
            key_finder: None,
            handler,
            subcommands: &[],
        }
    }

    /// The same command with keys at first..=last by step.
    pub const fn keys(mut self, first: i32, last: i32, step: i32) -> Self {
        self.first_key = first;
        self.last_key = last;
        self.key_step = step;
        self
    }

    pub(crate) const fn acl(mut self, categories: &'static str) -> Self {
        self.acl = categories;
        self
    }

    pub(crate) const fn key_finder(mut self, finder: KeyFinder) -> Self {
        self.key_finder = Some(finder);
        self
    }

    /// The same command with `subs` as its subcommands.
    pub const fn subcommands(mut self, subs: &'static [CommandSpec]) -> Self {
        self.subcommands = subs;
        self
    }

    /// Whether the command has `flag` (see [`flags`](super::flags)).
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether `argc` arguments satisfy the arity.
    pub(crate) fn arity_ok(&self, argc: usize) -> bool {
        let arity = self.arity;
        (arity > 0 && argc == arity as usize) || (arity < 0 && argc >= (-arity) as usize)
    }

    /// The argv positions that hold keys.
    pub(crate) fn key_positions(&self, argv: &[Vec<u8>]) -> Vec<usize> {
        if let Some(finder) = self.key_finder {
            return finder(argv);
        }
        if self.first_key <= 0 || self.has(super::flags::CHANNELS_NOT_KEYS) {
            return Vec::new();
        }
        let last = if self.last_key < 0 {
            argv.len() as i32 + self.last_key
        } else {
            self.last_key
        };
        let step = self.key_step.max(1) as usize;
        (self.first_key as usize..=last.max(0) as usize)
            .step_by(step)
            .filter(|&i| i < argv.len())
            .collect()
    }
}
