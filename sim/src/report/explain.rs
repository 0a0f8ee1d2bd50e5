//! The explanation under a failing run: what went wrong in this very interleaving, and
//! why running the script as one EVAL prevents it. Built from the captured rows, so it
//! names the commands that fell between another client's.

use super::capture::{Capture, Row};

/// The rows (indices into `capture.rows`) of operation `op`, and those of other
/// clients' commands that the server ran between its first and its last.
fn intruders(capture: &Capture, op: usize) -> (Vec<usize>, Vec<usize>) {
    let own: Vec<usize> = (0..capture.rows.len())
        .filter(|&i| capture.rows[i].op == Some(op) && !capture.rows[i].crash)
        .collect();
    let (Some(&first), Some(&last)) = (own.first(), own.last()) else {
        return (own, Vec::new());
    };
    let (a, b) = (capture.rows[first].time_us, capture.rows[last].time_us);
    let others = (0..capture.rows.len())
        .filter(|&i| {
            let r = &capture.rows[i];
            r.op != Some(op) && !r.crash && r.client.is_some() && a < r.time_us && r.time_us < b
        })
        .collect();
    (own, others)
}

/// How a violating operation met another: the operation whose command sequence was split
/// (`split`, its rows) and the other clients' commands the server ran in between
/// (`inside`, rows). Either the violating operation was split (`victim_split`), or it is
/// the one that ran inside another's sequence (a torn read's reader between two writes).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Intrusion {
    /// The violating operation (index in the history).
    pub op: usize,
    /// Rows of the operation whose sequence was split, first to last.
    pub split: Vec<usize>,
    /// Rows of the commands that ran between its first and its last.
    pub inside: Vec<usize>,
    /// The violating operation is the split one (else it is the one inside).
    pub victim_split: bool,
}

/// The intrusion that explains the verdict's first violating operation that has one: the
/// table marks it, the picture brackets it, the explanation names it.
pub(crate) fn intrusion(capture: &Capture) -> Option<Intrusion> {
    let v = &capture.verdict;
    for &op in &v.violating {
        let (own, others) = intruders(capture, op);
        if !others.is_empty() && own.len() >= 2 {
            return Some(Intrusion {
                op,
                split: own,
                inside: others,
                victim_split: true,
            });
        }
    }
    // The violating operation ran inside another one: the one it split.
    for &op in &v.violating {
        for other in capture
            .rows
            .iter()
            .filter_map(|r| r.op)
            .filter(|&o| o != op)
        {
            let (split, inside) = intruders(capture, other);
            let inside: Vec<usize> = inside
                .into_iter()
                .filter(|&i| capture.rows[i].op == Some(op))
                .collect();
            if !inside.is_empty() && split.len() >= 2 {
                return Some(Intrusion {
                    op,
                    split,
                    inside,
                    victim_split: false,
                });
            }
        }
    }
    None
}

fn list(rows: &[&Row], max: usize) -> String {
    let mut parts: Vec<String> = rows
        .iter()
        .take(max)
        .map(|r| format!("client {}'s {}", r.client.unwrap_or(0), r.command))
        .collect();
    if rows.len() > max {
        parts.push(format!("{} more", rows.len() - max));
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

/// Two sentences: what went wrong here, and why EVAL prevents it.
pub fn explain(capture: &Capture) -> String {
    let v = &capture.verdict;
    if let Some(why) = v.inconclusive.as_ref().filter(|_| v.is_inconclusive()) {
        return format!(
            "Whether some order of whole, atomic operations produces what the clients observed \
             is not decided: {why}. A larger check_states_max in the scenario may decide it."
        );
    }
    if !v.is_anomalous() {
        let partial = v.partial_effects || v.torn_state;
        if partial {
            // Clients saw nothing wrong, but the data holds half an operation.
            let mut what: Vec<&str> = v
                .findings
                .iter()
                .filter(|f| f.starts_with("partial effects") || f.contains("set entries"))
                .map(String::as_str)
                .collect();
            what.sort_by_key(|f| !f.starts_with("partial effects"));
            return format!(
                "Every client observed results that some order of whole, atomic operations produces, yet the data \
                 is half done — {}. With EVAL the script reaches the server whole or not at all, so a crash \
                 leaves all of its effects or none.",
                if what.is_empty() {
                    "a crash left an operation half applied".to_string()
                } else {
                    what.join("; ")
                }
            );
        }
        return "Every client observed results that some order of whole, atomic operations produces: \
                nothing went wrong in this run."
            .into();
    }
    if v.duplicate_effect && v.not_linearizable != Some(true) && !v.lost_update {
        // Atomicity does not help here: each attempt was a whole script.
        return "A client gave up waiting for its reply and sent the operation again, but the first request was                 already on its way and ran too: the operation's writes happened twice. EVAL makes each attempt                 atomic, not the retries idempotent; a script that stores a token for the operation (SET token NX,                 or GET it first) and skips its writes when the token is there runs its effect once however often                 it is retried."
            .into();
    }
    let from_replica = capture.history.ops.iter().any(|op| op.node != 0);
    if v.not_linearizable == Some(true) && !v.lost_write && from_replica {
        return "A client read from a replica, and the replica had not yet applied writes that other clients \
                had already been told were done, so the read returned an older value than one that had been \
                acknowledged: no order of the operations explains it. Replication to replicas is \
                asynchronous (EVAL makes a script atomic on the primary, not visible on the replicas at \
                once); read from the primary when a read must see every acknowledged write."
            .into();
    }
    if v.lost_write && v.lost_in_failover {
        return "The primary acknowledged writes before its replica had them, and the failover promoted that \
                replica: what it had not received was gone, though clients had been told it was done. \
                Replication is asynchronous — EVAL is atomic, not replicated synchronously — and WAIT only \
                tells a client how many replicas have its write; it cannot undo a write that is already on \
                the primary when it returns too few."
            .into();
    }
    if v.lost_write {
        return "The server restarted and came back without a write it had acknowledged: what a client was told \
                is stored was not on disk yet. Scripts cannot help — EVAL is atomic, not durable. With no \
                persistence a restart keeps nothing; an RDB snapshot keeps what was there when it was taken; \
                appendfsync everysec loses up to a second of writes when the machine loses power; \
                appendfsync always writes each change to disk before the reply, so nothing acknowledged is lost."
            .into();
    }
    let mut what = String::new();
    if let Some(found) = intrusion(capture) {
        let rows = |at: &[usize]| -> Vec<&Row> { at.iter().map(|&i| &capture.rows[i]).collect() };
        let (split, inside) = (rows(&found.split), rows(&found.inside));
        let result = capture.history.ops[found.op]
            .result
            .as_ref()
            .map(super::capture::compact_reply)
            .unwrap_or_else(|| "?".into());
        let finding = v
            .findings
            .first()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default();
        what = if found.victim_split {
            let client = split[0].client.unwrap_or(0);
            format!(
                "Client {client} sent its script's commands one at a time ({} … {}), and the server ran {} in between, \
                 so client {client} returned {result}, which no order of whole scripts gives{finding}.",
                split[0].command,
                split[split.len() - 1].command,
                list(&inside, 3),
            )
        } else {
            let client = inside[0].client.unwrap_or(0);
            format!(
                "{} ran between client {}'s {} and its {}, so client {client} returned {result}, which no order of \
                 whole operations gives{finding}.",
                capitalise(&list(&inside, 3)),
                split[0].client.unwrap_or(0),
                split[0].command,
                split[split.len() - 1].command,
            )
        };
    }
    if what.is_empty() {
        what = format!(
            "The clients' commands interleaved on the server, and {}.",
            v.findings
                .first()
                .cloned()
                .unwrap_or_else(|| "the results fit no atomic order".into())
        );
    }
    let why = "With EVAL the server runs the whole script as one command, atomically — no other client's command \
               can run between its first command and its last — so every result is one that some serial order of \
               whole scripts produces.";
    format!("{what} {why}")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
