//! PFSELFTEST: Redis's self test of the HLL implementation, run on ours.
//!
//! 1. Register access: 1000 rounds of filling the 16384 dense registers with random
//!    6-bit values and reading every one back (a neighbour overwritten shows here).
//! 2. Estimation: 10,000,000 distinct 8-byte elements added both to a dense HLL and to a
//!    sparse one (promoted as it fills, by `hll-sparse-max-bytes`); at 1, 10, 100, …
//!    elements the sparse one must still be sparse while small, both must give the same
//!    count, and the error must stay within six standard errors (1 at 10 elements).
//!
//! The random values come from a small generator seeded once from the host, so a run
//! is reproducible from the engine's seed and costs one draw of the server's randomness.

use super::{
    add, count, dense, is_sparse, new_hll, Hll, DENSE_SIZE, HEADER, REGISTERS, REGISTER_MAX,
};
use crate::db::Sds;

const TEST_CYCLES: usize = 1000;
const ELEMENTS: u64 = 10_000_000;

/// SplitMix64: enough randomness for register values and the element seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Runs the self test; `Err` carries Redis's `TESTFAILED …` error text.
pub(crate) fn run(seed: u64, sparse_max_bytes: u64) -> Result<(), String> {
    let mut rng = SplitMix(seed);
    let mut registers = vec![0u8; DENSE_SIZE - HEADER];
    let mut expected = vec![0u8; REGISTERS];
    for _ in 0..TEST_CYCLES {
        for (i, slot) in expected.iter_mut().enumerate() {
            let r = (rng.next() as u8) & REGISTER_MAX;
            *slot = r;
            dense::set(&mut registers, i, r);
        }
        for (i, &want) in expected.iter().enumerate() {
            let got = dense::get(&registers, i);
            if got != want {
                return Err(format!(
                    "TESTFAILED Register {i} should be {want} but is {got}"
                ));
            }
        }
    }

    let mut dense_hll = vec![0u8; DENSE_SIZE];
    dense_hll[..4].copy_from_slice(b"HYLL");
    let mut sparse_hll = new_hll();
    // The allocations are not looked at: the strings are the test's own.
    let (mut dense_sds, mut sparse_sds) = (Sds::exact(DENSE_SIZE), Sds::exact(18));
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint: u64 = 1;
    let seed = rng.next();
    for j in 1..=ELEMENTS {
        let element = (j ^ seed).to_le_bytes();
        let mut dense_one = Hll {
            bytes: &mut dense_hll,
            sds: &mut dense_sds,
        };
        add(&mut dense_one, &element, sparse_max_bytes).map_err(|_| corrupt())?;
        let mut sparse_one = Hll {
            bytes: &mut sparse_hll,
            sds: &mut sparse_sds,
        };
        add(&mut sparse_one, &element, sparse_max_bytes).map_err(|_| corrupt())?;
        if j != checkpoint {
            continue;
        }
        if j < sparse_max_bytes / 2 && !is_sparse(&sparse_hll) {
            return Err("TESTFAILED sparse encoding not used".into());
        }
        let dense_count = count(&dense_hll, 0).map_err(|_| corrupt())?;
        if dense_count != count(&sparse_hll, sparse_sds.tail).map_err(|_| corrupt())? {
            return Err("TESTFAILED dense/sparse disagree".into());
        }
        let abserr = checkpoint.abs_diff(dense_count);
        let maxerr = if j == 10 {
            1
        } else {
            (relerr * 6.0 * checkpoint as f64).ceil() as u64
        };
        if abserr > maxerr {
            return Err(format!(
                "TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}"
            ));
        }
        checkpoint *= 10;
    }
    Ok(())
}

fn corrupt() -> String {
    "TESTFAILED corrupted HLL".into()
}
