//! Keyspace notifications, as Redis 7.0's `notify.c`: a command that changes a key calls
//! [`Store::notify`] (or [`crate::cmd::Ctx::notify`]) with the event's class and name;
//! when `notify-keyspace-events` selects that class, the event is published on
//! `__keyspace@<db>__:<key>` (message: the event name) and/or
//! `__keyevent@<db>__:<event>` (message: the key), as ordinary pub/sub messages.

use super::pubsub::Kind;
use super::Store;

/// `g`: generic commands (DEL, EXPIRE, RENAME…).
pub(crate) const GENERIC: u32 = 1 << 2;
/// `$`: string commands.
pub(crate) const STRING: u32 = 1 << 3;
/// `l`: list commands.
pub(crate) const LIST: u32 = 1 << 4;
/// `s`: set commands.
pub(crate) const SET: u32 = 1 << 5;
/// `h`: hash commands.
pub(crate) const HASH: u32 = 1 << 6;
/// `z`: sorted set commands.
pub(crate) const ZSET: u32 = 1 << 7;
/// `x`: a key expired.
pub(crate) const EXPIRED: u32 = 1 << 8;
/// `e`: a key was evicted (maxmemory).
pub(crate) const EVICTED: u32 = 1 << 9;
/// `t`: stream commands.
pub(crate) const STREAM: u32 = 1 << 10;
/// `m`: a key looked up was missing.
pub(crate) const KEY_MISS: u32 = 1 << 11;
/// `d`: module key types.
pub(crate) const MODULE: u32 = 1 << 12;
/// `n`: a new key was created.
pub(crate) const NEW: u32 = 1 << 13;
/// `K`: publish on `__keyspace@<db>__:<key>`.
pub(crate) const KEYSPACE: u32 = 1 << 0;
/// `E`: publish on `__keyevent@<db>__:<event>`.
pub(crate) const KEYEVENT: u32 = 1 << 1;
/// `A`: every class but `m` and `n` (Redis's NOTIFY_ALL).
pub(crate) const ALL: u32 =
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// Redis's `keyspaceEventsStringToFlags`; `None` for a character that is no class.
pub(crate) fn parse_flags(classes: &str) -> Option<u32> {
    let mut flags = 0;
    for c in classes.chars() {
        flags |= match c {
            'A' => ALL,
            'g' => GENERIC,
            '$' => STRING,
            'l' => LIST,
            's' => SET,
            'h' => HASH,
            'z' => ZSET,
            'x' => EXPIRED,
            'e' => EVICTED,
            'K' => KEYSPACE,
            'E' => KEYEVENT,
            't' => STREAM,
            'm' => KEY_MISS,
            'd' => MODULE,
            'n' => NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Redis's `keyspaceEventsFlagsToString`: how CONFIG GET prints the setting.
pub(crate) fn flags_text(flags: u32) -> String {
    let mut out = String::new();
    if flags & ALL == ALL {
        out.push('A');
    } else {
        for (bit, c) in [
            (GENERIC, 'g'),
            (STRING, '$'),
            (LIST, 'l'),
            (SET, 's'),
            (HASH, 'h'),
            (ZSET, 'z'),
            (EXPIRED, 'x'),
            (EVICTED, 'e'),
            (STREAM, 't'),
            (MODULE, 'd'),
            (NEW, 'n'),
        ] {
            if flags & bit != 0 {
                out.push(c);
            }
        }
    }
    for (bit, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
        if flags & bit != 0 {
            out.push(c);
        }
    }
    out
}

impl Store {
    /// Redis's `notifyKeyspaceEvent(class, event, key, db)`: publishes the event if
    /// `notify-keyspace-events` selects its class (and at least one of `K` / `E`).
    /// Keys created in `db` since the last event are announced first (`new`), as Redis
    /// announces them when it adds them.
    pub(crate) fn notify(&mut self, class: u32, event: &str, key: &[u8], db: usize) {
        self.notify_new_keys(db);
        self.publish_event(class, event, key, db);
    }

    /// Announces the keys created in `db` since the last call (class `n`).
    pub(crate) fn notify_new_keys(&mut self, db: usize) {
        if self.dbs[db].new_log.is_empty() {
            return;
        }
        for key in std::mem::take(&mut self.dbs[db].new_log) {
            self.publish_event(NEW, "new", &key, db);
        }
    }

    /// Sets whether the databases log the keys they create, from `notify-keyspace-events`
    /// (called as each command starts).
    pub(crate) fn log_new_keys(&mut self) -> bool {
        let on = self.config.notify_keyspace_events & NEW != 0;
        if on || self.dbs[0].log_new {
            for db in &mut self.dbs {
                db.log_new = on;
            }
        }
        on
    }

    fn publish_event(&mut self, class: u32, event: &str, key: &[u8], db: usize) {
        let flags = self.config.notify_keyspace_events;
        if flags & class == 0 {
            return;
        }
        if flags & KEYSPACE != 0 {
            let mut channel = format!("__keyspace@{db}__:").into_bytes();
            channel.extend_from_slice(key);
            self.publish(Kind::Plain, &channel, event.as_bytes());
        }
        if flags & KEYEVENT != 0 {
            let channel = format!("__keyevent@{db}__:{event}").into_bytes();
            self.publish(Kind::Plain, &channel, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_print_as_redis_canonical_order() {
        assert_eq!(flags_text(parse_flags("KEA").unwrap()), "AKE");
        assert_eq!(flags_text(parse_flags("Elg$").unwrap()), "g$lE");
        // `A` hides `n` (Redis prints only the letters NOTIFY_ALL leaves out: K, E, m).
        assert_eq!(flags_text(parse_flags("mnA").unwrap()), "Am");
        assert_eq!(flags_text(0), "");
        assert!(parse_flags("Kq").is_none());
    }
}
