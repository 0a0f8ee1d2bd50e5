//! A selector: one set of command, key and channel permissions (Redis's `aclSelector`).
//! A user has a root selector and any number of `(…)` selectors; a command is allowed
//! when one of them allows it. `apply` is Redis's `ACLSetSelector`.

use super::universe::{category_bit, universe, ID_CAPACITY};
use super::RuleError;
use std::collections::BTreeMap;

/// Which commands a selector allows, by command id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bits([u64; ID_CAPACITY / 64]);

impl Bits {
    pub(crate) const NONE: Bits = Bits([0; ID_CAPACITY / 64]);
    const ALL: Bits = Bits([u64::MAX; ID_CAPACITY / 64]);

    pub(crate) fn get(&self, id: usize) -> bool {
        self.0[id / 64] & (1 << (id % 64)) != 0
    }

    fn set(&mut self, id: usize, on: bool) {
        if on {
            self.0[id / 64] |= 1 << (id % 64);
        } else {
            self.0[id / 64] &= !(1 << (id % 64));
        }
    }
}

/// A key pattern with what it allows: `~p` both, `%R~p` reads, `%W~p` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyPattern {
    pub(crate) pattern: Vec<u8>,
    pub(crate) read: bool,
    pub(crate) write: bool,
}

impl KeyPattern {
    /// `~p`, `%R~p` or `%W~p`, as ACL LIST writes it.
    pub(crate) fn describe(&self) -> Vec<u8> {
        let mut text = match (self.read, self.write) {
            (true, true) => b"~".to_vec(),
            (true, false) => b"%R~".to_vec(),
            _ => b"%W~".to_vec(),
        };
        text.extend_from_slice(&self.pattern);
        text
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Selector {
    pub(crate) allkeys: bool,
    pub(crate) allchannels: bool,
    /// `+@all` / `allcommands` with no command taken away since: every command, even one
    /// the table does not know.
    pub(crate) allcommands: bool,
    /// Redis's reserved "future commands" bit: set by `+@all`, cleared only by `-@all`.
    /// ACL LIST starts from `+@all` when it is set, from `-@all` otherwise.
    pub(crate) future: bool,
    pub(crate) allowed: Bits,
    /// `+select|0`: first arguments allowed for an otherwise refused command, by id.
    pub(crate) first_args: BTreeMap<usize, Vec<Vec<u8>>>,
    pub(crate) patterns: Vec<KeyPattern>,
    pub(crate) channels: Vec<Vec<u8>>,
}

/// Redis's `ACLStringHasSpaces`: `isspace` or NUL.
pub(crate) fn has_spaces(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | 0))
}

impl Selector {
    /// An empty selector: no commands, keys or channels (all channels when
    /// `acl-pubsub-default` is `allchannels`).
    pub(crate) fn new(allchannels: bool) -> Self {
        Selector {
            allkeys: false,
            allchannels,
            allcommands: false,
            future: false,
            allowed: Bits::NONE,
            first_args: BTreeMap::new(),
            patterns: Vec::new(),
            channels: Vec::new(),
        }
    }

    fn set_bit(&mut self, id: usize, on: bool) {
        self.allowed.set(id, on);
        if !on {
            self.allcommands = false;
        }
    }

    /// `ACLChangeSelectorPerm`: a command and, for a container, its subcommands.
    pub(crate) fn change(&mut self, id: usize, on: bool) {
        self.set_bit(id, on);
        self.first_args.remove(&id);
        for &sub in &universe().commands[id].subs {
            self.set_bit(sub, on);
        }
    }

    /// `+@cat` / `-@cat` on every command (and subcommand) in the category.
    pub(crate) fn change_category(&mut self, bit: u32, on: bool) {
        for (id, command) in universe().commands.iter().enumerate() {
            if command.categories & bit != 0 {
                self.change(id, on);
            }
        }
    }

    fn set_all(&mut self, on: bool) {
        self.allowed = if on { Bits::ALL } else { Bits::NONE };
        self.allcommands = on;
        self.future = on;
        self.first_args.clear();
    }

    /// Applies one rule (Redis's `ACLSetSelector`).
    pub(crate) fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if op.is_empty() {
            return Err(RuleError::Syntax);
        } else if is("allkeys") || is("~*") {
            self.allkeys = true;
            self.patterns.clear();
        } else if is("resetkeys") {
            self.allkeys = false;
            self.patterns.clear();
        } else if is("allchannels") || is("&*") {
            self.allchannels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.allchannels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.set_all(true);
        } else if is("nocommands") || is("-@all") {
            self.set_all(false);
        } else if op[0] == b'~' || op[0] == b'%' {
            self.add_key_pattern(op)?;
        } else if op[0] == b'&' {
            if self.allchannels {
                return Err(RuleError::ChannelAfterAll);
            }
            if has_spaces(&op[1..]) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c[..] == op[1..]) {
                self.channels.push(op[1..].to_vec());
            }
            self.allchannels = false;
        } else if op.len() > 1 && (op[0] == b'+' || op[0] == b'-') && op[1] == b'@' {
            let bit = category_bit(&op[2..]).ok_or(RuleError::Unknown)?;
            self.change_category(bit, op[0] == b'+');
        } else if op[0] == b'+' {
            self.allow_command(&op[1..])?;
        } else if op[0] == b'-' {
            let id = universe().lookup(&op[1..]).ok_or(RuleError::Unknown)?;
            self.change(id, false);
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    /// `~pattern`, `%R~pattern`, `%W~pattern`, `%RW~pattern`.
    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.allkeys {
            return Err(RuleError::KeyAfterAll);
        }
        let (mut read, mut write) = (false, false);
        let mut offset = 1;
        if op[0] == b'%' {
            while offset < op.len() {
                let c = op[offset].to_ascii_uppercase();
                offset += 1;
                match c {
                    b'R' if !read => read = true,
                    b'W' if !write => write = true,
                    b'~' => break,
                    _ => return Err(RuleError::Syntax),
                }
            }
        } else {
            (read, write) = (true, true);
        }
        let pattern = &op[offset..];
        if has_spaces(pattern) {
            return Err(RuleError::Syntax);
        }
        match self.patterns.iter_mut().find(|p| p.pattern == pattern) {
            Some(existing) => {
                existing.read |= read;
                existing.write |= write;
            }
            None => self.patterns.push(KeyPattern {
                pattern: pattern.to_vec(),
                read,
                write,
            }),
        }
        self.allkeys = false;
        Ok(())
    }

    /// `+cmd`, `+container|sub`, or `+cmd|first-arg` for a command without subcommands.
    fn allow_command(&mut self, name: &[u8]) -> Result<(), RuleError> {
        let all = universe();
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let id = all.lookup(name).ok_or(RuleError::Unknown)?;
            self.change(id, true);
            return Ok(());
        };
        let id = all.lookup(&name[..bar]).ok_or(RuleError::Unknown)?;
        if all.commands[id].parent.is_some() {
            return Err(RuleError::FirstArgOfSubcommand);
        }
        let first_arg = &name[bar + 1..];
        if first_arg.is_empty() {
            return Err(RuleError::Syntax);
        }
        if !all.commands[id].subs.is_empty() {
            let sub = all.lookup(name).ok_or(RuleError::Unknown)?;
            self.change(sub, true);
            return Ok(());
        }
        let list = self.first_args.entry(id).or_default();
        if !list.iter().any(|a| a.eq_ignore_ascii_case(first_arg)) {
            list.push(first_arg.to_vec());
        }
        Ok(())
    }
}
