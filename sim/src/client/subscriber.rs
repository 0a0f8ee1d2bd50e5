//! A pub/sub subscriber: its one operation is `SUBSCRIBE <channels>` (and/or
//! `PSUBSCRIBE <patterns>`, as one pipeline); from then on it is in subscriber mode and
//! sends nothing more, while the world hands it every message published to what it
//! listens to ([`crate::world::World::received`]), in the order the server sent them —
//! a message reaches it at the step of the command that published it, as Redis writes
//! it to the subscriber's connection at once.

use super::{Argv, Outbox, Outcome, Program, Progress};
use crate::history::Operation;
use redsim::Reply;

/// A client that subscribes, then listens.
pub struct Subscriber {
    channels: Vec<Vec<u8>>,
    patterns: Vec<Vec<u8>>,
    sent: bool,
}

impl Subscriber {
    /// A subscriber to `channels` and `patterns` (at least one of them not empty).
    pub fn new(channels: Vec<Vec<u8>>, patterns: Vec<Vec<u8>>) -> Subscriber {
        Subscriber {
            channels,
            patterns,
            sent: false,
        }
    }

    fn commands(&self) -> Vec<Argv> {
        let with = |name: &str, args: &[Vec<u8>]| {
            let mut argv = vec![name.as_bytes().to_vec()];
            argv.extend(args.iter().cloned());
            argv
        };
        let mut out = Vec::new();
        if !self.channels.is_empty() {
            out.push(with("SUBSCRIBE", &self.channels));
        }
        if !self.patterns.is_empty() {
            out.push(with("PSUBSCRIBE", &self.patterns));
        }
        out
    }
}

impl Program for Subscriber {
    fn reset(&mut self) {
        self.sent = false;
    }

    fn begin(&mut self, op: u32) -> Option<Operation> {
        let commands = self.commands();
        if op > 0 || commands.is_empty() {
            return None;
        }
        self.sent = false;
        Some(Operation::Command(commands[0].clone()))
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress {
        if !self.sent {
            self.sent = true;
            out.extend(self.commands());
            return Progress::Sent;
        }
        // The confirmations, all frames of all the commands, as one result.
        let frames = replies
            .drain(..)
            .flat_map(|r| match r {
                Reply::Frames(frames) => frames,
                other => vec![other],
            })
            .collect();
        Progress::Done(Outcome::ok(Reply::Frames(frames)))
    }
}

/// The payloads of the `message`, `smessage` and `pmessage` frames of `received` that
/// were published on `channel`, in the order they arrived.
pub fn messages_on<'a>(received: &'a [Reply], channel: &'a [u8]) -> Vec<&'a [u8]> {
    received
        .iter()
        .filter_map(|frame| {
            let Reply::Push(items) = frame else {
                return None;
            };
            let bulk = |i: usize| match items.get(i) {
                Some(Reply::Bulk(b)) => Some(b.as_slice()),
                _ => None,
            };
            match bulk(0)? {
                b"message" | b"smessage" if bulk(1)? == channel => bulk(2),
                b"pmessage" if bulk(2)? == channel => bulk(3),
                _ => None,
            }
        })
        .collect()
}
