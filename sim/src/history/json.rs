//! The `redsim-history/1` JSON format: reader and writer (documented in
//! `docs/history-format.md`).
//!
//! ```json
//! { "format": "redsim-history/1",
//!   "ops": [
//!     { "client": 3, "call": 17, "return": 21, "status": "ok",
//!       "op": ["SET", "x", "1"], "result": {"ok": "OK"} } ] }
//! ```
//!
//! Reading is strict: every field is checked, an unknown field is an error that names its
//! path (`ops[3].result.map[0]: unknown field "x"`), and text that is not JSON gets the line
//! and column. Replies map to JSON as: integer → number; bulk → string (non-UTF-8 →
//! `{"b64": "…"}`); null → `null`; array → array; simple string → `{"ok": "…"}`; error →
//! `{"err": "…"}`; double → `{"double": n}` (GEOPOS's `{"human_double": n}`); boolean → `true`/`false`; map →
//! `{"map": [[k, v], …]}`; set → `{"set": […]}`; big number → `{"big": "…"}`; verbatim →
//! `{"verbatim": "txt", "text": "…"}`; push (not in command replies) → `{"push": […]}`.
//! JSON has no null array, so RESP2's `*-1` reads back as `null` like `$-1`; the checker
//! treats the two as the same observation.

use super::{History, Op, Operation, ScriptMode, Status};
use base64::Engine as _;
use redsim::Reply;
use serde_json::{Map, Value};
use std::fmt;

mod write;

pub(crate) use write::op_to_value;

/// Writes `history` as `redsim-history/1` text, one op per line.
pub fn to_string(history: &History) -> String {
    write::history(history)
}

/// A reply as JSON, by the mapping in the module documentation.
pub fn reply_to_value(reply: &Reply) -> Value {
    write::reply_to_value(reply)
}

/// The value of the `format` field.
pub(crate) const FORMAT: &str = "redsim-history/1";

/// Why a history could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The text is not JSON.
    Syntax {
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The JSON is not a valid history; `path` names the offending value (`ops[2].call`).
    Invalid {
        /// Where, as a path into the JSON.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Syntax {
                line,
                column,
                message,
            } => {
                write!(f, "invalid JSON at line {line}, column {column}: {message}")
            }
            ReadError::Invalid { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for ReadError {}

fn invalid(path: &str, message: impl Into<String>) -> ReadError {
    ReadError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

/// Reads a history from `redsim-history/1` text.
pub fn from_str(text: &str) -> Result<History, ReadError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ReadError::Syntax {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    from_value(&value)
}

/// serde_json appends " at line L column C" to its messages; we report those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// Reads a history from parsed JSON.
pub(crate) fn from_value(value: &Value) -> Result<History, ReadError> {
    let root = object(value, "$")?;
    only_fields(root, "$", &["format", "ops"])?;
    match root.get("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(Value::String(f)) => {
            return Err(invalid(
                "$.format",
                format!("unsupported format \"{f}\" (expected \"{FORMAT}\")"),
            ))
        }
        Some(_) => return Err(invalid("$.format", "expected a string")),
        None => return Err(invalid("$", "missing field \"format\"")),
    }
    let Some(ops) = root.get("ops") else {
        return Err(invalid("$", "missing field \"ops\""));
    };
    let Value::Array(ops) = ops else {
        return Err(invalid("$.ops", "expected an array"));
    };
    let mut history = History::default();
    for (i, op) in ops.iter().enumerate() {
        history.ops.push(read_op(op, &format!("ops[{i}]"))?);
    }
    Ok(history)
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ReadError> {
    match value {
        Value::Object(m) => Ok(m),
        _ => Err(invalid(path, "expected an object")),
    }
}

fn only_fields(map: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<(), ReadError> {
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(path, format!("unknown field \"{key}\"")));
        }
    }
    Ok(())
}

fn unsigned(value: &Value, path: &str) -> Result<u64, ReadError> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| invalid(path, "expected a non-negative integer")),
        _ => Err(invalid(path, "expected a non-negative integer")),
    }
}

fn read_op(value: &Value, path: &str) -> Result<Op, ReadError> {
    let map = object(value, path)?;
    only_fields(
        map,
        path,
        &["client", "call", "return", "status", "op", "result", "node"],
    )?;
    let field = |name: &str| {
        map.get(name)
            .ok_or_else(|| invalid(path, format!("missing field \"{name}\"")))
    };
    let client = unsigned(field("client")?, &format!("{path}.client"))?;
    let call = unsigned(field("call")?, &format!("{path}.call"))?;
    let ret = match map.get("return") {
        None => None,
        Some(v) => Some(unsigned(v, &format!("{path}.return"))?),
    };
    let status = match field("status")? {
        Value::String(s) if s == "ok" => Status::Ok,
        Value::String(s) if s == "fail" => Status::Fail,
        Value::String(s) if s == "unknown" => Status::Unknown,
        _ => {
            return Err(invalid(
                &format!("{path}.status"),
                "expected \"ok\", \"fail\" or \"unknown\"",
            ))
        }
    };
    if let Some(r) = ret {
        if r < call {
            return Err(invalid(
                &format!("{path}.return"),
                format!("return {r} is before call {call}"),
            ));
        }
    } else if status == Status::Ok {
        return Err(invalid(path, "an \"ok\" operation needs a \"return\" time"));
    }
    let op = read_operation(field("op")?, &format!("{path}.op"))?;
    let result = match map.get("result") {
        None => None,
        Some(v) => Some(read_reply(v, &format!("{path}.result"))?),
    };
    // Files written before worlds had several servers have no node: theirs was 0.
    let node = match map.get("node") {
        None => 0,
        Some(v) => u32::try_from(unsigned(v, &format!("{path}.node"))?)
            .map_err(|_| invalid(&format!("{path}.node"), "node number too large"))?,
    };
    Ok(Op {
        client,
        call,
        ret,
        status,
        op,
        result,
        node,
    })
}

fn read_operation(value: &Value, path: &str) -> Result<Operation, ReadError> {
    match value {
        Value::Array(_) => Ok(Operation::Command(read_argv(value, path)?)),
        Value::Object(map) if map.contains_key("multi") => {
            only_fields(map, path, &["multi"])?;
            let Value::Array(cmds) = &map["multi"] else {
                return Err(invalid(
                    &format!("{path}.multi"),
                    "expected an array of commands",
                ));
            };
            let mut block = Vec::with_capacity(cmds.len());
            for (i, c) in cmds.iter().enumerate() {
                block.push(read_argv(c, &format!("{path}.multi[{i}]"))?);
            }
            Ok(Operation::Multi(block))
        }
        Value::Object(map) if map.contains_key("script") => {
            only_fields(map, path, &["script", "keys", "args", "mode"])?;
            let Value::String(source) = &map["script"] else {
                return Err(invalid(&format!("{path}.script"), "expected a string"));
            };
            let list = |name: &str| match map.get(name) {
                None => Ok(Vec::new()),
                Some(v) => read_strings(v, &format!("{path}.{name}")),
            };
            let keys = list("keys")?;
            let args = list("args")?;
            let mode = match map.get("mode") {
                None => ScriptMode::Eval,
                Some(Value::String(m)) if m == "eval" => ScriptMode::Eval,
                Some(Value::String(m)) if m == "raw" => ScriptMode::Raw,
                Some(_) => {
                    return Err(invalid(
                        &format!("{path}.mode"),
                        "expected \"raw\" or \"eval\"",
                    ))
                }
            };
            Ok(Operation::Script {
                source: source.clone(),
                keys,
                args,
                mode,
            })
        }
        Value::Object(map) => match map.keys().next() {
            Some(k) => Err(invalid(
                path,
                format!("unknown field \"{k}\" (expected \"script\" or \"multi\")"),
            )),
            None => Err(invalid(
                path,
                "expected a command array, a script or a multi block",
            )),
        },
        _ => Err(invalid(
            path,
            "expected a command array, a script or a multi block",
        )),
    }
}

fn read_argv(value: &Value, path: &str) -> Result<Vec<Vec<u8>>, ReadError> {
    let argv = read_strings(value, path)?;
    if argv.is_empty() {
        return Err(invalid(path, "a command needs at least its name"));
    }
    Ok(argv)
}

fn read_strings(value: &Value, path: &str) -> Result<Vec<Vec<u8>>, ReadError> {
    let Value::Array(items) = value else {
        return Err(invalid(path, "expected an array of strings"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| read_bytes(v, &format!("{path}[{i}]")))
        .collect()
}

/// A string, or `{"b64": "…"}` for bytes that are not UTF-8.
fn read_bytes(value: &Value, path: &str) -> Result<Vec<u8>, ReadError> {
    match value {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        Value::Object(map) if map.contains_key("b64") => {
            only_fields(map, path, &["b64"])?;
            let Value::String(text) = &map["b64"] else {
                return Err(invalid(&format!("{path}.b64"), "expected a base64 string"));
            };
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| invalid(&format!("{path}.b64"), format!("invalid base64: {e}")))
        }
        _ => Err(invalid(path, "expected a string or {\"b64\": \"…\"}")),
    }
}

/// Reads one reply (the `result` of an op, or an element inside one).
pub fn read_reply(value: &Value, path: &str) -> Result<Reply, ReadError> {
    match value {
        Value::Null => Ok(Reply::Null),
        Value::Bool(b) => Ok(Reply::Bool(*b)),
        Value::Number(n) => n.as_i64().map(Reply::Integer).ok_or_else(|| {
            invalid(
                path,
                "an integer reply must be a 64-bit integer (use {\"double\": n})",
            )
        }),
        Value::String(s) => Ok(Reply::Bulk(s.as_bytes().to_vec())),
        Value::Array(items) => Ok(Reply::Array(read_replies(items, path)?)),
        Value::Object(map) => read_tagged(map, path),
    }
}

fn read_replies(items: &[Value], path: &str) -> Result<Vec<Reply>, ReadError> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| read_reply(v, &format!("{path}[{i}]")))
        .collect()
}

/// A double written by `write::double_to_value`.
fn read_double(value: &Value, path: &str) -> Result<f64, ReadError> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| invalid(path, "expected a number")),
        Value::String(s) if s == "inf" => Ok(f64::INFINITY),
        Value::String(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
        Value::String(s) if s == "nan" => Ok(f64::NAN),
        _ => Err(invalid(
            path,
            "expected a number, \"inf\", \"-inf\" or \"nan\"",
        )),
    }
}

fn read_tagged(map: &Map<String, Value>, path: &str) -> Result<Reply, ReadError> {
    let Some(tag) = map.keys().next() else {
        return Err(invalid(path, "an empty object is not a reply"));
    };
    let sub = format!("{path}.{tag}");
    match tag.as_str() {
        "b64" => Ok(Reply::Bulk(read_bytes(&Value::Object(map.clone()), path)?)),
        "ok" => {
            only_fields(map, path, &["ok"])?;
            Ok(Reply::Simple(read_bytes(&map["ok"], &sub)?))
        }
        "err" => {
            only_fields(map, path, &["err"])?;
            Ok(Reply::Error(read_bytes(&map["err"], &sub)?))
        }
        "big" => {
            only_fields(map, path, &["big"])?;
            Ok(Reply::BigNumber(read_bytes(&map["big"], &sub)?))
        }
        "double" => {
            only_fields(map, path, &["double"])?;
            read_double(&map["double"], &sub).map(Reply::Double)
        }
        "human_double" => {
            only_fields(map, path, &["human_double"])?;
            read_double(&map["human_double"], &sub).map(Reply::HumanDouble)
        }
        "map" | "attribute" => {
            only_fields(map, path, &[tag.as_str()])?;
            let Value::Array(pairs) = &map[tag.as_str()] else {
                return Err(invalid(&sub, "expected an array of [key, value] pairs"));
            };
            let mut out = Vec::with_capacity(pairs.len());
            for (i, pair) in pairs.iter().enumerate() {
                let here = format!("{sub}[{i}]");
                match pair {
                    Value::Array(kv) if kv.len() == 2 => out.push((
                        read_reply(&kv[0], &format!("{here}[0]"))?,
                        read_reply(&kv[1], &format!("{here}[1]"))?,
                    )),
                    _ => return Err(invalid(&here, "expected a [key, value] pair")),
                }
            }
            Ok(if tag == "map" {
                Reply::Map(out)
            } else {
                Reply::Attribute(out)
            })
        }
        "frame" | "reply" => {
            only_fields(map, path, &["frame", "reply"])?;
            let part = |name: &str| match map.get(name) {
                Some(value) => read_reply(value, &format!("{path}.{name}")),
                None => Err(invalid(path, format!("missing field \"{name}\""))),
            };
            Ok(Reply::Preceded {
                frame: Box::new(part("frame")?),
                reply: Box::new(part("reply")?),
            })
        }
        "frames" => {
            only_fields(map, path, &["frames"])?;
            let Value::Array(items) = &map["frames"] else {
                return Err(invalid(&sub, "expected an array"));
            };
            Ok(Reply::Frames(read_replies(items, &sub)?))
        }
        "set" | "push" => {
            only_fields(map, path, &[tag.as_str()])?;
            let Value::Array(items) = &map[tag.as_str()] else {
                return Err(invalid(&sub, "expected an array"));
            };
            let items = read_replies(items, &sub)?;
            Ok(if tag == "set" {
                Reply::Set(items)
            } else {
                Reply::Push(items)
            })
        }
        "verbatim" | "text" => {
            only_fields(map, path, &["verbatim", "text"])?;
            let format = match map.get("verbatim") {
                Some(Value::String(f)) if f.len() == 3 => {
                    let b = f.as_bytes();
                    [b[0], b[1], b[2]]
                }
                _ => {
                    return Err(invalid(
                        &format!("{path}.verbatim"),
                        "expected a three-letter format",
                    ))
                }
            };
            let Some(text) = map.get("text") else {
                return Err(invalid(path, "missing field \"text\""));
            };
            Ok(Reply::Verbatim {
                format,
                text: read_bytes(text, &format!("{path}.text"))?,
            })
        }
        other => Err(invalid(path, format!("unknown field \"{other}\""))),
    }
}
