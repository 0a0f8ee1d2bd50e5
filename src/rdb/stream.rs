//! Streams in RDB form (`RDB_TYPE_STREAM_LISTPACKS_2`, Redis 7.0): each radix tree node
//! as its master ID (16 bytes, big endian) and its listpack, then the length, the last,
//! first and largest deleted IDs and the entries-added counter, then the consumer groups
//! (name, last ID, entries read, the PEL with delivery times and counts, the consumers
//! with their seen time and the IDs they own). Version 1 (`RDB_TYPE_STREAM_LISTPACKS`,
//! Redis 5–6.2) reads too, its missing figures derived as Redis derives them.
//!
//! A node's listpack is the master entry `count deleted numfields field… 0`, then each
//! entry `flags ms-diff seq-diff [numfields field] value… lp-count`, with the
//! same-fields flag (2) when its fields are the master's and the deleted flag (1) on
//! tombstones (`streamAppendItem`).

use super::listpack::{self, Element, ListpackWriter};
use super::load::{LoadError, Reader};
use super::save::{save_len, save_string, SaveOptions};
use crate::db::{
    same_fields, Group, Nack, NodeEntry, Stream, StreamId, StreamMeta, INVALID_ENTRIES_READ,
};

const FLAG_DELETED: i64 = 1;
const FLAG_SAMEFIELDS: i64 = 2;

fn id_bytes(id: StreamId) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&id.ms.to_be_bytes());
    out[8..].copy_from_slice(&id.seq.to_be_bytes());
    out
}

fn save_id(out: &mut Vec<u8>, id: StreamId) {
    save_len(out, id.ms);
    save_len(out, id.seq);
}

/// Appends a stream's value (after its type byte).
pub(crate) fn save_stream(out: &mut Vec<u8>, stream: &Stream, opts: &SaveOptions) {
    let nodes: Vec<_> = stream.node_views().collect();
    save_len(out, nodes.len() as u64);
    for node in &nodes {
        let mut lp = ListpackWriter::new();
        lp.push_int(node.live as i64);
        lp.push_int(node.deleted as i64);
        lp.push_int(node.master_fields.len() as i64);
        for field in node.master_fields {
            lp.push(field);
        }
        lp.push_int(0);
        for entry in node.entries {
            let same = same_fields(node.master_fields, &entry.pairs);
            let mut flags = if same { FLAG_SAMEFIELDS } else { 0 };
            if entry.deleted {
                flags |= FLAG_DELETED;
            }
            lp.push_int(flags);
            lp.push_int(entry.id.ms.wrapping_sub(node.master_id.ms) as i64);
            lp.push_int(entry.id.seq.wrapping_sub(node.master_id.seq) as i64);
            let numfields = entry.pairs.len() / 2;
            if same {
                for value in entry.pairs.iter().skip(1).step_by(2) {
                    lp.push(value);
                }
                lp.push_int(numfields as i64 + 3);
            } else {
                lp.push_int(numfields as i64);
                for piece in &entry.pairs {
                    lp.push(piece);
                }
                lp.push_int(2 * numfields as i64 + 4);
            }
        }
        save_string(out, &id_bytes(node.master_id), opts);
        save_string(out, &lp.finish(), opts);
    }
    let meta = stream.meta();
    save_len(out, meta.length);
    save_id(out, meta.last_id);
    save_id(out, meta.first_id);
    save_id(out, meta.max_deleted_id);
    save_len(out, meta.entries_added);
    save_len(out, stream.groups.len() as u64);
    for (name, group) in &stream.groups {
        save_string(out, name, opts);
        save_id(out, group.last_id);
        save_len(out, group.entries_read as u64);
        save_len(out, group.pel.len() as u64);
        for (id, nack) in &group.pel {
            out.extend_from_slice(&id_bytes(*id));
            out.extend_from_slice(&nack.delivery_time.to_le_bytes());
            save_len(out, nack.delivery_count);
        }
        save_len(out, group.consumers.len() as u64);
        for (consumer_name, consumer) in &group.consumers {
            save_string(out, consumer_name, opts);
            out.extend_from_slice(&consumer.seen_time.to_le_bytes());
            save_len(out, consumer.pel.len() as u64);
            for id in &consumer.pel {
                out.extend_from_slice(&id_bytes(*id));
            }
        }
    }
}

fn load_id(r: &mut Reader<'_>) -> Result<StreamId, LoadError> {
    Ok(StreamId {
        ms: r.len()?,
        seq: r.len()?,
    })
}

fn raw_id(bytes: &[u8]) -> StreamId {
    StreamId {
        ms: u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes")),
        seq: u64::from_be_bytes(bytes[8..16].try_into().expect("8 bytes")),
    }
}

/// Reads a stream value; `version_2` for Redis 7.0's layout.
pub(crate) fn load_stream(r: &mut Reader<'_>, version_2: bool) -> Result<Stream, LoadError> {
    let corrupt = LoadError::Corrupt;
    let node_count = r.len()?;
    let mut nodes = Vec::new();
    for _ in 0..node_count {
        let key = r.string()?;
        if key.len() != 16 {
            return Err(corrupt);
        }
        let master_id = raw_id(&key);
        let blob = r.string()?;
        let elements = listpack::elements(&blob).ok_or(LoadError::Corrupt)?;
        let (master_fields, entries) = node_entries(master_id, &elements).ok_or(corrupt)?;
        nodes.push((master_id, master_fields, entries));
    }
    let length = r.len()?;
    let last_id = load_id(r)?;
    let (first_id, max_deleted_id, entries_added) = if version_2 {
        (load_id(r)?, load_id(r)?, r.len()?)
    } else {
        // Redis 6.2's streams: the first live entry, no tombstone, length added.
        let first = nodes
            .iter()
            .flat_map(|(_, _, entries)| entries.iter())
            .find(|e| !e.deleted)
            .map_or(StreamId::default(), |e| e.id);
        (first, StreamId::default(), length)
    };
    let meta = StreamMeta {
        length,
        last_id,
        first_id,
        max_deleted_id,
        entries_added,
    };
    let mut stream = Stream::from_nodes(nodes, meta).ok_or(corrupt)?;
    let group_count = r.len()?;
    for _ in 0..group_count {
        let name = r.string()?;
        let group_last = load_id(r)?;
        let entries_read = if version_2 {
            r.len()? as i64
        } else {
            INVALID_ENTRIES_READ
        };
        let mut group = Group::new(group_last, entries_read);
        for _ in 0..r.len()? {
            let id = raw_id(r.take(16)?);
            let time = i64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
            let nack = Nack {
                consumer: None,
                delivery_time: time,
                delivery_count: r.len()?,
            };
            if group.pel.insert(id, nack).is_some() {
                return Err(corrupt);
            }
        }
        for _ in 0..r.len()? {
            let consumer_name = r.string()?;
            let seen = i64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
            let mut consumer = crate::db::Consumer {
                seen_time: seen,
                ..Default::default()
            };
            for _ in 0..r.len()? {
                let id = raw_id(r.take(16)?);
                // Every ID a consumer owns is in the group's PEL, which names it.
                let nack = group.pel.get_mut(&id).ok_or(corrupt)?;
                nack.consumer = Some(consumer_name.clone());
                consumer.pel.insert(id);
            }
            if group.consumers.insert(consumer_name, consumer).is_some() {
                return Err(corrupt);
            }
        }
        if group.pel.values().any(|n| n.consumer.is_none()) {
            return Err(corrupt);
        }
        if stream.groups.insert(name, group).is_some() {
            return Err(corrupt);
        }
    }
    Ok(stream)
}

/// A node's master fields and entries, from its listpack's elements.
fn node_entries(master_id: StreamId, e: &[Element<'_>]) -> Option<(Vec<Vec<u8>>, Vec<NodeEntry>)> {
    let int = |i: usize| e.get(i).and_then(Element::as_int);
    let (count, deleted) = (int(0)?, int(1)?);
    let numfields = usize::try_from(int(2)?).ok()?;
    let master_fields: Vec<Vec<u8>> = (0..numfields)
        .map(|j| e.get(3 + j).map(Element::to_bytes))
        .collect::<Option<_>>()?;
    let mut at = 3 + numfields;
    if int(at)? != 0 {
        return None;
    }
    at += 1;
    let mut entries = Vec::new();
    while at < e.len() {
        let flags = int(at)?;
        let id = StreamId {
            ms: master_id.ms.wrapping_add(int(at + 1)? as u64),
            seq: master_id.seq.wrapping_add(int(at + 2)? as u64),
        };
        at += 3;
        let pairs: Vec<Vec<u8>> = if flags & FLAG_SAMEFIELDS != 0 {
            let mut pairs = Vec::with_capacity(2 * numfields);
            for field in &master_fields {
                pairs.push(field.clone());
                pairs.push(e.get(at)?.to_bytes());
                at += 1;
            }
            pairs
        } else {
            let n = usize::try_from(int(at)?).ok()?;
            at += 1;
            let pairs = (0..2 * n)
                .map(|j| e.get(at + j).map(Element::to_bytes))
                .collect::<Option<_>>()?;
            at += 2 * n;
            pairs
        };
        at += 1; // lp-count
        entries.push(NodeEntry {
            id,
            pairs,
            deleted: flags & FLAG_DELETED != 0,
        });
    }
    let live = entries.iter().filter(|x| !x.deleted).count() as i64;
    (at == e.len() && live == count && entries.len() as i64 - live == deleted)
        .then_some((master_fields, entries))
}
