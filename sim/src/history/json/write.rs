//! Writing `redsim-history/1` (the format and its reply mapping: `super`'s documentation).

use super::FORMAT;
use crate::history::{History, Op, Operation, ScriptMode, Status};
use base64::Engine as _;
use redsim::Reply;
use serde_json::{Map, Number, Value};

/// `redsim-history/1` text, one op per line.
pub(super) fn history(history: &History) -> String {
    let mut out = format!("{{\"format\":\"{FORMAT}\",\"ops\":[");
    for (i, op) in history.ops.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&op_to_value(op).to_string());
    }
    out.push_str("\n]}\n");
    out
}

/// One op as a JSON object (fields in the documented order).
pub(crate) fn op_to_value(op: &Op) -> Value {
    let mut map = Map::new();
    map.insert("client".into(), Value::from(op.client));
    map.insert("call".into(), Value::from(op.call));
    if let Some(r) = op.ret {
        map.insert("return".into(), Value::from(r));
    }
    let status = match op.status {
        Status::Ok => "ok",
        Status::Fail => "fail",
        Status::Unknown => "unknown",
    };
    map.insert("status".into(), Value::from(status));
    map.insert("op".into(), operation_to_value(&op.op));
    if let Some(result) = &op.result {
        map.insert("result".into(), reply_to_value(result));
    }
    // Written only when a world has several servers: one-server files stay as they were.
    if op.node != 0 {
        map.insert("node".into(), Value::from(op.node));
    }
    Value::Object(map)
}

/// An operation as JSON: argv array, script object or multi block.
pub(crate) fn operation_to_value(op: &Operation) -> Value {
    match op {
        Operation::Command(argv) => strings(argv),
        Operation::Script {
            source,
            keys,
            args,
            mode,
        } => {
            let mut map = Map::new();
            map.insert("script".into(), Value::from(source.as_str()));
            map.insert("keys".into(), strings(keys));
            map.insert("args".into(), strings(args));
            let mode = match mode {
                ScriptMode::Raw => "raw",
                ScriptMode::Eval => "eval",
            };
            map.insert("mode".into(), Value::from(mode));
            Value::Object(map)
        }
        Operation::Multi(cmds) => {
            let mut map = Map::new();
            map.insert(
                "multi".into(),
                Value::Array(cmds.iter().map(|c| strings(c)).collect()),
            );
            Value::Object(map)
        }
    }
}

fn strings(items: &[Vec<u8>]) -> Value {
    Value::Array(items.iter().map(|b| bytes_to_value(b)).collect())
}

/// A string when `bytes` is UTF-8, `{"b64": "…"}` otherwise.
pub(crate) fn bytes_to_value(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(s) => Value::from(s),
        Err(_) => tagged(
            "b64",
            Value::from(base64::engine::general_purpose::STANDARD.encode(bytes)),
        ),
    }
}

fn tagged(tag: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(tag.into(), value);
    Value::Object(map)
}

/// A reply as JSON (the mapping: `super`'s documentation).
pub(super) fn reply_to_value(reply: &Reply) -> Value {
    match reply {
        Reply::Simple(s) => tagged("ok", bytes_to_value(s)),
        Reply::Error(s) => tagged("err", bytes_to_value(s)),
        Reply::Integer(n) => Value::from(*n),
        Reply::Bulk(b) => bytes_to_value(b),
        Reply::Null | Reply::NullArray => Value::Null,
        Reply::Array(items) => Value::Array(items.iter().map(reply_to_value).collect()),
        Reply::Bool(b) => Value::Bool(*b),
        Reply::Double(d) => tagged("double", double_to_value(*d)),
        Reply::HumanDouble(d) => tagged("human_double", double_to_value(*d)),
        Reply::BigNumber(n) => tagged("big", bytes_to_value(n)),
        Reply::Verbatim { format, text } => {
            let mut map = Map::new();
            map.insert(
                "verbatim".into(),
                Value::from(String::from_utf8_lossy(format).into_owned()),
            );
            map.insert("text".into(), bytes_to_value(text));
            Value::Object(map)
        }
        Reply::Map(pairs) => tagged("map", pairs_to_value(pairs)),
        Reply::Set(items) => tagged(
            "set",
            Value::Array(items.iter().map(reply_to_value).collect()),
        ),
        Reply::Push(items) => tagged(
            "push",
            Value::Array(items.iter().map(reply_to_value).collect()),
        ),
        Reply::Attribute(pairs) => tagged("attribute", pairs_to_value(pairs)),
        Reply::Frames(frames) => tagged(
            "frames",
            Value::Array(frames.iter().map(reply_to_value).collect()),
        ),
        Reply::Preceded { frame, reply } => {
            let mut map = Map::new();
            map.insert("frame".into(), reply_to_value(frame));
            map.insert("reply".into(), reply_to_value(reply));
            Value::Object(map)
        }
    }
}

/// A map's or attribute's pairs as `[[key, value], ...]`.
fn pairs_to_value(pairs: &[(Reply, Reply)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| Value::Array(vec![reply_to_value(k), reply_to_value(v)]))
            .collect(),
    )
}

/// A double as JSON: a number, or `"inf"`, `"-inf"`, `"nan"`.
fn double_to_value(d: f64) -> Value {
    match Number::from_f64(d) {
        Some(n) => Value::Number(n),
        None if d.is_nan() => Value::from("nan"),
        None if d > 0.0 => Value::from("inf"),
        None => Value::from("-inf"),
    }
}
