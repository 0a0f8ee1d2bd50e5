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
            .is_none_or(|p| glob_match(p, item, false))
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

/// Glob-style matching as Redis's `stringmatchlen`: `*`, `?`, `[abc]`, `[^a-z]`, `\x`.
pub fn glob_match(pattern: &[u8], text: &[u8], nocase: bool) -> bool {
    let eq = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut t) = (0usize, 0usize);
    while p < pattern.len() {
        match pattern[p] {
            b'*' => {
                while p + 1 < pattern.len() && pattern[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return true;
                }
                for start in t..=text.len() {
                    if glob_match(&pattern[p + 1..], &text[start..], nocase) {
                        return true;
                    }
                }
                return false;
            }
            b'?' => {
                if t >= text.len() {
                    return false;
                }
                t += 1;
            }
            b'[' => {
                if t >= text.len() {
                    return false;
                }
                p += 1;
                let not = p < pattern.len() && pattern[p] == b'^';
                if not {
                    p += 1;
                }
                let mut matched = false;
                loop {
                    if p < pattern.len() && pattern[p] == b'\\' && p + 2 < pattern.len() {
                        p += 1;
                        matched |= eq(pattern[p], text[t]);
                    } else if p >= pattern.len() || pattern[p] == b']' {
                        break;
                    } else if p + 2 < pattern.len() && pattern[p + 1] == b'-' {
                        let (mut lo, mut hi) = (pattern[p], pattern[p + 2]);
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        let c = text[t];
                        let (c, lo, hi) = if nocase {
                            (
                                c.to_ascii_lowercase(),
                                lo.to_ascii_lowercase(),
                                hi.to_ascii_lowercase(),
                            )
                        } else {
                            (c, lo, hi)
                        };
                        matched |= c >= lo && c <= hi;
                        p += 2;
                    } else {
                        matched |= eq(pattern[p], text[t]);
                    }
                    p += 1;
                }
                if p >= pattern.len() {
                    // An unterminated class: Redis stops at the end of the pattern.
                    p = pattern.len() - 1;
                }
                if matched == not {
                    return false;
                }
                t += 1;
            }
            b'\\' if p + 1 < pattern.len() => {
                p += 1;
                if t >= text.len() || !eq(pattern[p], text[t]) {
                    return false;
                }
                t += 1;
            }
            c => {
                if t >= text.len() || !eq(c, text[t]) {
                    return false;
                }
                t += 1;
            }
        }
        p += 1;
    }
    t == text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_stringmatchlen() {
        assert!(glob_match(b"a*", b"abc", false));
        assert!(glob_match(b"h?llo", b"hello", false));
        assert!(glob_match(b"h[^e]llo", b"hallo", false));
        assert!(!glob_match(b"h[^e]llo", b"hello", false));
        assert!(glob_match(b"h[a-b]llo", b"hbllo", false));
        assert!(glob_match(b"a\\*", b"a*", false));
        assert!(!glob_match(b"a", b"ab", false));
    }

    #[test]
    fn cursors_parse_as_strtoul() {
        assert_eq!(parse_cursor(b"0"), Ok(0));
        assert_eq!(parse_cursor(b"-1"), Ok(u64::MAX));
        assert!(parse_cursor(b"x").is_err());
        assert!(parse_cursor(b"").is_err());
    }
}
