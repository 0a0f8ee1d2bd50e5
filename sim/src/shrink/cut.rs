//! A cut: how a shrunk run's scenario is obtained from the original one, group by group
//! (a `[[clients]]` group of identical clients): how many of its clients remain, how many
//! operations each runs, and which commands of its command list (plain commands or a
//! MULTI block) remain. A replay file stores the cut next to the scenario it applies to,
//! so that the file still names the scenario and a person sees what was removed:
//!
//! ```toml
//! groups = [{ clients = 2, ops = 1 }, { clients = 0, ops = 1 }, { clients = 1, ops = 2, commands = [0, 2] }]
//! ```
//!
//! Clients are numbered 0, 1, … over the remaining ones; templates such as `{client}`
//! and planned crashes (`faults.crashes`) follow the new numbers (the shrinker re-runs
//! every candidate, so a cut that changes what a client sends, or which client crashes,
//! is kept only if the run still fails the same way; the replay file applies the same
//! cut, so its run is the shrunk run).

use crate::scenario::{ClientGroup, Program, Scenario};
use serde::Deserialize;

/// The cut of one group.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupCut {
    /// Clients of the group that remain (0 removes the group).
    pub clients: u32,
    /// Operations each runs.
    pub ops: u32,
    /// The indices of the command list's commands that remain; `None`: all.
    #[serde(default)]
    pub commands: Option<Vec<usize>>,
}

/// What shrinking removed from a scenario, group by group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// One cut per group of the scenario.
    pub groups: Vec<GroupCut>,
}

/// The command list of a program whose commands can be cut.
fn command_list(program: &Program) -> Option<&Vec<Vec<Vec<u8>>>> {
    match program {
        Program::Commands { commands, .. } | Program::Multi { commands, .. } => Some(commands),
        _ => None,
    }
}

impl Cut {
    /// The cut that removes nothing.
    pub(crate) fn identity(scenario: &Scenario) -> Cut {
        Cut {
            groups: scenario
                .groups
                .iter()
                .map(|g| GroupCut {
                    clients: g.count,
                    ops: g.ops,
                    commands: None,
                })
                .collect(),
        }
    }

    /// Clients kept in all.
    pub fn clients(&self) -> u32 {
        self.groups.iter().map(|g| g.clients).sum()
    }

    /// The group of client `client` (numbered over the remaining clients).
    pub(crate) fn group_of(&self, client: u32) -> Option<usize> {
        let mut first = 0;
        for (g, cut) in self.groups.iter().enumerate() {
            if client < first + cut.clients {
                return Some(g);
            }
            first += cut.clients;
        }
        None
    }

    /// Commands listed in the remaining clients' programs (for [`Size::program`](super::Size)).
    pub(crate) fn program_len(&self, scenario: &Scenario) -> u32 {
        self.groups
            .iter()
            .zip(&scenario.groups)
            .map(|(cut, group)| {
                let listed = command_list(&group.program).map_or(0, |list| {
                    cut.commands.as_ref().map_or(list.len(), Vec::len) as u32
                });
                cut.clients * listed
            })
            .sum()
    }

    /// The command indices group `g` keeps, if its program has a command list.
    pub(crate) fn kept_commands(&self, scenario: &Scenario, g: usize) -> Option<Vec<usize>> {
        let list = command_list(&scenario.groups.get(g)?.program)?;
        Some(
            self.groups[g]
                .commands
                .clone()
                .unwrap_or_else(|| (0..list.len()).collect()),
        )
    }

    /// The scenario with the cut applied (options, invariants and name unchanged).
    pub fn apply(&self, scenario: &Scenario) -> Result<Scenario, String> {
        if self.groups.len() != scenario.groups.len() {
            return Err(format!(
                "the cut names {} client groups but the scenario has {}",
                self.groups.len(),
                scenario.groups.len()
            ));
        }
        let mut groups = Vec::new();
        for (i, (cut, group)) in self.groups.iter().zip(&scenario.groups).enumerate() {
            if cut.clients > group.count || cut.ops > group.ops {
                return Err(format!(
                    "the cut of group {i} ({} clients, {} ops) exceeds the scenario's ({} clients, {} ops)",
                    cut.clients, cut.ops, group.count, group.ops
                ));
            }
            if cut.clients == 0 {
                continue;
            }
            let mut program = group.program.clone();
            if let Some(keep) = &cut.commands {
                let list = match &mut program {
                    Program::Commands { commands, .. } | Program::Multi { commands, .. } => {
                        commands
                    }
                    _ => return Err(format!("group {i} has no command list to cut")),
                };
                if keep.is_empty() || keep.iter().any(|&k| k >= list.len()) {
                    return Err(format!("group {i}: bad command indices {keep:?}"));
                }
                *list = keep.iter().map(|&k| list[k].clone()).collect();
            }
            groups.push(ClientGroup {
                count: cut.clients,
                ops: cut.ops,
                program,
                node: group.node,
            });
        }
        if groups.is_empty() {
            return Err("the cut removes every client".into());
        }
        Ok(Scenario {
            groups,
            ..scenario.clone()
        })
    }

    /// The cut as a TOML inline array (`[{ clients = 2, ops = 1 }, …]`).
    pub fn to_toml(&self) -> String {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let commands = g.commands.as_ref().map_or(String::new(), |c| {
                    let c: Vec<String> = c.iter().map(usize::to_string).collect();
                    format!(", commands = [{}]", c.join(", "))
                });
                format!("{{ clients = {}, ops = {}{commands} }}", g.clients, g.ops)
            })
            .collect();
        format!("[{}]", groups.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::commands::CommandsMode;
    use crate::scenario::ScriptRun;

    fn scenario() -> Scenario {
        Scenario::new("s")
            .clients(
                3,
                1,
                Program::script("return 1", &["k"], &[], ScriptRun::Raw),
            )
            .clients(
                2,
                4,
                Program::commands(
                    &[&["SET", "a", "1"], &["GET", "a"], &["DEL", "a"]],
                    CommandsMode::Each,
                ),
            )
    }

    #[test]
    fn the_identity_cut_changes_nothing() {
        let s = scenario();
        let cut = Cut::identity(&s);
        assert_eq!(cut, Cut::identity(&s));
        let applied = cut.apply(&s).unwrap();
        assert_eq!(applied.client_count(), 5);
        assert_eq!(cut.program_len(&s), 6);
    }

    #[test]
    fn a_cut_removes_clients_ops_and_commands() {
        let s = scenario();
        let cut = Cut {
            groups: vec![
                GroupCut {
                    clients: 0,
                    ops: 1,
                    commands: None,
                },
                GroupCut {
                    clients: 1,
                    ops: 2,
                    commands: Some(vec![0, 2]),
                },
            ],
        };
        let applied = cut.apply(&s).unwrap();
        assert_eq!(applied.groups.len(), 1);
        assert_eq!((applied.groups[0].count, applied.groups[0].ops), (1, 2));
        match &applied.groups[0].program {
            Program::Commands { commands, .. } => {
                assert_eq!(commands.len(), 2);
                assert_eq!(commands[1][0], b"DEL");
            }
            _ => panic!("a command list"),
        }
        assert_eq!(cut.group_of(0), Some(1));
        assert_eq!(cut.program_len(&s), 2);
        assert_eq!(
            cut.to_toml(),
            "[{ clients = 0, ops = 1 }, { clients = 1, ops = 2, commands = [0, 2] }]"
        );
    }

    #[test]
    fn a_cut_that_does_not_fit_the_scenario_is_refused() {
        let s = scenario();
        let mut cut = Cut::identity(&s);
        cut.groups[0].clients = 4;
        assert!(cut.apply(&s).is_err());
        cut.groups[0].clients = 0;
        cut.groups[1].clients = 0;
        assert!(cut.apply(&s).is_err());
        let mut cut = Cut::identity(&s);
        cut.groups[0].commands = Some(vec![0]);
        assert!(cut.apply(&s).is_err(), "a script has no command list");
    }
}
