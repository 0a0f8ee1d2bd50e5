//! Delta debugging (Zeller and Hildebrandt's ddmin): a subsequence of a list for which a
//! test still holds, such that removing any one more element makes it fail (1-minimal),
//! found with O(n²) tests at worst and O(log n) when one small part matters.

/// A 1-minimal non-empty subsequence of `items` for which `holds` is true; `holds(items)`
/// is assumed. Tries the parts first, then their complements, at finer and finer
/// granularity. Deterministic: the order of tests depends only on `items`.
pub fn ddmin<T: Clone>(items: &[T], mut holds: impl FnMut(&[T]) -> bool) -> Vec<T> {
    let mut current = items.to_vec();
    let mut parts = 2usize;
    while current.len() >= 2 {
        let len = current.len();
        let chunk = len.div_ceil(parts);
        let ranges: Vec<(usize, usize)> = (0..len)
            .step_by(chunk)
            .map(|start| (start, (start + chunk).min(len)))
            .collect();
        let mut reduced = false;
        for &(a, b) in &ranges {
            let part = current[a..b].to_vec();
            if part.len() < len && holds(&part) {
                current = part;
                parts = 2;
                reduced = true;
                break;
            }
        }
        if !reduced && ranges.len() > 2 {
            for &(a, b) in &ranges {
                let mut rest = current[..a].to_vec();
                rest.extend_from_slice(&current[b..]);
                if holds(&rest) {
                    current = rest;
                    parts = (parts - 1).max(2);
                    reduced = true;
                    break;
                }
            }
        }
        if !reduced {
            if parts >= len {
                break;
            }
            parts = (parts * 2).min(len);
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddmin_finds_the_two_elements_that_matter() {
        let items: Vec<u32> = (0..16).collect();
        let mut tests = 0;
        let found = ddmin(&items, |s| {
            tests += 1;
            s.contains(&3) && s.contains(&12)
        });
        assert_eq!(found, vec![3, 12]);
        assert!(tests < 60, "{tests} tests");
    }

    #[test]
    fn ddmin_result_is_one_minimal() {
        // Holds when the sum is at least 10: the result loses that by dropping any element.
        let items = vec![1, 5, 2, 4, 3, 6];
        let found = ddmin(&items, |s| s.iter().sum::<i32>() >= 10);
        assert!(found.iter().sum::<i32>() >= 10);
        for i in 0..found.len() {
            let mut less = found.clone();
            less.remove(i);
            assert!(less.iter().sum::<i32>() < 10, "{found:?}");
        }
    }

    #[test]
    fn ddmin_keeps_a_single_element() {
        assert_eq!(ddmin(&[7], |_| true), vec![7]);
        assert_eq!(ddmin(&[1, 2, 3], |s| s.contains(&2)), vec![2]);
    }
}
