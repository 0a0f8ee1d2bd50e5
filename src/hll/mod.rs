//! HyperLogLog values, byte for byte as Redis 7.0 stores them (`hyperloglog.c`).
//!
//! An HLL is an ordinary string that starts with a 16-byte header:
//!
//! ```text
//! "HYLL" | encoding (0 dense, 1 sparse) | 3 zero bytes | cached cardinality (8 bytes LE)
//! ```
//!
//! The cached cardinality is valid while the top bit of its last byte is clear; every
//! change of a register sets that bit and PFCOUNT of one key rewrites the cache. The
//! registers follow: 16384 of them, 6 bits each in the dense form (12288 bytes), or a
//! run-length code in the sparse form, which every HLL starts in and leaves for good once
//! a register needs a value above 32 or the string would pass `hll-sparse-max-bytes`.
//!
//! Because the value is a plain string, GET, SETRANGE, APPEND… see and change these
//! bytes; the commands check the header before use and answer as Redis does when the
//! string is not an HLL or its registers are corrupted.

mod dense;
mod estimate;
pub(crate) mod selftest;
mod sparse;

use crate::db::Sds;
use estimate::Histogram;

/// Bits of the hash that pick the register.
pub(crate) const P: u32 = 14;
/// Bits of the hash left for the run of zeros.
pub(crate) const Q: u32 = 64 - P;
/// Number of registers.
pub(crate) const REGISTERS: usize = 1 << P;
/// Bits of a dense register.
pub(crate) const BITS: usize = 6;
/// The largest value of a register.
pub(crate) const REGISTER_MAX: u8 = (1 << BITS) - 1;
/// Bytes of the header.
pub(crate) const HEADER: usize = 16;
/// Bytes of a dense HLL, header included.
pub(crate) const DENSE_SIZE: usize = HEADER + (REGISTERS * BITS).div_ceil(8);
/// The encoding byte of a dense HLL.
pub(crate) const DENSE: u8 = 0;
/// The encoding byte of a sparse HLL.
pub(crate) const SPARSE: u8 = 1;

/// Why a string cannot be used as an HLL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// Not an HLL at all (wrong length, magic or encoding): Redis answers WRONGTYPE.
    NotHll,
}

/// The registers of an HLL whose header is fine are damaged (`INVALIDOBJ`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Corrupt;

/// Redis's reply for a string that is not an HLL.
pub(crate) const NOT_HLL_ERROR: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
/// Redis's reply for an HLL whose registers are damaged.
pub(crate) const CORRUPT_ERROR: &str = "INVALIDOBJ Corrupted HLL object detected";

/// A header of the given encoding, cardinality 0 (and valid).
fn header(encoding: u8) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEADER + 4);
    h.extend_from_slice(b"HYLL");
    h.push(encoding);
    h.resize(HEADER, 0);
    h
}

/// Marks the cached cardinality stale (`HLL_INVALIDATE_CACHE`).
pub(crate) fn invalidate_cache(s: &mut [u8]) {
    s[15] |= 0x80;
}

/// A new, empty HLL (`createHLLObject`): sparse, every register zero.
pub(crate) fn new_hll() -> Vec<u8> {
    sparse::empty()
}

/// `isHLLObjectOrReply`'s checks on a string: at least a header long, the magic, a known
/// encoding, and exactly the dense size when dense.
pub(crate) fn check(s: &[u8]) -> Result<(), Invalid> {
    let fine = s.len() >= HEADER
        && &s[..4] == b"HYLL"
        && s[4] <= SPARSE
        && (s[4] != DENSE || s.len() == DENSE_SIZE);
    if fine {
        Ok(())
    } else {
        Err(Invalid::NotHll)
    }
}

/// Whether a checked HLL is sparse.
pub(crate) fn is_sparse(s: &[u8]) -> bool {
    s[4] == SPARSE
}

/// An HLL string and the allocation Redis would hold for it, changed together.
pub(crate) struct Hll<'a> {
    /// The string's bytes.
    pub(crate) bytes: &'a mut Vec<u8>,
    /// Redis's allocation for them, followed through every SDS call Redis makes.
    pub(crate) sds: &'a mut Sds,
}

/// `hllAdd`: adds one element to a checked HLL; whether a register changed.
pub(crate) fn add(hll: &mut Hll<'_>, element: &[u8], max_bytes: u64) -> Result<bool, Corrupt> {
    let (index, count) = estimate::pattern(element);
    raise(hll, index, count, max_bytes)
}

/// Raises register `index` to `count` in either encoding.
fn raise(hll: &mut Hll<'_>, index: usize, count: u8, max_bytes: u64) -> Result<bool, Corrupt> {
    let s = &mut *hll.bytes;
    if is_sparse(s) {
        sparse::raise(s, hll.sds, index, count, max_bytes)
    } else {
        Ok(dense::raise(&mut s[HEADER..], index, count))
    }
}

/// The cached cardinality, if valid.
pub(crate) fn cached_count(s: &[u8]) -> Option<u64> {
    if s[15] & 0x80 != 0 {
        return None;
    }
    Some(u64::from_le_bytes(s[8..16].try_into().expect("8 bytes")))
}

/// Stores `count` as the cached cardinality.
pub(crate) fn cache_count(s: &mut [u8], count: u64) {
    s[8..16].copy_from_slice(&count.to_le_bytes());
}

/// `hllCount` of a checked HLL (without the cache); `Err` when sparse registers do not
/// add up to 16384. `tail` is the byte past the string (see [`Sds`]).
pub(crate) fn count(s: &[u8], tail: u8) -> Result<u64, Corrupt> {
    let mut histogram: Histogram = [0; 64];
    if is_sparse(s) {
        sparse::histogram(s, tail, &mut histogram)?;
    } else {
        dense::histogram(&s[HEADER..], &mut histogram);
    }
    Ok(estimate::estimate(&histogram))
}

/// Registers gathered from several HLLs, as plain bytes (Redis's `HLL_RAW` and PFMERGE's
/// `max` array).
pub(crate) struct Registers(Box<[u8; REGISTERS]>);

impl Registers {
    /// Every register zero.
    pub(crate) fn new() -> Self {
        Registers(Box::new([0; REGISTERS]))
    }

    /// `hllMerge`: each register becomes the larger of its value and the HLL's (`tail`:
    /// the byte past the string).
    pub(crate) fn merge(&mut self, s: &[u8], tail: u8) -> Result<(), Corrupt> {
        if is_sparse(s) {
            sparse::merge(s, tail, &mut self.0)
        } else {
            dense::merge(&s[HEADER..], &mut self.0);
            Ok(())
        }
    }

    /// The estimate of the union (`hllCount` on `HLL_RAW`).
    pub(crate) fn count(&self) -> u64 {
        let mut histogram: Histogram = [0; 64];
        for &r in self.0.iter() {
            histogram[r as usize & 63] += 1;
        }
        estimate::estimate(&histogram)
    }

    /// PFMERGE's write into `s` (checked): every non-zero register raised in turn, in the
    /// destination's encoding (a sparse one may be promoted on the way); `dense` first
    /// converts it, as Redis does when a source was dense. The cache is invalidated.
    pub(crate) fn store_into(
        &self,
        hll: &mut Hll<'_>,
        dense: bool,
        max_bytes: u64,
    ) -> Result<(), Corrupt> {
        if dense {
            to_dense(hll)?;
        }
        for (index, &value) in self.0.iter().enumerate() {
            if value != 0 {
                // Redis ignores a failure here: the sources were checked while merging.
                let _ = raise(hll, index, value, max_bytes);
            }
        }
        invalidate_cache(hll.bytes);
        Ok(())
    }
}

/// `hllSparseToDense` (PFDEBUG TODENSE / GETREG): a dense HLL is left as it is.
pub(crate) fn to_dense(hll: &mut Hll<'_>) -> Result<(), Corrupt> {
    sparse::to_dense(hll.bytes, hll.sds)
}

/// Every register of a dense HLL (PFDEBUG GETREG).
pub(crate) fn dense_registers(s: &[u8]) -> Vec<u8> {
    (0..REGISTERS)
        .map(|i| dense::get(&s[HEADER..], i))
        .collect()
}

/// PFDEBUG DECODE of a sparse HLL.
pub(crate) fn decode(s: &[u8], tail: u8) -> String {
    sparse::decode(s, tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_stale_once_invalidated_and_valid_once_written() {
        let mut s = new_hll();
        assert_eq!(cached_count(&s), Some(0));
        invalidate_cache(&mut s);
        assert_eq!(cached_count(&s), None);
        cache_count(&mut s, 1234);
        assert_eq!(cached_count(&s), Some(1234));
    }
}
