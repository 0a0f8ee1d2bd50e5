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

/// `hllAdd`: adds one element to a checked HLL; whether a register changed.
pub(crate) fn add(s: &mut Vec<u8>, element: &[u8], max_bytes: u64) -> Result<bool, Corrupt> {
    let (index, count) = estimate::pattern(element);
    raise(s, index, count, max_bytes)
}

/// Raises register `index` to `count` in either encoding.
fn raise(s: &mut Vec<u8>, index: usize, count: u8, max_bytes: u64) -> Result<bool, Corrupt> {
    if is_sparse(s) {
        sparse::raise(s, index, count, max_bytes)
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
/// add up to 16384.
pub(crate) fn count(s: &[u8]) -> Result<u64, Corrupt> {
    let mut histogram: Histogram = [0; 64];
    if is_sparse(s) {
        sparse::histogram(s, &mut histogram)?;
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

    /// `hllMerge`: each register becomes the larger of its value and the HLL's.
    pub(crate) fn merge(&mut self, s: &[u8]) -> Result<(), Corrupt> {
        if is_sparse(s) {
            sparse::merge(s, &mut self.0)
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
        s: &mut Vec<u8>,
        dense: bool,
        max_bytes: u64,
    ) -> Result<(), Corrupt> {
        if dense {
            to_dense(s)?;
        }
        for (index, &value) in self.0.iter().enumerate() {
            if value != 0 {
                // Redis ignores a failure here: the sources were checked while merging.
                let _ = raise(s, index, value, max_bytes);
            }
        }
        invalidate_cache(s);
        Ok(())
    }
}

/// `hllSparseToDense` (PFDEBUG TODENSE / GETREG): a dense HLL is left as it is.
pub(crate) fn to_dense(s: &mut Vec<u8>) -> Result<(), Corrupt> {
    sparse::to_dense(s)
}

/// Every register of a dense HLL (PFDEBUG GETREG).
pub(crate) fn dense_registers(s: &[u8]) -> Vec<u8> {
    (0..REGISTERS)
        .map(|i| dense::get(&s[HEADER..], i))
        .collect()
}

/// PFDEBUG DECODE of a sparse HLL.
pub(crate) fn decode(s: &[u8]) -> String {
    sparse::decode(s)
}

/// The bytes Redis's allocator holds for an HLL string made and grown by the HLL
/// commands, for memory accounting: a dense HLL is allocated at its size once; a sparse
/// one starts at 18 bytes and grows by `sdsMakeRoomFor` (asking for 3 more bytes before
/// every update, doubling), whose successive sizes are followed here. `None` when `s`
/// does not look like an HLL.
pub(crate) fn sds_bytes(s: &[u8]) -> Option<usize> {
    use crate::db::footprint::{jemalloc_class, sds_size};
    if check(s).is_err() {
        return None;
    }
    if !is_sparse(s) {
        return Some(sds_size(s.len()));
    }
    // The first update finds no room in the 18-byte string (its SDS type keeps none) and
    // asks for twice 18 + 3; later ones grow when fewer than 3 bytes are left, taken here
    // at two bytes short of the allocation, to twice that length plus 3.
    let mut alloc = 18;
    let mut total = sds_size(alloc);
    let mut wanted = 2 * (alloc + 3);
    while s.len() > alloc {
        let header = if wanted < 256 {
            3
        } else if wanted < 65536 {
            5
        } else {
            9
        };
        total = jemalloc_class(header + wanted + 1);
        alloc = total - header - 1;
        wanted = 2 * (alloc + 1);
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_strings_are_measured_along_redis_growth_steps() {
        // Checked against MEMORY USAGE of redis-server 7.0.15.
        let mut s = new_hll();
        assert_eq!(sds_bytes(&s), Some(32));
        s.resize(28, 0x80);
        assert_eq!(sds_bytes(&s), Some(48));
        s.resize(DENSE_SIZE, 0);
        s[4] = DENSE;
        assert_eq!(sds_bytes(&s), Some(14336));
        assert_eq!(sds_bytes(b"not an hll"), None);
    }

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
