//! LZF, the compression Redis applies to strings longer than 20 bytes in RDB files and
//! DUMP payloads (`rdbSaveLzfStringObject`).
//!
//! The format is liblzf's: a literal run `000LLLLL` followed by L+1 bytes, a short
//! back-reference `LLLooooo oooooooo` (L+2 = 3..8 bytes, offset+1 = 1..8192), and a long
//! one `111ooooo LLLLLLLL oooooooo` (L+9 bytes). The compressor below makes the same
//! choices as the liblzf 3.6 that Redis 7.0 builds (`HLOG 16`, `VERY_FAST`, a hash of the
//! next three bytes, never a reference to the input's first byte), so that a payload
//! redsim writes is the one Redis writes. Redis leaves its hash table uninitialised
//! between calls (`INIT_HTAB 0`); a stale slot can only ever make it find a different
//! valid match, which a fresh table never does, so the two agree on every input seen in
//! practice.

const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;
const MAX_LIT: usize = 1 << 5;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

/// The hash slot of the three bytes whose value (`p[0] << 16 | p[1] << 8 | p[2]`, kept in
/// a wrapping 32-bit word) is `h`.
fn slot(h: u32) -> usize {
    ((h >> (24 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// Compresses `input` into at most `out_max` bytes; `None` when the result would not fit
/// (the caller then stores the string verbatim), as `lzf_compress` returning 0.
pub(crate) fn compress(input: &[u8], out_max: usize) -> Option<Vec<u8>> {
    let n = input.len();
    if n == 0 || out_max == 0 {
        return None;
    }
    // Positions are stored plus one so that 0 means an empty slot.
    let mut table = vec![0u32; HSIZE];
    let mut out: Vec<u8> = Vec::with_capacity(out_max + 1);
    // `run` is the index of the current literal run's header byte; `lit` its length.
    let mut run = 0usize;
    out.push(0);
    let mut lit = 0usize;
    let mut ip = 0usize;
    let mut hval: u32 = (u32::from(input[0]) << 8) | u32::from(*input.get(1).unwrap_or(&0));
    while n >= 3 && ip < n - 2 {
        hval = (hval << 8) | u32::from(input[ip + 2]);
        let h = slot(hval);
        let stored = table[h];
        table[h] = ip as u32 + 1;
        let reference = (stored as usize).checked_sub(1);
        let matched = reference.filter(|&r| {
            r < ip
                && ip - r - 1 < MAX_OFF
                && r > 0
                && input[r + 2] == input[ip + 2]
                && input[r] == input[ip]
                && input[r + 1] == input[ip + 1]
        });
        if let Some(r) = matched {
            let off = ip - r - 1;
            let mut len = 2usize;
            let maxlen = (n - ip - len).min(MAX_REF);
            // `op + 3 + 1 >= out_end`, then the exact test with the run undone.
            let op = out.len();
            if op + 4 >= out_max && op - usize::from(lit == 0) + 4 >= out_max {
                return None;
            }
            out[run] = (lit as u8).wrapping_sub(1);
            if lit == 0 {
                out.pop();
            }
            // liblzf first compares up to 16 bytes without looking at `maxlen` when
            // more than 16 may match, which can make a match end up to two bytes past
            // it (still inside the input); then it goes on byte by byte.
            let mut unrolled_all = maxlen > 16;
            if unrolled_all {
                for _ in 0..16 {
                    len += 1;
                    if input[r + len] != input[ip + len] {
                        unrolled_all = false;
                        break;
                    }
                }
            }
            if unrolled_all || maxlen <= 16 {
                loop {
                    len += 1;
                    if len >= maxlen || input[r + len] != input[ip + len] {
                        break;
                    }
                }
            }
            len -= 2;
            ip += 1;
            if len < 7 {
                out.push(((off >> 8) + (len << 5)) as u8);
            } else {
                out.push(((off >> 8) + (7 << 5)) as u8);
                out.push((len - 7) as u8);
            }
            out.push(off as u8);
            run = out.len();
            out.push(0);
            lit = 0;
            ip += len + 1;
            if ip >= n - 2 {
                break;
            }
            // VERY_FAST: hash the two positions before the new one.
            ip -= 2;
            hval = (u32::from(input[ip]) << 8) | u32::from(input[ip + 1]);
            hval = (hval << 8) | u32::from(input[ip + 2]);
            table[slot(hval)] = ip as u32 + 1;
            ip += 1;
            hval = (hval << 8) | u32::from(input[ip + 2]);
            table[slot(hval)] = ip as u32 + 1;
            ip += 1;
        } else {
            if out.len() >= out_max {
                return None;
            }
            copy_literal(&mut out, &mut run, &mut lit, input[ip]);
            ip += 1;
        }
    }
    if out.len() + 3 > out_max {
        return None;
    }
    while ip < n {
        copy_literal(&mut out, &mut run, &mut lit, input[ip]);
        ip += 1;
    }
    out[run] = (lit as u8).wrapping_sub(1);
    if lit == 0 {
        out.pop();
    }
    Some(out)
}

/// Adds one byte to the current literal run, closing the run (and opening the next)
/// when it reaches 32 bytes.
fn copy_literal(out: &mut Vec<u8>, run: &mut usize, lit: &mut usize, byte: u8) {
    *lit += 1;
    out.push(byte);
    if *lit == MAX_LIT {
        out[*run] = (*lit - 1) as u8;
        *run = out.len();
        out.push(0);
        *lit = 0;
    }
}

/// Expands `data` into exactly `len` bytes; `None` for a corrupt stream (a reference
/// before the start, a run past either end, or a result of another length).
pub(crate) fn decompress(data: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(len);
    let mut ip = 0usize;
    while ip < data.len() {
        let ctrl = data[ip] as usize;
        ip += 1;
        if ctrl < (1 << 5) {
            let run = ctrl + 1;
            if out.len() + run > len || ip + run > data.len() {
                return None;
            }
            out.extend_from_slice(&data[ip..ip + run]);
            ip += run;
        } else {
            let mut count = ctrl >> 5;
            if count == 7 {
                count += *data.get(ip)? as usize;
                ip += 1;
            }
            let low = *data.get(ip)? as usize;
            ip += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            let count = count + 2;
            if back > out.len() || out.len() + count > len {
                return None;
            }
            let start = out.len() - back;
            // The reference may overlap what it produces (a run of one byte).
            for i in 0..count {
                out.push(out[start + i]);
            }
        }
    }
    (out.len() == len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &[u8]) {
        if let Some(packed) = compress(input, input.len().saturating_sub(4)) {
            assert_eq!(decompress(&packed, input.len()).as_deref(), Some(input));
        }
    }

    #[test]
    fn compressed_strings_expand_to_themselves() {
        round_trip(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        round_trip(b"abcabcabcabcabcabcabcabcabcabcabcabcabcabcabc");
        let text: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 13) as u8 + b'a').collect();
        round_trip(&text);
        let noise: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        round_trip(&noise);
    }

    #[test]
    fn incompressible_input_does_not_fit() {
        let noise: Vec<u8> = (0..64u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert_eq!(compress(&noise, noise.len() - 4), None);
    }

    #[test]
    fn corrupt_streams_are_refused() {
        // A back-reference with nothing before it.
        assert_eq!(decompress(&[0x20, 0x00], 3), None);
        // A literal run longer than the data.
        assert_eq!(decompress(&[0x05, b'a'], 6), None);
        // The right bytes but a different announced length.
        assert_eq!(decompress(&[0x01, b'a', b'b'], 3), None);
    }
}
