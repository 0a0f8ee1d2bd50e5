//! The unsigned big integer behind [`super::LongDouble`]'s exact decimal conversion:
//! little-endian 32-bit limbs with the shifts, comparisons, small multiplications and
//! long division that correctly rounded parsing and `%.17Lf` formatting need.

use std::cmp::Ordering;

/// A small unsigned big integer (little-endian 32-bit limbs), just enough for exact
/// decimal conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Big(Vec<u32>);

impl Big {
    pub(super) fn zero() -> Big {
        Big(Vec::new())
    }

    pub(super) fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::new();
        while v != 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        Big(limbs)
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    pub(super) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in self.0.iter_mut() {
            let v = *limb as u64 * m as u64 + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    pub(super) fn add_small(&mut self, a: u32) {
        let mut carry = a as u64;
        for limb in self.0.iter_mut() {
            if carry == 0 {
                break;
            }
            let v = *limb as u64 + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    pub(super) fn bit_len(&self) -> usize {
        match self.0.last() {
            None => 0,
            Some(&top) => self.0.len() * 32 - top.leading_zeros() as usize,
        }
    }

    pub(super) fn bit(&self, i: usize) -> bool {
        self.0.get(i / 32).is_some_and(|l| (l >> (i % 32)) & 1 == 1)
    }

    /// Whether any bit below position `n` is set.
    pub(super) fn any_below(&self, n: usize) -> bool {
        let full = n / 32;
        if self.0.iter().take(full).any(|&l| l != 0) {
            return true;
        }
        let rem = n % 32;
        rem > 0
            && self
                .0
                .get(full)
                .is_some_and(|&l| l & ((1u32 << rem) - 1) != 0)
    }

    pub(super) fn low_bits(&self, n: usize) -> Big {
        let mut limbs: Vec<u32> = self.0.iter().take(n.div_ceil(32)).copied().collect();
        if !n.is_multiple_of(32) {
            if let Some(last) = limbs.get_mut(n / 32) {
                *last &= (1u32 << (n % 32)) - 1;
            }
        }
        let mut b = Big(limbs);
        b.trim();
        b
    }

    pub(super) fn shl(&self, n: usize) -> Big {
        if self.is_zero() {
            return Big::zero();
        }
        let (words, bits) = (n / 32, n % 32);
        let mut limbs = vec![0u32; words];
        let mut carry = 0u32;
        for &l in &self.0 {
            if bits == 0 {
                limbs.push(l);
            } else {
                limbs.push((l << bits) | carry);
                carry = l >> (32 - bits);
            }
        }
        if carry != 0 {
            limbs.push(carry);
        }
        Big(limbs)
    }

    pub(super) fn shr(&self, n: usize) -> Big {
        let (words, bits) = (n / 32, n % 32);
        if words >= self.0.len() {
            return Big::zero();
        }
        let src = &self.0[words..];
        let mut limbs = Vec::with_capacity(src.len());
        for i in 0..src.len() {
            let lo = src[i] >> bits;
            let hi = if bits == 0 {
                0
            } else {
                src.get(i + 1).map_or(0, |&h| h << (32 - bits))
            };
            limbs.push(lo | hi);
        }
        let mut b = Big(limbs);
        b.trim();
        b
    }

    pub(super) fn low_u128(&self) -> u128 {
        self.0
            .iter()
            .take(4)
            .enumerate()
            .fold(0u128, |acc, (i, &l)| acc | ((l as u128) << (32 * i)))
    }

    pub(super) fn cmp_to(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    fn sub_assign(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let v = self.0[i] as i64 - other.0.get(i).copied().unwrap_or(0) as i64 - borrow;
            if v < 0 {
                self.0[i] = (v + (1i64 << 32)) as u32;
                borrow = 1;
            } else {
                self.0[i] = v as u32;
                borrow = 0;
            }
        }
        self.trim();
    }

    /// Divides in place, keeping the remainder in `self`, for a quotient known to be
    /// below `2^quotient_bits`; returns the quotient.
    pub(super) fn div_rem_big(&mut self, divisor: &Big, quotient_bits: usize) -> Big {
        let mut quotient = Big::zero();
        let mut shifted = divisor.shl(quotient_bits);
        for bit in (0..=quotient_bits).rev() {
            if self.cmp_to(&shifted) != Ordering::Less {
                self.sub_assign(&shifted);
                let one = Big::from_u128(1).shl(bit);
                quotient = quotient.or(&one);
            }
            shifted = shifted.shr(1);
        }
        quotient
    }

    fn or(&self, other: &Big) -> Big {
        let len = self.0.len().max(other.0.len());
        let limbs = (0..len)
            .map(|i| self.0.get(i).copied().unwrap_or(0) | other.0.get(i).copied().unwrap_or(0))
            .collect();
        Big(limbs)
    }

    pub(super) fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            let mut rem = 0u64;
            for limb in n.0.iter_mut().rev() {
                let v = (rem << 32) | *limb as u64;
                *limb = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            n.trim();
            chunks.push(rem as u32);
        }
        let mut text = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
        for c in chunks.iter().rev() {
            text.push_str(&format!("{c:09}"));
        }
        text
    }
}
