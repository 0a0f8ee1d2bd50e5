//! Ziplists (Redis ≤ 6.2's `ziplist.c`), read only: RDB version 9 and older payloads
//! store small lists, hashes and sorted sets as ziplists, and Redis 7.0 converts them to
//! listpacks on load. redsim reads them the same way so that a DUMP taken from an older
//! Redis restores.
//!
//! Layout: total bytes (u32 LE), offset of the tail (u32 LE), count (u16 LE), entries,
//! 0xFF. An entry is the previous entry's size (1 byte, or 0xFE and a u32 LE), an
//! encoding (a string of 6-, 14- or 32-bit length, big endian; or an integer of 8, 16,
//! 24, 32 or 64 bits, or 0..12 in the encoding byte itself), and the data.

use super::listpack::Element;

/// Every element of a ziplist, or `None` when the blob is malformed.
pub(crate) fn elements(zl: &[u8]) -> Option<Vec<Element<'_>>> {
    if zl.len() < 11 || u32::from_le_bytes(zl[0..4].try_into().ok()?) as usize != zl.len() {
        return None;
    }
    if *zl.last()? != 0xFF {
        return None;
    }
    let end = zl.len() - 1;
    let mut p = 10;
    let mut previous = 0usize;
    let mut out = Vec::new();
    while p < end {
        let start = p;
        let prevlen = if zl[p] < 0xFE {
            p += 1;
            zl[p - 1] as usize
        } else if zl[p] == 0xFE {
            p += 5;
            u32::from_le_bytes(zl.get(p - 4..p)?.try_into().ok()?) as usize
        } else {
            return None;
        };
        if prevlen != previous {
            return None;
        }
        let enc = *zl.get(p)?;
        let int = |n: usize| -> Option<i64> {
            let bytes = zl.get(p + 1..p + 1 + n)?;
            let mut v = 0u64;
            for (i, b) in bytes.iter().enumerate() {
                v |= u64::from(*b) << (8 * i);
            }
            let bits = 8 * n as u32;
            Some(((v << (64 - bits)) as i64) >> (64 - bits))
        };
        let (element, size) = match enc >> 6 {
            0 => {
                let len = (enc & 0x3F) as usize;
                (Element::Str(zl.get(p + 1..p + 1 + len)?), 1 + len)
            }
            1 => {
                let len = (((enc & 0x3F) as usize) << 8) | *zl.get(p + 1)? as usize;
                (Element::Str(zl.get(p + 2..p + 2 + len)?), 2 + len)
            }
            2 => {
                let len = u32::from_be_bytes(zl.get(p + 1..p + 5)?.try_into().ok()?) as usize;
                (Element::Str(zl.get(p + 5..p + 5 + len)?), 5 + len)
            }
            _ => match enc {
                0xC0 => (Element::Int(int(2)?), 3),
                0xD0 => (Element::Int(int(4)?), 5),
                0xE0 => (Element::Int(int(8)?), 9),
                0xF0 => (Element::Int(int(3)?), 4),
                0xFE => (Element::Int(int(1)?), 2),
                0xF1..=0xFD => (Element::Int(i64::from(enc & 0x0F) - 1), 1),
                _ => return None,
            },
        };
        p += size;
        if p > end {
            return None;
        }
        previous = p - start;
        out.push(element);
    }
    let declared = u16::from_le_bytes([zl[8], zl[9]]) as usize;
    (declared == u16::MAX as usize || declared == out.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redis_6_ziplist_reads_back() {
        // RPUSH l a 5 (Redis 6.2's ziplist node): "a" then the immediate integer 5.
        let zl = [
            0x10, 0, 0, 0, 0x0c, 0, 0, 0, 2, 0, 0x00, 0x01, b'a', 0x03, 0xF6, 0xFF,
        ];
        assert_eq!(
            elements(&zl),
            Some(vec![Element::Str(b"a"), Element::Int(5)])
        );
        let mut bad = zl;
        bad[13] = 0x02;
        assert_eq!(elements(&bad), None);
    }
}
