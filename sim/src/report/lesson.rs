//! What each kind of anomaly is, in two sentences of plain language, for the top of a
//! report: what went wrong, and what prevents it. A scenario file names its kind
//! (`anomaly = "lost-update"`); a run of a script with no file (`redsim race`) gets the
//! kind its verdict found.

use super::analysis::Verdict;

/// Every kind: its name in a scenario file, and its two sentences.
pub(crate) const KINDS: &[(&str, &str)] = &[
    (
        "interleaving",
        "Another client's command ran between two commands of one client's script, so that client's results \
         mix two moments of the data: a combination no order of whole scripts gives. Sent as one EVAL, the \
         script runs atomically, and nothing can run in between.",
    ),
    (
        "torn-read",
        "A reader ran between the writer's two SETs and saw the new value of one key with the old value of \
         the other, a state that never existed as a whole. As EVAL both writes are one atomic step, so every \
         reader sees both keys from the same write.",
    ),
    (
        "lost-update",
        "Two clients read the same counter value before either wrote it back, so the second write overwrote \
         the first and one increment vanished. As EVAL the read and the write run as one atomic step, so no \
         increment is lost.",
    ),
    (
        "partial-effects",
        "A client died after its first write and before its second, and Redis has nothing that undoes the \
         half that ran. As EVAL the script reaches the server whole or not at all, so a crash leaves all of \
         its effects or none.",
    ),
    (
        "no-rollback",
        "The script failed after it had written, and the write stayed: a Redis script is atomic, but an \
         error in it undoes nothing. Validate first and write last.",
    ),
    (
        "duplicate-members",
        "Two runs logged the same timestamp, and ZADD of a member already in the set adds nothing, so the \
         counter and the set's size drift apart even with EVAL. The scripts are atomic; the assumption of one \
         set entry per increment is what breaks, so the log needs unique members.",
    ),
    (
        "over-admission",
        "Several clients counted the slots in use before any of them took one, so more requests were \
         admitted than the limit allows. As EVAL the count and the mark are one atomic step, so exactly the \
         limit is admitted.",
    ),
    (
        "double-processing",
        "Both recovery workers saw the job pending before either claimed it, so the job was claimed and \
         processed twice. As EVAL the look-up, the claim and the acknowledgement are one atomic step, so \
         each job is processed once.",
    ),
    (
        "stale-message",
        "Another writer's SET ran between a client's SET and its PUBLISH, so the last message announces a \
         value the key no longer holds. As EVAL the write and its announcement are one atomic step, so the \
         last message always names the current value.",
    ),
    (
        "busy-script",
        "While a script runs the server runs nothing else: past the busy threshold it answers other clients \
         BUSY, and SCRIPT KILL stops the script with an error. That is the price of atomicity, so scripts \
         must stay short.",
    ),
    (
        "noscript",
        "SCRIPT FLUSH emptied the script cache, so EVALSHA failed with NOSCRIPT and the client had to load \
         the script again. The call fails whole and never half done, but a retry can meet another flush, so \
         a client must be ready to fail or fall back to EVAL.",
    ),
    (
        "transaction",
        "MULTI … EXEC runs its commands as one atomic block, so the reads in each reply agree. But the \
         replies arrive only at EXEC, so a transaction cannot decide anything from its own reads: that \
         needs WATCH or a script.",
    ),
    (
        "optimistic-retry",
        "When another client wrote the watched counter in between, EXEC replied nil and the client tried \
         again, so no increment was lost. WATCH turns the race into a retry instead of a wrong result.",
    ),
    (
        "duplicate-effect",
        "The client library gave up waiting and sent the same EVAL again, but the first request was still \
         on its way and ran too, so one call took effect twice. Each run was atomic; only a script that \
         remembers which operations it has done (an idempotency token) makes a retry safe.",
    ),
    (
        "idempotent-retry",
        "The client still timed out and retried, and both requests still ran, but the script stores a token \
         for its operation in the same atomic step as its writes and the second attempt found it. So each \
         operation changed the data once, however many times it was sent.",
    ),
    (
        "lost-acknowledged-write",
        "Redis acknowledged the INCRs, but with appendfsync everysec the last second of writes was still in \
         the operating system's cache when the power went, so they were gone after the restart. An \
         acknowledgement is not durability: only appendfsync always keeps every write a client was told of.",
    ),
    (
        "durable-write",
        "With appendfsync always the server writes each change to the append-only file and syncs it before \
         it replies, so the power loss took nothing a client had been told. Durability costs a disk sync per \
         write, and that is what it buys.",
    ),
    (
        "no-persistence",
        "With neither snapshots nor an append-only file the server came back empty after the power loss, so \
         every acknowledged write was lost and the counter handed out the same numbers again. A cache can \
         live with that; a counter that must not repeat cannot.",
    ),
    (
        "script-cache-restart",
        "The restart kept the data but not the script cache, so every EVALSHA after it met NOSCRIPT. A \
         client that loads the script again on NOSCRIPT and retries, as the client libraries do, loses no \
         call.",
    ),
    (
        "noscript-pipeline",
        "After the restart the script cache was empty, and pipelines of EVALSHA with nothing to load the \
         script again failed call after call with NOSCRIPT. Each failed call did nothing at all, but the work \
         was lost unless the client falls back to SCRIPT LOAD or EVAL.",
    ),
    (
        "slow-script-retry",
        "The script was still running when the client's timeout passed, so the client library gave up and \
         sent the same EVAL again on a new connection; the first run finished anyway and the retry ran \
         after it, doing the work twice. A client timeout shorter than the slowest script turns every slow \
         call into two: store an idempotency token in the script, or time out later than the script runs.",
    ),
    (
        "script-kill-race",
        "SCRIPT KILL raced with the script's first write: before it, Redis stops the script and nothing of \
         it remains; after it, Redis answers UNKILLABLE, because stopping half-way would break the script's \
         atomicity, and lets it run to its end. A script meant to be killable does its slow part first and \
         writes last.",
    ),
    (
        "lock-clock-jump",
        "The lock's time to live is measured by the server's wall clock, and the clock jumped forward while \
         a client held the lock: it expired at once, the other client took it, and both read the counter \
         before either wrote it. A lease is only as safe as the clock that measures it; do the \
         read-modify-write in one script, or have the server check a fencing token with each write.",
    ),
    (
        "stale-read",
        "The reader asked a replica, and the replica had not yet applied the increment the writer had \
         already been told of, so the read returned an older value. Replication is asynchronous: read from \
         the primary when a read must see every acknowledged write.",
    ),
    (
        "failover-lost-write",
        "The primary acknowledged the increments before its replica had them, and when the replica was \
         promoted those increments were gone, so the counter handed out the same numbers again. Replication \
         is asynchronous: a failover loses whatever the promoted replica had not received.",
    ),
    (
        "wait-is-not-consensus",
        "WAIT told each client how many replicas had its increment, but the increment was already applied, \
         visible and acknowledged on the primary when WAIT returned 0, and the failover still lost it. WAIT \
         narrows the window in which a write is on the primary alone; it does not close it.",
    ),
    (
        "crossslot",
        "In a Redis Cluster all the keys of a command or a script must hash to one slot, and the script's \
         two keys hash to two slots, so the cluster refused every call with CROSSSLOT before it ran. Hash \
         tags make keys share a slot, since only the part in braces is hashed: {c}counter and {c}log live \
         together and the script runs.",
    ),
    (
        "resharding",
        "The script's slot was moving to another master, and for a moment one of its keys was there while \
         the other was not, so the node answered TRYAGAIN and the call did nothing. Cluster clients follow \
         MOVED and ASK on their own, but a call refused with TRYAGAIN must be sent again after a pause, or \
         its work is lost.",
    ),
    (
        "unkillable-script",
        "The script had already written when SCRIPT KILL came, and killing it half-way would break its \
         atomicity, so Redis refused with UNKILLABLE and answered everyone else BUSY. Only SHUTDOWN NOSAVE \
         ended it, and its write was lost with everything not yet saved.",
    ),
];

/// The two sentences of kind `name`.
pub(crate) fn of_kind(name: &str) -> Option<&'static str> {
    KINDS
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, text)| *text)
}

/// The kind a verdict found, for a run with no scenario file (`redsim race`); `None` when
/// it found nothing wrong.
pub(crate) fn kind_of(verdict: &Verdict) -> Option<&'static str> {
    if verdict.lost_update {
        Some("lost-update")
    } else if verdict.stale_message {
        Some("stale-message")
    } else if verdict.mismatch || verdict.not_linearizable == Some(true) {
        Some("interleaving")
    } else if verdict.duplicate_effect {
        Some("duplicate-effect")
    } else if verdict.lost_write {
        Some("lost-acknowledged-write")
    } else if verdict.partial_effects || verdict.torn_state {
        Some("partial-effects")
    } else {
        None
    }
}

/// The lesson at the top of a report: the scenario file's kind (`anomaly`), else the kind
/// the first anomalous verdict of `verdicts` found; empty when there is none.
pub(crate) fn lesson(kind: Option<&str>, verdicts: &[&Verdict]) -> String {
    kind.and_then(of_kind)
        .or_else(|| verdicts.iter().find_map(|v| kind_of(v)).and_then(of_kind))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sentences of `text` (split after `.`, `!` or `?` followed by a space or the end).
    fn sentences(text: &str) -> usize {
        let chars: Vec<char> = text.trim().chars().collect();
        (0..chars.len())
            .filter(|&i| ".!?".contains(chars[i]) && chars.get(i + 1).is_none_or(|c| *c == ' '))
            .count()
    }

    #[test]
    fn every_kind_is_two_sentences() {
        for (name, text) in KINDS {
            assert_eq!(sentences(text), 2, "{name}: {text}");
        }
        assert_eq!(sentences("One. Two. Three."), 3);
    }

    #[test]
    fn a_verdict_names_its_kind() {
        let v = Verdict {
            lost_update: true,
            ..Verdict::default()
        };
        assert_eq!(kind_of(&v), Some("lost-update"));
        assert_eq!(kind_of(&Verdict::default()), None);
        assert!(lesson(None, &[&v]).starts_with("Two clients read the same counter"));
        assert!(lesson(Some("torn-read"), &[&v]).starts_with("A reader ran"));
        assert_eq!(lesson(None, &[&Verdict::default()]), "");
    }
}
