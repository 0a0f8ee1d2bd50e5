//! The DUMP payload format FUNCTION DUMP / RESTORE use: RDB-encoded items, then the RDB
//! version (2 bytes, little endian) and a CRC64 (Jones polynomial, little endian) of
//! everything before it.

/// RDB_OPCODE_FUNCTION2: one library's code follows.
pub const RDB_OPCODE_FUNCTION2: u8 = 245;
/// The function opcode of Redis 7.0's release candidates, which RESTORE still reads.
const RDB_OPCODE_FUNCTION: u8 = 246;
/// RDB_VERSION of Redis 7.0.
pub const RDB_VERSION: u16 = 10;

/// Appends an RDB length.
pub fn write_len(out: &mut Vec<u8>, len: usize) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(0x40 | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u32::MAX as usize {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
}

/// Appends an uncompressed RDB string.
pub fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    write_len(out, s.len());
    out.extend_from_slice(s);
}

/// Appends the version and checksum footer.
pub fn finish(out: &mut Vec<u8>) {
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, out);
    out.extend_from_slice(&crc.to_le_bytes());
}

/// Redis's crc64 (Jones polynomial, reflected, no final xor).
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    const POLY: u64 = 0x95AC_9329_AC4B_C9B5;
    for &b in data {
        crc ^= b as u64;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// Reads an RDB length: (value, is_encoded, bytes used).
fn read_len(data: &[u8]) -> Option<(usize, bool, usize)> {
    let first = *data.first()?;
    match first >> 6 {
        0 => Some(((first & 0x3f) as usize, false, 1)),
        1 => Some((
            (((first & 0x3f) as usize) << 8) | *data.get(1)? as usize,
            false,
            2,
        )),
        2 if first == 0x80 => {
            let b: [u8; 4] = data.get(1..5)?.try_into().ok()?;
            Some((u32::from_be_bytes(b) as usize, false, 5))
        }
        2 if first == 0x81 => {
            let b: [u8; 8] = data.get(1..9)?.try_into().ok()?;
            Some((u64::from_be_bytes(b) as usize, false, 9))
        }
        3 => Some(((first & 0x3f) as usize, true, 1)),
        _ => None,
    }
}

/// Reads an RDB string (plain or LZF-compressed); returns it and the bytes used.
fn read_string(data: &[u8]) -> Option<(Vec<u8>, usize)> {
    let (len, encoded, used) = read_len(data)?;
    if !encoded {
        let s = data.get(used..used + len)?.to_vec();
        return Some((s, used + len));
    }
    match len {
        3 => {
            let (clen, _, u1) = read_len(&data[used..])?;
            let (ulen, _, u2) = read_len(&data[used + u1..])?;
            let start = used + u1 + u2;
            let compressed = data.get(start..start + clen)?;
            let s = lzf_decompress(compressed, ulen)?;
            Some((s, start + clen))
        }
        0 => Some(((*data.get(used)? as i8).to_string().into_bytes(), used + 1)),
        1 => {
            let b: [u8; 2] = data.get(used..used + 2)?.try_into().ok()?;
            Some((i16::from_le_bytes(b).to_string().into_bytes(), used + 2))
        }
        2 => {
            let b: [u8; 4] = data.get(used..used + 4)?.try_into().ok()?;
            Some((i32::from_le_bytes(b).to_string().into_bytes(), used + 4))
        }
        _ => None,
    }
}

/// LZF decompression (liblzf's format, as Redis writes it).
fn lzf_decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(out_len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            out.extend_from_slice(input.get(i..i + n)?);
            i += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(i)? as usize;
                i += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + *input.get(i)? as usize + 1;
            i += 1;
            let start = out.len().checked_sub(back)?;
            for k in 0..len + 2 {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

/// The libraries' code in a FUNCTION DUMP payload, or FUNCTION RESTORE's error text
/// (Redis's `verifyDumpPayload`, then `rdbFunctionLoad` for each entry).
pub fn read_functions(payload: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    const BAD_PAYLOAD: &str = "DUMP payload version or checksum are wrong";
    if payload.len() < 10 {
        return Err(BAD_PAYLOAD);
    }
    let (body, crc) = payload.split_at(payload.len() - 8);
    let version = u16::from_le_bytes([body[body.len() - 2], body[body.len() - 1]]);
    if version > RDB_VERSION || crc64(0, body).to_le_bytes() != crc {
        return Err(BAD_PAYLOAD);
    }
    let mut data = &body[..body.len() - 2];
    let mut codes = Vec::new();
    while let Some((&kind, rest)) = data.split_first() {
        data = rest;
        let mut field = |error: &'static str| -> Result<Vec<u8>, &'static str> {
            let (value, used) = read_string(data).ok_or(error)?;
            data = &data[used..];
            Ok(value)
        };
        match kind {
            RDB_OPCODE_FUNCTION2 => codes.push(field("Failed loading library payload")?),
            RDB_OPCODE_FUNCTION => {
                // The format of 7.0's release candidates: name, engine, an optional
                // description, then the code, which gets its metadata line back.
                let name = field("Failed loading library name")?;
                let engine = field("Failed loading engine name")?;
                let (has_desc, _, used) =
                    read_len(data).ok_or("Failed loading library description indicator")?;
                data = &data[used..];
                let mut field = |error: &'static str| -> Result<Vec<u8>, &'static str> {
                    let (value, used) = read_string(data).ok_or(error)?;
                    data = &data[used..];
                    Ok(value)
                };
                if has_desc != 0 {
                    field("Failed loading library description")?;
                }
                let blob = field("Failed loading library blob")?;
                let mut code = b"#!".to_vec();
                code.extend_from_slice(&engine);
                code.extend_from_slice(b" name=");
                code.extend_from_slice(&name);
                code.push(b'\n');
                code.extend_from_slice(&blob);
                codes.push(code);
            }
            _ => return Err("given type is not a function"),
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_matches_redis_test_vector() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn payloads_round_trip() {
        let mut out = vec![RDB_OPCODE_FUNCTION2];
        write_string(
            &mut out,
            b"#!lua name=x\nredis.register_function('f', function() return 1 end)",
        );
        finish(&mut out);
        assert_eq!(read_functions(&out).map(|codes| codes.len()), Ok(1));
        out[3] ^= 1;
        assert_eq!(
            read_functions(&out),
            Err("DUMP payload version or checksum are wrong")
        );
    }
}
