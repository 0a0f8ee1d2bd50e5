//! The dense representation: 16384 registers of 6 bits packed little-endian, register
//! `i` starting at bit `6 i` of the register bytes (Redis's `HLL_DENSE_GET_REGISTER` /
//! `HLL_DENSE_SET_REGISTER`). Redis reads one byte past the last register (the SDS's
//! terminating zero); here that byte reads as zero and is never written, which gives the
//! same values.

use super::estimate::Histogram;
use super::{BITS, REGISTERS, REGISTER_MAX};

/// The value of register `index` in `registers` (the bytes after the header).
pub(crate) fn get(registers: &[u8], index: usize) -> u8 {
    let byte = index * BITS / 8;
    let shift = (index * BITS) & 7;
    let b0 = u16::from(registers[byte]);
    let b1 = u16::from(registers.get(byte + 1).copied().unwrap_or(0));
    (((b0 >> shift) | (b1 << (8 - shift))) & u16::from(REGISTER_MAX)) as u8
}

/// Sets register `index` to `value` (at most 63).
pub(crate) fn set(registers: &mut [u8], index: usize, value: u8) {
    let byte = index * BITS / 8;
    let shift = (index * BITS) & 7;
    let v = u16::from(value);
    let max = u16::from(REGISTER_MAX);
    registers[byte] = ((u16::from(registers[byte]) & !(max << shift)) | (v << shift)) as u8;
    if let Some(next) = registers.get_mut(byte + 1) {
        let high = 8 - shift;
        *next = ((u16::from(*next) & !(max >> high)) | (v >> high)) as u8;
    }
}

/// `hllDenseSet`: raises register `index` to `count` if it is lower; whether it changed.
pub(crate) fn raise(registers: &mut [u8], index: usize, count: u8) -> bool {
    if count > get(registers, index) {
        set(registers, index, count);
        true
    } else {
        false
    }
}

/// Adds every register's value to `histogram`.
pub(crate) fn histogram(registers: &[u8], histogram: &mut Histogram) {
    for index in 0..REGISTERS {
        histogram[get(registers, index) as usize] += 1;
    }
}

/// `max[i] = max(max[i], register i)` for every register.
pub(crate) fn merge(registers: &[u8], max: &mut [u8; REGISTERS]) {
    for (index, slot) in max.iter_mut().enumerate() {
        *slot = (*slot).max(get(registers, index));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hll::DENSE_SIZE;
    use crate::hll::HEADER;

    #[test]
    fn setting_a_register_leaves_its_neighbours() {
        let mut regs = vec![0u8; DENSE_SIZE - HEADER];
        for i in 0..REGISTERS {
            set(&mut regs, i, (i % 64) as u8);
        }
        set(&mut regs, 5, 63);
        set(&mut regs, 5, 1);
        for i in 0..REGISTERS {
            let want = if i == 5 { 1 } else { (i % 64) as u8 };
            assert_eq!(get(&regs, i), want, "register {i}");
        }
    }
}
