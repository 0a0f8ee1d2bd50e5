//! Parsing arguments the way Redis's `getLongLongFromObjectOrReply` and friends do,
//! with their error texts.

use crate::resp::{errors, Reply};

/// Parses a signed 64-bit integer as Redis's `string2ll`: optional `-`, digits, no
/// leading zeros or spaces, no `+`.
pub fn parse_i64(arg: &[u8]) -> Option<i64> {
    if arg.is_empty() || arg.len() > 20 {
        return None;
    }
    let (negative, digits) = match arg[0] {
        b'-' => (true, &arg[1..]),
        _ => (false, arg),
    };
    if digits.is_empty() {
        return None;
    }
    if digits[0] == b'0' {
        return if digits.len() == 1 && !negative {
            Some(0)
        } else {
            None
        };
    }
    // Up to 18 digits cannot overflow: the hot path of INCR and friends.
    if digits.len() <= 18 {
        let mut value: i64 = 0;
        for &d in digits {
            let digit = d.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            value = value * 10 + digit as i64;
        }
        return Some(if negative { -value } else { value });
    }
    let mut value: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    if negative {
        if value > i64::MAX as u64 + 1 {
            None
        } else {
            Some((value as i64).wrapping_neg())
        }
    } else if value > i64::MAX as u64 {
        None
    } else {
        Some(value as i64)
    }
}

/// An integer argument, or Redis's "not an integer" error.
pub fn int(arg: &[u8]) -> Result<i64, Reply> {
    parse_i64(arg).ok_or_else(|| Reply::error(errors::NOT_INTEGER))
}

/// An argument in C `int` range, as `getIntFromObjectOrReply`: "not an integer" (or
/// `msg`) when it is no integer, "value is out of range…" (or `msg`) outside int.
pub(crate) fn int32(arg: &[u8], msg: Option<&str>) -> Result<i64, Reply> {
    let error = |default: &str| {
        Reply::error(msg.map_or_else(|| default.to_string(), |m| format!("ERR {m}")))
    };
    let value = parse_i64(arg).ok_or_else(|| error(errors::NOT_INTEGER))?;
    if i32::try_from(value).is_err() {
        return Err(error(
            "ERR value is out of range, value must between -2147483648 and 2147483647",
        ));
    }
    Ok(value)
}

/// Parses a double as Redis's `string2d` (`strtod`, whole string, no NaN; `inf` allowed).
pub(crate) fn parse_f64(arg: &[u8]) -> Option<f64> {
    if arg.is_empty() || arg[0].is_ascii_whitespace() {
        return None;
    }
    let text = std::str::from_utf8(arg).ok()?;
    let lower = text.to_ascii_lowercase();
    let value = match lower.trim_start_matches(['+', '-']) {
        "inf" | "infinity" => {
            if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        _ => {
            if !text
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eExX".contains(&b) || b.is_ascii_hexdigit())
            {
                return None;
            }
            text.parse::<f64>().ok()?
        }
    };
    if value.is_nan() {
        None
    } else {
        Some(value)
    }
}

/// A float argument, or Redis's "not a valid float" error.
pub fn float(arg: &[u8]) -> Result<f64, Reply> {
    parse_f64(arg).ok_or_else(|| Reply::error(errors::NOT_FLOAT))
}

/// Whether `arg` equals `word`, ignoring ASCII case (option keywords).
pub fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_parse_like_string2ll() {
        assert_eq!(parse_i64(b"42"), Some(42));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"007"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b" 1"), None);
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"00"), None);
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_i64(b"-9223372036854775809"), None);
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"12a"), None);
    }
}
