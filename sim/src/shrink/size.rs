//! The size of a run, which shrinking makes smaller: clients, operations, commands the
//! server ran, and preemptions — the times the scheduler switched away from a client
//! that could have gone on (a switch after a client finished or while it waits is not
//! one). Sizes compare in that order, then by the length of the programs' command lists.

use std::fmt;

/// How big a run is, for shrinking and its report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Clients.
    pub clients: u32,
    /// Operations in the history.
    pub ops: u32,
    /// Commands the server ran for clients (the schedule's steps).
    pub commands: u32,
    /// The most commands one client sent.
    pub commands_per_client_max: u32,
    /// Switches from one client to another while the first could go on.
    pub preemptions: u32,
    /// Commands listed in the clients' programs (command lists, MULTI blocks); 0 for
    /// scripts and closures, whose commands cannot be cut.
    pub program: u32,
}

impl Size {
    /// The order shrinking minimises: a candidate is kept only when it is smaller.
    pub fn key(&self) -> (u32, u32, u32, u32, u32) {
        (
            self.clients,
            self.ops,
            self.commands,
            self.preemptions,
            self.program,
        )
    }

    /// Whether this run is smaller than `other` (fewer clients first, then ops, then steps).
    pub fn smaller_than(&self, other: &Size) -> bool {
        self.key() < other.key()
    }

    /// `commands[c]`: the commands client `c` sent, from a schedule.
    pub(crate) fn per_client(schedule: &[u32], clients: u32) -> Vec<u32> {
        let mut counts = vec![0u32; clients as usize];
        for &c in schedule {
            if let Some(n) = counts.get_mut(c as usize) {
                *n += 1;
            }
        }
        counts
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for Size {
    /// `2 clients / 2 ops / 8 commands / 1 preemption`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / {} / {} / {}",
            plural(self.clients, "client", "clients"),
            plural(self.ops, "op", "ops"),
            plural(self.commands, "command", "commands"),
            plural(self.preemptions, "preemption", "preemptions")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_clients_beat_fewer_preemptions() {
        let a = Size {
            clients: 2,
            ops: 2,
            commands: 8,
            preemptions: 3,
            ..Size::default()
        };
        let b = Size {
            clients: 3,
            ops: 3,
            commands: 12,
            preemptions: 1,
            ..Size::default()
        };
        assert!(a.smaller_than(&b));
        assert!(!b.smaller_than(&a));
        assert!(!a.smaller_than(&a));
        assert_eq!(
            a.to_string(),
            "2 clients / 2 ops / 8 commands / 3 preemptions"
        );
    }

    #[test]
    fn commands_are_counted_per_client() {
        assert_eq!(Size::per_client(&[0, 1, 1, 0, 1], 3), vec![2, 3, 0]);
    }
}
