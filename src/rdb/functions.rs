//! Function libraries in RDB form: FUNCTION DUMP / RESTORE payloads (and, in an RDB
//! file, the same entries before the keys). Each library is `RDB_OPCODE_FUNCTION2`
//! followed by its code as an RDB string (LZF-compressed as any RDB string is); Redis
//! 7.0's release candidates wrote `RDB_OPCODE_FUNCTION` with the name, engine and
//! description apart, which RESTORE still reads.

use super::load::Reader;
use super::save::{save_string, SaveOptions};

/// RDB_OPCODE_FUNCTION2: one library's code follows.
pub(crate) const RDB_OPCODE_FUNCTION2: u8 = 245;
/// The function opcode of Redis 7.0's release candidates.
const RDB_OPCODE_FUNCTION: u8 = 246;

/// Appends one library's entry.
pub(crate) fn save_library(out: &mut Vec<u8>, code: &[u8], opts: &SaveOptions) {
    out.push(RDB_OPCODE_FUNCTION2);
    save_string(out, code, opts);
}

/// FUNCTION DUMP's payload for these libraries' code.
pub(crate) fn dump_libraries<'a>(
    codes: impl Iterator<Item = &'a [u8]>,
    opts: &SaveOptions,
) -> Vec<u8> {
    let mut out = Vec::new();
    for code in codes {
        save_library(&mut out, code, opts);
    }
    super::finish_payload(&mut out);
    out
}

/// Reads the library entry whose opcode (`kind`) has just been read: its code, with the
/// metadata line rebuilt for the old format; the error texts are `rdbFunctionLoad`'s.
pub(crate) fn load_library(kind: u8, r: &mut Reader<'_>) -> Result<Vec<u8>, &'static str> {
    let mut field = |error: &'static str| r.string().map_err(|_| error);
    match kind {
        RDB_OPCODE_FUNCTION2 => field("Failed loading library payload"),
        RDB_OPCODE_FUNCTION => {
            let name = field("Failed loading library name")?;
            let engine = field("Failed loading engine name")?;
            let has_desc = r
                .len()
                .map_err(|_| "Failed loading library description indicator")?;
            if has_desc != 0 {
                r.string()
                    .map_err(|_| "Failed loading library description")?;
            }
            let blob = r.string().map_err(|_| "Failed loading library blob")?;
            let mut code = b"#!".to_vec();
            code.extend_from_slice(&engine);
            code.extend_from_slice(b" name=");
            code.extend_from_slice(&name);
            code.push(b'\n');
            code.extend_from_slice(&blob);
            Ok(code)
        }
        _ => Err("given type is not a function"),
    }
}

/// The libraries' code in a FUNCTION DUMP payload, or FUNCTION RESTORE's error text
/// (Redis's `verifyDumpPayload`, then `rdbFunctionLoad` for each entry).
pub(crate) fn read_functions(payload: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    if !super::payload_footer_ok(payload, false) {
        return Err("DUMP payload version or checksum are wrong");
    }
    let mut r = Reader::new(&payload[..payload.len() - 10]);
    let mut codes = Vec::new();
    while let Ok(kind) = r.byte() {
        codes.push(load_library(kind, &mut r)?);
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let opts = SaveOptions {
            compress: true,
            list_fill: -2,
        };
        let code: &[u8] = b"#!lua name=x\nredis.register_function('f', function() return 1 end)";
        let mut out = dump_libraries([code].into_iter(), &opts);
        assert_eq!(read_functions(&out), Ok(vec![code.to_vec()]));
        out[3] ^= 1;
        assert_eq!(
            read_functions(&out),
            Err("DUMP payload version or checksum are wrong")
        );
    }
}
