//! DEBUG DIGEST and DEBUG DIGEST-VALUE: SHA1 digests of the dataset and of single values,
//! computed as Redis 7.0's `debug.c` computes them, so that two servers (or a key and its
//! COPY) holding the same data answer the same 40 hex digits.
//!
//! Unordered collections (sets, hashes, sorted sets, the keys of a database) xor the
//! digests of their elements; ordered ones (lists, a value's parts) chain them, so
//! that order matters only where it is part of the value.

use super::Ctx;
use crate::db::{Db, Value};
use crate::resp::Reply;

type Digest = [u8; 20];

fn sha1(parts: &[&[u8]]) -> Digest {
    let mut hasher = sha1_smol::Sha1::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.digest().bytes()
}

/// `digest ^= SHA1(data)` (Redis's `xorDigest`): order-independent.
fn xor(digest: &mut Digest, data: &[u8]) {
    for (d, h) in digest.iter_mut().zip(sha1(&[data])) {
        *d ^= h;
    }
}

/// `digest = SHA1(digest ^ SHA1(data))` (Redis's `mixDigest`): order-dependent.
fn mix(digest: &mut Digest, data: &[u8]) {
    xor(digest, data);
    *digest = sha1(&[&digest[..]]);
}

/// The digest of one value (`xorObjectDigest`), mixed into `digest`.
fn mix_value(digest: &mut Digest, value: &Value, has_expiry: bool) {
    let type_code: u32 = match value {
        Value::Str(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    };
    mix(digest, &type_code.to_be_bytes());
    match value {
        Value::Str(s) => mix(digest, s),
        Value::List(list) => list.iter().for_each(|e| mix(digest, e)),
        Value::Set(set) => set.iter().for_each(|m| xor(digest, m)),
        Value::ZSet(zset) => {
            for (member, score) in zset.iter() {
                let mut element = [0u8; 20];
                mix(&mut element, member);
                mix(
                    &mut element,
                    crate::script::libs::format_g(score, 17).as_bytes(),
                );
                xor(digest, &element);
            }
        }
        Value::Stream(stream) => {
            // Live entries in order: `ms.seq`, then each field and value (groups are
            // not part of the digest).
            for (id, pairs) in stream.entries() {
                mix(digest, format!("{}.{}", id.ms, id.seq).as_bytes());
                pairs.iter().for_each(|p| mix(digest, p));
            }
        }
        Value::Hash(hash) => {
            for (field, value) in hash.iter() {
                let mut element = [0u8; 20];
                mix(&mut element, field);
                mix(&mut element, value);
                xor(digest, &element);
            }
        }
    }
    if has_expiry {
        xor(digest, b"!!expire!!");
    }
}

fn hex(digest: &Digest) -> Reply {
    let text: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Reply::simple(&text)
}

/// The digest of `key` in `db` as stored (expired or not), zero when absent.
fn key_value_digest(db: &Db, key: &[u8]) -> Digest {
    let mut digest = [0u8; 20];
    if let Some(entry) = db.stored_entry(key) {
        mix_value(&mut digest, &entry.value, db.expire_at(key).is_some());
    }
    digest
}

/// DEBUG DIGEST: the whole dataset, 40 zeros when it is empty.
pub(super) fn dataset(ctx: &mut Ctx<'_>) -> Reply {
    let mut total = [0u8; 20];
    for (index, db) in ctx.store.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix(&mut total, &(index as u32).to_be_bytes());
        for (key, entry) in db.entries_full() {
            let mut digest = [0u8; 20];
            mix(&mut digest, key);
            mix_value(&mut digest, &entry.value, db.expire_at(key).is_some());
            // Redis xors the key's digest in through SHA1 again (`xorDigest`).
            xor(&mut total, &digest);
        }
    }
    hex(&total)
}

/// DEBUG DIGEST-VALUE key ...: one digest per key of the selected database.
pub(super) fn values(ctx: &mut Ctx<'_>, keys: &[Vec<u8>]) -> Reply {
    let db = ctx.db();
    Reply::Array(keys.iter().map(|k| hex(&key_value_digest(db, k))).collect())
}
