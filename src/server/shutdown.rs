//! SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], answered by the server: it saves the RDB
//! file when asked (SAVE) or when save points are configured (`save`, unless NOSAVE),
//! then stops accepting, closes every connection and `redsim serve` exits. As in Redis
//! it is allowed while a script is busy — the way out the BUSY reply names — though a
//! script that keeps running is only ended by the process exiting.

use crate::resp::Reply;

/// Whether a shutdown saves first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Save {
    /// SAVE given.
    Yes,
    /// NOSAVE given.
    No,
    /// Neither: save when save points are configured.
    IfConfigured,
}

impl Save {
    /// Whether to save, given the `save` parameter.
    pub(crate) fn wanted(self, save_points: &str) -> bool {
        match self {
            Save::Yes => true,
            Save::No => false,
            Save::IfConfigured => !save_points.trim().is_empty(),
        }
    }
}

/// What a SHUTDOWN request asks: `None` if `argv` is not SHUTDOWN, `Some(Ok(save))` to
/// stop, `Some(Err(reply))` for Redis's refusal.
pub(crate) fn request(argv: &[Vec<u8>]) -> Option<Result<Save, Reply>> {
    if !argv.first()?.eq_ignore_ascii_case(b"shutdown") {
        return None;
    }
    let (mut nosave, mut save, mut other_flag, mut abort) = (false, false, false, false);
    for arg in &argv[1..] {
        match arg.to_ascii_lowercase().as_slice() {
            b"nosave" => nosave = true,
            b"save" => save = true,
            b"now" | b"force" => other_flag = true,
            b"abort" => abort = true,
            _ => return Some(Err(Reply::error("ERR syntax error"))),
        }
    }
    if (abort && (nosave || save || other_flag)) || (nosave && save) {
        return Some(Err(Reply::error("ERR syntax error")));
    }
    if abort {
        return Some(Err(Reply::error("ERR No shutdown in progress.")));
    }
    Some(Ok(if save {
        Save::Yes
    } else if nosave {
        Save::No
    } else {
        Save::IfConfigured
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn shutdown_arguments_are_checked_as_redis_does() {
        assert_eq!(request(&argv(&["GET", "k"])), None);
        assert_eq!(request(&argv(&["shutdown", "NOSAVE"])), Some(Ok(Save::No)));
        assert_eq!(
            request(&argv(&["SHUTDOWN", "NOW", "NOW", "force"])),
            Some(Ok(Save::IfConfigured))
        );
        assert_eq!(request(&argv(&["SHUTDOWN", "save"])), Some(Ok(Save::Yes)));
        let syntax = Some(Err(Reply::error("ERR syntax error")));
        assert_eq!(request(&argv(&["SHUTDOWN", "FOO"])), syntax);
        assert_eq!(request(&argv(&["SHUTDOWN", "NOSAVE", "SAVE"])), syntax);
        assert_eq!(request(&argv(&["SHUTDOWN", "ABORT", "NOW"])), syntax);
        assert_eq!(
            request(&argv(&["SHUTDOWN", "ABORT"])),
            Some(Err(Reply::error("ERR No shutdown in progress.")))
        );
    }
}
