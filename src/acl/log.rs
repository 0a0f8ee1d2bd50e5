//! The ACL log (Redis 7.0's `ACLLog`): refused commands, keys, channels and logins,
//! newest first, at most `acllog-max-len` entries. A refusal like one of the last ten
//! (same reason, context, object and user, within a minute) bumps that entry's count
//! and moves it to the front instead of adding one.

use std::collections::VecDeque;

/// Entries this close in time (ms) may be merged.
const GROUPING_MAX_DELTA_MS: u64 = 60_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    Command,
    Key,
    Channel,
    Auth,
}

impl Reason {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Reason::Command => "command",
            Reason::Key => "key",
            Reason::Channel => "channel",
            Reason::Auth => "auth",
        }
    }
}

/// Where the refused command was run from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    Toplevel,
    Multi,
    Lua,
}

impl Context {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Context::Toplevel => "toplevel",
            Context::Multi => "multi",
            Context::Lua => "lua",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) count: u64,
    pub(crate) reason: Reason,
    pub(crate) context: Context,
    /// The command's full name, the key, the channel, or for AUTH the command's name.
    pub(crate) object: Vec<u8>,
    pub(crate) username: Vec<u8>,
    /// When it last happened (Unix ms, the engine's clock).
    pub(crate) time_ms: u64,
    /// The client's CLIENT LIST line (without the newline).
    pub(crate) client_info: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Log {
    pub(crate) entries: VecDeque<Entry>,
}

impl Log {
    /// `addACLLogEntry`.
    pub(crate) fn add(&mut self, entry: Entry, max_len: usize) {
        let similar = |e: &Entry| {
            e.reason == entry.reason
                && e.context == entry.context
                && e.time_ms.abs_diff(entry.time_ms) <= GROUPING_MAX_DELTA_MS
                && e.object == entry.object
                && e.username == entry.username
        };
        if let Some(at) = self.entries.iter().take(10).position(similar) {
            let mut found = self.entries.remove(at).expect("found");
            found.count += 1;
            found.time_ms = entry.time_ms;
            found.client_info = entry.client_info;
            self.entries.push_front(found);
            return;
        }
        self.entries.push_front(entry);
        self.entries.truncate(max_len);
    }
}
