//! Whole RDB files (`rdbSaveRio` / `rdbLoadRioWithLoadingCtx` of Redis 7.0): what SAVE,
//! BGSAVE, SHUTDOWN SAVE and DEBUG RELOAD write, and what `redsim serve` loads at start.
//!
//! The file is `REDIS0010`, auxiliary fields (`redis-ver`, `redis-bits`, `ctime`,
//! `used-mem`, `aof-base`), the function libraries, then for each non-empty database
//! `SELECTDB n`, `RESIZEDB keys expires` and its keys (each with `EXPIRETIME_MS` when it
//! has a TTL, and `IDLE` seconds under an LRU `maxmemory-policy`), then `EOF` and the
//! CRC-64 of everything before it. Files of RDB versions 1 to 10 load.

use super::functions::{load_library, save_library};
use super::load::{load_object, LoadError, Reader};
use super::save::{object_type, save_len, save_string, save_value, SaveOptions};
use super::{crc64, RDB_VERSION};
use crate::config::Config;
use crate::db::Value;
use std::borrow::Cow;

const OPCODE_FUNCTION2: u8 = 245;
const OPCODE_FUNCTION: u8 = 246;
const OPCODE_MODULE_AUX: u8 = 247;
const OPCODE_IDLE: u8 = 248;
const OPCODE_FREQ: u8 = 249;
const OPCODE_AUX: u8 = 250;
const OPCODE_RESIZEDB: u8 = 251;
const OPCODE_EXPIRETIME_MS: u8 = 252;
const OPCODE_EXPIRETIME: u8 = 253;
const OPCODE_SELECTDB: u8 = 254;
const OPCODE_EOF: u8 = 255;

/// One key as a file holds it: borrowed from the dataset when a file is written (SAVE
/// copies nothing), owned when one is read.
#[derive(Debug)]
pub(crate) struct FileKey<'a> {
    pub(crate) key: Cow<'a, [u8]>,
    pub(crate) value: Cow<'a, Value>,
    /// Absolute expiry, Unix ms.
    pub(crate) expire_ms: Option<u64>,
    /// Seconds idle when saved (`IDLE`), for the LRU clock.
    pub(crate) idle_s: Option<u64>,
}

/// What the server state a file is written from, or read into, is made of.
#[derive(Debug, Default)]
pub(crate) struct Snapshot<'a> {
    /// The function libraries' code.
    pub(crate) libraries: Vec<Vec<u8>>,
    /// Keys by database index.
    pub(crate) dbs: Vec<(usize, Vec<FileKey<'a>>)>,
}

/// The bytes of an RDB file. `now_s` is `ctime`; `used_memory` the `used-mem` field.
pub(crate) fn write(
    snapshot: &Snapshot<'_>,
    config: &Config,
    now_s: u64,
    used_memory: u64,
) -> Vec<u8> {
    let opts = SaveOptions::of(config);
    let mut out = format!("REDIS{RDB_VERSION:04}").into_bytes();
    let aux = |out: &mut Vec<u8>, key: &str, value: &str| {
        out.push(OPCODE_AUX);
        save_string(out, key.as_bytes(), &opts);
        save_string(out, value.as_bytes(), &opts);
    };
    aux(&mut out, "redis-ver", crate::cmd::connection::REDIS_VERSION);
    aux(&mut out, "redis-bits", "64");
    aux(&mut out, "ctime", &now_s.to_string());
    aux(&mut out, "used-mem", &used_memory.to_string());
    aux(&mut out, "aof-base", "0");
    for code in &snapshot.libraries {
        save_library(&mut out, code, &opts);
    }
    for (index, keys) in &snapshot.dbs {
        if keys.is_empty() {
            continue;
        }
        out.push(OPCODE_SELECTDB);
        save_len(&mut out, *index as u64);
        out.push(OPCODE_RESIZEDB);
        save_len(&mut out, keys.len() as u64);
        let expiring = keys.iter().filter(|k| k.expire_ms.is_some()).count();
        save_len(&mut out, expiring as u64);
        for k in keys {
            if let Some(at) = k.expire_ms {
                out.push(OPCODE_EXPIRETIME_MS);
                out.extend_from_slice(&at.to_le_bytes());
            }
            if let Some(idle) = k.idle_s {
                out.push(OPCODE_IDLE);
                save_len(&mut out, idle);
            }
            // The type byte comes first, then the key, then the value.
            out.push(object_type(&k.value));
            save_string(&mut out, &k.key, &opts);
            save_value(&mut out, &k.value, &opts);
        }
    }
    out.push(OPCODE_EOF);
    let crc = if config.get("rdbchecksum").as_deref() == Some("no") {
        0
    } else {
        crc64(&out)
    };
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Reads an RDB file; keys that had expired by `now_ms` are skipped, as a primary
/// does when it loads. The error is the reason Redis would log.
pub(crate) fn read(
    bytes: &[u8],
    config: &Config,
    now_ms: u64,
) -> Result<Snapshot<'static>, String> {
    let corrupt =
        |what: &str| format!("Short read or OOM loading DB. Unrecoverable error ({what})");
    if bytes.len() < 9 || &bytes[..5] != b"REDIS" {
        return Err("Wrong signature trying to load DB from file".into());
    }
    let version: u16 = std::str::from_utf8(&bytes[5..9])
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or("Wrong signature trying to load DB from file")?;
    if !(1..=RDB_VERSION).contains(&version) {
        return Err(format!("Can't handle RDB format version {version}"));
    }
    let mut r = Reader::new(&bytes[9..]);
    let mut snapshot = Snapshot::default();
    let mut db = 0usize;
    let mut expire_ms: Option<u64> = None;
    let mut idle_s: Option<u64> = None;
    loop {
        let kind = r.byte().map_err(|_| corrupt("unexpected end"))?;
        match kind {
            OPCODE_EXPIRETIME_MS => {
                let at = r.take(8).map_err(|_| corrupt("expire"))?;
                expire_ms = Some(u64::from_le_bytes(at.try_into().expect("8 bytes")));
                continue;
            }
            OPCODE_EXPIRETIME => {
                let at = r.take(4).map_err(|_| corrupt("expire"))?;
                let s = u32::from_le_bytes(at.try_into().expect("4 bytes"));
                expire_ms = Some(u64::from(s) * 1000);
                continue;
            }
            OPCODE_IDLE => {
                idle_s = Some(r.len().map_err(|_| corrupt("idle"))?);
                continue;
            }
            OPCODE_FREQ => {
                r.byte().map_err(|_| corrupt("freq"))?;
                continue;
            }
            OPCODE_SELECTDB => {
                db = r.len().map_err(|_| corrupt("select"))? as usize;
                if db >= crate::db::DB_COUNT {
                    return Err(format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting",
                        crate::db::DB_COUNT
                    ));
                }
                continue;
            }
            OPCODE_RESIZEDB => {
                r.len().map_err(|_| corrupt("resize"))?;
                r.len().map_err(|_| corrupt("resize"))?;
                continue;
            }
            OPCODE_AUX => {
                r.string().map_err(|_| corrupt("aux"))?;
                r.string().map_err(|_| corrupt("aux"))?;
                continue;
            }
            OPCODE_MODULE_AUX => return Err("The RDB file contains AUX module data".into()),
            OPCODE_FUNCTION2 | OPCODE_FUNCTION => {
                let code = load_library(kind, &mut r).map_err(str::to_string)?;
                snapshot.libraries.push(code);
                continue;
            }
            OPCODE_EOF => break,
            _ => {}
        }
        let key = r.string().map_err(|_| corrupt("key"))?;
        let value = match load_object(kind, &mut r, config) {
            Ok(value) => Some(value),
            Err(LoadError::Empty) => None,
            Err(LoadError::Corrupt) => return Err(corrupt("value")),
        };
        let expired = expire_ms.is_some_and(|at| at < now_ms);
        if let (Some(value), false) = (value, expired) {
            let entry = FileKey {
                key: Cow::Owned(key),
                value: Cow::Owned(value),
                expire_ms,
                idle_s,
            };
            match snapshot.dbs.last_mut() {
                Some((index, keys)) if *index == db => keys.push(entry),
                _ => snapshot.dbs.push((db, vec![entry])),
            }
        }
        expire_ms = None;
        idle_s = None;
    }
    if version >= 5 {
        let body_len = bytes.len() - r.remaining();
        let stored = r.take(8).map_err(|_| corrupt("checksum"))?;
        let stored = u64::from_le_bytes(stored.try_into().expect("8 bytes"));
        if stored != 0 && stored != crc64(&bytes[..body_len]) {
            return Err("Wrong RDB checksum. Aborting now.".into());
        }
    }
    Ok(snapshot)
}
