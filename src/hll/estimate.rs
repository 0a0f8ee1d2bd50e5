//! The hash that places an element and the estimator that turns registers into a count,
//! as Redis 7.0's `hyperloglog.c`: MurmurHash64A with seed `0xadc83b19` (little-endian
//! reads, so the same on every machine), the low 14 bits choosing the register and the
//! run of zeros above them (plus one) its candidate value; the count is Otmar Ertl's
//! improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
//! sketches", arXiv:1702.01284) computed from the histogram of register values.

use super::{Q, REGISTERS};

/// Redis's seed for MurmurHash64A in `hllPatLen`.
const SEED: u64 = 0xadc8_3b19;

/// `0.5 / ln 2`, the estimator's constant for an infinite number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// MurmurHash2, 64-bit version (`MurmurHash64A`), reading 8-byte blocks little-endian.
pub(crate) fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut blocks = key.chunks_exact(8);
    for block in &mut blocks {
        let mut k = u64::from_le_bytes(block.try_into().expect("8-byte block"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// `hllPatLen`: the register an element falls in and the length of its `000…1` pattern
/// (1 to Q + 1) in the bits above the register index.
pub(crate) fn pattern(element: &[u8]) -> (usize, u8) {
    let hash = murmur64a(element, SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    // The bit at Q guarantees a 1 within Q + 1 bits.
    let rest = (hash >> super::P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// `hllSigma`.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if previous == z {
            return z;
        }
    }
}

/// `hllTau`.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if previous == z {
            return z / 3.0;
        }
    }
}

/// The histogram of register values: `histogram[v]` registers hold `v`. Sized 64 as in
/// Redis, so that any 6-bit value (even one no hash can produce) has a slot.
pub(crate) type Histogram = [i64; 64];

/// `hllCount`'s estimate from the register histogram (rounded half away from zero, as
/// `llroundl`).
pub(crate) fn estimate(histogram: &Histogram) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histogram[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += histogram[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histogram[0] as f64 / m);
    let e = (ALPHA_INF * m * m / z).round();
    // A negative estimate (only from a corrupted histogram) wraps as C's cast does.
    e as i64 as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_histogram_counts_zero() {
        let mut h = [0; 64];
        h[0] = REGISTERS as i64;
        assert_eq!(estimate(&h), 0);
    }

    #[test]
    fn murmur_reads_the_tail_bytes_in_order() {
        // Same length, different tail: different hashes; and stable values.
        assert_ne!(murmur64a(b"abcdefghi", SEED), murmur64a(b"abcdefghj", SEED));
        assert_eq!(murmur64a(b"", 0), 0);
    }
}
