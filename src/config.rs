//! CONFIG's parameters: all of Redis 7.0's (`params::PARAMS`), with Redis's defaults,
//! kinds and CONFIG SET validation (`parse`). A few drive the engine and live in typed
//! fields of [`Config`] (`BOUND`); the others are only stored — CONFIG GET shows what
//! CONFIG SET gave, as clients and test suites expect, though redsim does nothing with it.

mod params;
mod parse;

pub use params::PARAMS;

use std::collections::BTreeMap;

/// The server's settings (what CONFIG GET and SET see).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// `busy-reply-threshold` (alias `lua-time-limit`), milliseconds.
    pub busy_reply_threshold_ms: u64,
    /// `hash-max-listpack-entries`.
    pub hash_max_listpack_entries: usize,
    pub(crate) hash_max_listpack_value: usize,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries`.
    pub zset_max_listpack_entries: usize,
    pub(crate) zset_max_listpack_value: usize,
    pub(crate) list_max_listpack_size: i64,
    /// `hll-sparse-max-bytes`: the longest a sparse HyperLogLog may grow before it is
    /// converted to the dense representation.
    pub(crate) hll_sparse_max_bytes: u64,
    /// `stream-node-max-bytes`: a stream node takes no new entry past this size.
    pub(crate) stream_node_max_bytes: u64,
    /// `stream-node-max-entries`: nor past this many entries (tombstones included).
    pub(crate) stream_node_max_entries: i64,
    /// `maxmemory`, bytes (0: none).
    pub maxmemory: u64,
    /// DEBUG SET-ACTIVE-EXPIRE: whether `redsim serve` removes expired keys in the
    /// background.
    pub(crate) active_expire_enabled: bool,
    /// DEBUG SET-DISABLE-DENY-SCRIPTS 1: scripts may call commands flagged `noscript`
    /// (Redis's `script_disable_deny_script`, a switch for tests).
    pub(crate) scripts_may_call_noscript: bool,
    /// `slowlog-log-slower-than`, µs (-1: log nothing).
    pub(crate) slowlog_log_slower_than: i64,
    /// `slowlog-max-len`.
    pub(crate) slowlog_max_len: usize,
    /// `latency-monitor-threshold`, ms (0: off).
    pub(crate) latency_monitor_threshold: u64,
    /// `notify-keyspace-events` as class bits ([`crate::store::notify`]).
    pub(crate) notify_keyspace_events: u32,
    /// `cluster-enabled` (startup only): the server is a Redis Cluster node.
    pub(crate) cluster_enabled: bool,
    /// The stored-only parameters whose value differs from the default. Only the changes
    /// are kept, so that cloning a fresh engine (the checker does it per state) stays cheap.
    pub stored: BTreeMap<&'static str, String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            busy_reply_threshold_ms: 5000,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            hll_sparse_max_bytes: 3000,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            maxmemory: 0,
            active_expire_enabled: true,
            scripts_may_call_noscript: false,
            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            notify_keyspace_events: 0,
            cluster_enabled: false,
            stored: BTreeMap::new(),
        }
    }
}

/// Whether CONFIG SET may change a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// CONFIG SET may change it.
    Mutable,
    /// Set at startup only: "can't set immutable config".
    Immutable,
    /// Refused while `enable-protected-configs` is `no` (its default, which redsim keeps):
    /// "can't set protected config".
    Protected,
}

/// How an integer parameter's value is written (Redis's INTEGER/MEMORY/PERCENT/OCTAL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A plain integer.
    Plain,
    /// `100mb`, `1gb`, bytes.
    Memory,
    /// A memory amount or `N%` (of maxmemory), stored as a negative number as in Redis.
    MemoryOrPercent,
    /// Written and printed in base 8 (`unixsocketperm`).
    Octal,
}

/// How a parameter's value is written and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `yes` or `no`.
    Bool,
    /// Any text.
    Text,
    /// One of the names (several, space-separated, when `multi`).
    Enum {
        /// The allowed names.
        names: &'static [&'static str],
        /// Several names, space-separated, may be given.
        multi: bool,
    },
    /// An integer between the bounds (inclusive); i128 holds both i64 and u64 bounds.
    Int {
        /// The lowest value.
        min: i128,
        /// The highest value.
        max: i128,
        /// How the value is written.
        unit: Unit,
        /// Stored unsigned.
        unsigned: bool,
    },
    /// A parameter with its own syntax (`save`, `bind`, `client-output-buffer-limit`…).
    Special,
}

/// One parameter as CONFIG sees it.
#[derive(Debug)]
pub struct Param {
    /// The parameter's name.
    pub name: &'static str,
    /// Its other name, if any.
    pub alias: Option<&'static str>,
    /// Whether CONFIG SET may change it.
    pub access: Access,
    /// Redis's HIDDEN_CONFIG: found by its exact name only, never by a pattern.
    pub hidden: bool,
    /// How its value is written and checked.
    pub kind: Kind,
    /// CONFIG GET's answer on a fresh server.
    pub default: &'static str,
}

type Getter = fn(&Config) -> i128;
type Setter = fn(&mut Config, i128);

/// The parameters the engine acts on, and where their value lives. CONFIG SET has already
/// checked the value against the parameter's bounds, so the casts cannot truncate.
static BOUND: &[(&str, Getter, Setter)] = &[
    (
        "busy-reply-threshold",
        |c| c.busy_reply_threshold_ms as i128,
        |c, v| c.busy_reply_threshold_ms = v as u64,
    ),
    (
        "hash-max-listpack-entries",
        |c| c.hash_max_listpack_entries as i128,
        |c, v| c.hash_max_listpack_entries = v as usize,
    ),
    (
        "hash-max-listpack-value",
        |c| c.hash_max_listpack_value as i128,
        |c, v| c.hash_max_listpack_value = v as usize,
    ),
    (
        "set-max-intset-entries",
        |c| c.set_max_intset_entries as i128,
        |c, v| c.set_max_intset_entries = v as usize,
    ),
    (
        "zset-max-listpack-entries",
        |c| c.zset_max_listpack_entries as i128,
        |c, v| c.zset_max_listpack_entries = v as usize,
    ),
    (
        "zset-max-listpack-value",
        |c| c.zset_max_listpack_value as i128,
        |c, v| c.zset_max_listpack_value = v as usize,
    ),
    (
        "list-max-listpack-size",
        |c| c.list_max_listpack_size as i128,
        |c, v| c.list_max_listpack_size = v as i64,
    ),
    (
        "hll-sparse-max-bytes",
        |c| c.hll_sparse_max_bytes as i128,
        |c, v| c.hll_sparse_max_bytes = v as u64,
    ),
    (
        "stream-node-max-bytes",
        |c| c.stream_node_max_bytes as i128,
        |c, v| c.stream_node_max_bytes = v as u64,
    ),
    (
        "stream-node-max-entries",
        |c| c.stream_node_max_entries as i128,
        |c, v| c.stream_node_max_entries = v as i64,
    ),
    (
        "maxmemory",
        |c| c.maxmemory as i128,
        |c, v| c.maxmemory = v as u64,
    ),
    (
        "slowlog-log-slower-than",
        |c| c.slowlog_log_slower_than as i128,
        |c, v| c.slowlog_log_slower_than = v as i64,
    ),
    (
        "slowlog-max-len",
        |c| c.slowlog_max_len as i128,
        |c, v| c.slowlog_max_len = v.min(usize::MAX as i128) as usize,
    ),
    (
        "latency-monitor-threshold",
        |c| c.latency_monitor_threshold as i128,
        |c, v| c.latency_monitor_threshold = v as u64,
    ),
];

/// Kept as class bits, printed in Redis's canonical order (`AKE` for `KEA`).
const NOTIFY: &str = "notify-keyspace-events";
/// A yes/no switch the engine reads on every command, kept as a bool.
const CLUSTER_ENABLED: &str = "cluster-enabled";

fn bound(name: &str) -> Option<&'static (&'static str, Getter, Setter)> {
    BOUND.iter().find(|(n, _, _)| *n == name)
}

impl Param {
    /// The value as CONFIG GET prints it.
    pub fn value(&self, config: &Config) -> String {
        if self.name == NOTIFY {
            return crate::store::notify::flags_text(config.notify_keyspace_events);
        }
        if self.name == CLUSTER_ENABLED {
            return if config.cluster_enabled { "yes" } else { "no" }.into();
        }
        if let Some((_, get, _)) = bound(self.name) {
            return get(config).to_string();
        }
        match config.stored.get(self.name) {
            Some(value) => value.clone(),
            None => self.default.to_string(),
        }
    }

    /// The value's text as CONFIG GET will print it, or the reason Redis refuses it.
    pub fn parse(&self, text: &[u8]) -> Result<String, String> {
        parse::value(self, text)
    }

    /// Stores a value [`Param::parse`] accepted.
    pub fn apply(&self, config: &mut Config, value: String) {
        if self.name == NOTIFY {
            config.notify_keyspace_events = crate::store::notify::parse_flags(&value).unwrap_or(0);
            return;
        }
        if self.name == CLUSTER_ENABLED {
            config.cluster_enabled = value == "yes";
            return;
        }
        if let Some((_, _, set)) = bound(self.name) {
            if let Ok(v) = value.parse::<i128>() {
                set(config, v);
            }
            return;
        }
        if value == self.default {
            config.stored.remove(self.name);
        } else {
            config.stored.insert(self.name, value);
        }
    }
}

impl Config {
    /// The current value of the parameter called `name` (or its alias); `None` for an
    /// unknown name. The server reads the stored ones it honours (`requirepass`…) here.
    pub fn get(&self, name: &str) -> Option<String> {
        find(name.as_bytes()).map(|p| p.value(self))
    }

    /// Sets a parameter at startup (the server's port, directory, password), bypassing
    /// CONFIG SET's checks as a config file does.
    pub fn set_startup(&mut self, name: &str, value: &str) {
        if let Some(param) = find(name.as_bytes()) {
            param.apply(self, value.to_string());
        }
    }
}

/// The parameter called `name` (or by its alias), case-insensitively.
pub fn find(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| {
        name.eq_ignore_ascii_case(p.name.as_bytes())
            || p.alias
                .is_some_and(|a| name.eq_ignore_ascii_case(a.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bound_parameter_is_in_the_table_with_the_engines_default() {
        let config = Config::default();
        for (name, get, _) in BOUND {
            let param = find(name.as_bytes()).expect("bound parameter is a Redis parameter");
            assert_eq!(get(&config).to_string(), param.default, "{name}");
        }
    }

    #[test]
    fn a_stored_value_back_to_its_default_leaves_nothing_stored() {
        let mut config = Config::default();
        let timeout = find(b"timeout").unwrap();
        timeout.apply(&mut config, "30".into());
        assert_eq!(timeout.value(&config), "30");
        timeout.apply(&mut config, "0".into());
        assert!(config.stored.is_empty());
    }
}
