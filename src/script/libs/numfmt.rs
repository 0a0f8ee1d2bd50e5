//! C's number text conversions as glibc does them: `printf("%.Ng")` and `strtod`, which
//! cjson uses for encoding and decoding numbers (and Lua for `tostring`).

/// `printf("%.{prec}g", x)` as glibc prints it: `prec` significant digits, trailing zeros
/// removed, exponent form (`1e+15`, `1e-05`) when the exponent is below -4 or at least `prec`;
/// `inf`, `-inf`, `nan`, `-nan`.
pub(crate) fn format_g(x: f64, prec: usize) -> String {
    let prec = prec.max(1);
    if x.is_nan() {
        return if x.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    // Round to `prec` significant digits first: the exponent after rounding decides the form.
    let sci = format!("{:.*e}", prec - 1, x);
    let (mant, exp) = match sci.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (sci.clone(), 0),
    };
    if exp < -4 || exp >= prec as i32 {
        let mant = strip_zeros(&mant);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{}{:02}", mant, sign, exp.unsigned_abs())
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{:.*}", decimals, x))
    }
}

fn strip_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// glibc `strtod` on the start of `s`: the value and how many bytes it used, or `None` when no
/// number starts there. Accepts leading whitespace, a sign, decimal numbers with exponent,
/// hexadecimal numbers (`0x1p4`), `inf`/`infinity` and `nan`/`nan(...)`, any case.
pub fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while matches!(at(i), b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut neg = false;
    if at(i) == b'+' || at(i) == b'-' {
        neg = at(i) == b'-';
        i += 1;
    }
    let sign = |v: f64| if neg { -v } else { v };
    let starts = |i: usize, word: &[u8]| {
        word.iter()
            .enumerate()
            .all(|(k, w)| at(i + k).to_ascii_lowercase() == *w)
    };
    if starts(i, b"inf") {
        let len = if starts(i, b"infinity") { 8 } else { 3 };
        return Some((sign(f64::INFINITY), i + len));
    }
    if starts(i, b"nan") {
        let mut end = i + 3;
        if at(end) == b'(' {
            let mut k = end + 1;
            while at(k).is_ascii_alphanumeric() || at(k) == b'_' {
                k += 1;
            }
            if at(k) == b')' {
                end = k + 1;
            }
        }
        return Some((sign(f64::NAN), end));
    }
    if at(i) == b'0' && (at(i + 1) | 0x20) == b'x' {
        if let Some((v, end)) = hex_float(s, i + 2) {
            return Some((sign(v), end));
        }
        // "0x" without hex digits: only the "0" converts.
        return Some((sign(0.0), i + 1));
    }
    let start = i;
    let mut int_digits = 0;
    while at(i).is_ascii_digit() {
        i += 1;
        int_digits += 1;
    }
    let mut frac_digits = 0;
    if at(i) == b'.' {
        let mut k = i + 1;
        while at(k).is_ascii_digit() {
            k += 1;
            frac_digits += 1;
        }
        if int_digits + frac_digits > 0 {
            i = k;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    let mant_end = i;
    let mut exp_text = String::new();
    if (at(i) | 0x20) == b'e' {
        let mut k = i + 1;
        let mut esign = "";
        if at(k) == b'+' || at(k) == b'-' {
            esign = if at(k) == b'-' { "-" } else { "" };
            k += 1;
        }
        let dstart = k;
        while at(k).is_ascii_digit() {
            k += 1;
        }
        if k > dstart {
            // Huge exponents only need to saturate: keep at most 6 significant digits.
            let digits = std::str::from_utf8(&s[dstart..k])
                .unwrap_or("0")
                .trim_start_matches('0');
            let digits = if digits.is_empty() { "0" } else { digits };
            let digits = if digits.len() > 6 { "999999" } else { digits };
            exp_text = format!("e{}{}", esign, digits);
            i = k;
        }
    }
    let mant = std::str::from_utf8(&s[start..mant_end]).unwrap_or("0");
    let mut text = String::with_capacity(mant.len() + exp_text.len() + 2);
    if mant.starts_with('.') {
        text.push('0');
    }
    text.push_str(mant);
    if text.ends_with('.') {
        text.push('0');
    }
    text.push_str(&exp_text);
    let v = text.parse::<f64>().unwrap_or(0.0);
    Some((sign(v), i))
}

/// Hexadecimal digits (with an optional point and `p` binary exponent) starting at `i`.
fn hex_float(s: &[u8], mut i: usize) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let hex = |c: u8| (c as char).to_digit(16);
    let mut mant: u128 = 0;
    let mut exp2: i64 = 0;
    let mut any = false;
    let mut sticky = false;
    while let Some(d) = hex(at(i)) {
        if mant >> 120 == 0 {
            mant = mant << 4 | d as u128;
        } else {
            exp2 += 4;
            sticky |= d != 0;
        }
        any = true;
        i += 1;
    }
    if at(i) == b'.' {
        let mut k = i + 1;
        let mut frac_any = false;
        while let Some(d) = hex(at(k)) {
            if mant >> 120 == 0 {
                mant = mant << 4 | d as u128;
                exp2 -= 4;
            } else {
                sticky |= d != 0;
            }
            frac_any = true;
            k += 1;
        }
        if any || frac_any {
            i = k;
            any = true;
        }
    }
    if !any {
        return None;
    }
    if (at(i) | 0x20) == b'p' {
        let mut k = i + 1;
        let mut eneg = false;
        if at(k) == b'+' || at(k) == b'-' {
            eneg = at(k) == b'-';
            k += 1;
        }
        let dstart = k;
        let mut e: i64 = 0;
        while at(k).is_ascii_digit() {
            e = (e * 10 + (at(k) - b'0') as i64).min(1 << 20);
            k += 1;
        }
        if k > dstart {
            exp2 += if eneg { -e } else { e };
            i = k;
        }
    }
    if sticky {
        mant |= 1;
    }
    let mut v = mant as f64;
    // Scale in steps so intermediate powers stay finite.
    let mut e = exp2.clamp(-3000, 3000);
    while e > 0 {
        let step = e.min(1000);
        v *= 2f64.powi(step as i32);
        e -= step;
    }
    while e < 0 {
        let step = (-e).min(1000);
        v /= 2f64.powi(step as i32);
        e += step;
    }
    Some((v, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_g_matches_printf() {
        assert_eq!(format_g(0.1, 14), "0.1");
        assert_eq!(format_g(1.0 / 3.0, 14), "0.33333333333333");
        assert_eq!(format_g(123456789012345.0, 14), "1.2345678901234e+14");
        assert_eq!(format_g(1e15, 14), "1e+15");
        assert_eq!(format_g(-0.0, 14), "-0");
        assert_eq!(format_g(1e-5, 14), "1e-05");
        assert_eq!(format_g(1e-4, 14), "0.0001");
        assert_eq!(format_g(2f64.powi(53), 14), "9.007199254741e+15");
        assert_eq!(format_g(100.0, 14), "100");
        assert_eq!(format_g(0.125, 2), "0.12");
        assert_eq!(format_g(1e300, 14), "1e+300");
        assert_eq!(format_g(99999999999999.5, 14), "1e+14");
    }

    #[test]
    fn strtod_takes_the_longest_number_prefix() {
        assert_eq!(strtod(b"12abc"), Some((12.0, 2)));
        assert_eq!(strtod(b"-1.5e3,"), Some((-1500.0, 6)));
        assert_eq!(strtod(b"1e"), Some((1.0, 1)));
        assert_eq!(strtod(b"1."), Some((1.0, 2)));
        assert_eq!(strtod(b".5"), Some((0.5, 2)));
        assert_eq!(strtod(b"0x10"), Some((16.0, 4)));
        assert_eq!(strtod(b"0x"), Some((0.0, 1)));
        assert_eq!(strtod(b"-Infinity"), Some((f64::NEG_INFINITY, 9)));
        assert_eq!(strtod(b"1e999999999999"), Some((f64::INFINITY, 14)));
        assert!(strtod(b"nan")
            .map(|(v, n)| v.is_nan() && n == 3)
            .unwrap_or(false));
        assert_eq!(strtod(b"-"), None);
        assert_eq!(strtod(b"."), None);
    }
}
