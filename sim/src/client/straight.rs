//! Raw mode without a Lua VM, for scripts that are a plain sequence of commands.
//!
//! Most scenario scripts (the counter race's `counter_and_log.lua` among them) have no
//! branches: `local` names bound to `KEYS[i]`, `ARGV[i]`, literals or a `redis.call`'s
//! result, `redis.call` statements, and a `return` of such names or a table of them. Run
//! client-side, such a script sends the same commands whatever the replies are, unless a
//! `redis.call` raises. This module recognises that subset ([`compile`]) and runs it as a
//! list of commands ([`StraightClient`]): each step sends the next command, an error
//! reply ends the operation as the raised error would, and the returned value is
//! converted as the Lua client converts it. Anything outside the subset (a branch, a
//! loop, a global, `redis.pcall`, an escape in a string…) is left to the Lua client
//! ([`super::lua::LuaClient`]), which stays the reference: `tests/straight_scripts.rs`
//! runs both on the same schedules and compares the histories byte for byte.
//!
//! Replies of rare kinds (status, nested errors, RESP3-only kinds) are converted through a
//! Lua VM made on first need, with the Lua client's own conversions, so the two clients
//! cannot disagree on them.

use super::lua::ScriptSpec;
use super::lua_convert::{lua_error_to_reply, lua_to_reply, reply_to_lua};
use super::template::OpSlot;
use super::{Outbox, Outcome, Program, Progress};
use crate::history::{Operation, ScriptMode};
use mlua::Lua;
use redsim::script::convert::{double_to_i64, number_arg};
use redsim::Reply;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One argument of a command: known when the operation begins.
#[derive(Clone, Debug, PartialEq)]
enum Arg {
    Key(usize),
    Argv(usize),
    Bytes(Vec<u8>),
}

/// A value the script may return.
#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Arg(Arg),
    /// A Lua number literal.
    Number(f64),
    /// The reply of the script's `n`-th `redis.call`.
    Result(usize),
    /// A table constructor (an array: its values are never nil).
    Table(Vec<Expr>),
}

/// A script compiled to the commands it sends and what it returns.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Straight {
    calls: Vec<Vec<Arg>>,
    /// `None`: the script ends without `return` (the client reads a null).
    ret: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Str(Vec<u8>),
    Number(f64),
    Punct(u8),
}

const KEYWORDS: &[&str] = &[
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in", "local",
    "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
];

/// The script's tokens; `None` for anything outside the subset's lexicon.
fn tokens(source: &str) -> Option<Vec<Token>> {
    let s = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // A first line starting with '#' is skipped by Lua's loader only for files; EVAL
    // sources do not get that, so it is simply refused here (as any other '#').
    while i < s.len() {
        let c = s[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'-' if s.get(i + 1) == Some(&b'-') => {
                if s.get(i + 2) == Some(&b'[') {
                    return None; // possibly a long comment
                }
                while i < s.len() && s[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' | b'"' => {
                let end = s[i + 1..].iter().position(|&b| b == c)? + i + 1;
                let text = &s[i + 1..end];
                if text.iter().any(|&b| b == b'\\' || b == b'\n' || b == b'\r') {
                    return None;
                }
                out.push(Token::Str(text.to_vec()));
                i = end + 1;
            }
            b'0'..=b'9' => {
                let start = i;
                while i < s.len() && s[i].is_ascii_digit() {
                    i += 1;
                }
                if s.get(i) == Some(&b'.') && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                    while i < s.len() && s[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if s.get(i)
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                {
                    return None; // exponents, hex, `1..x`
                }
                out.push(Token::Number(source[start..i].parse().ok()?));
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = i;
                while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
                    i += 1;
                }
                out.push(Token::Name(source[start..i].to_string()));
            }
            b'=' if s.get(i + 1) == Some(&b'=') => return None,
            b'.' if s.get(i + 1) == Some(&b'.') => return None,
            b'=' | b'(' | b')' | b',' | b'[' | b']' | b'{' | b'}' | b'.' | b';' | b'-' => {
                out.push(Token::Punct(c));
                i += 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// What a `local` name holds.
#[derive(Clone)]
enum Bound {
    Arg(Arg),
    Number(f64),
    Result(usize),
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    locals: BTreeMap<String, Bound>,
    calls: Vec<Vec<Arg>>,
    keys: usize,
    args: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn punct(&mut self, p: u8) -> Option<()> {
        (self.next()? == Token::Punct(p)).then_some(())
    }

    fn is_punct(&self, p: u8) -> bool {
        self.peek() == Some(&Token::Punct(p))
    }

    fn is_name(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Token::Name(n)) if n == name)
    }

    /// A name that may be declared: not a keyword, and not one the subset reads specially.
    fn new_name(&mut self) -> Option<String> {
        match self.next()? {
            Token::Name(n)
                if !KEYWORDS.contains(&n.as_str())
                    && !["KEYS", "ARGV", "redis"].contains(&n.as_str()) =>
            {
                Some(n)
            }
            _ => None,
        }
    }

    /// `redis.call(arg, …)` after `redis`: its index among the script's calls.
    fn call(&mut self) -> Option<usize> {
        self.punct(b'.')?;
        if self.next()? != Token::Name("call".into()) {
            return None;
        }
        self.punct(b'(')?;
        let mut argv = Vec::new();
        loop {
            argv.push(match self.value()? {
                Bound::Arg(a) => a,
                Bound::Number(d) => Arg::Bytes(number_arg(d)),
                // A reply as an argument: its Lua type decides; left to the Lua client.
                Bound::Result(_) => return None,
            });
            if self.is_punct(b')') {
                self.at += 1;
                break;
            }
            self.punct(b',')?;
        }
        self.calls.push(argv);
        Some(self.calls.len() - 1)
    }

    /// `KEYS[n]`, `ARGV[n]`, a literal, a local name or a `redis.call`.
    fn value(&mut self) -> Option<Bound> {
        match self.next()? {
            Token::Str(s) => Some(Bound::Arg(Arg::Bytes(s))),
            Token::Number(d) => Some(Bound::Number(d)),
            // Unary minus on a literal (`-1`); no other arithmetic is in the subset.
            Token::Punct(b'-') => match self.next()? {
                Token::Number(d) => Some(Bound::Number(-d)),
                _ => None,
            },
            Token::Name(n) if n == "KEYS" || n == "ARGV" => {
                self.punct(b'[')?;
                let Token::Number(d) = self.next()? else {
                    return None;
                };
                self.punct(b']')?;
                let limit = if n == "KEYS" { self.keys } else { self.args };
                // In range: a missing one is nil, which redis.call refuses.
                if d.fract() != 0.0 || d < 1.0 || d > limit as f64 {
                    return None;
                }
                let i = d as usize - 1;
                Some(Bound::Arg(if n == "KEYS" {
                    Arg::Key(i)
                } else {
                    Arg::Argv(i)
                }))
            }
            Token::Name(n) if n == "redis" => self.call().map(Bound::Result),
            Token::Name(n) => self.locals.get(&n).cloned(),
            Token::Punct(_) => None,
        }
    }

    /// A returned value: a value or a table constructor of them.
    fn expr(&mut self) -> Option<Expr> {
        if self.is_punct(b'{') {
            self.at += 1;
            let mut items = Vec::new();
            while !self.is_punct(b'}') {
                items.push(self.expr()?);
                if self.is_punct(b',') || self.is_punct(b';') {
                    self.at += 1;
                } else if !self.is_punct(b'}') {
                    return None;
                }
            }
            self.at += 1;
            return Some(Expr::Table(items));
        }
        Some(match self.value()? {
            Bound::Arg(a) => Expr::Arg(a),
            Bound::Number(d) => Expr::Number(d),
            Bound::Result(n) => Expr::Result(n),
        })
    }

    fn script(mut self) -> Option<Straight> {
        let mut ret = None;
        while self.at < self.tokens.len() {
            if self.is_punct(b';') {
                self.at += 1;
            } else if self.is_name("local") {
                self.at += 1;
                let name = self.new_name()?;
                self.punct(b'=')?;
                let bound = self.value()?;
                self.locals.insert(name, bound);
            } else if self.is_name("redis") {
                self.at += 1;
                self.call()?;
            } else if self.is_name("return") {
                self.at += 1;
                ret = Some(self.expr()?);
                if self.is_punct(b';') {
                    self.at += 1;
                }
                // `return` ends a block in Lua: nothing may follow it.
                if self.at != self.tokens.len() {
                    return None;
                }
            } else {
                return None;
            }
        }
        Some(Straight {
            calls: self.calls,
            ret,
        })
    }
}

/// `spec` compiled, or `None` when it is outside the subset (then the Lua client runs it).
pub(crate) fn compile(spec: &ScriptSpec) -> Option<Straight> {
    let tokens = tokens(&spec.source)?;
    Parser {
        tokens: &tokens,
        at: 0,
        locals: BTreeMap::new(),
        calls: Vec::new(),
        keys: spec.keys.len(),
        args: spec.args.len(),
    }
    .script()
}

/// A reply as the script would return it after `redis.call` handed it to Lua (RESP2),
/// for the kinds whose round trip is plain; `None` for the others.
fn returned(reply: &Reply, depth: usize) -> Option<Reply> {
    Some(match reply {
        Reply::Integer(n) => Reply::Integer(double_to_i64(*n as f64)),
        Reply::Bool(b) => Reply::Integer(*b as i64),
        Reply::Bulk(b) => Reply::Bulk(b.clone()),
        Reply::Null | Reply::NullArray => Reply::Null,
        Reply::Array(items) if depth < 64 => Reply::Array(
            items
                .iter()
                .map(|r| returned(r, depth + 1))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

/// A client running a compiled script client-side: each command is a round trip.
pub struct StraightClient {
    code: Arc<Straight>,
    spec: Arc<ScriptSpec>,
    slot: OpSlot,
    ops: u32,
    keys: Vec<Vec<u8>>,
    args: Vec<Vec<u8>>,
    /// Commands sent in the current operation.
    sent: usize,
    results: Vec<Reply>,
    /// For replies of rare kinds: a VM for the Lua client's own conversions.
    lua: Option<Lua>,
}

impl StraightClient {
    pub(crate) fn new(
        code: Arc<Straight>,
        spec: Arc<ScriptSpec>,
        client: u32,
        clients: u32,
        ops: u32,
    ) -> StraightClient {
        StraightClient {
            code,
            spec,
            slot: OpSlot::first(client, clients),
            ops,
            keys: Vec::new(),
            args: Vec::new(),
            sent: 0,
            results: Vec::new(),
            lua: None,
        }
    }

    fn lua(&mut self) -> Lua {
        self.lua.get_or_insert_with(Lua::new).clone()
    }

    fn arg<'a>(&'a self, arg: &'a Arg) -> &'a [u8] {
        match arg {
            Arg::Key(i) => &self.keys[*i],
            Arg::Argv(i) => &self.args[*i],
            Arg::Bytes(b) => b,
        }
    }

    /// The Lua value of `expr` (slow path).
    fn lua_value(&self, lua: &Lua, expr: &Expr) -> mlua::Result<mlua::Value> {
        Ok(match expr {
            Expr::Arg(a) => mlua::Value::String(lua.create_string(self.arg(a))?),
            Expr::Number(d) => mlua::Value::Number(*d),
            Expr::Result(n) => reply_to_lua(lua, &self.results[*n])?,
            Expr::Table(items) => {
                let t = lua.create_table()?;
                for (i, item) in items.iter().enumerate() {
                    t.raw_set(i + 1, self.lua_value(lua, item)?)?;
                }
                mlua::Value::Table(t)
            }
        })
    }

    /// The value of `expr` as the client receives it (fast path).
    fn value(&self, expr: &Expr) -> Option<Reply> {
        Some(match expr {
            Expr::Arg(a) => Reply::Bulk(self.arg(a).to_vec()),
            Expr::Number(d) => Reply::Integer(double_to_i64(*d)),
            Expr::Result(n) => returned(&self.results[*n], 1)?,
            Expr::Table(items) => {
                Reply::Array(items.iter().map(|e| self.value(e)).collect::<Option<_>>()?)
            }
        })
    }

    fn finish(&mut self) -> Reply {
        let Some(ret) = &self.code.ret else {
            return Reply::Null;
        };
        if let Some(reply) = self.value(ret) {
            return reply;
        }
        let ret = ret.clone();
        let lua = self.lua();
        let converted = self.lua_value(&lua, &ret).map(|v| lua_to_reply(&v));
        converted.unwrap_or_else(|e| Reply::error(format!("ERR {e}")))
    }

    /// The error the script raises on `reply`, if `redis.call` raises on it.
    fn raised(&mut self, reply: &Reply) -> Option<Reply> {
        match reply {
            Reply::Integer(_) | Reply::Bool(_) | Reply::Bulk(_) | Reply::Null => return None,
            Reply::NullArray | Reply::Array(_) | Reply::Simple(_) => return None,
            _ => {}
        }
        let value = match reply_to_lua(&self.lua(), reply) {
            Ok(v) => v,
            Err(e) => return Some(Reply::error(format!("ERR {e}"))),
        };
        let mlua::Value::Table(t) = &value else {
            return None;
        };
        match t.raw_get::<mlua::Value>("err") {
            Ok(mlua::Value::Nil | mlua::Value::Boolean(false)) => None,
            _ => Some(lua_error_to_reply(&value)),
        }
    }
}

impl Program for StraightClient {
    fn begin(&mut self, op: u32) -> Option<Operation> {
        if op >= self.ops {
            return None;
        }
        self.slot.op = op;
        (self.keys, self.args) = self.spec.expand(&self.slot);
        self.sent = 0;
        self.results.clear();
        Some(Operation::Script {
            source: self.spec.source.clone(),
            keys: self.keys.clone(),
            args: self.args.clone(),
            mode: ScriptMode::Raw,
        })
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress {
        if self.sent > 0 {
            let reply = replies.pop().unwrap_or(Reply::Null);
            if let Some(error) = self.raised(&reply) {
                replies.clear();
                return Progress::Done(Outcome::ok(error));
            }
            self.results.push(reply);
        }
        replies.clear();
        let code = self.code.clone();
        match code.calls.get(self.sent) {
            Some(call) => {
                let mut argv = out.spare.pop().unwrap_or_default();
                argv.truncate(call.len());
                for (i, a) in call.iter().enumerate() {
                    let bytes = self.arg(a);
                    match argv.get_mut(i) {
                        Some(slot) => {
                            slot.clear();
                            slot.extend_from_slice(bytes);
                        }
                        None => argv.push(bytes.to_vec()),
                    }
                }
                out.push(argv);
                self.sent += 1;
                Progress::Sent
            }
            None => Progress::Done(Outcome::ok(self.finish())),
        }
    }

    fn crash(&mut self, _unsent: usize, _replies: &[Reply]) -> Vec<super::Recorded> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(source: &str) -> ScriptSpec {
        ScriptSpec {
            source: source.into(),
            keys: vec![b"k".to_vec(), b"s".to_vec()],
            args: vec![b"{ts}".to_vec()],
        }
    }

    #[test]
    fn the_counter_race_script_compiles_to_its_four_commands() {
        let source = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../corpus/lua/counter_and_log.lua"
        ))
        .unwrap();
        let code = compile(&spec(&source)).expect("a straight script");
        assert_eq!(code.calls.len(), 4);
        assert_eq!(
            code.calls[0],
            vec![Arg::Bytes(b"INCR".to_vec()), Arg::Key(0)]
        );
        assert_eq!(
            code.ret,
            Some(Expr::Table(vec![Expr::Result(2), Expr::Result(3)]))
        );
    }

    #[test]
    fn anything_beyond_straight_commands_is_left_to_lua() {
        for source in [
            "if redis.call('GET', KEYS[1]) then return 1 end",
            "x = KEYS[1] return x",
            "return redis.pcall('GET', KEYS[1])",
            "return redis.call('GET', KEYS[3])",
            "return 'a\\n'",
            "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[2], v)",
            "return 1 return 2",
            "--[[ long ]] return 1",
            "return 1e3",
            "return KEYS[1] .. 'x'",
            "local KEYS = 1",
            "return nil",
        ] {
            assert_eq!(compile(&spec(source)), None, "{source}");
        }
    }
}

#[cfg(test)]
mod oracle;
