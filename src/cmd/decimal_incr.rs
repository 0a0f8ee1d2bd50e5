//! HINCRBYFLOAT's arithmetic. Redis adds in C `long double` and prints the sum with
//! `%.17Lf`, trailing zeros trimmed. redsim adds exactly in decimal when both operands are
//! plain decimals that fit, which gives the same text whenever the long double sum is
//! within half a unit of the 17th decimal of the exact sum (small magnitudes, the common
//! case); otherwise it falls back to f64 arithmetic.

/// A decimal as `mantissa × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Decimal {
    mantissa: i128,
    scale: u32,
}

const MAX_SCALE: u32 = 17;

fn parse_decimal(text: &[u8]) -> Option<Decimal> {
    let s = std::str::from_utf8(text).ok()?;
    let (body, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (negative, body) = match body.as_bytes().first()? {
        b'-' => (true, &body[1..]),
        b'+' => (false, &body[1..]),
        _ => (false, body),
    };
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return None;
    }
    let mut mantissa: i128 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    let mut scale = frac_part.len() as i64 - exp as i64;
    while scale < 0 {
        mantissa = mantissa.checked_mul(10)?;
        scale += 1;
    }
    while scale > MAX_SCALE as i64 && mantissa % 10 == 0 && mantissa != 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if mantissa == 0 {
        scale = 0;
    }
    if scale > MAX_SCALE as i64 {
        return None;
    }
    Some(Decimal { mantissa: if negative { -mantissa } else { mantissa }, scale: scale as u32 })
}

fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale.max(b.scale);
    let a_m = a.mantissa.checked_mul(10i128.checked_pow(scale - a.scale)?)?;
    let b_m = b.mantissa.checked_mul(10i128.checked_pow(scale - b.scale)?)?;
    Some(Decimal { mantissa: a_m.checked_add(b_m)?, scale })
}

fn format(d: Decimal) -> String {
    let negative = d.mantissa < 0;
    let digits = d.mantissa.unsigned_abs().to_string();
    let scale = d.scale as usize;
    let padded = if digits.len() <= scale { format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits) } else { digits };
    let (int_part, frac_part) = padded.split_at(padded.len() - scale);
    let frac_part = frac_part.trim_end_matches('0');
    let mut out = String::new();
    if negative && (int_part.trim_start_matches('0') != "" || !frac_part.is_empty()) {
        out.push('-');
    }
    out.push_str(int_part);
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(frac_part);
    }
    out
}

/// `%.17Lf` of an f64 with trailing zeros (and a trailing point) removed.
fn format_f64(value: f64) -> String {
    let text = format!("{value:.17}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// `current + incr` as HINCRBYFLOAT stores and replies it, given both operands' text and
/// their values as doubles; `None` when the sum is not finite.
pub fn add_texts(current: &[u8], current_value: f64, incr: &[u8], incr_value: f64) -> Option<Vec<u8>> {
    let sum = current_value + incr_value;
    if !sum.is_finite() {
        return None;
    }
    if let (Some(a), Some(b)) = (parse_decimal(current), parse_decimal(incr)) {
        if let Some(exact) = add(a, b) {
            return Some(format(exact).into_bytes());
        }
    }
    Some(format_f64(sum).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_sums_print_like_long_double() {
        assert_eq!(add_texts(b"1", 1.0, b"0.1", 0.1).unwrap(), b"1.1");
        assert_eq!(add_texts(b"10.3", 10.3, b"0.1", 0.1).unwrap(), b"10.4");
        assert_eq!(add_texts(b"0", 0.0, b"3.0e-5", 3.0e-5).unwrap(), b"0.00003");
        assert_eq!(add_texts(b"0", 0.0, b"1.5e3", 1.5e3).unwrap(), b"1500");
        assert_eq!(add_texts(b"5", 5.0, b"-5", -5.0).unwrap(), b"0");
        assert_eq!(add_texts(b"-1.5", -1.5, b"0.25", 0.25).unwrap(), b"-1.25");
    }
}
