//! The two sorts a geo search orders its results with, as Redis runs them, so that
//! members at the same distance come out in Redis's order.
//!
//! - All results wanted: glibc's `qsort`, which (glibc 2.36, Debian 12) is a stable
//!   top-down merge sort (`msort_with_tmp`): ties keep the order the search found them in.
//! - COUNT below the number found: Redis's `pqsort` (Bentley & McIlroy's quicksort, which
//!   skips the partitions outside the wanted range) — not stable, so its exact steps decide
//!   the order of ties.
//!
//! Both take a C-style comparator (negative, zero, positive).

/// glibc's merge sort: split at `n / 2`, sort both halves, merge taking from the left
/// half while it compares `<= 0`.
pub(crate) fn merge_sort<T: Clone>(v: &mut [T], cmp: &impl Fn(&T, &T) -> i32) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    merge_sort(&mut v[..n1], cmp);
    merge_sort(&mut v[n1..], cmp);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, n1);
    while i < n1 && j < n {
        if cmp(&v[i], &v[j]) <= 0 {
            merged.push(v[i].clone());
            i += 1;
        } else {
            merged.push(v[j].clone());
            j += 1;
        }
    }
    merged.extend_from_slice(&v[i..n1]);
    let done = merged.len();
    v[..done].clone_from_slice(&merged);
}

/// Redis's `pqsort(a, n, es, cmp, lrange, rrange)`: sorts enough of `v` that positions
/// `lrange..=rrange` hold what a full sort would put there.
pub(crate) fn partial_quicksort<T>(
    v: &mut [T],
    cmp: &impl Fn(&T, &T) -> i32,
    lrange: usize,
    rrange: usize,
) {
    let n = v.len();
    pqsort(v, 0, n, cmp, lrange, rrange);
}

/// Whether the sub-array `start..end` reaches the wanted range (the pointer test of
/// `_pqsort`).
fn overlaps(start: usize, end: usize, lrange: usize, rrange: usize) -> bool {
    !((lrange < start && rrange < start) || (lrange >= end && rrange >= end))
}

fn med3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &impl Fn(&T, &T) -> i32) -> usize {
    if cmp(&v[a], &v[b]) < 0 {
        if cmp(&v[b], &v[c]) < 0 {
            b
        } else if cmp(&v[a], &v[c]) < 0 {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]) > 0 {
        b
    } else if cmp(&v[a], &v[c]) < 0 {
        a
    } else {
        c
    }
}

/// Swaps `n` elements from `a` with `n` from `b`, one pair at a time (`vecswap`).
fn vecswap<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for k in 0..n {
        v.swap(a + k, b + k);
    }
}

/// `_pqsort` on `v[base..base + n]`, positions as indices instead of pointers.
fn pqsort<T>(
    v: &mut [T],
    mut base: usize,
    mut n: usize,
    cmp: &impl Fn(&T, &T) -> i32,
    lrange: usize,
    rrange: usize,
) {
    loop {
        if n < 7 {
            for pm in base + 1..base + n {
                let mut pl = pm;
                while pl > base && cmp(&v[pl - 1], &v[pl]) > 0 {
                    v.swap(pl, pl - 1);
                    pl -= 1;
                }
            }
            return;
        }
        let mut pm = base + n / 2;
        if n > 7 {
            let mut pl = base;
            let mut pn = base + n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
                pm = med3(v, pm - d, pm, pm + d, cmp);
                pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = med3(v, pl, pm, pn, cmp);
        }
        v.swap(base, pm);
        let (mut pa, mut pb) = (base + 1, base + 1);
        let (mut pc, mut pd) = (base + n - 1, base + n - 1);
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[base]);
                if r > 0 {
                    break;
                }
                if r == 0 {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[base]);
                if r < 0 {
                    break;
                }
                if r == 0 {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let pn = base + n;
        let r = (pa - base).min(pb - pa);
        vecswap(v, base, pb - r, r);
        let r = (pd - pc).min(pn - pd - 1);
        vecswap(v, pb, pn - r, r);
        let r = pb - pa;
        if r > 1 && overlaps(base, base + r, lrange, rrange) {
            pqsort(v, base, r, cmp, lrange, rrange);
        }
        let r = pd - pc;
        if r > 1 {
            base = pn - r;
            n = r;
            if overlaps(base, base + n, lrange, rrange) {
                continue;
            }
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_key(a: &(u32, u32), b: &(u32, u32)) -> i32 {
        a.0.cmp(&b.0) as i32
    }

    /// A small deterministic generator (no OS randomness in tests either).
    fn values(seed: u64, n: usize) -> Vec<(u32, u32)> {
        let mut x = seed;
        (0..n)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (((x >> 33) % 10) as u32, i as u32)
            })
            .collect()
    }

    #[test]
    fn merge_sort_is_stable() {
        for seed in 0..20 {
            let mut v = values(seed, 57);
            let mut expected = v.clone();
            expected.sort_by_key(|p| p.0);
            merge_sort(&mut v, &by_key);
            assert_eq!(v, expected);
        }
    }

    #[test]
    fn partial_quicksort_orders_the_wanted_prefix() {
        for seed in 0..40 {
            for (n, k) in [(5, 2), (8, 3), (41, 10), (100, 1), (100, 99), (300, 17)] {
                let mut v = values(seed, n);
                let mut keys: Vec<u32> = v.iter().map(|p| p.0).collect();
                keys.sort_unstable();
                partial_quicksort(&mut v, &by_key, 0, k - 1);
                let got: Vec<u32> = v[..k].iter().map(|p| p.0).collect();
                assert_eq!(got, keys[..k], "seed {seed} n {n} k {k}");
            }
        }
    }
}
