//! The commands ACL rules can name, each with an id for the selectors' bitmaps and its
//! ACL categories (Redis's `ACLGetCommandID` and `orig_commands`).
//!
//! Redis's command table has a few commands redsim does not run (replication, AOF,
//! MIGRATE…). Rules may still name them (`+failover`), and the categories they are in
//! change which `+@cat` / `-@cat` ACL LIST finds best, so they are listed here with the
//! categories Redis 7.0.15's COMMAND INFO gives them; once a command joins the table it
//! is taken from there instead.

use crate::cmd::{all_commands, CommandSpec};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Redis's `ACLCommandCategories`, in its order (ACL CAT lists them so, and ACL LIST
/// tries them so).
pub(crate) const CATEGORIES: [&str; 21] = [
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

/// Redis 7.0.15 commands redsim does not run, with their ACL categories.
const NOT_RUN: &[(&str, &str)] = &[
    ("bgrewriteaof", "admin slow dangerous"),
    ("failover", "admin slow dangerous"),
    ("migrate", "keyspace write slow dangerous"),
    ("psync", "admin slow dangerous"),
    ("replconf", "admin slow dangerous"),
    ("shutdown", "admin slow dangerous"),
    ("sync", "admin slow dangerous"),
];

/// Room for this many command ids in a selector's bitmap.
pub(crate) const ID_CAPACITY: usize = 512;

/// One command or subcommand.
#[derive(Debug)]
pub(crate) struct AclCommand {
    /// `get`, `config|get`.
    pub(crate) full_name: String,
    /// Bit `i` set: in category `CATEGORIES[i]`.
    pub(crate) categories: u32,
    /// The container's id, for a subcommand.
    pub(crate) parent: Option<usize>,
    /// The subcommands' ids, for a container.
    pub(crate) subs: Vec<usize>,
}

/// Every command Redis's ACL knows; ids index `commands`.
#[derive(Debug)]
pub(crate) struct Universe {
    pub(crate) commands: Vec<AclCommand>,
    /// Ids of the top-level commands, sorted by name.
    pub(crate) top: Vec<usize>,
    by_name: FxHashMap<String, usize>,
}

/// The category's bit, for a name in any case.
pub(crate) fn category_bit(name: &[u8]) -> Option<u32> {
    CATEGORIES
        .iter()
        .position(|c| c.as_bytes().eq_ignore_ascii_case(name))
        .map(|i| 1 << i)
}

fn category_bits(acl: &str) -> u32 {
    acl.split_whitespace()
        .filter_map(|c| category_bit(c.as_bytes()))
        .fold(0, |bits, bit| bits | bit)
}

impl Universe {
    fn build() -> Self {
        let mut table: Vec<(&str, &str, &[CommandSpec])> = all_commands()
            .map(|spec| (spec.name, spec.acl, spec.subcommands))
            .collect();
        for &(name, acl) in NOT_RUN {
            if crate::cmd::lookup(name.as_bytes()).is_none() {
                table.push((name, acl, &[]));
            }
        }
        table.sort_by_key(|&(name, ..)| name);
        let mut universe = Universe {
            commands: Vec::new(),
            top: Vec::new(),
            by_name: FxHashMap::default(),
        };
        for (name, acl, subs) in table {
            let id = universe.add(name.to_string(), category_bits(acl), None);
            universe.top.push(id);
            let mut subs: Vec<&CommandSpec> = subs.iter().collect();
            subs.sort_by_key(|s| s.name);
            for sub in subs {
                let full = format!("{name}|{}", sub.name);
                let sub_id = universe.add(full, category_bits(sub.acl), Some(id));
                universe.commands[id].subs.push(sub_id);
            }
        }
        assert!(
            universe.commands.len() < ID_CAPACITY,
            "ACL bitmap too small"
        );
        universe
    }

    fn add(&mut self, full_name: String, categories: u32, parent: Option<usize>) -> usize {
        let id = self.commands.len();
        self.by_name.insert(full_name.clone(), id);
        self.commands.push(AclCommand {
            full_name,
            categories,
            parent,
            subs: Vec::new(),
        });
        id
    }

    /// Redis's `ACLLookupCommand`: `name` or `container|sub` (any case); a `|` after a
    /// command without subcommands, or a second `|`, finds nothing.
    pub(crate) fn lookup(&self, name: &[u8]) -> Option<usize> {
        let lower = String::from_utf8(name.to_ascii_lowercase()).ok()?;
        let mut parts = lower.split('|');
        let first = parts.next()?;
        let top = *self.by_name.get(first)?;
        match (parts.next(), parts.next()) {
            (None, _) => Some(top),
            (Some(_), Some(_)) => None,
            (Some(_), None) if self.commands[top].subs.is_empty() => None,
            (Some(_), None) => self.by_name.get(&lower).copied(),
        }
    }

    /// The id of a command the dispatcher resolved.
    pub(crate) fn id_of(&self, spec: &CommandSpec, sub: Option<&CommandSpec>) -> Option<usize> {
        match sub {
            Some(sub) => self.by_name.get(&format!("{}|{}", spec.name, sub.name)),
            None => self.by_name.get(spec.name),
        }
        .copied()
    }
}

/// The one universe, built from the command table on first use.
pub(crate) fn universe() -> &'static Universe {
    static UNIVERSE: OnceLock<Universe> = OnceLock::new();
    UNIVERSE.get_or_init(Universe::build)
}
