//! Bitmap commands on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP (Redis's
//! `bitops.c`; BITFIELD lives in `bitfield.rs`).
//!
//! A string is a bit array, bit 0 being the most significant bit of its first byte. A
//! missing key reads as an empty string, i.e. all zero bits. Writing past the end pads
//! the string with zero bytes; offsets are limited to `proto-max-bulk-len` bytes (512 MB).
//! Every write (even one that changes nothing) leaves the value `raw`-encoded, because
//! Redis unshares the string object before writing to it (an exact copy, grown greedily
//! only when the write pads it, which MEMORY USAGE shows). An integer-encoded string is
//! read through its decimal text, which is what redsim stores anyway.

use super::string::proto_max_bulk_len;
use super::{args, c_str, flags::*, CommandSpec, Ctx};
use crate::db::{Db, StrEnc, Value};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("setbit", 4, WRITE | DENYOOM, setbit)
        .keys(1, 1, 1)
        .acl("write bitmap slow"),
    CommandSpec::new("getbit", 3, READONLY | FAST, getbit)
        .keys(1, 1, 1)
        .acl("read bitmap fast"),
    CommandSpec::new("bitcount", -2, READONLY, bitcount)
        .keys(1, 1, 1)
        .acl("read bitmap slow"),
    CommandSpec::new("bitpos", -3, READONLY, bitpos)
        .keys(1, 1, 1)
        .acl("read bitmap slow"),
    CommandSpec::new("bitop", -4, WRITE | DENYOOM, bitop)
        .keys(2, -1, 1)
        .acl("write bitmap slow"),
    CommandSpec::new("bitfield", -2, WRITE | DENYOOM, super::bitfield::bitfield)
        .keys(1, 1, 1)
        .acl("write bitmap slow"),
    CommandSpec::new(
        "bitfield_ro",
        -2,
        READONLY | FAST,
        super::bitfield::bitfield_ro,
    )
    .keys(1, 1, 1)
    .acl("read bitmap fast"),
];

const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";

/// Whether `arg` read as a C string (up to a NUL byte) is `word`, ignoring case: Redis
/// compares option words with `strcasecmp`.
pub(super) fn c_is(arg: &[u8], word: &str) -> bool {
    c_str(arg, usize::MAX).eq_ignore_ascii_case(word.as_bytes())
}

/// Redis's `getBitOffsetFromArgument`: a bit offset, at least 0 and inside
/// `max_bytes` (`proto-max-bulk-len`). With `hash_bits` (BITFIELD), `#n` means `n * bits`.
pub(super) fn bit_offset(arg: &[u8], hash_bits: Option<u32>, max_bytes: u64) -> Result<u64, Reply> {
    let use_hash = hash_bits.is_some() && arg.first() == Some(&b'#');
    let digits = if use_hash { &arg[1..] } else { arg };
    let mut offset = args::parse_i64(digits).ok_or_else(|| Reply::error(BAD_OFFSET))?;
    if use_hash {
        // C multiplies without overflow checks; the wrapped product is then judged.
        offset = offset.wrapping_mul(hash_bits.unwrap_or(1) as i64);
    }
    if offset < 0 || (offset >> 3) as u64 >= max_bytes {
        return Err(Reply::error(BAD_OFFSET));
    }
    Ok(offset as u64)
}

/// Redis's `lookupStringForBitCommand`: the string under `key`, created or padded with
/// zero bytes so that bit `max_bit` exists, and made `raw`. Also whether it was created
/// or grew (a change even when no bit flips).
pub(super) fn string_for_write<'a>(
    db: &'a mut Db,
    key: &[u8],
    max_bit: u64,
    now_ms: u64,
) -> Result<(&'a mut Vec<u8>, bool), Reply> {
    let len = (max_bit >> 3) as usize + 1;
    match db.get(key, now_ms) {
        None => {
            db.set(key, Value::Str(vec![0; len]));
            if let Some(entry) = db.entry_mut(key, now_ms) {
                entry.enc = StrEnc::fresh_raw(len);
            }
            return match db.get_mut(key, now_ms) {
                Some(Value::Str(s)) => Ok((s, true)),
                _ => Err(Reply::error(errors::WRONGTYPE)),
            };
        }
        Some(Value::Str(_)) => {}
        Some(_) => return Err(Reply::error(errors::WRONGTYPE)),
    }
    let Some(entry) = db.entry_mut(key, now_ms) else {
        return Err(Reply::error(errors::WRONGTYPE));
    };
    let Value::Str(s) = &mut entry.value else {
        return Err(Reply::error(errors::WRONGTYPE));
    };
    let grew = s.len() < len;
    entry.enc = entry.enc.after_write(s.len(), len.max(s.len()));
    if grew {
        s.resize(len, 0);
    }
    Ok((s, grew))
}

/// The string under `key` for reading: `None` when missing, WRONGTYPE for another type.
pub(super) fn string_for_read<'a>(
    ctx: &'a mut Ctx<'_>,
    key: &[u8],
) -> Result<Option<&'a Vec<u8>>, Reply> {
    let now = ctx.now_ms;
    match ctx.db().get(key, now) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(_) => Err(Reply::error(errors::WRONGTYPE)),
    }
}

/// SETBIT key offset 0|1: sets or clears one bit; replies with its old value. The
/// change counts (and is signalled) only when the string was created, grew or the bit
/// flipped.
fn setbit(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    const BAD_BIT: &str = "ERR bit is not an integer or out of range";
    let offset = match bit_offset(&argv[2], None, proto_max_bulk_len(ctx)) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let on = match args::parse_i64(&argv[3]) {
        Some(v @ (0 | 1)) => v as u8,
        _ => return Reply::error(BAD_BIT),
    };
    let now = ctx.now_ms;
    let (s, dirty) = match string_for_write(ctx.db(), &argv[1], offset, now) {
        Ok(found) => found,
        Err(e) => return e,
    };
    let byte = (offset >> 3) as usize;
    let shift = 7 - (offset & 7) as u32;
    let old = (s[byte] >> shift) & 1;
    if dirty || old != on {
        s[byte] = (s[byte] & !(1 << shift)) | (on << shift);
        ctx.notify(notify::STRING, "setbit", &argv[1]);
        ctx.dirty(1);
    }
    Reply::Integer(old as i64)
}

/// GETBIT key offset: the bit, 0 past the end or for a missing key.
fn getbit(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let offset = match bit_offset(&argv[2], None, proto_max_bulk_len(ctx)) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let s = match string_for_read(ctx, &argv[1]) {
        Ok(Some(s)) => s,
        Ok(None) => return Reply::Integer(0),
        Err(e) => return e,
    };
    let byte = (offset >> 3) as usize;
    let bit = s.get(byte).map_or(0, |b| (b >> (7 - (offset & 7))) & 1);
    Reply::Integer(bit as i64)
}

/// A range of a bitmap, as BITCOUNT and BITPOS resolve `start end [BYTE|BIT]`: whole
/// bytes from `start` to `end`, and for a BIT range the masks of the bits of the first
/// and last byte that lie outside it (Redis's `first_byte_neg_mask`, `last_byte_neg_mask`).
struct Span {
    start: i64,
    end: i64,
    first_mask: u8,
    last_mask: u8,
}

/// Resolves a range over a string of `len` bytes: negative indexes count from the end,
/// both ends are clamped into the string (the end may fall before the start: empty).
fn resolve_span(mut start: i64, mut end: i64, len: i64, is_bit: bool) -> Span {
    let total = if is_bit { len << 3 } else { len };
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    let (mut first_mask, mut last_mask) = (0, 0);
    if is_bit && start <= end {
        first_mask = !((1u32 << (8 - (start & 7))) - 1) as u8;
        last_mask = ((1u32 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    Span {
        start,
        end,
        first_mask,
        last_mask,
    }
}

/// `BYTE` or `BIT` (anything else is a syntax error): whether it is `BIT`.
fn bit_unit(arg: &[u8]) -> Result<bool, Reply> {
    if c_is(arg, "bit") {
        Ok(true)
    } else if c_is(arg, "byte") {
        Ok(false)
    } else {
        Err(Reply::error(errors::SYNTAX))
    }
}

/// BITCOUNT key [start end [BYTE|BIT]]: the number of set bits in the range. A missing
/// key answers 0 before the arguments are looked at; two negative indexes in the wrong
/// order answer 0 before the unit is.
fn bitcount(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let s = match string_for_read(ctx, &argv[1]) {
        Ok(Some(s)) => s,
        Ok(None) => return Reply::Integer(0),
        Err(e) => return e,
    };
    let span = match argv.len() {
        2 => Span {
            start: 0,
            end: s.len() as i64 - 1,
            first_mask: 0,
            last_mask: 0,
        },
        4 | 5 => {
            let (start, end) = match (args::int(&argv[2]), args::int(&argv[3])) {
                (Ok(start), Ok(end)) => (start, end),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            if start < 0 && end < 0 && start > end {
                return Reply::Integer(0);
            }
            let is_bit = match argv.get(4).map(|a| bit_unit(a)) {
                Some(Err(e)) => return e,
                Some(Ok(b)) => b,
                None => false,
            };
            resolve_span(start, end, s.len() as i64, is_bit)
        }
        _ => return Reply::error(errors::SYNTAX),
    };
    if span.start > span.end {
        return Reply::Integer(0);
    }
    let bytes = &s[span.start as usize..=span.end as usize];
    let mut count: i64 = bytes.iter().map(|b| b.count_ones() as i64).sum();
    count -= (s[span.start as usize] & span.first_mask).count_ones() as i64;
    count -= (s[span.end as usize] & span.last_mask).count_ones() as i64;
    Reply::Integer(count)
}

/// Redis's `redisBitpos`: the position of the first `bit` in `bytes`; when there is
/// none, -1 looking for a 1 and the first position past the end looking for a 0 (the
/// string is taken as padded with zeros on the right).
fn first_bit(bytes: &[u8], bit: u8) -> i64 {
    let skip = if bit == 1 { 0 } else { 0xff };
    match bytes.iter().position(|&b| b != skip) {
        Some(i) => {
            let b = if bit == 1 { bytes[i] } else { !bytes[i] };
            (i as i64) * 8 + b.leading_zeros() as i64
        }
        None if bit == 1 => -1,
        None => bytes.len() as i64 * 8,
    }
}

/// BITPOS key 0|1 [start [end [BYTE|BIT]]]: the position of the first bit with that
/// value in the range, or -1. A missing key is all zeros (0 for a 0, -1 for a 1). With
/// no end given, looking for a 0 in a range of ones answers the first bit past the
/// string; with an end given it answers -1.
fn bitpos(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let bit = match args::parse_i64(&argv[2]) {
        Some(b @ (0 | 1)) => b as u8,
        Some(_) => return Reply::error("ERR The bit argument must be 1 or 0."),
        None => return Reply::error(errors::NOT_INTEGER),
    };
    let s = match string_for_read(ctx, &argv[1]) {
        Ok(Some(s)) => s,
        Ok(None) => return Reply::Integer(if bit == 1 { -1 } else { 0 }),
        Err(e) => return e,
    };
    let len = s.len() as i64;
    let mut end_given = false;
    let span = match argv.len() {
        3 => Span {
            start: 0,
            end: len - 1,
            first_mask: 0,
            last_mask: 0,
        },
        4..=6 => {
            let start = match args::int(&argv[3]) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let is_bit = match argv.get(5).map(|a| bit_unit(a)) {
                Some(Err(e)) => return e,
                Some(Ok(b)) => b,
                None => false,
            };
            let end = match argv.get(4) {
                Some(arg) => match args::int(arg) {
                    Ok(v) => {
                        end_given = true;
                        v
                    }
                    Err(e) => return e,
                },
                None if is_bit => (len << 3) + 7,
                None => len - 1,
            };
            resolve_span(start, end, len, is_bit)
        }
        _ => return Reply::error(errors::SYNTAX),
    };
    if span.start > span.end {
        return Reply::Integer(-1);
    }
    let (pos, start, bytes) = bitpos_in_span(s, &span, bit);
    if end_given && bit == 0 && pos == bytes << 3 {
        return Reply::Integer(-1);
    }
    Reply::Integer(if pos != -1 { pos + (start << 3) } else { pos })
}

/// The search of `bitposCommand` over a non-empty span: the first byte (masked), the
/// whole bytes, the last byte (masked), each step ending the search when it finds the
/// bit. Returns the position relative to the byte where the last step began, that
/// byte, and how many bytes were left from it — what Redis's `result:` label sees.
fn bitpos_in_span(s: &[u8], span: &Span, bit: u8) -> (i64, i64, i64) {
    let (mut start, end) = (span.start, span.end);
    let mut bytes = end - start + 1;
    let mut pos;
    if span.first_mask != 0 {
        let mut byte = if bit == 1 {
            s[start as usize] & !span.first_mask
        } else {
            s[start as usize] | span.first_mask
        };
        if span.last_mask != 0 && bytes == 1 {
            byte = if bit == 1 {
                byte & !span.last_mask
            } else {
                byte | span.last_mask
            };
        }
        pos = first_bit(&[byte], bit);
        if bytes == 1 || (pos != -1 && pos != 8) {
            return (pos, start, bytes);
        }
        start += 1;
        bytes -= 1;
    }
    let whole = bytes - i64::from(span.last_mask != 0);
    if whole > 0 {
        pos = first_bit(&s[start as usize..(start + whole) as usize], bit);
        if bytes == whole || (pos != -1 && pos != whole << 3) {
            return (pos, start, bytes);
        }
        start += whole;
        bytes -= whole;
    }
    let last = if bit == 1 {
        s[end as usize] & !span.last_mask
    } else {
        s[end as usize] | span.last_mask
    };
    (first_bit(&[last], bit), start, bytes)
}

/// BITOP AND|OR|XOR|NOT destkey key [key ...]: combines the strings byte by byte (shorter
/// ones padded with zeros) into `destkey`, a `raw` string with no TTL; replies with its
/// length. When every source is empty or missing, `destkey` is deleted instead.
fn bitop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    #[derive(PartialEq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = match &argv[1] {
        a if c_is(a, "and") => Op::And,
        a if c_is(a, "or") => Op::Or,
        a if c_is(a, "xor") => Op::Xor,
        a if c_is(a, "not") => Op::Not,
        _ => return Reply::error(errors::SYNTAX),
    };
    if op == Op::Not && argv.len() != 4 {
        return Reply::error("ERR BITOP NOT must be called with a single source key.");
    }
    let mut sources: Vec<Vec<u8>> = Vec::with_capacity(argv.len() - 3);
    for key in &argv[3..] {
        match string_for_read(ctx, key) {
            Ok(Some(s)) => sources.push(s.clone()),
            Ok(None) => sources.push(Vec::new()),
            Err(e) => return e,
        }
    }
    let max_len = sources.iter().map(Vec::len).max().unwrap_or(0);
    let dest = &argv[2];
    if max_len == 0 {
        if ctx.db().remove(dest).is_some() {
            ctx.notify(notify::GENERIC, "del", dest);
            ctx.dirty(1);
        }
        return Reply::Integer(0);
    }
    let mut result = vec![0u8; max_len];
    for (j, out) in result.iter_mut().enumerate() {
        let byte_of = |s: &Vec<u8>| s.get(j).copied().unwrap_or(0);
        let first = byte_of(&sources[0]);
        *out = match op {
            Op::Not => !first,
            Op::And => sources[1..].iter().fold(first, |acc, s| acc & byte_of(s)),
            Op::Or => sources[1..].iter().fold(first, |acc, s| acc | byte_of(s)),
            Op::Xor => sources[1..].iter().fold(first, |acc, s| acc ^ byte_of(s)),
        };
    }
    let now = ctx.now_ms;
    let db = ctx.db();
    db.set(dest, Value::Str(result));
    if let Some(entry) = db.entry_mut(dest, now) {
        entry.enc = StrEnc::fresh_raw(max_len);
    }
    ctx.notify(notify::STRING, "set", dest);
    ctx.dirty(1);
    Reply::Integer(max_len as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_bit_pads_with_zeros_on_the_right() {
        assert_eq!(first_bit(&[0xff, 0xff], 0), 16);
        assert_eq!(first_bit(&[0x00, 0x00], 1), -1);
        assert_eq!(first_bit(&[0x00, 0x10], 1), 11);
        assert_eq!(first_bit(&[0xff, 0xf7], 0), 12);
        assert_eq!(first_bit(&[], 0), 0);
    }

    #[test]
    fn hash_offsets_multiply_by_the_width() {
        const MAX: u64 = crate::cmd::string::PROTO_MAX_BULK_LEN;
        assert_eq!(bit_offset(b"#3", Some(8), MAX).ok(), Some(24));
        assert!(bit_offset(b"#3", None, MAX).is_err());
        assert!(bit_offset(b"-1", None, MAX).is_err());
        assert_eq!(bit_offset(b"4294967295", None, MAX).ok(), Some(4294967295));
        assert!(bit_offset(b"4294967296", None, MAX).is_err());
    }
}
