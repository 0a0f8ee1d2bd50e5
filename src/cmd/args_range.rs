//! Argument parsing for the collection commands, as Redis 7.0 does it: C `strtod`
//! semantics for scores, score and lexicographic range items, blocking timeouts and
//! positive counts, each with Redis's own error text.

use super::args::parse_i64;
use crate::db::{LexBound, LexRange, ScoreRange};
use crate::resp::{errors, Reply};

/// C's `strtod` on a byte string: the value, how many bytes it consumed (0: no
/// conversion) and whether it set `ERANGE` (overflow to ±inf, or underflow to zero).
pub fn strtod(s: &[u8]) -> (f64, usize, bool) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let negative = i < s.len() && s[i] == b'-';
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        i += 1;
    }
    let sign = if negative { -1.0 } else { 1.0 };
    let rest = &s[i..];
    let starts = |word: &str| {
        rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes())
    };
    if starts("infinity") {
        return (sign * f64::INFINITY, i + 8, false);
    }
    if starts("inf") {
        return (sign * f64::INFINITY, i + 3, false);
    }
    if starts("nan") {
        let mut end = i + 3;
        if end < s.len() && s[end] == b'(' {
            if let Some(close) = s[end..].iter().position(|&b| b == b')') {
                if s[end + 1..end + close]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    end += close + 1;
                }
            }
        }
        return (f64::NAN, end, false);
    }
    if rest.len() > 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        if let Some((value, used)) = hex_float(&rest[2..]) {
            return (sign * value, i + 2 + used, value.is_infinite());
        }
    }
    let mut j = i;
    let mut text = String::new();
    let mut nonzero = false;
    let mut digits = 0;
    while j < s.len() && s[j].is_ascii_digit() {
        nonzero |= s[j] != b'0';
        text.push(s[j] as char);
        j += 1;
        digits += 1;
    }
    if j < s.len() && s[j] == b'.' {
        text.push('.');
        j += 1;
        while j < s.len() && s[j].is_ascii_digit() {
            nonzero |= s[j] != b'0';
            text.push(s[j] as char);
            j += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return (0.0, 0, false);
    }
    if j < s.len() && (s[j] | 0x20) == b'e' {
        let mut k = j + 1;
        let mut exp = String::from("e");
        if k < s.len() && (s[k] == b'+' || s[k] == b'-') {
            exp.push(s[k] as char);
            k += 1;
        }
        let exp_start = k;
        while k < s.len() && s[k].is_ascii_digit() {
            exp.push(s[k] as char);
            k += 1;
        }
        if k > exp_start {
            text.push_str(&exp);
            j = k;
        }
    }
    if text.starts_with('.') {
        text.insert(0, '0');
    }
    let value: f64 = text.parse().unwrap_or(0.0);
    let erange = value.is_infinite() || (value == 0.0 && nonzero);
    (sign * value, j, erange)
}

/// The hex digits of a C99 hex float after `0x`: value and bytes consumed.
fn hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let mut mantissa = 0f64;
    let mut exp: i64 = 0;
    let mut i = 0;
    let mut digits = 0;
    while i < s.len() && s[i].is_ascii_hexdigit() {
        mantissa = mantissa * 16.0 + (s[i] as char).to_digit(16)? as f64;
        i += 1;
        digits += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_hexdigit() {
            mantissa = mantissa * 16.0 + (s[i] as char).to_digit(16)? as f64;
            exp -= 4;
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'p' {
        let mut k = i + 1;
        let negative = k < s.len() && s[k] == b'-';
        if k < s.len() && (s[k] == b'+' || s[k] == b'-') {
            k += 1;
        }
        let start = k;
        let mut e: i64 = 0;
        while k < s.len() && s[k].is_ascii_digit() {
            e = (e * 10 + (s[k] - b'0') as i64).min(100_000);
            k += 1;
        }
        if k > start {
            exp += if negative { -e } else { e };
            i = k;
        }
    }
    Some((mantissa * 2f64.powi(exp.clamp(-100_000, 100_000) as i32), i))
}

/// Redis's `string2d`: the whole argument is a double, with no leading space, no NaN and
/// no overflow or underflow to zero.
pub fn redis_double(arg: &[u8]) -> Option<f64> {
    // Fast path (ZADD's scores): Rust's parser accepts a subset of what strtod does with
    // the same correctly rounded result; zero, inf, nan and anything it refuses take the
    // careful path below.
    if let Some(value) = std::str::from_utf8(arg)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
    {
        if value.is_finite() && value != 0.0 {
            return Some(value);
        }
    }
    if arg.is_empty() || matches!(arg[0], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        return None;
    }
    let (value, used, erange) = strtod(arg);
    if used != arg.len() || value.is_nan() || (erange && (value.is_infinite() || value == 0.0)) {
        return None;
    }
    Some(value)
}

/// A double argument, or Redis's "not a valid float" error.
pub fn double(arg: &[u8]) -> Result<f64, Reply> {
    redis_double(arg).ok_or_else(|| Reply::error(errors::NOT_FLOAT))
}

/// A 64-bit integer argument, or Redis's "not an integer" error.
pub fn long(arg: &[u8]) -> Result<i64, Reply> {
    parse_i64(arg).ok_or_else(|| Reply::error(errors::NOT_INTEGER))
}

/// Redis's `getRangeLongFromObjectOrReply` with a message: an integer in `min..=max`,
/// else `ERR <message>` — for a non-integer too, as Redis passes the message down.
pub fn long_in(arg: &[u8], min: i64, max: i64, message: &str) -> Result<i64, Reply> {
    match parse_i64(arg) {
        Some(value) if value >= min && value <= max => Ok(value),
        _ => Err(Reply::error(format!("ERR {message}"))),
    }
}

/// One end of a score range (`zslParseRange`): `(` makes it exclusive; the rest goes
/// through `strtod`, which tolerates leading spaces and an empty string (0).
fn score_item(arg: &[u8]) -> Option<(f64, bool)> {
    let (exclusive, text) = match arg.first() {
        Some(b'(') => (true, &arg[1..]),
        _ => (false, arg),
    };
    let (value, used, _) = strtod(text);
    if used != text.len() || value.is_nan() {
        return None;
    }
    Some((value, exclusive))
}

/// A score range `min max`, or "min or max is not a float".
pub fn score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, Reply> {
    match (score_item(min), score_item(max)) {
        (Some((min, min_exclusive)), Some((max, max_exclusive))) => Ok(ScoreRange {
            min,
            max,
            min_exclusive,
            max_exclusive,
        }),
        _ => Err(Reply::error("ERR min or max is not a float")),
    }
}

fn lex_item(arg: &[u8]) -> Option<LexBound> {
    match arg.first()? {
        b'+' if arg.len() == 1 => Some(LexBound::PosInf),
        b'-' if arg.len() == 1 => Some(LexBound::NegInf),
        b'(' => Some(LexBound::Exclusive(arg[1..].to_vec())),
        b'[' => Some(LexBound::Inclusive(arg[1..].to_vec())),
        _ => None,
    }
}

/// A lexicographic range `min max`, or "min or max not valid string range item".
pub fn lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, Reply> {
    match (lex_item(min), lex_item(max)) {
        (Some(min), Some(max)) => Ok(LexRange { min, max }),
        _ => Err(Reply::error("ERR min or max not valid string range item")),
    }
}

/// A blocking command's timeout in seconds (`getTimeoutFromObjectOrReply` with a long
/// double): milliseconds, truncated, 0 meaning "forever". A value too large for a C
/// `long long` (inf included) wraps negative there, hence "timeout is negative".
pub fn timeout_ms(arg: &[u8]) -> Result<u64, Reply> {
    let bad = || Reply::error("ERR timeout is not a float or out of range");
    if arg.is_empty() || matches!(arg[0], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        return Err(bad());
    }
    let (seconds, used, _) = strtod(arg);
    // Redis reads it as a long double: beyond LDBL_MAX (1e100000) it is no number at all,
    // where a double would only overflow to infinity.
    if used != arg.len() || seconds.is_nan() || super::long_double::LongDouble::parse(arg).is_none()
    {
        return Err(bad());
    }
    let ms = seconds * 1000.0;
    // `> 2^63` rather than `>=`: a double rounds some in-range products (9223372036854775 s)
    // up to 2^63 where Redis's long double keeps them exact.
    if ms.is_nan() || ms > 9.223_372_036_854_776e18 || ms <= -1.0 {
        return Err(Reply::error("ERR timeout is negative"));
    }
    Ok(ms.clamp(0.0, i64::MAX as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_beyond_the_long_double_range_is_not_a_float() {
        let not_a_float = Err(Reply::error("ERR timeout is not a float or out of range"));
        assert_eq!(timeout_ms(b"1e100000"), not_a_float);
        assert_eq!(
            timeout_ms(b"1e308"),
            Err(Reply::error("ERR timeout is negative"))
        );
        assert_eq!(timeout_ms(b"0x10"), Ok(16_000));
    }

    #[test]
    fn strtod_stops_where_c_stops() {
        assert_eq!(strtod(b" 1.5x"), (1.5, 4, false));
        assert_eq!(strtod(b"-inf"), (f64::NEG_INFINITY, 4, false));
        assert_eq!(strtod(b"1e"), (1.0, 1, false));
        assert_eq!(strtod(b".5"), (0.5, 2, false));
        assert_eq!(strtod(b"0x10"), (16.0, 4, false));
        assert_eq!(strtod(b"abc").1, 0);
        assert!(strtod(b"1e400").2);
    }

    #[test]
    fn redis_doubles_refuse_spaces_nan_and_overflow() {
        assert_eq!(redis_double(b"1.5"), Some(1.5));
        assert_eq!(redis_double(b"+inf"), Some(f64::INFINITY));
        assert_eq!(redis_double(b" 1"), None);
        assert_eq!(redis_double(b"nan"), None);
        assert_eq!(redis_double(b"1e400"), None);
        assert_eq!(redis_double(b"1e-400"), None);
        assert_eq!(redis_double(b""), None);
    }

    #[test]
    fn score_ranges_accept_what_strtod_accepts() {
        let r = score_range(b"(1", b" +inf").unwrap();
        assert!(r.min_exclusive && !r.max_exclusive && r.max == f64::INFINITY);
        assert_eq!(score_range(b"", b"(").unwrap().max, 0.0);
        assert!(score_range(b"x", b"1").is_err());
        assert!(score_range(b"nan", b"1").is_err());
    }

    #[test]
    fn timeouts_parse_as_redis_does() {
        assert_eq!(timeout_ms(b"1.5"), Ok(1500));
        assert_eq!(timeout_ms(b"0x10"), Ok(16000));
        assert!(timeout_ms(b"inf").is_err());
        assert!(timeout_ms(b"-1").is_err());
        assert!(timeout_ms(b" 1").is_err());
    }
}
