//! Swarm over client kinds: besides its fault kinds, each seed enables a random subset of
//! the scenario's client groups (a script client, a SCRIPT KILL sender, a reader…), each
//! with a random number of clients and operations. A run without the killer lets the
//! script go deep; one with three writers instead of two finds a race two cannot.
//!
//! Drawn from the seed alone (a stream of its own, apart from the faults'), so
//! `redsim run SCENARIO --seed N --swarm` rebuilds the same clients.

use crate::scenario::{ClientGroup, Program, ScriptRun};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The client groups of seed `seed`'s run, drawn from the scenario's `groups`: each on
/// with probability one half (at least one), with 1, the scenario's or one more client
/// and 1, the scenario's or twice its operations.
pub fn clients_for(groups: &[ClientGroup], seed: u64) -> Vec<ClientGroup> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(8);
    let on: Vec<bool> = groups.iter().map(|_| rng.random_bool(0.5)).collect();
    let keep_one = rng.random_range(0..groups.len().max(1));
    let mut drawn = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let counts = [1, group.count.max(1), group.count.max(1) + 1];
        let ops = [1, group.ops.max(1), group.ops.max(1) * 2];
        let count = counts[rng.random_range(0..counts.len())];
        let ops = ops[rng.random_range(0..ops.len())];
        let none_on = !on.iter().any(|&o| o);
        if on[i] || (none_on && i == keep_one) {
            drawn.push(ClientGroup {
                count,
                ops,
                program: group.program.clone(),
                node: group.node,
            });
        }
    }
    drawn
}

/// The name of a client kind: what its program is and how it sends a script.
fn kind(program: &Program) -> &'static str {
    match program {
        Program::Script { run, .. } => match run {
            ScriptRun::Raw => "script-raw",
            ScriptRun::Eval => "script-eval",
            ScriptRun::EvalSha => "script-evalsha",
        },
        Program::Commands { .. } => "commands",
        Program::Multi { .. } => "multi",
        Program::Watch { .. } => "watch",
        Program::Rust(_) => "rust",
        Program::Subscriber { .. } => "subscriber",
    }
}

/// The client groups `drawn` from the scenario's `groups`, as a report names them:
/// `g0:script-eval×2/2ops+g2:commands×1/1ops` (`gN`: the scenario's group N).
pub fn client_combination(groups: &[ClientGroup], drawn: &[ClientGroup]) -> String {
    let mut names = Vec::new();
    let mut next = 0;
    for group in drawn {
        // The drawn groups keep the scenario's order; find which one this is.
        while next < groups.len() && kind(&groups[next].program) != kind(&group.program) {
            next += 1;
        }
        names.push(format!(
            "g{next}:{}×{}/{}ops",
            kind(&group.program),
            group.count,
            group.ops
        ));
        next += 1;
    }
    names.join("+")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::commands::CommandsMode;

    fn groups() -> Vec<ClientGroup> {
        let incr = Program::commands(&[&["INCR", "n"]], CommandsMode::Each);
        let script = crate::scenario::Script::source("return 1").eval();
        vec![
            ClientGroup {
                count: 2,
                ops: 2,
                program: script,
                node: 0,
            },
            ClientGroup {
                count: 1,
                ops: 1,
                program: incr,
                node: 0,
            },
        ]
    }

    #[test]
    fn a_seed_draws_the_same_clients_and_every_group_is_on_and_off_somewhere() {
        let g = groups();
        let names: Vec<String> = (0..64)
            .map(|s| client_combination(&g, &clients_for(&g, s)))
            .collect();
        assert_eq!(
            names[5],
            client_combination(&g, &clients_for(&g, 5)),
            "deterministic"
        );
        assert!(names.iter().all(|n| !n.is_empty()), "never no client");
        for group in ["g0:script-eval", "g1:commands"] {
            assert!(names.iter().any(|n| n.contains(group)));
            assert!(names.iter().any(|n| !n.contains(group)));
        }
        assert!(names.iter().any(|n| n.contains("×3/")), "more clients too");
        assert!(
            names.iter().any(|n| n.contains("/4ops")),
            "more operations too"
        );
    }
}
