//! The x87 80-bit `long double` arithmetic INCRBYFLOAT and HINCRBYFLOAT use in Redis: a 64-bit
//! mantissa, correctly rounded decimal parsing (`strtold`), round-to-nearest-even
//! addition, and `%.17Lf` formatting with trailing zeros removed (`ld2string` in
//! human mode). With f64 instead, `INCRBYFLOAT k 0.1` then `0.2` would answer
//! `0.30000000000000004` where Redis answers `0.3`.
//!
//! Hexadecimal input (`0x10`, `0x1p3`) is read as `strtold` reads it. Limit: subnormal
//! results are flushed to zero (refused as out of range).

mod big;

use big::Big;
use std::cmp::Ordering;

/// A finite or infinite long double: `(-1)^neg * mant * 2^exp`, `mant` normalized
/// (top bit set) unless zero.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LongDouble {
    neg: bool,
    mant: u64,
    exp: i32,
    inf: bool,
}

/// The largest exponent of a normalized mantissa (`LDBL_MAX` is `(2^64-1)·2^16320`).
const EXP_MAX: i32 = 16320;
/// The smallest exponent of a normal value (`LDBL_MIN` is `2^-16382 = 2^63·2^-16445`).
const EXP_MIN: i32 = -16445;
/// Longest input `string2ld` accepts (`MAX_LONG_DOUBLE_CHARS`).
const MAX_CHARS: usize = 5 * 1024;

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble {
        neg: false,
        mant: 0,
        exp: 0,
        inf: false,
    };

    /// Parses as Redis's `string2ld`: the whole string must be a decimal number, no
    /// leading space, no NaN; overflow and underflow are refused.
    pub fn parse(text: &[u8]) -> Option<LongDouble> {
        if text.is_empty() || text.len() >= MAX_CHARS || text[0].is_ascii_whitespace() {
            return None;
        }
        let (neg, body) = match text[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            return Some(LongDouble {
                neg,
                mant: 0,
                exp: 0,
                inf: true,
            });
        }
        if body.len() > 1 && body[0] == b'0' && (body[1] == b'x' || body[1] == b'X') {
            return parse_hex(&body[2..]).map(|v| LongDouble { neg, ..v });
        }
        let mut digits = Big::zero();
        let mut any_digit = false;
        let mut scale: i64 = 0;
        let mut i = 0;
        let mut seen_dot = false;
        let mut significant = false;
        while i < body.len() {
            let c = body[i];
            if c.is_ascii_digit() {
                any_digit = true;
                if c != b'0' || significant {
                    significant = true;
                    digits.mul_small(10);
                    digits.add_small((c - b'0') as u32);
                    if seen_dot {
                        scale -= 1;
                    }
                } else if seen_dot {
                    scale -= 1;
                }
            } else if c == b'.' && !seen_dot {
                seen_dot = true;
            } else {
                break;
            }
            i += 1;
        }
        if !any_digit {
            return None;
        }
        scale += exponent(&body[i..], b'e')?;
        if digits.is_zero() {
            return Some(LongDouble {
                neg,
                ..LongDouble::ZERO
            });
        }
        let value = from_decimal(digits, scale)?;
        Some(LongDouble { neg, ..value })
    }

    /// `self + other`, rounded to nearest even.
    pub fn plus(self, other: LongDouble) -> LongDouble {
        if self.inf || other.inf {
            // inf + -inf is NaN; report it as infinite, INCRBYFLOAT refuses both.
            return LongDouble {
                inf: true,
                ..if self.inf { self } else { other }
            };
        }
        if other.mant == 0 {
            return if self.mant == 0 {
                LongDouble {
                    neg: self.neg && other.neg,
                    ..self
                }
            } else {
                self
            };
        }
        if self.mant == 0 {
            return other;
        }
        let (x, y) = if (self.exp, self.mant) >= (other.exp, other.mant) {
            (self, other)
        } else {
            (other, self)
        };
        let shift = (x.exp - y.exp) as u32;
        let big_x = (x.mant as u128) << 62;
        let wide_y = (y.mant as u128) << 62;
        let (mut small_y, sticky) = if shift >= 126 {
            (0u128, true)
        } else {
            let kept = wide_y >> shift;
            (kept, (kept << shift) != wide_y)
        };
        if sticky {
            small_y |= 1;
        }
        let sum = if x.neg == y.neg {
            big_x + small_y
        } else {
            big_x - small_y
        };
        if sum == 0 {
            return LongDouble::ZERO;
        }
        let (mant, exp) = round_u128(sum, x.exp - 62);
        finish(x.neg, mant, exp)
    }

    /// `Some(self)` unless infinite.
    pub fn finite(self) -> Option<LongDouble> {
        if self.inf {
            None
        } else {
            Some(self)
        }
    }

    /// `%.17Lf` with trailing zeros (and a trailing dot) removed; `-0` becomes `0`.
    pub fn to_human_string(self) -> String {
        let (int_part, frac) = if self.exp >= 0 {
            (
                Big::from_u128(self.mant as u128).shl(self.exp as usize),
                0u64,
            )
        } else {
            let e = (-self.exp) as usize;
            let int_part = if e >= 64 { 0 } else { self.mant >> e };
            let frac_bits = if e >= 64 {
                self.mant
            } else {
                self.mant & ((1u64 << e) - 1)
            };
            let mut scaled = Big::from_u128(frac_bits as u128);
            scaled.mul_small(100_000_000);
            scaled.mul_small(1_000_000_000);
            let mut q = scaled.shr(e).low_u128() as u64;
            let twice_rest = scaled.low_bits(e).shl(1);
            let half = Big::from_u128(1).shl(e);
            let up = match twice_rest.cmp_to(&half) {
                Ordering::Greater => true,
                Ordering::Equal => q % 2 == 1,
                Ordering::Less => false,
            };
            let mut int_part = int_part as u128;
            if up {
                q += 1;
                if q == 100_000_000_000_000_000 {
                    q = 0;
                    int_part += 1;
                }
            }
            (Big::from_u128(int_part), q)
        };
        let mut text = String::new();
        if self.neg && (!int_part.is_zero() || frac != 0) {
            text.push('-');
        }
        text.push_str(&int_part.to_decimal());
        if frac != 0 {
            let digits = format!("{frac:017}");
            text.push('.');
            text.push_str(digits.trim_end_matches('0'));
        }
        text
    }
}

/// Applies the exponent range to a rounded result.
fn finish(neg: bool, mant: u64, exp: i32) -> LongDouble {
    if exp > EXP_MAX {
        LongDouble {
            neg,
            mant: 0,
            exp: 0,
            inf: true,
        }
    } else if exp < EXP_MIN {
        LongDouble {
            neg,
            ..LongDouble::ZERO
        }
    } else {
        LongDouble {
            neg,
            mant,
            exp,
            inf: false,
        }
    }
}

/// Rounds `v · 2^base` to a 64-bit mantissa (nearest, ties to even).
fn round_u128(v: u128, base: i32) -> (u64, i32) {
    let bits = 128 - v.leading_zeros() as i32;
    if bits <= 64 {
        let up = 64 - bits;
        return (((v as u64) << up), base - up);
    }
    let shift = (bits - 64) as u32;
    let mut mant = (v >> shift) as u64;
    let half = 1u128 << (shift - 1);
    let rest = v & ((1u128 << shift) - 1);
    let mut exp = base + shift as i32;
    if rest > half || (rest == half && mant & 1 == 1) {
        let (next, overflow) = mant.overflowing_add(1);
        mant = if overflow {
            exp += 1;
            1 << 63
        } else {
            next
        };
    }
    (mant, exp)
}

/// `digits · 10^scale`, correctly rounded; `None` on overflow or underflow.
fn from_decimal(digits: Big, scale: i64) -> Option<LongDouble> {
    // Beyond these the value is certainly out of range (LDBL_MAX ≈ 1.19e4932).
    let magnitude = digits.bit_len() as i64 * 30103 / 100000 + scale;
    if magnitude > 4940 {
        return None;
    }
    if magnitude < -4960 {
        return None;
    }
    let (number, exp_base, sticky) = if scale >= 0 {
        let mut n = digits;
        for _ in 0..scale {
            n.mul_small(10);
        }
        (n, 0i32, false)
    } else {
        let mut p = Big::from_u128(1);
        for _ in 0..(-scale) {
            p.mul_small(10);
        }
        let shift = (p.bit_len() as i64 - digits.bit_len() as i64 + 66).max(0) as usize;
        let mut n = digits.shl(shift);
        let q = n.div_rem_big(&p, 68);
        (q, -(shift as i32), !n.is_zero())
    };
    round(number, exp_base, sticky)
}

/// `number · 2^exp_base` (plus a sticky bit for what was cut below it) rounded to a 64-bit
/// mantissa, to nearest even; `None` when out of range or zero after rounding.
fn round(number: Big, exp_base: i32, sticky: bool) -> Option<LongDouble> {
    let bits = number.bit_len();
    let (mant, exp) = if bits <= 64 && !sticky {
        let up = 64 - bits;
        ((number.low_u128() as u64) << up, exp_base - up as i32)
    } else {
        let shift = bits - 64;
        let top = number.shr(shift).low_u128() as u64;
        let round = number.bit(shift - 1);
        let below = sticky || number.any_below(shift - 1);
        let mut mant = top;
        let mut exp = exp_base + shift as i32;
        if round && (below || mant & 1 == 1) {
            let (next, overflow) = mant.overflowing_add(1);
            mant = if overflow {
                exp += 1;
                1 << 63
            } else {
                next
            };
        }
        (mant, exp)
    };
    let value = finish(false, mant, exp);
    if value.inf || value.mant == 0 {
        return None;
    }
    Some(value)
}

/// What is left after a number's digits: nothing (exponent 0), or `marker` (either case)
/// and a signed decimal exponent, clamped far beyond any range; `None` for anything else.
fn exponent(rest: &[u8], marker: u8) -> Option<i64> {
    let Some((&first, rest)) = rest.split_first() else {
        return Some(0);
    };
    if first.to_ascii_lowercase() != marker {
        return None;
    }
    let (neg, digits) = match rest.first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let e = digits
        .iter()
        .fold(0i64, |e, &d| (e * 10 + (d - b'0') as i64).min(1 << 40));
    Some(if neg { -e } else { e })
}

/// A hexadecimal float after its `0x` (`1p3`, `1.8`, `a.bP-2`), as `strtold` reads it: hex
/// digits with an optional point, then an optional binary exponent; the whole text must
/// be used. `None` when it is not one or is out of range.
fn parse_hex(text: &[u8]) -> Option<LongDouble> {
    let mut number = Big::zero();
    let (mut any_digit, mut seen_dot) = (false, false);
    let mut exp: i64 = 0;
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if let Some(d) = (c as char).to_digit(16) {
            any_digit = true;
            if !number.is_zero() || d != 0 {
                number.mul_small(16);
                number.add_small(d);
                if seen_dot {
                    exp -= 4;
                }
            } else if seen_dot {
                exp -= 4;
            }
        } else if c == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            break;
        }
        i += 1;
        if number.bit_len() > 20_000 {
            return None;
        }
    }
    if !any_digit {
        return None;
    }
    exp += exponent(&text[i..], b'p')?;
    if number.is_zero() {
        return Some(LongDouble::ZERO);
    }
    let magnitude = number.bit_len() as i64 + exp;
    if !(-16_500..=16_400).contains(&magnitude) {
        return None;
    }
    round(number, exp as i32, false)
}

/// `%.17Lf` of a double with trailing zeros trimmed: the fallback for operands that are
/// not plain decimals (hex floats).
fn human_f64(value: f64) -> String {
    let text = format!("{value:.17}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// `current + incr` as HINCRBYFLOAT stores and replies it, from both operands' text
/// (and their values as doubles, for operands [`LongDouble::parse`] refuses, such as hex
/// floats); `None` when the sum is not finite.
pub fn add_texts(
    current: &[u8],
    current_value: f64,
    incr: &[u8],
    incr_value: f64,
) -> Option<Vec<u8>> {
    if let (Some(a), Some(b)) = (LongDouble::parse(current), LongDouble::parse(incr)) {
        return a
            .plus(b)
            .finite()
            .map(|sum| sum.to_human_string().into_bytes());
    }
    let sum = current_value + incr_value;
    sum.is_finite().then(|| human_f64(sum).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::{add_texts, LongDouble};

    fn incr(a: &str, b: &str) -> String {
        let a = LongDouble::parse(a.as_bytes()).unwrap();
        let b = LongDouble::parse(b.as_bytes()).unwrap();
        a.plus(b).to_human_string()
    }

    #[test]
    fn sums_print_as_redis_long_double_does() {
        assert_eq!(incr("0", "1000.1"), "1000.09999999999999998");
        assert_eq!(
            incr("1000.09999999999999998", "0.2"),
            "1000.29999999999999999"
        );
        assert_eq!(incr("0.1", "0.2"), "0.3");
        assert_eq!(incr("0.3", "1e20"), "100000000000000000000");
        assert_eq!(
            incr("100000000000000000000", "3.0e3"),
            "100000000000000003000"
        );
        assert_eq!(
            incr("5001", "123456789.123456789"),
            "123461790.12345678899873747"
        );
        assert_eq!(incr("10.5", "-10.5"), "0");
        assert_eq!(incr("-1", "0.5"), "-0.5");
    }

    #[test]
    fn strtold_refusals() {
        for bad in [
            "", " 1", "1 ", "abc", "1e", "1.2.3", "nan", "1e5000", "1e-5000", ".",
        ] {
            assert!(LongDouble::parse(bad.as_bytes()).is_none(), "{bad}");
        }
        assert!(LongDouble::parse(b"inf").unwrap().finite().is_none());
        assert!(LongDouble::parse(b".5").is_some());
        assert!(LongDouble::parse(b"5.").is_some());
    }

    fn hincr(a: &str, b: &str) -> String {
        let x: f64 = a.parse().unwrap();
        let y: f64 = b.parse().unwrap();
        String::from_utf8(add_texts(a.as_bytes(), x, b.as_bytes(), y).unwrap()).unwrap()
    }

    #[test]
    fn hincrbyfloat_sums_print_as_redis_long_doubles() {
        // Each expectation was read from redis-server 7.0.15's HINCRBYFLOAT.
        assert_eq!(hincr("1", "0.1"), "1.1");
        assert_eq!(hincr("0", "1000.3"), "1000.29999999999999999");
        assert_eq!(hincr("0", "123456.789"), "123456.78900000000000148");
        assert_eq!(hincr("1500", "3.0e-5"), "1500.00002999999999997");
        assert_eq!(hincr("1500", "1e20"), "100000000000000001504");
        assert_eq!(hincr("10.3", "0.1"), "10.4");
        assert_eq!(hincr("0", "3.0e-5"), "0.00003");
        assert_eq!(hincr("5", "-5"), "0");
    }
}
