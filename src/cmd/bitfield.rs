//! BITFIELD and BITFIELD_RO: integers of any width at any bit offset of a string
//! (Redis's `bitfieldGeneric`).
//!
//! `BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset incr]
//! [OVERFLOW WRAP|SAT|FAIL] …` parses every operation first (any error answers alone),
//! then runs them in order, one reply each. Types are `i1`..`i64` and `u1`..`u63`;
//! `#n` offsets mean `n` times the width. Integers are big-endian from bit 0, the most
//! significant bit of the first byte. OVERFLOW applies to the operations after it:
//! WRAP (the default) wraps around, SAT saturates at the type's limits, FAIL leaves the
//! field alone and answers nil. A write operation creates or pads the string to cover
//! the farthest bit it writes (before any operation runs, even one that then fails);
//! BITFIELD_RO allows GET only.

use super::bitops::{bit_offset, c_is, string_for_read, string_for_write};
use super::{args, c_str, Ctx};
use crate::resp::{errors, Reply};
use crate::store::notify;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Get,
    Set,
    IncrBy,
}

/// One parsed operation.
struct Op {
    kind: OpKind,
    offset: u64,
    /// The SET value or the INCRBY increment.
    value: i64,
    overflow: Overflow,
    bits: u32,
    signed: bool,
}

/// BITFIELD key [operation …].
pub(super) fn bitfield(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bitfield_generic(ctx, argv, false)
}

/// BITFIELD_RO key [GET type offset …].
pub(super) fn bitfield_ro(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    bitfield_generic(ctx, argv, true)
}

/// Redis's `bitfieldGetKeys`: the key is only read when every operation before the
/// first SET / INCRBY (or the first word it does not understand) is a GET or OVERFLOW.
pub(super) fn key_flags_of(argv: &[Vec<u8>]) -> u16 {
    use super::key_spec::key_flags;
    let mut i = 2;
    let mut read_only = true;
    while i < argv.len() {
        let remaining = argv.len() - i - 1;
        let word = &argv[i];
        if c_is(word, "get") && remaining >= 2 {
            i += 2;
        } else if (c_is(word, "set") || c_is(word, "incrby")) && remaining >= 3 {
            read_only = false;
            break;
        } else if c_is(word, "overflow") && remaining >= 1 {
            i += 1;
        } else {
            read_only = false;
            break;
        }
        i += 1;
    }
    if read_only {
        key_flags::RO | key_flags::ACCESS
    } else {
        key_flags::RW | key_flags::ACCESS | key_flags::UPDATE
    }
}

/// Redis's `getBitfieldTypeFromArgument`: `i` or `u` then the width (read as a C string).
fn bitfield_type(arg: &[u8]) -> Result<(bool, u32), Reply> {
    const BAD_TYPE: &str = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(Reply::error(BAD_TYPE)),
    };
    match args::parse_i64(c_str(&arg[1..], usize::MAX)) {
        Some(bits) if bits >= 1 && bits <= if signed { 64 } else { 63 } => {
            Ok((signed, bits as u32))
        }
        _ => Err(Reply::error(BAD_TYPE)),
    }
}

fn parse_ops(argv: &[Vec<u8>], max_bytes: u64) -> Result<Vec<Op>, Reply> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < argv.len() {
        let remaining = argv.len() - j - 1;
        let word = &argv[j];
        let kind = if c_is(word, "get") && remaining >= 2 {
            OpKind::Get
        } else if c_is(word, "set") && remaining >= 3 {
            OpKind::Set
        } else if c_is(word, "incrby") && remaining >= 3 {
            OpKind::IncrBy
        } else if c_is(word, "overflow") && remaining >= 1 {
            let name = &argv[j + 1];
            overflow = if c_is(name, "wrap") {
                Overflow::Wrap
            } else if c_is(name, "sat") {
                Overflow::Sat
            } else if c_is(name, "fail") {
                Overflow::Fail
            } else {
                return Err(Reply::error("ERR Invalid OVERFLOW type specified"));
            };
            j += 2;
            continue;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        };
        let (signed, bits) = bitfield_type(&argv[j + 1])?;
        let offset = bit_offset(&argv[j + 2], Some(bits), max_bytes)?;
        let value = if kind == OpKind::Get {
            0
        } else {
            args::int(&argv[j + 3])?
        };
        ops.push(Op {
            kind,
            offset,
            value,
            overflow,
            bits,
            signed,
        });
        j += if kind == OpKind::Get { 3 } else { 4 };
    }
    Ok(ops)
}

fn bitfield_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], read_only: bool) -> Reply {
    let ops = match parse_ops(argv, super::string::proto_max_bulk_len(ctx)) {
        Ok(ops) => ops,
        Err(e) => return e,
    };
    let highest_write = ops
        .iter()
        .filter(|op| op.kind != OpKind::Get)
        .map(|op| op.offset + op.bits as u64 - 1)
        .max();
    let Some(highest_write) = highest_write else {
        // Only GETs: a missing key reads as zeros and is not created.
        let s = match string_for_read(ctx, &argv[1]) {
            Ok(s) => s.map_or(&[][..], |s| s.as_slice()),
            Err(e) => return e,
        };
        let replies = ops
            .iter()
            .map(|op| Reply::Integer(read_field(s, op)))
            .collect();
        return Reply::Array(replies);
    };
    if read_only {
        return Reply::error("ERR BITFIELD_RO only supports the GET subcommand");
    }
    let now = ctx.now_ms;
    let (s, dirty) = match string_for_write(ctx.db(), &argv[1], highest_write, now) {
        Ok(found) => found,
        Err(e) => return e,
    };
    let mut changes = 0;
    let mut replies = Vec::with_capacity(ops.len());
    for op in &ops {
        if op.kind == OpKind::Get {
            replies.push(Reply::Integer(read_field(s, op)));
            continue;
        }
        let old = get_unsigned(s, op.offset, op.bits);
        let (new, reply) = if op.signed {
            write_signed(sign_extend(old, op.bits), op)
        } else {
            write_unsigned(old, op)
        };
        match new {
            Some(new) => {
                set_unsigned(s, op.offset, op.bits, new);
                if dirty || old != new & width_mask(op.bits) {
                    changes += 1;
                }
                replies.push(Reply::Integer(reply));
            }
            None => replies.push(Reply::Null),
        }
    }
    if changes > 0 {
        // Redis notifies once its reply is written.
        ctx.notify_after_reply(notify::STRING, "setbit", &argv[1]);
        ctx.dirty(changes);
    }
    Reply::Array(replies)
}

/// A signed SET or INCRBY: the bits to write (`None` when FAIL refuses) and the reply
/// (the old value for SET, the new one for INCRBY).
fn write_signed(old: i64, op: &Op) -> (Option<u64>, i64) {
    let (value, incr) = match op.kind {
        OpKind::IncrBy => (old, op.value),
        _ => (op.value, 0),
    };
    let (overflowed, limit) = signed_overflow(value, incr, op.bits, op.overflow);
    if overflowed && op.overflow == Overflow::Fail {
        return (None, 0);
    }
    let new = if overflowed {
        limit
    } else {
        value.wrapping_add(incr)
    };
    let reply = if op.kind == OpKind::IncrBy { new } else { old };
    (Some(new as u64), reply)
}

/// An unsigned SET or INCRBY, as [`write_signed`].
fn write_unsigned(old: u64, op: &Op) -> (Option<u64>, i64) {
    let (value, incr) = match op.kind {
        OpKind::IncrBy => (old, op.value),
        _ => (op.value as u64, 0),
    };
    let (overflowed, limit) = unsigned_overflow(value, incr, op.bits, op.overflow);
    if overflowed && op.overflow == Overflow::Fail {
        return (None, 0);
    }
    let new = if overflowed {
        limit
    } else {
        value.wrapping_add(incr as u64)
    };
    let reply = if op.kind == OpKind::IncrBy { new } else { old };
    (Some(new), reply as i64)
}

/// Redis's `checkUnsignedBitfieldOverflow`: whether `value + incr` leaves the range of a
/// `bits`-wide unsigned integer, and then the result WRAP or SAT gives.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, overflow: Overflow) -> (bool, u64) {
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let wrapped = || value.wrapping_add(incr as u64) & width_mask(bits);
    if value > max || (incr > 0 && incr > max_incr) {
        let limit = match overflow {
            Overflow::Wrap => wrapped(),
            _ => max,
        };
        (true, limit)
    } else if incr < 0 && incr < min_incr {
        let limit = match overflow {
            Overflow::Wrap => wrapped(),
            _ => 0,
        };
        (true, limit)
    } else {
        (false, 0)
    }
}

/// Redis's `checkSignedBitfieldOverflow`, as [`unsigned_overflow`]; WRAP wraps towards
/// the most negative value.
fn signed_overflow(value: i64, incr: i64, bits: u32, overflow: Overflow) -> (bool, i64) {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrapped = || sign_extend((value as u64).wrapping_add(incr as u64), bits);
    let wide = bits == 64;
    if value > max || (!wide && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        let limit = match overflow {
            Overflow::Wrap => wrapped(),
            _ => max,
        };
        (true, limit)
    } else if value < min
        || (!wide && incr < min_incr)
        || (value < 0 && incr < 0 && incr < min_incr)
    {
        let limit = match overflow {
            Overflow::Wrap => wrapped(),
            _ => min,
        };
        (true, limit)
    } else {
        (false, 0)
    }
}

/// The low `bits` bits set.
fn width_mask(bits: u32) -> u64 {
    if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The low `bits` bits of `raw` read as a two's complement integer.
fn sign_extend(raw: u64, bits: u32) -> i64 {
    if bits < 64 && raw & (1u64 << (bits - 1)) != 0 {
        (raw | !width_mask(bits)) as i64
    } else if bits < 64 {
        (raw & width_mask(bits)) as i64
    } else {
        raw as i64
    }
}

/// A GET: the field read from `s`, bits past its end reading as zeros.
fn read_field(s: &[u8], op: &Op) -> i64 {
    let raw = get_unsigned(s, op.offset, op.bits);
    if op.signed {
        sign_extend(raw, op.bits)
    } else {
        raw as i64
    }
}

/// The `bits`-wide unsigned integer at bit `offset` (bits past the end read as zeros).
fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    (0..bits as u64).fold(0u64, |value, j| {
        let at = offset + j;
        let byte = s.get((at >> 3) as usize).copied().unwrap_or(0);
        (value << 1) | ((byte >> (7 - (at & 7))) & 1) as u64
    })
}

/// Writes the low `bits` bits of `value` at bit `offset` (the string covers them).
fn set_unsigned(s: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..bits as u64 {
        let bit = ((value >> (bits as u64 - 1 - j)) & 1) as u8;
        let at = offset + j;
        let shift = 7 - (at & 7);
        let byte = &mut s[(at >> 3) as usize];
        *byte = (*byte & !(1 << shift)) | (bit << shift);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_wrap_goes_to_the_most_negative_value() {
        assert_eq!(signed_overflow(127, 1, 8, Overflow::Wrap), (true, -128));
        assert_eq!(signed_overflow(-128, -1, 8, Overflow::Wrap), (true, 127));
        assert_eq!(signed_overflow(100, 1, 8, Overflow::Sat), (false, 0));
        assert_eq!(
            signed_overflow(i64::MAX, 1, 64, Overflow::Sat),
            (true, i64::MAX)
        );
        assert_eq!(
            signed_overflow(i64::MAX, 1, 64, Overflow::Wrap),
            (true, i64::MIN)
        );
    }

    #[test]
    fn unsigned_saturates_at_zero_and_max() {
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Sat), (true, 255));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Sat), (true, 0));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Wrap), (true, 251));
        assert_eq!(
            unsigned_overflow(u64::MAX, 0, 8, Overflow::Wrap),
            (true, 255)
        );
    }

    #[test]
    fn fields_are_big_endian_from_bit_zero() {
        let mut s = vec![0u8; 2];
        set_unsigned(&mut s, 7, 5, 23);
        assert_eq!(s, vec![0b0000_0001, 0b0111_0000]);
        assert_eq!(get_unsigned(&s, 7, 5), 23);
        assert_eq!(get_unsigned(&s, 12, 64), 0);
    }
}
