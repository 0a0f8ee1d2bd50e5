//! The arguments Redis hides from MONITOR and SLOWLOG (`redactClientCommandArgument`):
//! they show `(redacted)` instead of passwords and user rules.

/// Positions of `argv` to hide: every argument of AUTH; the user and password after
/// HELLO's AUTH; every argument of ACL SETUSER after the subcommand; the value of a
/// sensitive parameter (`requirepass`, `masterauth`, `masteruser`) in CONFIG SET.
pub(crate) fn redacted_positions(argv: &[Vec<u8>]) -> Vec<usize> {
    let is = |j: usize, word: &str| {
        argv.get(j)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    };
    if is(0, "auth") {
        return (1..argv.len()).collect();
    }
    if is(0, "hello") {
        if let Some(at) = (2..argv.len()).find(|&j| is(j, "AUTH") && j + 2 < argv.len()) {
            return vec![at + 1, at + 2];
        }
    }
    if is(0, "acl") && is(1, "setuser") && argv.len() >= 3 {
        return (2..argv.len()).collect();
    }
    if is(0, "migrate") {
        // The password after AUTH, the user and password after AUTH2, as the option
        // parser meets them (KEYS ends the options).
        let mut hidden = Vec::new();
        let mut j = 6;
        while j < argv.len() {
            if is(j, "keys") {
                break;
            }
            if is(j, "auth") && j + 1 < argv.len() {
                hidden.push(j + 1);
                j += 1;
            } else if is(j, "auth2") && j + 2 < argv.len() {
                hidden.extend([j + 1, j + 2]);
                j += 2;
            }
            j += 1;
        }
        return hidden;
    }
    if is(0, "config") && is(1, "set") {
        return (2..argv.len())
            .step_by(2)
            .filter(|&j| {
                ["requirepass", "masterauth", "masteruser"]
                    .iter()
                    .any(|p| is(j, p))
            })
            .map(|j| j + 1)
            .filter(|&j| j < argv.len())
            .collect();
    }
    Vec::new()
}
