//! The stream type: entries with increasing IDs, each a list of field-value pairs, and
//! the consumer groups reading them (see `stream_group`).
//!
//! Redis 7.0 keeps a stream as a radix tree of listpack "nodes": a node holds up to
//! `stream-node-max-entries` entries (100) and about `stream-node-max-bytes` bytes
//! (4096), starts with a "master entry" (the fields of its first entry, which later
//! entries with the same fields do not repeat) and keeps deleted entries as tombstones
//! until the whole node is empty. Approximate trimming (`MAXLEN ~`, `MINID ~`) removes
//! whole nodes only, so which entries survive it depends on where nodes begin and end.
//! redsim therefore keeps the same nodes, with the byte size each would have as a
//! listpack (`node_bytes`), and splits them where Redis does (`streamAppendItem`).

use super::footprint::{listpack_entry, listpack_int, LISTPACK_EMPTY};
use super::stream_group::Group;
pub use super::stream_id::StreamId;
use std::collections::BTreeMap;

/// `STREAM_LISTPACK_MAX_SIZE`: the largest node, and the most bytes of fields and
/// values one entry may have.
pub(crate) const LISTPACK_MAX_SIZE: u64 = 1 << 30;

/// One entry of a node: live or a tombstone.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NodeEntry {
    pub(crate) id: StreamId,
    /// Fields and values, alternating.
    pub(crate) pairs: Vec<Vec<u8>>,
    pub(crate) deleted: bool,
}

/// A listpack node: its master entry's fields and its entries in ID order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    master_fields: Vec<Vec<u8>>,
    entries: Vec<NodeEntry>,
    live: u64,
    deleted: u64,
    /// The listpack's bytes except its header, end byte and the two counters.
    body_bytes: usize,
}

impl Node {
    /// The listpack's size (`lpBytes`).
    fn bytes(&self) -> usize {
        LISTPACK_EMPTY
            + listpack_int(self.live as i64)
            + listpack_int(self.deleted as i64)
            + self.body_bytes
    }
}

/// A stream value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stream {
    /// Nodes by their master ID (the ID of the first entry ever put in them).
    nodes: BTreeMap<StreamId, Node>,
    length: u64,
    last_id: StreamId,
    first_id: StreamId,
    max_deleted_id: StreamId,
    entries_added: u64,
    /// Consumer groups by name (a radix tree in Redis: byte order).
    pub(crate) groups: BTreeMap<Vec<u8>, Group>,
    /// Σ of the nodes' listpack bytes, kept as they change (memory accounting).
    lp_bytes: usize,
}

/// The node-splitting settings in force when an entry is added.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeLimits {
    pub(crate) max_bytes: u64,
    pub(crate) max_entries: i64,
}

/// A node as RDB writes it (`rdb::stream`): its master ID and fields, and its entries,
/// tombstones included.
pub(crate) struct NodeView<'a> {
    pub(crate) master_id: StreamId,
    pub(crate) master_fields: &'a [Vec<u8>],
    pub(crate) entries: &'a [NodeEntry],
    pub(crate) live: u64,
    pub(crate) deleted: u64,
}

/// The figures a stream keeps beside its nodes (RDB stores them after the nodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StreamMeta {
    pub(crate) length: u64,
    pub(crate) last_id: StreamId,
    pub(crate) first_id: StreamId,
    pub(crate) max_deleted_id: StreamId,
    pub(crate) entries_added: u64,
}

/// A trim request (XADD's and XTRIM's MAXLEN / MINID options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TrimTo {
    MaxLen(u64),
    MinId(StreamId),
}

impl Stream {
    /// An empty stream.
    pub fn new() -> Self {
        Stream::default()
    }

    /// How many live entries it holds (XLEN).
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether it holds no live entry (an empty stream is still a key).
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The live entries in ID order: each ID with its fields and values, alternating.
    pub fn entries(&self) -> impl Iterator<Item = (StreamId, &[Vec<u8>])> {
        self.range(StreamId::MIN, StreamId::MAX, false)
            .map(|e| (e.id, &e.pairs[..]))
    }

    /// The last ID ever generated or set (XINFO's `last-generated-id`).
    pub fn last_id(&self) -> StreamId {
        self.last_id
    }

    pub(crate) fn first_id(&self) -> StreamId {
        self.first_id
    }

    pub(crate) fn max_deleted_id(&self) -> StreamId {
        self.max_deleted_id
    }

    pub(crate) fn entries_added(&self) -> u64 {
        self.entries_added
    }

    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn lp_bytes(&self) -> usize {
        self.lp_bytes
    }

    /// The nodes in ID order, as RDB writes them.
    pub(crate) fn node_views(&self) -> impl Iterator<Item = NodeView<'_>> {
        self.nodes.iter().map(|(id, node)| NodeView {
            master_id: *id,
            master_fields: &node.master_fields,
            entries: &node.entries,
            live: node.live,
            deleted: node.deleted,
        })
    }

    /// The figures kept beside the nodes.
    pub(crate) fn meta(&self) -> StreamMeta {
        StreamMeta {
            length: self.length,
            last_id: self.last_id,
            first_id: self.first_id,
            max_deleted_id: self.max_deleted_id,
            entries_added: self.entries_added,
        }
    }

    /// A stream rebuilt from RDB's nodes (master ID, master fields, entries) and figures;
    /// `None` when the nodes are out of order, empty, or disagree with `meta.length`.
    pub(crate) fn from_nodes(
        nodes: Vec<(StreamId, Vec<Vec<u8>>, Vec<NodeEntry>)>,
        meta: StreamMeta,
    ) -> Option<Stream> {
        let mut stream = Stream {
            length: meta.length,
            last_id: meta.last_id,
            first_id: meta.first_id,
            max_deleted_id: meta.max_deleted_id,
            entries_added: meta.entries_added,
            ..Stream::default()
        };
        let mut live_total = 0;
        let mut previous: Option<StreamId> = None;
        for (master_id, master_fields, entries) in nodes {
            let ordered = entries.windows(2).all(|w| w[0].id < w[1].id);
            let after_previous = previous.is_none_or(|p| entries.first().is_some_and(|e| e.id > p));
            if entries.is_empty() || !ordered || !after_previous {
                return None;
            }
            previous = entries.last().map(|e| e.id);
            let live = entries.iter().filter(|e| !e.deleted).count() as u64;
            let mut body = listpack_int(master_fields.len() as i64) + listpack_int(0);
            body += master_fields
                .iter()
                .map(|f| listpack_entry(f))
                .sum::<usize>();
            for e in &entries {
                let same = same_fields(&master_fields, &e.pairs);
                body += entry_bytes(e.id, master_id, &e.pairs, same);
            }
            let node = Node {
                master_fields,
                live,
                deleted: entries.len() as u64 - live,
                entries,
                body_bytes: body,
            };
            live_total += live;
            stream.lp_bytes += node.bytes();
            stream.nodes.insert(master_id, node);
        }
        (live_total == meta.length).then_some(stream)
    }

    /// XSETID's changes.
    pub(crate) fn set_ids(
        &mut self,
        last: StreamId,
        entries_added: Option<u64>,
        max_deleted: Option<StreamId>,
    ) {
        self.last_id = last;
        if let Some(n) = entries_added {
            self.entries_added = n;
        }
        if let Some(id) = max_deleted {
            self.max_deleted_id = id;
        }
    }

    /// Appends an entry (`streamAppendItem`). `id` is the ID to use, already checked to
    /// be above `last_id`; `pairs` alternates fields and values.
    pub(crate) fn append(&mut self, id: StreamId, pairs: Vec<Vec<u8>>, limits: NodeLimits) {
        let fields_len: u64 = pairs.iter().map(|p| p.len() as u64).sum();
        let numfields = pairs.len() / 2;
        let mut tail = self.nodes.iter_mut().next_back();
        if let Some((_, node)) = &tail {
            let max_bytes = if limits.max_bytes == 0 || limits.max_bytes > LISTPACK_MAX_SIZE {
                LISTPACK_MAX_SIZE
            } else {
                limits.max_bytes
            };
            let full = node.bytes() as u64 + fields_len >= max_bytes
                || (limits.max_entries != 0
                    && (node.live + node.deleted) as i64 >= limits.max_entries);
            if full {
                tail = None;
            }
        }
        let before;
        match tail {
            Some((master_id, node)) => {
                before = node.bytes();
                let same = same_fields(&node.master_fields, &pairs);
                node.body_bytes += entry_bytes(id, *master_id, &pairs, same);
                node.live += 1;
                node.entries.push(NodeEntry {
                    id,
                    pairs,
                    deleted: false,
                });
                self.lp_bytes = self.lp_bytes + node.bytes() - before;
            }
            None => {
                let master_fields: Vec<Vec<u8>> = pairs.iter().step_by(2).cloned().collect();
                let mut body = listpack_int(numfields as i64) + listpack_int(0);
                body += master_fields
                    .iter()
                    .map(|f| listpack_entry(f))
                    .sum::<usize>();
                body += entry_bytes(id, id, &pairs, true);
                let node = Node {
                    master_fields,
                    entries: vec![NodeEntry {
                        id,
                        pairs,
                        deleted: false,
                    }],
                    live: 1,
                    deleted: 0,
                    body_bytes: body,
                };
                self.lp_bytes += node.bytes();
                self.nodes.insert(id, node);
            }
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
    }

    /// The live entry with this ID.
    pub(crate) fn get(&self, id: StreamId) -> Option<&NodeEntry> {
        let (_, node) = self.nodes.range(..=id).next_back()?;
        let at = node.entries.binary_search_by(|e| e.id.cmp(&id)).ok()?;
        Some(&node.entries[at]).filter(|e| !e.deleted)
    }

    /// Live entries with IDs in `start..=end`, ascending or (`rev`) descending.
    pub(crate) fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
    ) -> Box<dyn Iterator<Item = &NodeEntry> + '_> {
        if start > end {
            return Box::new(std::iter::empty());
        }
        // The node that may hold `start` begins at or before it.
        let from = self
            .nodes
            .range(..=start)
            .next_back()
            .map_or(start, |(k, _)| *k);
        let entries = self
            .nodes
            .range(from..=end)
            .flat_map(|(_, n)| n.entries.iter())
            .filter(move |e| !e.deleted && e.id >= start && e.id <= end);
        if rev {
            let mut all: Vec<&NodeEntry> = entries.collect();
            all.reverse();
            Box::new(all.into_iter())
        } else {
            Box::new(entries)
        }
    }

    /// The first live ID (`streamGetEdgeID(s,1,1)`), `MAX` when there is none.
    fn first_live_id(&self) -> StreamId {
        self.range(StreamId::MIN, StreamId::MAX, false)
            .next()
            .map_or(StreamId::MAX, |e| e.id)
    }

    /// The last live ID (`streamLastValidID`), `0-0` when there is none.
    pub(crate) fn last_live_id(&self) -> StreamId {
        self.range(StreamId::MIN, StreamId::MAX, true)
            .next()
            .map_or(StreamId::MIN, |e| e.id)
    }

    /// Marks one entry deleted (`streamDeleteItem`); a node left with no live entry
    /// goes. Whether it was there.
    fn delete_one(&mut self, id: StreamId) -> bool {
        let Some((&key, node)) = self.nodes.range_mut(..=id).next_back() else {
            return false;
        };
        let Ok(at) = node.entries.binary_search_by(|e| e.id.cmp(&id)) else {
            return false;
        };
        if node.entries[at].deleted {
            return false;
        }
        let before = node.bytes();
        if node.live == 1 {
            self.nodes.remove(&key);
            self.lp_bytes -= before;
        } else {
            node.entries[at].deleted = true;
            node.live -= 1;
            node.deleted += 1;
            self.lp_bytes = self.lp_bytes + node.bytes() - before;
        }
        self.length -= 1;
        true
    }

    /// XDEL: deletes the entries with these IDs; how many there were.
    pub(crate) fn delete(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first_entry = false;
        for &id in ids {
            if self.delete_one(id) {
                if id == self.first_id {
                    first_entry = true;
                }
                if id > self.max_deleted_id {
                    self.max_deleted_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if self.length == 0 {
                self.first_id = StreamId::MIN;
            } else if first_entry {
                self.first_id = self.first_live_id();
            }
        }
        deleted
    }

    /// `streamTrim`: removes entries from the head; with `approx`, whole nodes only;
    /// `limit` (0: none) caps the entries removed. How many went.
    pub(crate) fn trim(&mut self, to: TrimTo, approx: bool, limit: u64) -> u64 {
        let mut deleted: u64 = 0;
        while let Some((&key, node)) = self.nodes.iter_mut().next() {
            if let TrimTo::MaxLen(max) = to {
                if self.length <= max {
                    break;
                }
            }
            let entries = node.live;
            if limit != 0 && deleted + entries > limit {
                break;
            }
            let remove_node = match to {
                TrimTo::MaxLen(max) => self.length - entries >= max,
                // The last entry of the node, tombstone or not.
                TrimTo::MinId(min) => node.entries.last().is_some_and(|e| e.id < min),
            };
            if remove_node {
                self.lp_bytes -= node.bytes();
                self.nodes.remove(&key);
                self.length -= entries;
                deleted += entries;
                continue;
            }
            if approx {
                break;
            }
            let before = node.bytes();
            let mut from_node = 0;
            for entry in node.entries.iter_mut() {
                let stop = match to {
                    TrimTo::MaxLen(max) => self.length <= max,
                    TrimTo::MinId(min) => entry.id >= min,
                };
                if stop {
                    break;
                }
                if !entry.deleted {
                    entry.deleted = true;
                    from_node += 1;
                    self.length -= 1;
                }
            }
            node.live -= from_node;
            node.deleted += from_node;
            deleted += from_node;
            self.lp_bytes = self.lp_bytes + node.bytes() - before;
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.first_id = self.first_live_id();
        }
        deleted
    }

    /// XINFO's `radix-tree-nodes`: the nodes of a compressed radix tree holding the
    /// nodes' 16-byte big-endian keys — the root, each key, each prefix where keys
    /// branch and each child of such a prefix.
    pub(crate) fn radix_tree_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self
            .nodes
            .keys()
            .map(|id| {
                let mut k = [0u8; 16];
                k[..8].copy_from_slice(&id.ms.to_be_bytes());
                k[8..].copy_from_slice(&id.seq.to_be_bytes());
                k
            })
            .collect();
        let mut prefixes: std::collections::BTreeSet<(usize, [u8; 16])> = Default::default();
        let prefix = |k: &[u8; 16], len: usize| {
            let mut p = [0u8; 16];
            p[..len].copy_from_slice(&k[..len]);
            (len, p)
        };
        prefixes.insert((0, [0u8; 16]));
        for k in &keys {
            prefixes.insert(prefix(k, 16));
        }
        for pair in keys.windows(2) {
            let common = pair[0]
                .iter()
                .zip(&pair[1])
                .take_while(|(a, b)| a == b)
                .count();
            prefixes.insert(prefix(&pair[0], common));
            prefixes.insert(prefix(&pair[0], common + 1));
            prefixes.insert(prefix(&pair[1], common + 1));
        }
        prefixes.len()
    }
}

/// The bytes an entry adds to a node whose master ID is `master`.
/// Whether an entry's fields are its node's master fields (Redis's SAMEFIELDS flag:
/// the entry then stores only its values).
pub(crate) fn same_fields(master_fields: &[Vec<u8>], pairs: &[Vec<u8>]) -> bool {
    master_fields.len() == pairs.len() / 2
        && master_fields
            .iter()
            .zip(pairs.iter().step_by(2))
            .all(|(m, f)| m == f)
}

fn entry_bytes(id: StreamId, master: StreamId, pairs: &[Vec<u8>], same_fields: bool) -> usize {
    let numfields = pairs.len() / 2;
    let flags = if same_fields { 2 } else { 0 };
    let mut bytes = listpack_int(flags)
        + listpack_int(id.ms.wrapping_sub(master.ms) as i64)
        + listpack_int(id.seq.wrapping_sub(master.seq) as i64);
    let lp_count = if same_fields {
        bytes += pairs
            .iter()
            .skip(1)
            .step_by(2)
            .map(|v| listpack_entry(v))
            .sum::<usize>();
        numfields + 3
    } else {
        bytes += listpack_int(numfields as i64);
        bytes += pairs.iter().map(|p| listpack_entry(p)).sum::<usize>();
        2 * numfields + 4
    };
    bytes + listpack_int(lp_count as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: NodeLimits = NodeLimits {
        max_bytes: 4096,
        max_entries: 100,
    };

    fn stream_of(n: u64) -> Stream {
        let mut s = Stream::new();
        for i in 1..=n {
            s.append(
                StreamId::new(i, 0),
                vec![b"f".to_vec(), b"v".to_vec()],
                LIMITS,
            );
        }
        s
    }

    #[test]
    fn nodes_split_at_max_entries() {
        let s = stream_of(250);
        assert_eq!(s.node_count(), 3);
        // As redis-server 7.0.15 reports for the same stream.
        assert_eq!(s.radix_tree_nodes(), 8);
    }

    #[test]
    fn approximate_trim_removes_whole_nodes_only() {
        let mut s = stream_of(250);
        assert_eq!(s.trim(TrimTo::MaxLen(60), true, 10_000), 100);
        assert_eq!(s.len(), 150);
        assert_eq!(s.trim(TrimTo::MaxLen(60), false, 0), 90);
        assert_eq!(s.len(), 60);
        assert_eq!(s.first_id(), StreamId::new(191, 0));
    }

    #[test]
    fn deleting_every_entry_of_a_node_removes_it() {
        let mut s = stream_of(2);
        assert_eq!(s.delete(&[StreamId::new(1, 0)]), 1);
        assert_eq!(s.node_count(), 1);
        assert_eq!(s.first_id(), StreamId::new(2, 0));
        assert_eq!(s.delete(&[StreamId::new(2, 0), StreamId::new(2, 0)]), 1);
        assert_eq!(s.node_count(), 0);
        assert_eq!(s.lp_bytes(), 0);
        assert_eq!(s.first_id(), StreamId::MIN);
    }
}
