//! Pub/sub bookkeeping, as Redis 7.0's `pubsub.c` keeps it: which clients listen to which
//! channels, patterns and shard channels, and the messages PUBLISH (and keyspace
//! notifications) hand to them.
//!
//! Redis keeps the server side in dicts (iterated in hash order, seeded at random per
//! process) and each client's patterns in a list. redsim keeps sorted maps where Redis
//! iterates a dict — PUBSUB CHANNELS, the patterns a message is matched against, a
//! client's channels on UNSUBSCRIBE with no argument — so runs are reproducible; a
//! channel's subscribers and a client's patterns keep Redis's order (first subscribed
//! first).
//!
//! A message is not written anywhere here: it becomes a push frame in
//! [`Store::deliveries`](super::Store::deliveries), which the command dispatch hands
//! back to the publishing client itself (in its reply stream, where Redis writes it) and
//! the server (or the simulator) to the other connections.

use super::Store;
use crate::resp::Reply;
use crate::session::ClientId;
use std::collections::{BTreeMap, BTreeSet};

/// Plain channels or shard channels (Redis's `pubSubType` / `pubSubShardType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Plain,
    Shard,
}

impl Kind {
    /// The first element of a message frame (`message` / `smessage`).
    fn message_word(self) -> &'static str {
        match self {
            Kind::Plain => "message",
            Kind::Shard => "smessage",
        }
    }
}

/// What one client listens to.
#[derive(Clone, Debug, Default)]
struct Subscriptions {
    channels: BTreeSet<Vec<u8>>,
    /// In the order subscribed (Redis's list).
    patterns: Vec<Vec<u8>>,
    shard_channels: BTreeSet<Vec<u8>>,
}

impl Subscriptions {
    fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.patterns.is_empty() && self.shard_channels.is_empty()
    }
}

/// The server's pub/sub state.
#[derive(Clone, Debug, Default)]
pub struct PubSub {
    /// channel → its subscribers, first subscribed first.
    channels: BTreeMap<Vec<u8>, Vec<ClientId>>,
    /// pattern → its subscribers.
    patterns: BTreeMap<Vec<u8>, Vec<ClientId>>,
    /// shard channel → its subscribers.
    shard_channels: BTreeMap<Vec<u8>, Vec<ClientId>>,
    clients: BTreeMap<ClientId, Subscriptions>,
}

impl PubSub {
    fn registry(&mut self, kind: Kind) -> &mut BTreeMap<Vec<u8>, Vec<ClientId>> {
        match kind {
            Kind::Plain => &mut self.channels,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    fn registry_of(&self, kind: Kind) -> &BTreeMap<Vec<u8>, Vec<ClientId>> {
        match kind {
            Kind::Plain => &self.channels,
            Kind::Shard => &self.shard_channels,
        }
    }

    /// (channels, patterns, shard channels) `client` is subscribed to (CLIENT LIST's
    /// `sub`, `psub`, `ssub`).
    pub(crate) fn counts(&self, client: ClientId) -> (usize, usize, usize) {
        self.clients.get(&client).map_or((0, 0, 0), |s| {
            (s.channels.len(), s.patterns.len(), s.shard_channels.len())
        })
    }

    /// Redis's `clientSubscriptionsCount`: channels and patterns (the count in the
    /// replies of SUBSCRIBE, PSUBSCRIBE and their opposites).
    pub(crate) fn subscription_count(&self, client: ClientId) -> usize {
        let (channels, patterns, _) = self.counts(client);
        channels + patterns
    }

    /// The count in SSUBSCRIBE / SUNSUBSCRIBE replies.
    pub(crate) fn shard_count(&self, client: ClientId) -> usize {
        self.counts(client).2
    }

    /// Whether `client` is in pub/sub mode (Redis's CLIENT_PUBSUB flag, `P` in CLIENT
    /// LIST): subscribed to anything.
    pub fn is_subscriber(&self, client: ClientId) -> bool {
        self.clients.contains_key(&client)
    }

    /// Subscribes `client` to a channel; false when it already was.
    pub(crate) fn subscribe(&mut self, client: ClientId, kind: Kind, channel: &[u8]) -> bool {
        let subs = self.clients.entry(client).or_default();
        let mine = match kind {
            Kind::Plain => &mut subs.channels,
            Kind::Shard => &mut subs.shard_channels,
        };
        if !mine.insert(channel.to_vec()) {
            return false;
        }
        self.registry(kind)
            .entry(channel.to_vec())
            .or_default()
            .push(client);
        true
    }

    /// Unsubscribes `client` from a channel; false when it was not subscribed.
    pub(crate) fn unsubscribe(&mut self, client: ClientId, kind: Kind, channel: &[u8]) -> bool {
        let Some(subs) = self.clients.get_mut(&client) else {
            return false;
        };
        let mine = match kind {
            Kind::Plain => &mut subs.channels,
            Kind::Shard => &mut subs.shard_channels,
        };
        if !mine.remove(channel) {
            return false;
        }
        if subs.is_empty() {
            self.clients.remove(&client);
        }
        let registry = self.registry(kind);
        if let Some(listeners) = registry.get_mut(channel) {
            listeners.retain(|c| *c != client);
            if listeners.is_empty() {
                registry.remove(channel);
            }
        }
        true
    }

    /// Subscribes `client` to a pattern; false when it already was.
    pub(crate) fn psubscribe(&mut self, client: ClientId, pattern: &[u8]) -> bool {
        let subs = self.clients.entry(client).or_default();
        if subs.patterns.iter().any(|p| p == pattern) {
            return false;
        }
        subs.patterns.push(pattern.to_vec());
        self.patterns
            .entry(pattern.to_vec())
            .or_default()
            .push(client);
        true
    }

    /// Unsubscribes `client` from a pattern; false when it was not subscribed.
    pub(crate) fn punsubscribe(&mut self, client: ClientId, pattern: &[u8]) -> bool {
        let Some(subs) = self.clients.get_mut(&client) else {
            return false;
        };
        let Some(at) = subs.patterns.iter().position(|p| p == pattern) else {
            return false;
        };
        subs.patterns.remove(at);
        if subs.is_empty() {
            self.clients.remove(&client);
        }
        if let Some(listeners) = self.patterns.get_mut(pattern) {
            listeners.retain(|c| *c != client);
            if listeners.is_empty() {
                self.patterns.remove(pattern);
            }
        }
        true
    }

    /// The channels (or shard channels) `client` is subscribed to.
    pub(crate) fn channels_of(&self, client: ClientId, kind: Kind) -> Vec<Vec<u8>> {
        self.clients.get(&client).map_or_else(Vec::new, |s| {
            let mine = match kind {
                Kind::Plain => &s.channels,
                Kind::Shard => &s.shard_channels,
            };
            mine.iter().cloned().collect()
        })
    }

    /// The patterns `client` is subscribed to, first subscribed first.
    pub(crate) fn patterns_of(&self, client: ClientId) -> Vec<Vec<u8>> {
        self.clients
            .get(&client)
            .map_or_else(Vec::new, |s| s.patterns.clone())
    }

    /// Forgets every subscription of `client` (RESET, disconnection), sending nothing.
    pub(crate) fn forget(&mut self, client: ClientId) {
        for channel in self.channels_of(client, Kind::Plain) {
            self.unsubscribe(client, Kind::Plain, &channel);
        }
        for channel in self.channels_of(client, Kind::Shard) {
            self.unsubscribe(client, Kind::Shard, &channel);
        }
        for pattern in self.patterns_of(client) {
            self.punsubscribe(client, &pattern);
        }
    }

    /// The active channels (with at least one subscriber) matching `pattern` (all when
    /// `None`), for PUBSUB CHANNELS / SHARDCHANNELS.
    pub(crate) fn active(&self, kind: Kind, pattern: Option<&[u8]>) -> Vec<Vec<u8>> {
        self.registry_of(kind)
            .keys()
            .filter(|c| pattern.is_none_or(|p| crate::cmd::glob::matches(p, c, false)))
            .cloned()
            .collect()
    }

    /// How many clients are subscribed to `channel` (PUBSUB NUMSUB / SHARDNUMSUB).
    pub(crate) fn listeners(&self, kind: Kind, channel: &[u8]) -> usize {
        self.registry_of(kind).get(channel).map_or(0, Vec::len)
    }

    /// (channels, patterns, shard channels) with at least one subscriber (PUBSUB NUMPAT,
    /// INFO's `pubsub_channels`…).
    pub fn totals(&self) -> (usize, usize, usize) {
        (
            self.channels.len(),
            self.patterns.len(),
            self.shard_channels.len(),
        )
    }

    /// The message frames for publishing `message` on `channel`, each with its receiver:
    /// the channel's subscribers first, then (not for shard channels) those of each
    /// matching pattern (Redis's `pubsubPublishMessageInternal`).
    fn frames(&self, kind: Kind, channel: &[u8], message: &[u8]) -> Vec<(ClientId, Reply)> {
        let mut out = Vec::new();
        if let Some(listeners) = self.registry_of(kind).get(channel) {
            for client in listeners {
                let frame = Reply::Push(vec![
                    Reply::bulk(kind.message_word()),
                    Reply::bulk(channel),
                    Reply::bulk(message),
                ]);
                out.push((*client, frame));
            }
        }
        if kind == Kind::Shard {
            return out;
        }
        for (pattern, listeners) in &self.patterns {
            if !crate::cmd::glob::matches(pattern, channel, false) {
                continue;
            }
            for client in listeners {
                let frame = Reply::Push(vec![
                    Reply::bulk("pmessage"),
                    Reply::bulk(pattern.as_slice()),
                    Reply::bulk(channel),
                    Reply::bulk(message),
                ]);
                out.push((*client, frame));
            }
        }
        out
    }
}

impl Store {
    /// Publishes `message` on `channel` (Redis's `pubsubPublishMessage`): each receiver's
    /// frame goes to [`Store::deliveries`]. Returns how many receivers there were.
    pub(crate) fn publish(&mut self, kind: Kind, channel: &[u8], message: &[u8]) -> usize {
        if self.pubsub.clients.is_empty() {
            return 0;
        }
        let frames = self.pubsub.frames(kind, channel, message);
        let receivers = frames.len();
        if let (Some(access), true) = (self.access.as_mut(), receivers > 0) {
            // The order of two messages is what a subscriber sees: a step that delivered
            // one does not commute with any other (keyspace events come from keyed
            // writes that would otherwise look independent).
            access.global = true;
        }
        self.deliveries.extend(frames);
        receivers
    }

    /// Takes the frames addressed to `client` out of the deliveries, in order.
    pub(crate) fn take_deliveries_to(&mut self, client: ClientId) -> Vec<Reply> {
        if !self.deliveries.iter().any(|(c, _)| *c == client) {
            return Vec::new();
        }
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.deliveries)
            .into_iter()
            .partition(|(c, _)| *c == client);
        self.deliveries = others;
        mine.into_iter().map(|(_, frame)| frame).collect()
    }
}
