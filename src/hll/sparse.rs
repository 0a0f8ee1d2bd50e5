//! The sparse representation: after the header, a run-length code of the registers.
//!
//! - `00xxxxxx` ZERO: 1 to 64 registers at zero;
//! - `01xxxxxx yyyyyyyy` XZERO: 1 to 16384 registers at zero (14-bit length);
//! - `1vvvvvxx` VAL: 1 to 4 registers at the value 1 to 32.
//!
//! The walkers that read every register (to dense, histogram, merge) refuse a run that
//! goes past register 16383 as soon as they meet it, as Redis 7.0.15 does with the fix for
//! CVE-2025-32023 (in Debian's build, the reference server).
//!
//! Updates follow Redis's `hllSparseSet` step for step — which opcode is split, how the
//! pieces are written, which neighbours are merged afterwards — so that the bytes are the
//! ones Redis produces. Like Redis, the walkers read a missing second byte of a trailing
//! XZERO from the slot past the string, normally its terminating zero; splitting such an
//! XZERO leaves the last byte of the new sequence in that slot, kept as
//! [`Sds::tail`] beside the string, where later updates read it as Redis does.

use super::estimate::Histogram;
use super::{dense, Corrupt, DENSE, DENSE_SIZE, HEADER, REGISTERS};
use crate::db::Sds;

const XZERO_BIT: u8 = 0x40;
const VAL_BIT: u8 = 0x80;
/// The largest value a VAL opcode holds; larger ones need the dense representation.
pub(crate) const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;
const ZERO_MAX_LEN: usize = 64;
/// The most registers one XZERO covers.
pub(crate) const XZERO_MAX_LEN: usize = 16384;

/// One decoded opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// `len` registers at zero (ZERO or XZERO).
    Zero { len: usize, bytes: usize },
    /// `len` registers at `value`.
    Val { value: u8, len: usize },
}

impl Op {
    /// The registers this opcode covers.
    fn span(self) -> usize {
        match self {
            Op::Zero { len, .. } | Op::Val { len, .. } => len,
        }
    }

    /// The opcode's size in bytes.
    fn bytes(self) -> usize {
        match self {
            Op::Zero { bytes, .. } => bytes,
            Op::Val { .. } => 1,
        }
    }
}

/// The byte at `i`; one past the end, `tail` (the SDS terminator slot).
fn at(s: &[u8], i: usize, tail: u8) -> u8 {
    match s.get(i) {
        Some(&b) => b,
        None if i == s.len() => tail,
        None => 0,
    }
}

/// Decodes the opcode at `p`, `tail` being the byte past the end.
pub(crate) fn op_at(s: &[u8], p: usize, tail: u8) -> Op {
    let b = at(s, p, tail);
    if b & VAL_BIT != 0 {
        Op::Val {
            value: ((b >> 2) & 0x1f) + 1,
            len: (b & 3) as usize + 1,
        }
    } else if b & 0xc0 == XZERO_BIT {
        let len = ((((b & 0x3f) as usize) << 8) | at(s, p + 1, tail) as usize) + 1;
        Op::Zero { len, bytes: 2 }
    } else {
        Op::Zero {
            len: (b & 0x3f) as usize + 1,
            bytes: 1,
        }
    }
}

fn val(value: u8, len: usize) -> u8 {
    ((value - 1) << 2 | (len as u8 - 1)) | VAL_BIT
}

/// Appends the shortest zero run opcode for `len` registers (ZERO up to 64, else XZERO).
fn push_zeros(seq: &mut Vec<u8>, len: usize) {
    if len > ZERO_MAX_LEN {
        let l = len - 1;
        seq.push((l >> 8) as u8 | XZERO_BIT);
        seq.push((l & 0xff) as u8);
    } else {
        seq.push(len as u8 - 1);
    }
}

/// A fresh sparse HLL: the header and XZERO opcodes covering every register.
pub(crate) fn empty() -> Vec<u8> {
    let mut s = super::header(super::SPARSE);
    let mut left = REGISTERS;
    while left > 0 {
        let run = left.min(XZERO_MAX_LEN);
        push_zeros(&mut s, run);
        left -= run;
    }
    s
}

/// `hllSparseToDense`: the same registers in the dense representation (header copied,
/// cached cardinality included); `Err` when the opcodes do not cover exactly 16384
/// registers. A dense HLL is left as it is.
pub(crate) fn to_dense(s: &mut Vec<u8>, sds: &mut Sds) -> Result<(), Corrupt> {
    if s[4] == DENSE {
        return Ok(());
    }
    let tail = sds.tail;
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HEADER].copy_from_slice(&s[..HEADER]);
    dense[4] = DENSE;
    let registers = &mut dense[HEADER..];
    let mut idx = 0;
    let mut p = HEADER;
    while p < s.len() {
        let op = op_at(s, p, tail);
        if idx + op.span() > REGISTERS {
            return Err(Corrupt);
        }
        if let Op::Val { value, len } = op {
            for i in idx..idx + len {
                dense::set(registers, i, value);
            }
        }
        idx += op.span();
        p += op.bytes();
    }
    if idx != REGISTERS {
        return Err(Corrupt);
    }
    *s = dense;
    *sds = Sds::exact(DENSE_SIZE);
    Ok(())
}

/// `hllSparseSet`: raises register `index` to `count` if it is lower. Returns whether it
/// changed; promotes `s` to dense when `count` does not fit a VAL opcode or the update
/// would make the string longer than `max_bytes` (`hll-sparse-max-bytes`).
pub(crate) fn raise(
    s: &mut Vec<u8>,
    sds: &mut Sds,
    index: usize,
    count: u8,
    max_bytes: u64,
) -> Result<bool, Corrupt> {
    if count > VAL_MAX_VALUE {
        return promote(s, sds, index, count);
    }
    // Room for the worst split (XZERO → XZERO VAL XZERO), made before looking.
    *sds = sds.grown(s.len(), s.len() + 3);
    // Step 1: find the opcode covering `index`.
    let mut p = HEADER;
    let mut first = 0;
    let mut prev = None;
    let mut op = None;
    while p < s.len() {
        let here = op_at(s, p, sds.tail);
        op = Some(here);
        if index < first + here.span() {
            break;
        }
        prev = Some(p);
        p += here.bytes();
        first += here.span();
    }
    let Some(op) = op else {
        return Err(Corrupt);
    };
    if p >= s.len() {
        return Err(Corrupt);
    }
    let span = op.span();
    // Step 2: the simple cases, changed in place.
    match op {
        Op::Val { value, .. } if value >= count => return Ok(false),
        Op::Val { len: 1, .. } | Op::Zero { len: 1, bytes: 1 } => {
            s[p] = val(count, 1);
            merge_neighbours(s, sds, prev);
            return Ok(true);
        }
        _ => {}
    }
    // The general case: split the opcode around `index`.
    let last = first + span - 1;
    let mut seq = Vec::with_capacity(5);
    match op {
        Op::Zero { .. } => {
            if index != first {
                push_zeros(&mut seq, index - first);
            }
            seq.push(val(count, 1));
            if index != last {
                push_zeros(&mut seq, last - index);
            }
        }
        Op::Val { value, .. } => {
            if index != first {
                seq.push(val(value, index - first));
            }
            seq.push(val(count, 1));
            if index != last {
                seq.push(val(value, last - index));
            }
        }
    }
    // Step 3: put the new sequence in place of the old opcode.
    let old_len = op.bytes();
    let end = s.len();
    let new_len = end + seq.len() - old_len;
    if seq.len() > old_len && new_len as u64 > max_bytes {
        return promote(s, sds, index, count);
    }
    if p + old_len <= end {
        s.splice(p..p + old_len, seq);
        sds.tail = 0;
    } else {
        // A trailing XZERO missing its second byte: Redis writes the sequence from `p`
        // and keeps `new_len` bytes; the last one lands on the terminator slot, where
        // later updates read it as that XZERO's second byte.
        sds.tail = seq[seq.len() - 1];
        s.truncate(p);
        s.extend_from_slice(&seq);
        s.truncate(new_len);
    }
    merge_neighbours(s, sds, prev);
    Ok(true)
}

/// Step 4 of `hllSparseSet`: from the opcode before the changed one, up to 5 opcodes,
/// joins adjacent VAL opcodes of equal value while their lengths fit one opcode; then
/// invalidates the cached cardinality.
fn merge_neighbours(s: &mut Vec<u8>, sds: &mut Sds, prev: Option<usize>) {
    let mut p = prev.unwrap_or(HEADER);
    let mut scans = 5;
    while p < s.len() && scans > 0 {
        scans -= 1;
        match op_at(s, p, sds.tail) {
            Op::Zero { bytes, .. } => {
                p += bytes;
                continue;
            }
            Op::Val { value, len } => {
                if p + 1 < s.len() {
                    if let Op::Val {
                        value: value2,
                        len: len2,
                    } = op_at(s, p + 1, sds.tail)
                    {
                        if value == value2 && len + len2 <= VAL_MAX_LEN {
                            s[p + 1] = val(value, len + len2);
                            s.remove(p);
                            sds.tail = 0;
                            continue;
                        }
                    }
                }
            }
        }
        p += 1;
    }
    super::invalidate_cache(s);
}

/// The promotion path of `hllSparseSet`: to dense, then the register raised there.
fn promote(s: &mut Vec<u8>, sds: &mut Sds, index: usize, count: u8) -> Result<bool, Corrupt> {
    to_dense(s, sds)?;
    dense::raise(&mut s[HEADER..], index, count);
    Ok(true)
}

/// `hllSparseRegHisto`: adds the registers to `histogram`; `Err` when the opcodes do not
/// cover exactly 16384 registers.
pub(crate) fn histogram(s: &[u8], tail: u8, histogram: &mut Histogram) -> Result<(), Corrupt> {
    let mut idx = 0usize;
    let mut p = HEADER;
    while p < s.len() {
        let op = op_at(s, p, tail);
        if idx + op.span() > REGISTERS {
            return Err(Corrupt);
        }
        match op {
            Op::Zero { len, .. } => histogram[0] += len as i64,
            Op::Val { value, len } => histogram[value as usize] += len as i64,
        }
        idx += op.span();
        p += op.bytes();
    }
    if idx == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// `hllMerge` of a sparse HLL: `max[i] = max(max[i], register i)`.
pub(crate) fn merge(s: &[u8], tail: u8, max: &mut [u8; REGISTERS]) -> Result<(), Corrupt> {
    let mut i = 0;
    let mut p = HEADER;
    while p < s.len() {
        let op = op_at(s, p, tail);
        if i + op.span() > REGISTERS {
            return Err(Corrupt);
        }
        if let Op::Val { value, len } = op {
            for slot in &mut max[i..i + len] {
                *slot = (*slot).max(value);
            }
        }
        i += op.span();
        p += op.bytes();
    }
    if i == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// PFDEBUG DECODE's text: `z:<len>` / `Z:<len>` / `v:<value>,<len>` separated by spaces.
pub(crate) fn decode(s: &[u8], tail: u8) -> String {
    let mut out = String::new();
    let mut p = HEADER;
    while p < s.len() {
        let op = op_at(s, p, tail);
        if !out.is_empty() {
            out.push(' ');
        }
        match op {
            Op::Zero { len, bytes: 1 } => out.push_str(&format!("z:{len}")),
            Op::Zero { len, .. } => out.push_str(&format!("Z:{len}")),
            Op::Val { value, len } => out.push_str(&format!("v:{value},{len}")),
        }
        p += op.bytes();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u64 = 3000;

    #[test]
    fn a_fresh_hll_is_one_xzero_covering_every_register() {
        let s = empty();
        assert_eq!(&s[16..], &[0x7f, 0xff]);
        assert_eq!(decode(&s, 0), "Z:16384");
    }

    #[test]
    fn setting_a_register_splits_the_run_around_it() {
        let mut s = empty();
        let mut sds = Sds::exact(s.len());
        assert_eq!(raise(&mut s, &mut sds, 100, 3, MAX), Ok(true));
        assert_eq!(decode(&s, 0), "Z:100 v:3,1 Z:16283");
        assert_eq!(raise(&mut s, &mut sds, 100, 2, MAX), Ok(false));
        assert_eq!(raise(&mut s, &mut sds, 0, 1, MAX), Ok(true));
        assert_eq!(decode(&s, 0), "v:1,1 Z:99 v:3,1 Z:16283");
    }

    #[test]
    fn updates_grow_the_allocation_as_redis_does() {
        // MEMORY USAGE on redis-server 7.0.15: 32 bytes for a new HLL, 48 after a first
        // PFADD, 14336 once dense.
        let mut s = empty();
        let mut sds = Sds::exact(s.len());
        assert_eq!(sds.bytes(s.len()), 32);
        raise(&mut s, &mut sds, 5, 1, MAX).unwrap();
        assert_eq!(sds.bytes(s.len()), 48);
        raise(&mut s, &mut sds, 50, 40, MAX).unwrap();
        assert_eq!(sds.bytes(s.len()), 14336);
    }

    #[test]
    fn neighbouring_equal_values_merge_into_one_opcode() {
        let mut s = empty();
        let mut sds = Sds::exact(s.len());
        for index in [10, 11, 12] {
            raise(&mut s, &mut sds, index, 5, MAX).unwrap();
        }
        assert_eq!(decode(&s, 0), "z:10 v:5,3 Z:16371");
    }

    #[test]
    fn a_value_above_32_promotes_to_dense() {
        let mut s = empty();
        let mut sds = Sds::exact(s.len());
        raise(&mut s, &mut sds, 7, 3, MAX).unwrap();
        assert_eq!(raise(&mut s, &mut sds, 9000, 40, MAX), Ok(true));
        assert_eq!(s.len(), DENSE_SIZE);
        assert_eq!(s[4], DENSE);
        assert_eq!(sds, Sds::exact(DENSE_SIZE));
        assert_eq!(dense::get(&s[HEADER..], 9000), 40);
        assert_eq!(dense::get(&s[HEADER..], 7), 3);
    }

    #[test]
    fn growing_past_the_limit_promotes_to_dense() {
        let mut s = empty();
        let mut sds = Sds::exact(s.len());
        let mut index = 0;
        while s[4] == crate::hll::SPARSE {
            raise(&mut s, &mut sds, index, 1 + (index % 7) as u8, 60).unwrap();
            index += 3;
        }
        assert_eq!(s.len(), DENSE_SIZE);
        for i in (0..index).step_by(3) {
            assert_eq!(dense::get(&s[HEADER..], i), 1 + (i % 7) as u8);
        }
    }

    #[test]
    fn runs_past_the_last_register_are_corrupt() {
        let mut s = empty();
        s.push(0x83);
        let mut max = [0; REGISTERS];
        assert_eq!(merge(&s, 0, &mut max), Err(Corrupt));
        assert_eq!(
            to_dense(&mut s.clone(), &mut Sds::exact(s.len())),
            Err(Corrupt)
        );
        let mut h = [0; 64];
        assert_eq!(histogram(&s, 0, &mut h), Err(Corrupt));
    }
}
