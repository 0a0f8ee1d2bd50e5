//! Listpacks (Redis 7.0 `listpack.c`) as RDB stores them: small hashes and sorted sets,
//! the nodes of a list's quicklist, and the blocks of a stream.
//!
//! A listpack is a 6-byte header (total bytes, u32 LE; element count, u16 LE, 65535 when
//! it does not fit), the elements, and a 0xFF terminator. An element is its encoding —
//! an integer in 1, 2, 3, 4, 5 or 9 bytes when the text is a strict 64-bit integer
//! (`lpStringToInt64`), else a string with a 1, 2 or 5-byte length — followed by its
//! "backlen", the encoding's size written backwards in 7-bit groups.

use crate::cmd::args::parse_i64;

/// Builds a listpack by appending elements, as `lpAppend` does.
#[derive(Debug)]
pub(crate) struct ListpackWriter {
    bytes: Vec<u8>,
    count: usize,
}

impl ListpackWriter {
    pub(crate) fn new() -> Self {
        ListpackWriter {
            bytes: vec![0; 6],
            count: 0,
        }
    }

    /// Appends an element given as text: stored as an integer when it is one.
    pub(crate) fn push(&mut self, element: &[u8]) {
        let start = self.bytes.len();
        match parse_i64(element) {
            Some(v) => encode_integer(&mut self.bytes, v),
            None => encode_string(&mut self.bytes, element),
        }
        let size = (self.bytes.len() - start) as u64;
        encode_backlen(&mut self.bytes, size);
        self.count += 1;
    }

    /// Appends an integer element (`lpAppendInteger`).
    pub(crate) fn push_int(&mut self, v: i64) {
        let start = self.bytes.len();
        encode_integer(&mut self.bytes, v);
        let size = (self.bytes.len() - start) as u64;
        encode_backlen(&mut self.bytes, size);
        self.count += 1;
    }

    /// The listpack's size so far, terminator included (`lpBytes`): what the
    /// quicklist's fill rule looks at.
    pub(crate) fn total_bytes(&self) -> usize {
        self.bytes.len() + 1
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The finished listpack.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.bytes.push(0xFF);
        let total = self.bytes.len() as u32;
        self.bytes[0..4].copy_from_slice(&total.to_le_bytes());
        let count = self.count.min(u16::MAX as usize) as u16;
        self.bytes[4..6].copy_from_slice(&count.to_le_bytes());
        self.bytes
    }
}

fn encode_integer(out: &mut Vec<u8>, v: i64) {
    match v {
        0..=127 => out.push(v as u8),
        -4096..=4095 => {
            let u = (v as u64) & 0x1fff;
            out.extend_from_slice(&[0xC0 | (u >> 8) as u8, u as u8]);
        }
        -32768..=32767 => {
            out.push(0xF1);
            out.extend_from_slice(&(v as i16).to_le_bytes());
        }
        -8_388_608..=8_388_607 => {
            out.push(0xF2);
            out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        }
        -2_147_483_648..=2_147_483_647 => {
            out.push(0xF3);
            out.extend_from_slice(&(v as i32).to_le_bytes());
        }
        _ => {
            out.push(0xF4);
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

fn encode_string(out: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 64 {
        out.push(0x80 | len as u8);
    } else if len < 4096 {
        out.extend_from_slice(&[0xE0 | (len >> 8) as u8, len as u8]);
    } else {
        out.push(0xF0);
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(s);
}

fn encode_backlen(out: &mut Vec<u8>, l: u64) {
    // Note the strict bounds: 16383 takes three bytes (`lpEncodeBacklen`).
    let groups = if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    };
    for i in (0..groups).rev() {
        let byte = ((l >> (7 * i)) & 127) as u8;
        out.push(if i == groups - 1 { byte } else { byte | 128 });
    }
}

/// One element read back: a string, or an integer (which Redis hands out as its text).
#[derive(Debug, PartialEq)]
pub(crate) enum Element<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl Element<'_> {
    /// The element as an integer, if it is one (stored as one, or as strict text).
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Element::Int(v) => Some(*v),
            Element::Str(s) => parse_i64(s),
        }
    }

    /// The element as Redis's `lpGet` gives it to a command: integers as their text.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        match self {
            Element::Str(s) => s.to_vec(),
            Element::Int(v) => v.to_string().into_bytes(),
        }
    }
}

/// Reads every element of a listpack, checking the header (total bytes equal to the
/// blob, the terminator) and each element's bounds and backlen; `None` when anything
/// is off. Redis checks only the header unless `sanitize-dump-payload` is on and may
/// crash later on a bad entry; redsim refuses the payload instead.
pub(crate) fn elements(lp: &[u8]) -> Option<Vec<Element<'_>>> {
    if lp.len() < 7 || u32::from_le_bytes(lp[0..4].try_into().ok()?) as usize != lp.len() {
        return None;
    }
    if *lp.last()? != 0xFF {
        return None;
    }
    let declared = u16::from_le_bytes([lp[4], lp[5]]) as usize;
    let end = lp.len() - 1;
    let mut p = 6;
    let mut out = Vec::new();
    while p < end {
        let (element, size) = element_at(&lp[p..end])?;
        let mut backlen = Vec::with_capacity(5);
        encode_backlen(&mut backlen, size as u64);
        if lp.get(p + size..p + size + backlen.len())? != backlen.as_slice() {
            return None;
        }
        out.push(element);
        p += size + backlen.len();
    }
    if p != end || (declared != u16::MAX as usize && declared != out.len()) {
        return None;
    }
    Some(out)
}

/// The element at the start of `b` and the size of its encoding (without backlen).
fn element_at(b: &[u8]) -> Option<(Element<'_>, usize)> {
    let first = *b.first()?;
    let int = |n: usize| -> Option<u64> {
        let mut v = 0u64;
        for (i, byte) in b.get(1..1 + n)?.iter().enumerate() {
            v |= u64::from(*byte) << (8 * i);
        }
        Some(v)
    };
    let sign = |v: u64, bits: u32| -> i64 { ((v << (64 - bits)) as i64) >> (64 - bits) };
    Some(match first {
        0x00..=0x7F => (Element::Int(i64::from(first)), 1),
        0x80..=0xBF => {
            let len = (first & 0x3F) as usize;
            (Element::Str(b.get(1..1 + len)?), 1 + len)
        }
        0xC0..=0xDF => {
            let v = (u64::from(first & 0x1F) << 8) | u64::from(*b.get(1)?);
            (Element::Int(sign(v, 13)), 2)
        }
        0xE0..=0xEF => {
            let len = ((usize::from(first & 0x0F)) << 8) | usize::from(*b.get(1)?);
            (Element::Str(b.get(2..2 + len)?), 2 + len)
        }
        0xF0 => {
            let len = int(4)? as usize;
            (Element::Str(b.get(5..5 + len)?), 5 + len)
        }
        0xF1 => (Element::Int(sign(int(2)?, 16)), 3),
        0xF2 => (Element::Int(sign(int(3)?, 24)), 4),
        0xF3 => (Element::Int(sign(int(4)?, 32)), 5),
        0xF4 => (Element::Int(int(8)? as i64), 9),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_read_back_as_written() {
        let texts: Vec<Vec<u8>> = [
            "0",
            "127",
            "128",
            "-1",
            "4095",
            "-4096",
            "4096",
            "32767",
            "-32768",
            "8388607",
            "-8388608",
            "2147483647",
            "-2147483648",
            "9223372036854775807",
            "-9223372036854775808",
            "007",
            "-0",
            "",
            "a",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .chain([
            vec![b'x'; 63],
            vec![b'y'; 64],
            vec![b'z'; 4095],
            vec![b'w'; 4096],
        ])
        .collect();
        let mut writer = ListpackWriter::new();
        for t in &texts {
            writer.push(t);
        }
        let lp = writer.finish();
        let back: Vec<Vec<u8>> = elements(&lp)
            .unwrap()
            .iter()
            .map(Element::to_bytes)
            .collect();
        assert_eq!(back, texts);
    }

    #[test]
    fn a_small_listpack_is_laid_out_as_redis_does() {
        // HSET h a 1 in Redis 7.0 gives this listpack (from DUMP).
        let mut writer = ListpackWriter::new();
        writer.push(b"a");
        writer.push(b"1");
        assert_eq!(
            writer.finish(),
            vec![0x0c, 0, 0, 0, 2, 0, 0x81, b'a', 2, 0x01, 1, 0xFF]
        );
    }

    #[test]
    fn damaged_listpacks_are_refused() {
        let mut writer = ListpackWriter::new();
        writer.push(b"hello");
        let lp = writer.finish();
        let mut short = lp.clone();
        short.pop();
        assert!(elements(&short).is_none());
        let mut bad_backlen = lp.clone();
        let at = bad_backlen.len() - 2;
        bad_backlen[at] = 9;
        assert!(elements(&bad_backlen).is_none());
        let mut bad_count = lp;
        bad_count[4] = 3;
        assert!(elements(&bad_count).is_none());
    }
}
