//! HINCRBYFLOAT's arithmetic in x87 80-bit extended precision, as Redis does it with C
//! `long double` on x86-64: operands are rounded to a 64-bit mantissa (round to nearest,
//! ties to even) as `strtold` does, the sum is rounded the same way, and the result is
//! printed as `%.17Lf` with trailing zeros trimmed (Redis's `ld2string`, LD_STR_HUMAN).
//! Exact big-integer arithmetic stands in for the FPU, so `1000.3` prints as
//! `1000.29999999999999999`, exactly as Redis does.

use num_bigint::{BigInt, BigUint, Sign};


/// A finite extended-precision value: `(-1)^negative × mantissa × 2^exp`, with the
/// mantissa below 2^64.
#[derive(Clone, Debug, PartialEq)]
pub struct Extended {
    negative: bool,
    mantissa: u64,
    exp: i64,
}

/// The largest binary exponent of a long double (values reach about 1.19e4932).
const MAX_EXP: i64 = 16384;

/// Rounds `n × 2^exp` (with `sticky` set when lower nonzero bits were already dropped)
/// to a 64-bit mantissa, ties to even.
fn round_to_64(n: &BigUint, exp: i64, sticky: bool, negative: bool) -> Extended {
    let bits = n.bits() as i64;
    if bits <= 64 {
        let mantissa = n.iter_u64_digits().next().unwrap_or(0);
        return Extended { negative, mantissa, exp };
    }
    let shift = bits - 64;
    let kept: BigUint = n >> shift as usize;
    let dropped: BigUint = n - (&kept << shift as usize);
    let half: BigUint = BigUint::from(1u32) << (shift as usize - 1);
    let mut mantissa = kept.iter_u64_digits().next().unwrap_or(0);
    let round_up = dropped > half || (dropped == half && (sticky || mantissa & 1 == 1));
    let mut exp = exp + shift;
    if round_up {
        match mantissa.checked_add(1) {
            Some(m) => mantissa = m,
            None => {
                mantissa = 1 << 63;
                exp += 1;
            }
        }
    }
    Extended { negative, mantissa, exp }
}

impl Extended {
    /// Parses a plain decimal (`[+-]digits[.digits][e[+-]digits]`) as `strtold` would;
    /// `None` for anything else (hex floats, inf, nan) or values out of range.
    pub fn parse(text: &[u8]) -> Option<Extended> {
        let s = std::str::from_utf8(text).ok()?;
        let (body, exp10) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i64>().ok()?),
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
        let digits: BigUint = format!("0{int_part}{frac_part}").parse().ok()?;
        let k = exp10.checked_sub(frac_part.len() as i64)?;
        if digits.bits() == 0 {
            return Some(Extended { negative, mantissa: 0, exp: 0 });
        }
        let magnitude = digits.bits() as i64 + (k as f64 * std::f64::consts::LOG2_10) as i64;
        if !(-MAX_EXP - 64..=MAX_EXP).contains(&magnitude) {
            return None;
        }
        let ten = BigUint::from(10u32);
        if k >= 0 {
            let n = digits * ten.pow(k as u32);
            return Some(round_to_64(&n, 0, false, negative));
        }
        let divisor = ten.pow((-k) as u32);
        let shift = (66 + divisor.bits() as i64 - digits.bits() as i64).max(0);
        let scaled = digits << shift as usize;
        let quotient = &scaled / &divisor;
        let sticky = (scaled - &quotient * &divisor).bits() != 0;
        Some(round_to_64(&quotient, -shift, sticky, negative))
    }

    fn signed_mantissa_at(&self, exp: i64) -> BigInt {
        let magnitude = BigUint::from(self.mantissa) << (self.exp - exp) as usize;
        BigInt::from_biguint(if self.negative { Sign::Minus } else { Sign::Plus }, magnitude)
    }

    /// The rounded sum, or `None` when it overflows a long double.
    pub fn add(&self, other: &Extended) -> Option<Extended> {
        if self.mantissa == 0 {
            return Some(other.clone());
        }
        if other.mantissa == 0 {
            return Some(self.clone());
        }
        // Far apart, the smaller one only matters as a sticky bit below the larger's
        // mantissa; shifting by that much would be wasteful.
        let (hi, lo) = if self.exp >= other.exp { (self, other) } else { (other, self) };
        let lo_exp = if hi.exp - lo.exp > 200 { hi.exp - 200 } else { lo.exp };
        let lo_value = if lo.exp < lo_exp {
            let tiny = BigInt::from(if lo.negative { -1 } else { 1 });
            tiny
        } else {
            lo.signed_mantissa_at(lo_exp)
        };
        let sum = hi.signed_mantissa_at(lo_exp) + lo_value;
        let negative = sum.sign() == Sign::Minus;
        let result = round_to_64(sum.magnitude(), lo_exp, false, negative);
        if result.mantissa == 0 {
            return Some(Extended { negative: false, mantissa: 0, exp: 0 });
        }
        if result.exp + 64 > MAX_EXP {
            return None;
        }
        Some(result)
    }

    /// `%.17Lf` with trailing zeros and a trailing point removed, `-0` printed as `0`.
    pub fn to_human(&self) -> String {
        let scaled = BigUint::from(self.mantissa) * BigUint::from(10u64).pow(17);
        let units = if self.exp >= 0 {
            scaled << self.exp as usize
        } else {
            let shift = (-self.exp) as usize;
            let kept: BigUint = &scaled >> shift;
            let dropped = &scaled - (&kept << shift);
            let half = BigUint::from(1u32) << (shift - 1);
            if dropped > half || (dropped == half && kept.bit(0)) {
                kept + 1u32
            } else {
                kept
            }
        };
        let digits = format!("{:018}", units);
        let (int_part, frac_part) = digits.split_at(digits.len() - 17);
        let frac_part = frac_part.trim_end_matches('0');
        let mut out = String::new();
        if self.negative && !(int_part.trim_start_matches('0').is_empty() && frac_part.is_empty()) {
            out.push('-');
        }
        out.push_str(int_part);
        if !frac_part.is_empty() {
            out.push('.');
            out.push_str(frac_part);
        }
        out
    }
}

/// `%.17Lf` of a double with trailing zeros trimmed: the fallback for operands that are
/// not plain decimals (hex floats).
fn human_f64(value: f64) -> String {
    let text = format!("{value:.17}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// `current + incr` as HINCRBYFLOAT stores and replies it, from both operands' text
/// (and their values as doubles for the fallback); `None` when the sum is not finite.
pub fn add_texts(current: &[u8], current_value: f64, incr: &[u8], incr_value: f64) -> Option<Vec<u8>> {
    if let (Some(a), Some(b)) = (Extended::parse(current), Extended::parse(incr)) {
        return a.add(&b).map(|sum| sum.to_human().into_bytes());
    }
    let sum = current_value + incr_value;
    sum.is_finite().then(|| human_f64(sum).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(a: &str, b: &str) -> String {
        let x: f64 = a.parse().unwrap();
        let y: f64 = b.parse().unwrap();
        String::from_utf8(add_texts(a.as_bytes(), x, b.as_bytes(), y).unwrap()).unwrap()
    }

    #[test]
    fn sums_print_as_redis_long_doubles() {
        // Each expectation was read from redis-server 7.0.15's HINCRBYFLOAT.
        assert_eq!(add("1", "0.1"), "1.1");
        assert_eq!(add("0", "1000.3"), "1000.29999999999999999");
        assert_eq!(add("0", "123456.789"), "123456.78900000000000148");
        assert_eq!(add("1500", "3.0e-5"), "1500.00002999999999997");
        assert_eq!(add("1500", "1e20"), "100000000000000001504");
        assert_eq!(add("10.3", "0.1"), "10.4");
        assert_eq!(add("0", "3.0e-5"), "0.00003");
        assert_eq!(add("5", "-5"), "0");
    }
}
