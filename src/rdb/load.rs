//! Reading values in RDB format (`rdbLoadObjectType` + `rdbLoadObject` of Redis 7.0),
//! every type Redis 7.0 reads except modules and streams: today's encodings and the
//! older ones (linked lists, ziplists, string-encoded zset scores) that DUMP payloads
//! from Redis 6.2 and earlier carry.
//!
//! The encodings chosen on load follow Redis: a listpack hash or sorted set stays a
//! listpack unless it has too many entries (long values do not convert it), an intset
//! stays one up to `set-max-intset-entries`, a sorted set read element by element
//! becomes a listpack when it is small enough.

use super::listpack::{self, Element};
use super::{intset, lzf, types, ziplist};
use crate::config::Config;
use crate::db::{Hash, List, Set, Value, ZSet};

/// Why a value could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoadError {
    /// The value has no elements (an RDB file skips such keys; RESTORE refuses them).
    Empty,
    /// The bytes are not a valid value of their type.
    Corrupt,
}

type Loaded<T> = Result<T, LoadError>;

/// A cursor over RDB bytes.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// How many bytes are left.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(crate) fn take(&mut self, n: usize) -> Loaded<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(LoadError::Corrupt)?;
        let slice = self.bytes.get(self.pos..end).ok_or(LoadError::Corrupt)?;
        self.pos = end;
        Ok(slice)
    }

    pub(crate) fn byte(&mut self) -> Loaded<u8> {
        Ok(self.take(1)?[0])
    }

    /// `rdbLoadLenByRef`: a length, or (`true`, kind) for a special string encoding.
    fn len_or_encoding(&mut self) -> Loaded<(u64, bool)> {
        let first = self.byte()?;
        Ok(match first >> 6 {
            0 => (u64::from(first & 0x3F), false),
            1 => (
                (u64::from(first & 0x3F) << 8) | u64::from(self.byte()?),
                false,
            ),
            3 => (u64::from(first & 0x3F), true),
            _ => match first {
                0x80 => (
                    u64::from(u32::from_be_bytes(
                        self.take(4)?.try_into().expect("4 bytes"),
                    )),
                    false,
                ),
                0x81 => (
                    u64::from_be_bytes(self.take(8)?.try_into().expect("8 bytes")),
                    false,
                ),
                _ => return Err(LoadError::Corrupt),
            },
        })
    }

    /// A plain length (`rdbLoadLen`).
    pub(crate) fn len(&mut self) -> Loaded<u64> {
        match self.len_or_encoding()? {
            (len, false) => Ok(len),
            _ => Err(LoadError::Corrupt),
        }
    }

    /// A length used as a count of things that follow; never more than bytes remain,
    /// so a corrupt count cannot make the loader allocate without end.
    fn count(&mut self) -> Loaded<usize> {
        let n = self.len()?;
        if n > (self.bytes.len() - self.pos) as u64 {
            return Err(LoadError::Corrupt);
        }
        Ok(n as usize)
    }

    /// `rdbGenericLoadStringObject`: an 8/16/32-bit integer as its text, an LZF blob
    /// expanded, or length and bytes.
    pub(crate) fn string(&mut self) -> Loaded<Vec<u8>> {
        let (len, encoded) = self.len_or_encoding()?;
        if !encoded {
            return Ok(self
                .take(len.try_into().map_err(|_| LoadError::Corrupt)?)?
                .to_vec());
        }
        let number = match len {
            0 => i64::from(self.byte()? as i8),
            1 => i64::from(i16::from_le_bytes(
                self.take(2)?.try_into().expect("2 bytes"),
            )),
            2 => i64::from(i32::from_le_bytes(
                self.take(4)?.try_into().expect("4 bytes"),
            )),
            3 => {
                let packed_len = self.count()?;
                let plain_len = self.len()?;
                // LZF expands at most ~32× per run header; a larger claim is corrupt.
                if plain_len > (packed_len as u64 + 1) * 264 {
                    return Err(LoadError::Corrupt);
                }
                let packed = self.take(packed_len)?;
                return lzf::decompress(packed, plain_len as usize).ok_or(LoadError::Corrupt);
            }
            _ => return Err(LoadError::Corrupt),
        };
        Ok(number.to_string().into_bytes())
    }

    /// A binary double (RDB 8+ sorted sets), little endian.
    fn binary_double(&mut self) -> Loaded<f64> {
        Ok(f64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    /// A double as text with a length byte (RDB_TYPE_ZSET); 253/254/255 are NaN/±inf.
    fn text_double(&mut self) -> Loaded<f64> {
        match self.byte()? {
            255 => Ok(f64::NEG_INFINITY),
            254 => Ok(f64::INFINITY),
            253 => Ok(f64::NAN),
            n => {
                let text = self.take(n as usize)?;
                parse_score(text).ok_or(LoadError::Corrupt)
            }
        }
    }
}

/// A score written as text (`strtod` in Redis): decimal or `inf` forms.
fn parse_score(text: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(text).ok()?;
    match text.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

/// Reads one value of RDB type `kind`.
pub(crate) fn load_object(kind: u8, r: &mut Reader<'_>, config: &Config) -> Loaded<Value> {
    match kind {
        types::STRING => Ok(Value::Str(r.string()?)),
        types::LIST => {
            let mut list = List::new();
            for _ in 0..r.count()? {
                list.push_back(r.string()?);
            }
            non_empty(Value::List(list))
        }
        types::SET => {
            let mut set = Set::new();
            for _ in 0..r.count()? {
                if !set.insert(&r.string()?, config) {
                    return Err(LoadError::Corrupt);
                }
            }
            non_empty(Value::Set(set))
        }
        types::ZSET | types::ZSET_2 => {
            let mut zset = ZSet::new();
            for _ in 0..r.count()? {
                let member = r.string()?;
                let score = if kind == types::ZSET_2 {
                    r.binary_double()?
                } else {
                    r.text_double()?
                };
                if score.is_nan() || zset.score(&member).is_some() {
                    return Err(LoadError::Corrupt);
                }
                zset.insert_new(&member, score, config);
            }
            zset.settle_encoding(config);
            non_empty(Value::ZSet(zset))
        }
        types::HASH => {
            let mut hash = Hash::new();
            for _ in 0..r.count()? {
                let field = r.string()?;
                if !hash.insert(&field, r.string()?, config) {
                    return Err(LoadError::Corrupt);
                }
            }
            non_empty(Value::Hash(hash))
        }
        types::LIST_QUICKLIST | types::LIST_QUICKLIST_2 => load_quicklist(kind, r),
        types::LIST_ZIPLIST => {
            let blob = r.string()?;
            let mut list = List::new();
            for e in ziplist::elements(&blob).ok_or(LoadError::Corrupt)? {
                list.push_back(e.to_bytes());
            }
            non_empty(Value::List(list))
        }
        types::SET_INTSET => {
            let members = intset::decode(&r.string()?).ok_or(LoadError::Corrupt)?;
            let mut set = Set::new();
            for m in members {
                set.insert(m.to_string().as_bytes(), config);
            }
            non_empty(Value::Set(set))
        }
        types::ZSET_LISTPACK | types::ZSET_ZIPLIST => {
            let blob = r.string()?;
            let elements = if kind == types::ZSET_LISTPACK {
                listpack::elements(&blob)
            } else {
                ziplist::elements(&blob)
            };
            zset_from_pairs(elements.ok_or(LoadError::Corrupt)?, config)
        }
        types::HASH_LISTPACK | types::HASH_ZIPLIST => {
            let blob = r.string()?;
            let elements = if kind == types::HASH_LISTPACK {
                listpack::elements(&blob)
            } else {
                ziplist::elements(&blob)
            };
            hash_from_pairs(elements.ok_or(LoadError::Corrupt)?, config)
        }
        types::STREAM_LISTPACKS | types::STREAM_LISTPACKS_2 => Ok(Value::Stream(Box::new(
            super::stream::load_stream(r, kind == types::STREAM_LISTPACKS_2)?,
        ))),
        _ => Err(LoadError::Corrupt),
    }
}

fn non_empty(value: Value) -> Loaded<Value> {
    let empty = match &value {
        Value::List(l) => l.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Str(_) | Value::Stream(_) => false,
    };
    if empty {
        Err(LoadError::Empty)
    } else {
        Ok(value)
    }
}

/// A quicklist: nodes of listpacks (RDB 10) or ziplists (RDB 7–9); a "plain" node
/// (container 1) holds one large element as it is. Empty nodes are skipped.
fn load_quicklist(kind: u8, r: &mut Reader<'_>) -> Loaded<Value> {
    let mut list = List::new();
    for _ in 0..r.count()? {
        let container = if kind == types::LIST_QUICKLIST_2 {
            r.len()?
        } else {
            2
        };
        let blob = r.string()?;
        if blob.is_empty() {
            return Err(LoadError::Corrupt);
        }
        let elements = match container {
            1 => {
                list.push_back(blob);
                continue;
            }
            2 if kind == types::LIST_QUICKLIST_2 => listpack::elements(&blob),
            2 => ziplist::elements(&blob),
            _ => None,
        };
        for e in elements.ok_or(LoadError::Corrupt)? {
            list.push_back(e.to_bytes());
        }
    }
    non_empty(Value::List(list))
}

fn zset_from_pairs(elements: Vec<Element<'_>>, config: &Config) -> Loaded<Value> {
    if !elements.len().is_multiple_of(2) {
        return Err(LoadError::Corrupt);
    }
    let mut zset = ZSet::new();
    for pair in elements.chunks_exact(2) {
        let member = pair[0].to_bytes();
        let score = match &pair[1] {
            Element::Int(v) => *v as f64,
            Element::Str(s) => parse_score(s).ok_or(LoadError::Corrupt)?,
        };
        if score.is_nan() || zset.score(&member).is_some() {
            return Err(LoadError::Corrupt);
        }
        zset.insert_new(&member, score, config);
    }
    // A listpack stays one unless it has too many entries.
    zset.set_skiplist(zset.len() > config.zset_max_listpack_entries);
    non_empty(Value::ZSet(zset))
}

fn hash_from_pairs(elements: Vec<Element<'_>>, config: &Config) -> Loaded<Value> {
    if !elements.len().is_multiple_of(2) {
        return Err(LoadError::Corrupt);
    }
    let mut hash = Hash::new();
    for pair in elements.chunks_exact(2) {
        if !hash.insert(&pair[0].to_bytes(), pair[1].to_bytes(), config) {
            return Err(LoadError::Corrupt);
        }
    }
    hash.set_hashtable(hash.len() > config.hash_max_listpack_entries);
    non_empty(Value::Hash(hash))
}
