//! Counters behind INFO stats, INFO commandstats and INFO errorstats.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

/// The counters of one command (INFO commandstats).
#[derive(Clone, Debug, Default)]
pub struct CommandStat {
    /// Calls.
    pub calls: u64,
    /// Time spent, µs.
    pub usec: u64,
    /// Calls refused before running.
    pub rejected_calls: u64,
    /// Calls that failed while running.
    pub failed_calls: u64,
    /// Their latencies (LATENCY HISTOGRAM).
    pub(crate) latency: crate::cmd::latency_histogram::Histogram,
}

/// A command's key in INFO commandstats: `("get", None)`, `("config", Some("get"))`.
pub(crate) type CommandKey = (&'static str, Option<&'static str>);

type Address = (usize, usize, usize, usize);

/// Per-command counters. Every command runs through here, so the hot path is a lookup by
/// the addresses of the command's static name strings (two words, hashed with Fx) into a
/// dense `Vec`; the names themselves are only compared when a command is first counted.
/// Iterating (`&CommandStats`) yields the entries ordered by name, as INFO prints them.
#[derive(Clone, Debug, Default)]
pub struct CommandStats {
    /// (address and length of the name, of the subcommand name or 0) → index into
    /// `entries`. Equal address and length mean equal text, so a hit is always right.
    by_address: FxHashMap<Address, u32>,
    entries: Vec<(CommandKey, CommandStat)>,
}

/// What [`CommandStats::entry`] returns; `or_default` gives the counters (as `BTreeMap`'s).
pub struct StatEntry<'a>(&'a mut CommandStat);

impl<'a> StatEntry<'a> {
    /// The counters, created empty if missing.
    pub fn or_default(self) -> &'a mut CommandStat {
        self.0
    }
}

impl CommandStats {
    /// The counters of `key`, created at zero on first use.
    #[inline]
    pub fn get_or_insert(&mut self, key: CommandKey) -> &mut CommandStat {
        let sub = key.1.map_or((0, 0), |s| (s.as_ptr() as usize, s.len()));
        let address = (key.0.as_ptr() as usize, key.0.len(), sub.0, sub.1);
        let index = match self.by_address.get(&address) {
            Some(&index) => index as usize,
            None => self.insert_slow(address, key),
        };
        &mut self.entries[index].1
    }

    #[cold]
    fn insert_slow(&mut self, address: Address, key: CommandKey) -> usize {
        // The same name may live at another address (equal literals are not always merged).
        let index = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(index) => index,
            None => {
                self.entries.push((key, CommandStat::default()));
                self.entries.len() - 1
            }
        };
        self.by_address.insert(address, index as u32);
        index
    }

    /// `BTreeMap`-style access: `stats.commands.entry(key).or_default().calls += 1`.
    pub fn entry(&mut self, key: CommandKey) -> StatEntry<'_> {
        StatEntry(self.get_or_insert(key))
    }

    /// The counters of `key`, if it was ever counted.
    pub fn get(&self, key: &CommandKey) -> Option<&CommandStat> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, s)| s)
    }

    /// Every counted command, ordered by (name, subcommand).
    pub fn iter(&self) -> std::vec::IntoIter<(&CommandKey, &CommandStat)> {
        let mut all: Vec<(&CommandKey, &CommandStat)> =
            self.entries.iter().map(|(k, s)| (k, s)).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all.into_iter()
    }

    /// How many commands have counters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no command has counters.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a CommandStats {
    type Item = (&'a CommandKey, &'a CommandStat);
    type IntoIter = std::vec::IntoIter<(&'a CommandKey, &'a CommandStat)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Facts of the process behind INFO's server section. The engine does no I/O, so the TCP
/// server fills them at startup; a simulated engine keeps these constants (pid 0, a run id
/// of zeros), which keeps a simulated INFO reproducible from the seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Process {
    pub process_id: u32,
    /// 40 hex digits, as Redis's run_id and master_replid.
    pub run_id: String,
    pub(crate) replid: String,
    /// `master_replid2`: the id before the last REPLICAOF NO ONE.
    pub(crate) replid2: String,
    pub executable: String,
    /// Unix ms at startup (or at the first connection of a simulated engine).
    pub(crate) started_ms: Option<u64>,
    /// Unix ms of the last successful save (SAVE, BGSAVE…), if any.
    pub(crate) last_save_ms: Option<u64>,
    /// `dirty` at the last save: INFO's `rdb_changes_since_last_save` counts from it.
    pub(crate) dirty_at_save: u64,
    /// SLOWLOG's entries.
    pub(crate) slowlog: crate::cmd::slowlog::SlowLog,
    /// LATENCY's events.
    pub(crate) latency: crate::cmd::latency::Events,
}

impl Process {
    /// The time LASTSAVE and INFO's `rdb_last_save_time` give, Unix seconds: the last
    /// save, else the start (as Redis sets it when it starts without an RDB file).
    pub(crate) fn last_save_s(&self) -> u64 {
        self.last_save_ms.or(self.started_ms).unwrap_or(0) / 1000
    }
}

impl Default for Process {
    fn default() -> Self {
        Process {
            process_id: 0,
            run_id: "0".repeat(40),
            replid: "0".repeat(40),
            replid2: "0".repeat(40),
            executable: String::new(),
            started_ms: None,
            last_save_ms: None,
            dirty_at_save: 0,
            slowlog: Default::default(),
            latency: Default::default(),
        }
    }
}

/// The server's statistics (INFO stats).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Keyed by (command, subcommand): `("get", None)`, `("config", Some("get"))`;
    /// iterated in name order for stable INFO output.
    pub commands: CommandStats,
    /// Error replies by error code (`ERR`, `WRONGTYPE`…).
    pub errors: BTreeMap<String, u64>,
    pub(crate) total_error_replies: u64,
    pub(crate) total_commands_processed: u64,
    pub(crate) total_connections_received: u64,
    /// The largest `used_memory` INFO has computed (redsim estimates memory when asked,
    /// so the peak is the peak of what INFO and MEMORY saw).
    pub used_memory_peak: u64,
    /// Keys evicted to stay under `maxmemory` (INFO's `evicted_keys`).
    pub evicted_keys: u64,
    /// Set by a handler that counted its own reply's errors ([`Stats::count_reply_errors`]):
    /// how many failed calls `cmd::run` is to add instead of counting the reply.
    pub(crate) reply_counted: Option<u64>,
}

/// The error replies in a script's reply, as Redis's `afterErrorReply` sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReplyErrors {
    /// Errors that came from a command the script called (their Lua table carries
    /// `ignore_error_stats_update`): counted when that command failed; each adds a failed
    /// call of the script command (`ERR_REPLY_FLAG_NO_STATS_UPDATE`).
    pub(crate) already_counted: u64,
    /// The texts of the other errors, counted now.
    pub(crate) new: Vec<Vec<u8>>,
}

impl ReplyErrors {
    /// One error of either kind.
    pub(crate) fn one(text: &[u8], already_counted: bool) -> ReplyErrors {
        let mut errors = ReplyErrors::default();
        errors.add(text, already_counted);
        errors
    }

    /// Adds one error of either kind.
    pub(crate) fn add(&mut self, text: &[u8], already_counted: bool) {
        if already_counted {
            self.already_counted += 1;
        } else {
            self.new.push(text.to_vec());
        }
    }
}

impl Stats {
    /// Counts an error reply by its code (the first word of its text).
    pub(crate) fn count_error(&mut self, text: &[u8]) {
        self.total_error_replies += 1;
        let code = text.split(|&b| b == b' ').next().unwrap_or(b"ERR");
        // Look up without allocating; only a code seen for the first time is copied.
        if let Ok(code) = std::str::from_utf8(code) {
            if let Some(count) = self.errors.get_mut(code) {
                *count += 1;
                return;
            }
        }
        let code = String::from_utf8_lossy(code).into_owned();
        *self.errors.entry(code).or_default() += 1;
    }

    /// Counts the errors of a reply its handler built (a script's): the new ones by code,
    /// and the failed calls Redis's `call()` gives the command — one per error already
    /// counted, one more if any new error was counted. `cmd::run` then leaves the reply
    /// alone, so an error a script passes on from `redis.call` is counted once.
    pub(crate) fn count_reply_errors(&mut self, errors: &ReplyErrors) {
        for text in &errors.new {
            self.count_error(text);
        }
        self.reply_counted = Some(errors.already_counted + u64::from(!errors.new.is_empty()));
    }

    /// Zeroes them (CONFIG RESETSTAT).
    pub fn reset(&mut self) {
        let connections = self.total_connections_received;
        *self = Stats::default();
        self.total_connections_received = connections;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_stats_iterate_in_name_order_and_merge_equal_names() {
        let mut stats = CommandStats::default();
        stats.entry(("set", None)).or_default().calls += 1;
        stats.entry(("config", Some("get"))).or_default().calls += 1;
        let owned_get = String::from("get");
        let leaked: &'static str = Box::leak(owned_get.into_boxed_str());
        stats.entry(("get", None)).or_default().calls += 1;
        stats.entry((leaked, None)).or_default().calls += 1;
        let names: Vec<_> = stats.iter().map(|(k, s)| (*k, s.calls)).collect();
        assert_eq!(
            names,
            vec![
                (("config", Some("get")), 1),
                (("get", None), 2),
                (("set", None), 1)
            ]
        );
    }
}
