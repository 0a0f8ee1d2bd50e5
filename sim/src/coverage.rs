//! A cheap coverage signal for one run, for guided exploration (as FoundationDB's and
//! Antithesis's explorers keep the runs that reached something new).
//!
//! A run's features are what the server did and what happened to it: each command that
//! ran (its name, with the subcommand of a container command such as SCRIPT), the kind of
//! its reply and, for an error, its code (`BUSY`, `NOSCRIPT`, `UNKILLABLE`…), paired with
//! the last fault event of the run before it; and each fault event (a crash, a lost
//! connection, a timeout, a stall, a clock jump, a restart, a hung script) with the one
//! before it. Integer replies and arrays count by size in a few buckets. So "EVAL
//! answered BUSY after a timeout" is a feature of its own, and a run that reaches it is
//! kept as a parent for more runs. Features are hashed with a seedless hasher: the same
//! seeds give the same coverage on every machine.

use redsim::Reply;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

/// A fault event, as coverage counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Event {
    /// No fault event yet in the run.
    None,
    /// A client crashed.
    Crash,
    /// A client's connection dropped.
    Disconnect,
    /// A client gave up waiting and sent its request again.
    Retry,
    /// A client gave up waiting and kept waiting (no retry left).
    Wait,
    /// The server stalled after a command.
    Stall,
    /// The server's wall clock jumped.
    ClockJump,
    /// The server restarted.
    Restart,
    /// A script never finished (SHUTDOWN NOSAVE).
    Hung,
}

/// The features one run reached (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    features: BTreeSet<u64>,
    last: Option<Event>,
}

fn feature(parts: impl Hash) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    parts.hash(&mut h);
    h.finish()
}

/// A command's name as coverage counts it: lowercase, with the subcommand of a
/// container command.
fn name(argv: &[Vec<u8>]) -> Vec<u8> {
    let Some(first) = argv.first() else {
        return Vec::new();
    };
    let mut name = first.to_ascii_lowercase();
    if let redsim::cmd::Resolved::Found(_, Some(sub)) = redsim::cmd::resolve(argv) {
        name.push(b'|');
        name.extend_from_slice(sub.name.as_bytes());
    }
    name
}

/// The kind of a reply, and the code of an error (its first word); an integer's and an
/// array's size in a few buckets (a counter that reached 2 is not one that reached 10).
fn kind(reply: &Reply) -> (u8, Vec<u8>, u8) {
    let bucket = |n: i64| match n {
        i64::MIN..=-1 => 0,
        0 => 1,
        1 => 2,
        2..=9 => 3,
        _ => 4,
    };
    match reply {
        Reply::Error(e) => (0, e.split(|&b| b == b' ').next().unwrap_or(e).to_vec(), 0),
        Reply::Simple(_) => (1, Vec::new(), 0),
        Reply::Integer(n) => (2, Vec::new(), bucket(*n)),
        Reply::Bulk(_) => (3, Vec::new(), 0),
        Reply::Null | Reply::NullArray => (4, Vec::new(), 0),
        Reply::Array(items) => (5, Vec::new(), bucket(items.len() as i64)),
        _ => (6, Vec::new(), 0),
    }
}

impl Coverage {
    /// Forgets the last run's features.
    pub(crate) fn clear(&mut self) {
        self.features.clear();
        self.last = None;
    }

    /// A command ran (or was answered by the host during a busy script) with `reply`.
    pub(crate) fn command(&mut self, argv: &[Vec<u8>], reply: &Reply) {
        let after = self.last.unwrap_or(Event::None);
        self.features
            .insert(feature((name(argv), kind(reply), after)));
    }

    /// A fault event happened.
    pub(crate) fn event(&mut self, event: Event) {
        self.features.insert(feature(("event", event)));
        // And which fault followed which: a retry after a restart is a path of its own.
        self.features
            .insert(feature(("events", self.last.unwrap_or(Event::None), event)));
        self.last = Some(event);
    }

    /// The features, each a hash.
    pub fn features(&self) -> impl Iterator<Item = u64> + '_ {
        self.features.iter().copied()
    }

    /// How many features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether the run reached no feature at all.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

/// The features a sweep reached so far, and how many it had after each run.
#[derive(Clone, Debug, Default)]
pub struct Reached {
    seen: BTreeSet<u64>,
    /// Distinct features after each run, in run order.
    pub growth: Vec<usize>,
}

impl Reached {
    /// Adds a run's features; returns how many were new.
    pub fn add(&mut self, run: impl IntoIterator<Item = u64>) -> usize {
        let before = self.seen.len();
        self.seen.extend(run);
        self.growth.push(self.seen.len());
        self.seen.len() - before
    }

    /// Distinct features reached.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing was reached.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn a_feature_is_a_command_its_reply_kind_and_error_code_after_the_last_fault() {
        let mut c = Coverage::default();
        c.command(&argv(&["GET", "k"]), &Reply::Null);
        c.command(&argv(&["get", "other"]), &Reply::Null);
        assert_eq!(c.len(), 1, "names are case-blind, keys do not count");
        let mut n = Coverage::default();
        for value in [5, 7, 12, 1000] {
            n.command(&argv(&["INCR", "n"]), &Reply::Integer(value));
        }
        assert_eq!(n.len(), 2, "integers count by size: 2..=9, 10 and more");
        c.command(&argv(&["GET", "k"]), &Reply::bulk("v"));
        c.command(&argv(&["SCRIPT", "FLUSH"]), &Reply::ok());
        c.command(&argv(&["SCRIPT", "KILL"]), &Reply::ok());
        assert_eq!(c.len(), 4, "subcommands count");
        c.command(
            &argv(&["EVAL", "x", "0"]),
            &Reply::error("BUSY Redis is busy"),
        );
        c.command(
            &argv(&["EVAL", "y", "0"]),
            &Reply::error("BUSY other words"),
        );
        c.command(&argv(&["EVAL", "x", "0"]), &Reply::error("NOSCRIPT No"));
        assert_eq!(c.len(), 6, "error codes count, their texts do not");
        c.event(Event::Retry);
        c.command(
            &argv(&["EVAL", "x", "0"]),
            &Reply::error("BUSY Redis is busy"),
        );
        assert_eq!(
            c.len(),
            9,
            "the event, what came before it, and BUSY after a retry"
        );
        let mut d = Coverage::default();
        d.event(Event::Retry);
        d.command(
            &argv(&["EVAL", "x", "0"]),
            &Reply::error("BUSY Redis is busy"),
        );
        let mut reached = Reached::default();
        assert_eq!(reached.add(c.features()), 9);
        assert_eq!(reached.add(d.features()), 0);
        assert_eq!(reached.growth, vec![9, 9]);
    }
}
