//! HSCAN, SSCAN and ZSCAN share Redis's `scanGenericCommand`: a cursor, then MATCH and
//! COUNT options. A small encoding (listpack, intset) is returned whole in one call with
//! cursor 0, as Redis does; a hashtable is walked `COUNT` entries at a time by position
//! (Redis's reverse-binary dict cursor is not reproduced).

use super::args;
use crate::resp::{errors, Reply};

pub struct ScanArgs {
    pub cursor: u64,
    pub pattern: Option<Vec<u8>>,
    pub count: usize,
}

/// A cursor as `strtoul` reads it (a leading `-` wraps), else "invalid cursor".
pub fn parse_cursor(arg: &[u8]) -> Result<u64, Reply> {
    let invalid = || Reply::error("ERR invalid cursor");
    let (negative, digits) = match arg.first() {
        Some(b'-') => (true, &arg[1..]),
        Some(b'+') => (false, &arg[1..]),
        _ => (false, arg),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let mut value: u64 = 0;
    for &d in digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add((d - b'0') as u64))
            .ok_or_else(invalid)?;
    }
    Ok(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// Parses `cursor [MATCH pattern] [COUNT count]` from argv[2] on.
pub fn parse(argv: &[Vec<u8>]) -> Result<ScanArgs, Reply> {
    let cursor = parse_cursor(&argv[2])?;
    let mut parsed = ScanArgs {
        cursor,
        pattern: None,
        count: 10,
    };
    let mut i = 3;
    while i < argv.len() {
        let has_value = i + 1 < argv.len();
        if args::is(&argv[i], "count") && has_value {
            let n = super::args_range::long(&argv[i + 1])?;
            if n < 1 {
                return Err(Reply::error(errors::SYNTAX));
            }
            parsed.count = n as usize;
        } else if args::is(&argv[i], "match") && has_value {
            let pattern = &argv[i + 1];
            parsed.pattern = if pattern.as_slice() == b"*" {
                None
            } else {
                Some(pattern.clone())
            };
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        i += 2;
    }
    Ok(parsed)
}

impl ScanArgs {
    pub fn matches(&self, item: &[u8]) -> bool {
        self.pattern
            .as_ref()
            .is_none_or(|p| super::glob::matches(p, item, false))
    }

    /// The positions `[start, end)` to visit among `len` entries, and the next cursor.
    pub fn window(&self, whole: bool, len: usize) -> (usize, usize, u64) {
        if whole {
            return (0, len, 0);
        }
        let start = (self.cursor as usize).min(len);
        let end = start.saturating_add(self.count).min(len);
        (start, end, if end >= len { 0 } else { end as u64 })
    }
}

/// `[cursor, [items…]]`, the reply shape of every SCAN.
pub fn reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(cursor.to_string().into_bytes()),
        Reply::Array(items),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_match_uses_the_one_glob_matcher() {
        let argv = ["HSCAN", "h", "0", "MATCH", "h[^e]llo"].map(|a| a.as_bytes().to_vec());
        let args = parse(&argv).unwrap();
        assert!(args.matches(b"hallo"));
        assert!(!args.matches(b"hello"));
    }

    #[test]
    fn cursors_parse_as_strtoul() {
        assert_eq!(parse_cursor(b"0"), Ok(0));
        assert_eq!(parse_cursor(b"-1"), Ok(u64::MAX));
        assert!(parse_cursor(b"x").is_err());
        assert!(parse_cursor(b"").is_err());
    }
}
