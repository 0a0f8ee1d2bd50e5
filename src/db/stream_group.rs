//! Consumer groups of a stream: where the group has read up to (`last_id`, with the
//! 7.0 read counter `entries_read`), the pending entries list (PEL: entries delivered and
//! not yet acknowledged, each owned by one consumer) and the consumers.
//!
//! As in Redis, a pending entry is in the group's PEL and in its owner's PEL; the
//! group's copy holds the delivery time and count.

use super::stream::Stream;
use super::stream_id::StreamId;
use std::collections::{BTreeMap, BTreeSet};

/// `SCG_INVALID_ENTRIES_READ`: the group's read counter is not known.
pub(crate) const INVALID_ENTRIES_READ: i64 = -1;

/// A delivered, unacknowledged entry (Redis's `streamNACK`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Nack {
    /// The owner; `None` only in the middle of XCLAIM FORCE.
    pub(crate) consumer: Option<Vec<u8>>,
    /// Unix ms of the last delivery.
    pub(crate) delivery_time: i64,
    pub(crate) delivery_count: u64,
}

/// A consumer of a group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Consumer {
    /// Unix ms of the last time the consumer read or claimed.
    pub(crate) seen_time: i64,
    pub(crate) pel: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) last_id: StreamId,
    pub(crate) entries_read: i64,
    pub(crate) pel: BTreeMap<StreamId, Nack>,
    pub(crate) consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl Group {
    pub(crate) fn new(last_id: StreamId, entries_read: i64) -> Self {
        Group {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Creates the consumer if it is new (`streamCreateConsumer`); whether it was.
    pub(crate) fn create_consumer(&mut self, name: &[u8], now_ms: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(
            name.to_vec(),
            Consumer {
                seen_time: now_ms,
                pel: BTreeSet::new(),
            },
        );
        true
    }

    /// Looks the consumer up, refreshing its seen time, creating it if missing
    /// (`streamLookupConsumer` then `streamCreateConsumer`); whether it was created.
    pub(crate) fn touch_consumer(&mut self, name: &[u8], now_ms: i64) -> bool {
        match self.consumers.get_mut(name) {
            Some(c) => {
                c.seen_time = now_ms;
                false
            }
            None => self.create_consumer(name, now_ms),
        }
    }

    /// Deletes a consumer and its pending entries; how many it had.
    pub(crate) fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for id in &consumer.pel {
            self.pel.remove(id);
        }
        Some(consumer.pel.len())
    }

    /// Removes a pending entry from the group and its owner (XACK, or an entry gone
    /// from the stream); whether it was pending.
    pub(crate) fn forget(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(nack) => {
                if let Some(owner) = nack.consumer.and_then(|n| self.consumers.get_mut(&n)) {
                    owner.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Gives a pending entry to `consumer` (which must exist).
    pub(crate) fn assign(&mut self, id: StreamId, consumer: &[u8]) {
        let nack = self.pel.get_mut(&id).expect("assign a pending entry");
        if nack.consumer.as_deref() != Some(consumer) {
            if let Some(old) = nack
                .consumer
                .take()
                .and_then(|n| self.consumers.get_mut(&n))
            {
                old.pel.remove(&id);
            }
            nack.consumer = Some(consumer.to_vec());
            if let Some(new) = self.consumers.get_mut(consumer) {
                new.pel.insert(id);
            }
        }
    }

    /// Records the delivery of `id` to `consumer` by XREADGROUP: a new pending entry, or
    /// an existing one reassigned with its count reset to 1.
    pub(crate) fn deliver(&mut self, id: StreamId, consumer: &[u8], now_ms: i64) {
        self.pel
            .entry(id)
            .and_modify(|n| {
                n.delivery_time = now_ms;
                n.delivery_count = 1;
            })
            .or_insert(Nack {
                consumer: None,
                delivery_time: now_ms,
                delivery_count: 1,
            });
        self.assign(id, consumer);
    }
}

impl Stream {
    /// Whether `start..` (to the end) holds a tombstone, as Redis approximates it
    /// (`streamRangeHasTombstones`): by the largest deleted ID only.
    pub(crate) fn range_has_tombstones(&self, start: StreamId) -> bool {
        let max_deleted = self.max_deleted_id();
        if self.is_empty() || max_deleted.is_zero() {
            return false;
        }
        if self.first_id() > max_deleted {
            return false;
        }
        start <= max_deleted
    }

    /// The read counter of `id` when it can be known
    /// (`streamEstimateDistanceFromFirstEverEntry`), else `INVALID_ENTRIES_READ`.
    pub(crate) fn estimate_entries_read(&self, id: StreamId) -> i64 {
        let added = self.entries_added() as i64;
        if added == 0 {
            return 0;
        }
        if self.is_empty() && id <= self.last_id() {
            return added;
        }
        if id == self.last_id() {
            return added;
        }
        if id > self.last_id() {
            return INVALID_ENTRIES_READ;
        }
        let max_deleted = self.max_deleted_id();
        if max_deleted.is_zero() || max_deleted < self.first_id() {
            if id < self.first_id() {
                return added - self.len() as i64;
            }
            if id == self.first_id() {
                return added - self.len() as i64 + 1;
            }
        }
        INVALID_ENTRIES_READ
    }

    /// A group's lag (`streamReplyWithCGLag`); `None` when it cannot be known.
    pub(crate) fn lag(&self, group: &Group) -> Option<i64> {
        let added = self.entries_added() as i64;
        if added == 0 {
            return Some(0);
        }
        if group.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(group.last_id) {
            return Some(added - group.entries_read);
        }
        let read = self.estimate_entries_read(group.last_id);
        (read != INVALID_ENTRIES_READ).then_some(added - read)
    }

    /// What delivering `id` to a group does to its position and read counter (in
    /// `streamReplyWithRange`).
    pub(crate) fn advance_group(&self, group: &mut Group, id: StreamId) {
        if id <= group.last_id {
            return;
        }
        if group.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(id) {
            group.entries_read += 1;
        } else if self.entries_added() != 0 {
            group.entries_read = self.estimate_entries_read(id);
        }
        group.last_id = id;
    }

    /// The sizes that memory accounting needs: groups, consumers, pending entries and
    /// the bytes of consumer names.
    pub(crate) fn group_totals(&self) -> (usize, usize, usize, usize) {
        let mut consumers = 0;
        let mut pending = 0;
        let mut names = 0;
        for group in self.groups.values() {
            pending += group.pel.len();
            consumers += group.consumers.len();
            for (name, c) in &group.consumers {
                names += name.len();
                pending += c.pel.len();
            }
        }
        (self.groups.len(), consumers, pending, names)
    }
}
