//! Intsets (Redis's `intset.c`): a set of integers as RDB stores it, a header of the
//! element width (2, 4 or 8 bytes, u32 LE) and the count (u32 LE), then the members in
//! ascending order, little endian, each as wide as the widest one needs.

/// The intset blob of `members` (already sorted ascending and distinct) at `width`
/// bytes each.
pub(crate) fn encode(members: &[i64], width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + members.len() * width);
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(members.len() as u32).to_le_bytes());
    for m in members {
        out.extend_from_slice(&m.to_le_bytes()[..width]);
    }
    out
}

/// The members of an intset blob; `None` unless the width is 2, 4 or 8, the size is
/// exactly the header plus count × width, and the members ascend strictly.
pub(crate) fn decode(blob: &[u8]) -> Option<Vec<i64>> {
    let width = u32::from_le_bytes(blob.get(0..4)?.try_into().ok()?) as usize;
    let count = u32::from_le_bytes(blob.get(4..8)?.try_into().ok()?) as usize;
    if !matches!(width, 2 | 4 | 8) || count.checked_mul(width)?.checked_add(8)? != blob.len() {
        return None;
    }
    let members: Vec<i64> = blob[8..]
        .chunks_exact(width)
        .map(|c| match width {
            2 => i64::from(i16::from_le_bytes([c[0], c[1]])),
            4 => i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            _ => i64::from_le_bytes(c.try_into().expect("8-byte chunk")),
        })
        .collect();
    members.windows(2).all(|w| w[0] < w[1]).then_some(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_round_trip_at_each_width() {
        for (members, width) in [
            (vec![-3i64, 1, 2], 2),
            (vec![-70000, 5, 70000], 4),
            (vec![i64::MIN, 0, i64::MAX], 8),
        ] {
            assert_eq!(decode(&encode(&members, width)), Some(members));
        }
    }

    #[test]
    fn unordered_or_short_blobs_are_refused() {
        assert_eq!(decode(&encode(&[2, 1], 2)), None);
        assert_eq!(decode(&encode(&[1, 1], 2)), None);
        let mut short = encode(&[1, 2], 2);
        short.pop();
        assert_eq!(decode(&short), None);
        assert_eq!(decode(&encode(&[1], 3)), None);
    }
}
