//! Incremental request parser (multibulk and inline) with Redis's limits and
//! protocol-error texts, as `processInputBuffer` in Redis 7.0's `networking.c`.
//!
//! A request starting with `*` is a multibulk request (`*<n>\r\n` then n times
//! `$<len>\r\n<bytes>\r\n`); anything else is an inline request, one line split like
//! `sdssplitargs` (what redis-cli and `redis-cli` users type). Bytes are fed as they
//! arrive; [`RequestParser::next_request`] hands back one complete argv at a time, or
//! says it needs more bytes, or gives the protocol error Redis would answer before
//! closing the connection. Like Redis, an empty inline line and `*0` / `*-1` are
//! skipped without a reply.

/// Longest inline request, and longest `*<n>` / `$<len>` line (`PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX_SIZE: usize = 64 * 1024;
/// Longest bulk argument (`proto-max-bulk-len`, 512 MB by default).
pub(crate) const MAX_BULK_LEN: i64 = 512 * 1024 * 1024;
/// Largest multibulk count Redis 7.0 accepts (it refuses counts above `INT_MAX`).
pub(crate) const MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;

/// Bulk arguments this long or longer are read into a buffer of their own, of their exact
/// size, which then becomes the argument (`PROTO_MBULK_BIG_ARG`): no copy out of the
/// query buffer, and no query buffer grown to the argument's size by doubling.
pub(crate) const BIG_ARG: usize = 32 * 1024;

/// Limits for clients that must still authenticate.
pub(crate) const UNAUTHENTICATED_MAX_ARGS: i64 = 10;
pub(crate) const UNAUTHENTICATED_MAX_BULK: usize = 16384;

/// What the parser found in the bytes fed so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// One complete request.
    Request(Vec<Vec<u8>>),
    /// The buffer holds no complete request yet.
    NeedMore,
    /// The client broke the protocol: Redis replies this error (without the leading
    /// `-` and trailing CRLF) and closes the connection.
    Error(ProtocolError),
}

/// A protocol violation, with the text Redis answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl ProtocolError {
    fn new(text: impl Into<String>) -> Self {
        ProtocolError(format!("ERR Protocol error: {}", text.into()))
    }

    /// The reply text, `ERR Protocol error: …`.
    pub fn text(&self) -> &str {
        &self.0
    }
}

/// Where the parser is inside a multibulk request.
#[derive(Clone, Debug, Default)]
struct Multibulk {
    /// Arguments still to read.
    remaining: usize,
    /// Length of the bulk being read, once its `$<len>` line was seen.
    bulk_len: Option<usize>,
    argv: Vec<Vec<u8>>,
}

/// Accumulates bytes from one connection and cuts them into requests.
#[derive(Clone, Debug, Default)]
pub struct RequestParser {
    buf: Vec<u8>,
    /// Start of the unparsed bytes in `buf`.
    pos: usize,
    multibulk: Option<Multibulk>,
    /// Set after a protocol error: the connection is finished.
    failed: bool,
    /// Before AUTH (with `requirepass`), Redis accepts at most 10 arguments of 16 KB.
    unauthenticated: bool,
    /// Buffers of requests already run, handed back with [`RequestParser::recycle`] and
    /// reused for the next ones: without them a pipelined GET spends a tenth of its time
    /// in malloc and free.
    spare_args: Vec<Vec<u8>>,
    spare_argvs: Vec<Vec<Vec<u8>>>,
    /// The big argument being read (see [`BIG_ARG`]): its bytes and the CRLF after it,
    /// `feed` filling it before the query buffer.
    big: Option<Vec<u8>>,
}

/// At most this many spare argument buffers are kept, each of at most this capacity, and
/// this many argument lists: what one pipelined read of small commands needs.
const SPARE_ARGS: usize = 256;
const SPARE_ARG_CAPACITY: usize = 1024;
const SPARE_ARGVS: usize = 64;

impl RequestParser {
    /// A parser with Redis's default limits.
    pub fn new() -> Self {
        RequestParser::default()
    }

    /// Appends bytes read from the connection.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if let Some(big) = self.big.as_mut() {
            // The argument's length is known: `big` exists only once its `$<len>` was read.
            let target = self
                .multibulk
                .as_ref()
                .and_then(|m| m.bulk_len)
                .map_or(0, |l| l + 2);
            let want = target.saturating_sub(big.len()).min(bytes.len());
            big.extend_from_slice(&bytes[..want]);
            bytes = &bytes[want..];
            if bytes.is_empty() {
                return;
            }
        }
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 4096 && self.pos * 2 > self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Takes back a request that has been run, to reuse its buffers for the next ones.
    pub fn recycle(&mut self, mut argv: Vec<Vec<u8>>) {
        for mut arg in argv.drain(..) {
            if self.spare_args.len() < SPARE_ARGS && arg.capacity() <= SPARE_ARG_CAPACITY {
                arg.clear();
                self.spare_args.push(arg);
            }
        }
        if self.spare_argvs.len() < SPARE_ARGVS && argv.capacity() <= SPARE_ARG_CAPACITY {
            self.spare_argvs.push(argv);
        }
    }

    /// Applies Redis's limits for clients that have not authenticated yet.
    pub fn set_unauthenticated(&mut self, unauthenticated: bool) {
        self.unauthenticated = unauthenticated;
    }

    /// Bytes fed but not yet consumed by a complete request.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next complete request, if the bytes fed so far hold one.
    pub fn next_request(&mut self) -> Parsed {
        if self.failed {
            return Parsed::NeedMore;
        }
        loop {
            let step = if self.multibulk.is_some() {
                self.multibulk_step()
            } else if self.pos == self.buf.len() {
                return Parsed::NeedMore;
            } else if self.buf[self.pos] == b'*' {
                self.multibulk_header()
            } else {
                self.inline_request()
            };
            match step {
                Step::Continue => continue,
                Step::Done(parsed) => {
                    if matches!(parsed, Parsed::Error(_)) {
                        self.failed = true;
                    }
                    return parsed;
                }
            }
        }
    }

    /// `processInlineBuffer`: one line, split as `sdssplitargs`.
    fn inline_request(&mut self) -> Step {
        let rest = &self.buf[self.pos..];
        // Redis searches the line with strchr, which stops at a NUL byte.
        let end = rest.iter().position(|&b| b == b'\n' || b == 0);
        let newline = match end {
            Some(i) if rest[i] == b'\n' => i,
            _ => {
                if rest.len() > INLINE_MAX_SIZE {
                    return Step::Done(Parsed::Error(ProtocolError::new("too big inline request")));
                }
                return Step::Done(Parsed::NeedMore);
            }
        };
        let line_end = if newline > 0 && rest[newline - 1] == b'\r' {
            newline - 1
        } else {
            newline
        };
        let argv = split_args(&rest[..line_end]);
        self.pos += newline + 1;
        match argv {
            None => Step::Done(Parsed::Error(ProtocolError::new(
                "unbalanced quotes in request",
            ))),
            Some(argv) if argv.is_empty() => Step::Continue,
            Some(argv) => Step::Done(Parsed::Request(argv)),
        }
    }

    /// The `*<count>\r\n` line of a multibulk request.
    fn multibulk_header(&mut self) -> Step {
        let Some(line) = self.line() else {
            if self.pending() > INLINE_MAX_SIZE {
                return Step::Done(Parsed::Error(ProtocolError::new(
                    "too big mbulk count string",
                )));
            }
            return Step::Done(Parsed::NeedMore);
        };
        let count = match string_to_i64(&self.buf[self.pos + 1..self.pos + line]) {
            Some(n) if n <= MAX_MULTIBULK_LEN => n,
            _ => {
                return Step::Done(Parsed::Error(ProtocolError::new(
                    "invalid multibulk length",
                )))
            }
        };
        if count > UNAUTHENTICATED_MAX_ARGS && self.unauthenticated {
            return Step::Done(Parsed::Error(ProtocolError::new(
                "unauthenticated multibulk length",
            )));
        }
        self.pos += line + 2;
        if count <= 0 {
            return Step::Continue;
        }
        let count = count as usize;
        // Like Redis, reserve for at most 1024 arguments up front: the count is untrusted.
        let mut argv = self.spare_argvs.pop().unwrap_or_default();
        argv.reserve(count.min(1024));
        self.multibulk = Some(Multibulk {
            remaining: count,
            bulk_len: None,
            argv,
        });
        Step::Continue
    }

    /// Reads as many `$<len>\r\n<bytes>\r\n` arguments as the buffer holds.
    fn multibulk_step(&mut self) -> Step {
        loop {
            let Some(state) = self.multibulk.as_ref() else {
                return Step::Continue;
            };
            if state.remaining == 0 {
                let done = self.multibulk.take().map(|m| m.argv).unwrap_or_default();
                return Step::Done(Parsed::Request(done));
            }
            let bulk_len = match state.bulk_len {
                Some(len) => len,
                None => {
                    let Some(line) = self.line() else {
                        if self.pending() > INLINE_MAX_SIZE {
                            return Step::Done(Parsed::Error(ProtocolError::new(
                                "too big bulk count string",
                            )));
                        }
                        return Step::Done(Parsed::NeedMore);
                    };
                    let first = self.buf[self.pos];
                    if first != b'$' {
                        return Step::Done(Parsed::Error(ProtocolError::new(format!(
                            "expected '$', got '{}'",
                            first as char
                        ))));
                    }
                    let len = match string_to_i64(&self.buf[self.pos + 1..self.pos + line]) {
                        Some(n) if (0..=MAX_BULK_LEN).contains(&n) => n as usize,
                        _ => {
                            return Step::Done(Parsed::Error(ProtocolError::new(
                                "invalid bulk length",
                            )))
                        }
                    };
                    if len > UNAUTHENTICATED_MAX_BULK && self.unauthenticated {
                        return Step::Done(Parsed::Error(ProtocolError::new(
                            "unauthenticated bulk length",
                        )));
                    }
                    self.pos += line + 2;
                    if let Some(state) = self.multibulk.as_mut() {
                        state.bulk_len = Some(len);
                    }
                    len
                }
            };
            // The two bytes after the argument are skipped unchecked, as Redis does.
            let arg = if let Some(big) = self.big.take_if(|b| b.len() == bulk_len + 2) {
                let mut arg = big;
                arg.truncate(bulk_len);
                arg
            } else if self.big.is_some() {
                return Step::Done(Parsed::NeedMore);
            } else if self.pending() < bulk_len + 2 {
                if bulk_len >= BIG_ARG {
                    // The rest of the argument goes straight into its own buffer.
                    let mut big = Vec::with_capacity(bulk_len + 2);
                    big.extend_from_slice(&self.buf[self.pos..]);
                    self.pos = self.buf.len();
                    self.big = Some(big);
                }
                return Step::Done(Parsed::NeedMore);
            } else {
                let mut arg = self.spare_args.pop().unwrap_or_default();
                arg.extend_from_slice(&self.buf[self.pos..self.pos + bulk_len]);
                self.pos += bulk_len + 2;
                arg
            };
            if let Some(state) = self.multibulk.as_mut() {
                state.argv.push(arg);
                state.bulk_len = None;
                state.remaining -= 1;
            }
        }
    }

    /// Length of the line at `pos` up to its `\r`, when the buffer holds the `\r` and one
    /// byte after it (Redis looks for `\r` and trusts the next byte to be `\n`).
    fn line(&self) -> Option<usize> {
        let rest = &self.buf[self.pos..];
        // strchr stops at a NUL byte: Redis then waits, as for a missing `\r`.
        let cr = rest.iter().position(|&b| b == b'\r' || b == 0)?;
        if rest[cr] != b'\r' || cr + 2 > rest.len() {
            return None;
        }
        Some(cr)
    }
}

enum Step {
    Continue,
    Done(Parsed),
}

/// Redis's `string2ll`: an optional `-`, then digits without leading zeros, no spaces,
/// no `+`, within i64.
pub(crate) fn string_to_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut value: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        if value > i64::MAX as u64 + 1 {
            return None;
        }
        Some((value as i64).wrapping_neg())
    } else {
        i64::try_from(value).ok()
    }
}

/// C's `isspace` in the "C" locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Redis's `sdssplitargs`: splits a line into arguments the way redis-cli and inline
/// requests do. `"…"` understands `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` and `\<any>`;
/// `'…'` understands only `\'`; a closing quote must be followed by a space or the end.
/// `None` for unbalanced quotes. Like the C code, the line ends at a NUL byte.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    // `at(i)` is the byte at i, or 0 past the end, as reading a C string.
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut argv = Vec::new();
    let mut p = 0;
    loop {
        while p < line.len() && is_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Some(argv);
        }
        let mut current = Vec::new();
        let (mut in_double, mut in_single) = (false, false);
        loop {
            let c = at(p);
            if in_double {
                if c == b'\\' && at(p + 1) == b'x' {
                    if let (Some(hi), Some(lo)) = (hex_value(at(p + 2)), hex_value(at(p + 3))) {
                        current.push(hi * 16 + lo);
                        p += 4;
                        continue;
                    }
                }
                if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    current.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else if in_single {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        if c != 0 {
                            p += 1;
                        }
                        break;
                    }
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    other => current.push(other),
                }
            }
            p += 1;
        }
        argv.push(current);
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
