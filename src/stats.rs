//! Counters behind INFO stats, INFO commandstats and INFO errorstats.

use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct CommandStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Keyed by (command, subcommand): `("get", None)`, `("config", Some("get"))`;
    /// ordered for stable INFO output.
    pub commands: BTreeMap<(&'static str, Option<&'static str>), CommandStat>,
    /// Error replies by error code (`ERR`, `WRONGTYPE`…).
    pub errors: BTreeMap<String, u64>,
    pub total_error_replies: u64,
    pub total_commands_processed: u64,
    pub total_connections_received: u64,
}

impl Stats {
    /// Counts an error reply by its code (the first word of its text).
    pub fn count_error(&mut self, text: &[u8]) {
        self.total_error_replies += 1;
        let code = text.split(|&b| b == b' ').next().unwrap_or(b"ERR");
        let code = String::from_utf8_lossy(code).into_owned();
        *self.errors.entry(code).or_default() += 1;
    }

    pub fn reset(&mut self) {
        let connections = self.total_connections_received;
        *self = Stats::default();
        self.total_connections_received = connections;
    }
}
