//! Stream entry IDs (`<ms>-<seq>`, two unsigned 64-bit halves, ordered by ms then seq)
//! and their parsing as Redis 7.0's `streamGenericParseIDOrReply` does it.

use std::fmt;

/// A stream entry ID.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    /// Milliseconds part.
    pub ms: u64,
    /// Sequence part.
    pub seq: u64,
}

impl StreamId {
    /// `0-0`, what `-` means.
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The largest ID, what `+` means.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// An ID from its two parts.
    pub const fn new(ms: u64, seq: u64) -> Self {
        StreamId { ms, seq }
    }

    /// The next ID (`streamIncrID`); `None` past the largest.
    pub fn next(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID (`streamDecrID`); `None` before `0-0`.
    pub fn prev(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    /// Whether it is `0-0`.
    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// The ID as a reply writes it.
    pub fn to_bytes(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// How an ID argument is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IdRules {
    /// `-` and `+` are refused (Redis's `strict`).
    pub strict: bool,
    /// The sequence taken when only `<ms>` is given.
    pub missing_seq: u64,
    /// `<ms>-*` is accepted (XADD's ID): the sequence is then to be generated.
    pub seq_may_be_star: bool,
}

/// A parsed ID: the ID and whether its sequence was given (`false` for `<ms>-*`).
pub(crate) type ParsedId = (StreamId, bool);

/// Parses an ID argument; `None` is Redis's "Invalid stream ID" error.
pub(crate) fn parse_id(arg: &[u8], rules: IdRules) -> Option<ParsedId> {
    if arg.len() > 127 {
        return None;
    }
    // Redis copies the argument into a C buffer: it ends at the first NUL byte.
    let text = crate::cmd::c_str(arg, usize::MAX);
    if text == b"-" || text == b"+" {
        if rules.strict {
            return None;
        }
        return Some((
            if text == b"-" {
                StreamId::MIN
            } else {
                StreamId::MAX
            },
            true,
        ));
    }
    let (ms_text, seq_text) = match text.iter().position(|&b| b == b'-') {
        Some(dash) => (&text[..dash], Some(&text[dash + 1..])),
        None => (text, None),
    };
    let ms = string_to_u64(ms_text)?;
    match seq_text {
        None => Some((StreamId::new(ms, rules.missing_seq), true)),
        Some(b"*") if rules.seq_may_be_star => Some((StreamId::new(ms, 0), false)),
        Some(seq) => Some((StreamId::new(ms, string_to_u64(seq)?), true)),
    }
}

/// Redis's `string2ull`: a strict `string2ll` that is not negative, else C's
/// `strtoull` over the whole text (leading spaces, a sign, leading zeros; `-N` wraps
/// round, as strtoull does).
pub(crate) fn string_to_u64(text: &[u8]) -> Option<u64> {
    if let Some(n) = crate::cmd::args::parse_i64(text) {
        return u64::try_from(n).ok();
    }
    let mut rest = text;
    while let Some((&c, tail)) = rest.split_first() {
        if matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
            rest = tail;
        } else {
            break;
        }
    }
    let negative = match rest.first() {
        Some(b'-') => {
            rest = &rest[1..];
            true
        }
        Some(b'+') => {
            rest = &rest[1..];
            false
        }
        _ => false,
    };
    if rest.is_empty() || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: u64 = 0;
    for &d in rest {
        value = value.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: IdRules = IdRules {
        strict: false,
        missing_seq: 0,
        seq_may_be_star: false,
    };

    #[test]
    fn ids_parse_as_redis_reads_them() {
        assert_eq!(parse_id(b"5-3", PLAIN), Some((StreamId::new(5, 3), true)));
        assert_eq!(parse_id(b"5", PLAIN), Some((StreamId::new(5, 0), true)));
        assert_eq!(parse_id(b"-", PLAIN), Some((StreamId::MIN, true)));
        assert_eq!(parse_id(b"+", PLAIN), Some((StreamId::MAX, true)));
        assert_eq!(parse_id(b"5-*", PLAIN), None);
        assert_eq!(parse_id(b"-1", PLAIN), None);
        assert_eq!(parse_id(b"a-1", PLAIN), None);
        // strtoull's leniency: leading zeros, a plus sign, a wrapped negative.
        assert_eq!(
            parse_id(b"007-+1", PLAIN),
            Some((StreamId::new(7, 1), true))
        );
        assert_eq!(
            parse_id(b"1--01", PLAIN),
            Some((StreamId::new(1, u64::MAX), true))
        );
        assert_eq!(
            parse_id(b"18446744073709551615", PLAIN),
            Some((StreamId::new(u64::MAX, 0), true))
        );
        assert_eq!(parse_id(b"18446744073709551616", PLAIN), None);
    }

    #[test]
    fn successor_and_predecessor_wrap_at_the_ends() {
        assert_eq!(StreamId::MAX.next(), None);
        assert_eq!(StreamId::MIN.prev(), None);
        assert_eq!(StreamId::new(1, u64::MAX).next(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::new(2, 0).prev(), Some(StreamId::new(1, u64::MAX)));
    }
}
