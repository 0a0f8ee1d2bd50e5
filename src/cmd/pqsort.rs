//! Redis's `pqsort`: the Bentley–McIlroy quicksort of NetBSD's `qsort`, cut short so that
//! only the partitions overlapping a range of positions are sorted. SORT uses it when it
//! sorts BY a pattern and LIMIT keeps part of the result; GEOSEARCH when COUNT keeps part
//! of what it found.
//!
//! It is not stable: elements that compare equal (ALPHA BY weights that are equal or
//! missing) come out in the order its swaps leave them, so redsim runs the same steps to
//! give the same order as Redis.

use std::cmp::Ordering;

/// Sorts `v` enough that positions `lrange..=rrange` hold what a full sort would put
/// there, exactly as Redis's `pqsort(v, n, size, cmp, lrange, rrange)` leaves them.
pub(super) fn pqsort<T>(
    v: &mut [T],
    lrange: i64,
    rrange: i64,
    cmp: &mut impl FnMut(&T, &T) -> Ordering,
) {
    partial(v, 0, v.len(), lrange, rrange, cmp);
}

/// Swaps the `n` elements from `a` with the `n` from `b`, pairwise.
fn vecswap<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

fn med3<T>(
    v: &[T],
    a: usize,
    b: usize,
    c: usize,
    cmp: &mut impl FnMut(&T, &T) -> Ordering,
) -> usize {
    if cmp(&v[a], &v[b]).is_lt() {
        if cmp(&v[b], &v[c]).is_lt() {
            b
        } else if cmp(&v[a], &v[c]).is_lt() {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]).is_gt() {
        b
    } else if cmp(&v[a], &v[c]).is_lt() {
        a
    } else {
        c
    }
}

/// Whether the partition of `n` elements at `lo` holds any position of the range (the
/// C code compares byte addresses; in whole elements it comes to this).
fn overlaps(lo: usize, n: usize, lrange: i64, rrange: i64) -> bool {
    let (lo, hi) = (lo as i64, (lo + n) as i64);
    !((lrange < lo && rrange < lo) || (lrange >= hi && rrange >= hi))
}

/// `_pqsort` on the `n` elements from `base`.
fn partial<T>(
    v: &mut [T],
    mut base: usize,
    mut n: usize,
    lrange: i64,
    rrange: i64,
    cmp: &mut impl FnMut(&T, &T) -> Ordering,
) {
    loop {
        if n < 7 {
            for m in base + 1..base + n {
                let mut l = m;
                while l > base && cmp(&v[l - 1], &v[l]).is_gt() {
                    v.swap(l, l - 1);
                    l -= 1;
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
        // `pc` and `pd` may step below `base + 1` (to `base`): kept as signed.
        let (mut pc, mut pd) = ((base + n - 1) as i64, (base + n - 1) as i64);
        loop {
            while pb as i64 <= pc {
                let c = cmp(&v[pb], &v[base]);
                if c.is_gt() {
                    break;
                }
                if c.is_eq() {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb as i64 <= pc {
                let c = cmp(&v[pc as usize], &v[base]);
                if c.is_lt() {
                    break;
                }
                if c.is_eq() {
                    v.swap(pc as usize, pd as usize);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb as i64 > pc {
                break;
            }
            v.swap(pb, pc as usize);
            pb += 1;
            pc -= 1;
        }
        let pn = base + n;
        let r = (pa - base).min(pb - pa);
        vecswap(v, base, pb - r, r);
        let r = ((pd - pc) as usize).min(pn - pd as usize - 1);
        vecswap(v, pb, pn - r, r);
        let r = pb - pa;
        if r > 1 && overlaps(base, r, lrange, rrange) {
            partial(v, base, r, lrange, rrange, cmp);
        }
        let r = (pd - pc) as usize;
        if r > 1 {
            base = pn - r;
            n = r;
            if overlaps(base, n, lrange, rrange) {
                continue;
            }
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_sorted_like_a_full_sort() {
        let mut seed = 12345u64;
        for len in [0usize, 1, 6, 7, 8, 40, 41, 100, 300] {
            let data: Vec<u32> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (seed >> 33) as u32 % 50
                })
                .collect();
            let mut sorted = data.clone();
            sorted.sort();
            for (l, r) in [
                (0i64, len as i64 - 1),
                (3, 9),
                (len as i64 / 2, len as i64 - 1),
            ] {
                let mut v = data.clone();
                pqsort(&mut v, l, r, &mut |a, b| a.cmp(b));
                for i in l.max(0)..=r.min(len as i64 - 1) {
                    assert_eq!(
                        v[i as usize], sorted[i as usize],
                        "len {len} range {l}..={r}"
                    );
                }
            }
        }
    }
}
