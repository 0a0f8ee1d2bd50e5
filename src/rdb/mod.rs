//! Redis's RDB serialisation, version 10 (Redis 7.0): the bytes of DUMP payloads and RDB
//! files. A payload written here restores in a real Redis 7.0, and a payload from a real
//! Redis (7.0, or an older version's RDB 9 and below) restores here.
//!
//! - [`save`] writes a value in the encoding Redis keeps it in, [`load`] reads one back;
//! - [`listpack`], [`intset`], [`ziplist`] and [`lzf`] are the formats inside them;
//! - [`dump_payload`] / [`restore_payload`] frame a value as DUMP does: the value, the
//!   RDB version (2 bytes LE) and a CRC-64 (Jones polynomial, as Redis's `crc64`) of
//!   everything before it (8 bytes LE).

pub(crate) mod file;
pub(crate) mod functions;
mod intset;
pub(crate) mod listpack;
pub(crate) mod load;
mod lzf;
pub(crate) mod save;
mod stream;
mod ziplist;

use crate::config::Config;
use crate::db::Value;
use load::{LoadError, Reader};
use save::SaveOptions;

/// The RDB format version Redis 7.0 writes (`RDB_VERSION`).
pub(crate) const RDB_VERSION: u16 = 10;

/// The RDB object type bytes (`RDB_TYPE_*` of rdb.h).
pub(crate) mod types {
    pub(crate) const STRING: u8 = 0;
    pub(crate) const LIST: u8 = 1;
    pub(crate) const SET: u8 = 2;
    pub(crate) const ZSET: u8 = 3;
    pub(crate) const HASH: u8 = 4;
    pub(crate) const ZSET_2: u8 = 5;
    pub(crate) const LIST_ZIPLIST: u8 = 10;
    pub(crate) const SET_INTSET: u8 = 11;
    pub(crate) const ZSET_ZIPLIST: u8 = 12;
    pub(crate) const HASH_ZIPLIST: u8 = 13;
    pub(crate) const LIST_QUICKLIST: u8 = 14;
    pub(crate) const HASH_LISTPACK: u8 = 16;
    pub(crate) const ZSET_LISTPACK: u8 = 17;
    pub(crate) const LIST_QUICKLIST_2: u8 = 18;
    pub(crate) const STREAM_LISTPACKS: u8 = 15;
    pub(crate) const STREAM_LISTPACKS_2: u8 = 19;
}

/// Redis's `crc64`: CRC-64 with the Jones polynomial, reflected, no final xor.
pub(crate) fn crc64(bytes: &[u8]) -> u64 {
    const CRC: crc::Crc<u64> = crc::Crc::<u64>::new(&crc::CRC_64_REDIS);
    CRC.checksum(bytes)
}

/// DUMP's payload for `value`: the object as RDB writes it, then the version and CRC.
pub(crate) fn dump_payload(value: &Value, config: &Config) -> Vec<u8> {
    let mut out = Vec::new();
    save::save_object(&mut out, value, &SaveOptions::of(config));
    finish_payload(&mut out);
    out
}

/// Appends a DUMP payload's footer: the RDB version and the CRC of all before it.
pub(crate) fn finish_payload(out: &mut Vec<u8>) {
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(out);
    out.extend_from_slice(&crc.to_le_bytes());
}

/// Whether a payload's footer is acceptable (`verifyDumpPayload`): a version this
/// server can read and, unless `skip_checksum`, a matching CRC.
pub(crate) fn payload_footer_ok(payload: &[u8], skip_checksum: bool) -> bool {
    if payload.len() < 10 {
        return false;
    }
    let footer = &payload[payload.len() - 10..];
    if u16::from_le_bytes([footer[0], footer[1]]) > RDB_VERSION {
        return false;
    }
    skip_checksum || crc64(&payload[..payload.len() - 8]).to_le_bytes() == footer[2..10]
}

/// The value a payload holds (its footer already checked). Like Redis, bytes after the
/// value and before the footer are ignored.
pub(crate) fn restore_payload(payload: &[u8], config: &Config) -> Result<Value, LoadError> {
    let body = &payload[..payload.len() - 10];
    let mut reader = Reader::new(body);
    let kind = reader.byte()?;
    load::load_object(kind, &mut reader, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_is_redis_crc64() {
        // The check value of Redis's crc64.c self test.
        assert_eq!(crc64(b"123456789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn a_string_payload_is_the_one_redis_writes() {
        // `SET k hello` then `DUMP k` on Redis 7.0.15.
        let payload = dump_payload(&Value::Str(b"hello".to_vec()), &Config::default());
        assert_eq!(payload, b"\x00\x05hello\n\x00cr\xdfve4 \n".to_vec());
        assert!(payload_footer_ok(&payload, false));
        assert_eq!(
            restore_payload(&payload, &Config::default()),
            Ok(Value::Str(b"hello".to_vec()))
        );
    }
}
