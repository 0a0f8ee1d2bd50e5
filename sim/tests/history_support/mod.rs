//! Shared by the checker's claim tests: tiny histories written by hand.
#![allow(dead_code)]

use redsim::Reply;
use redsim_sim::history::{Op, Operation, Status};

/// One command as an operation.
pub fn argv(words: &[&str]) -> Operation {
    Operation::Command(words.iter().map(|w| w.as_bytes().to_vec()).collect())
}

/// An operation that returned `result` at `ret`.
pub fn ok(client: u64, call: u64, ret: u64, op: Operation, result: Reply) -> Op {
    Op {
        client,
        call,
        ret: Some(ret),
        status: Status::Ok,
        op,
        result: Some(result),
        node: 0,
    }
}

/// An operation whose outcome is unknown (no return).
pub fn unknown(client: u64, call: u64, op: Operation) -> Op {
    Op {
        client,
        call,
        ret: None,
        status: Status::Unknown,
        op,
        result: None,
        node: 0,
    }
}

pub fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}
