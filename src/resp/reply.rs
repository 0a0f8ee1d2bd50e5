//! The reply type: every frame kind of RESP2 and RESP3 that a Redis 7.0 server sends.
//!
//! A command builds a `Reply` without knowing the client's protocol; the encoder
//! (`encode.rs`) writes it for protocol 2 or 3, downgrading RESP3-only kinds the way
//! Redis's `addReply*` functions do.

/// One reply, as a command produced it.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// `+OK`: a status line. Never contains CR or LF.
    Simple(Vec<u8>),
    /// `-ERR …`: the first word is the error code.
    Error(Vec<u8>),
    /// `:42`
    Integer(i64),
    /// `$3\r\nfoo`
    Bulk(Vec<u8>),
    /// Redis's `addReplyNull`: `$-1` in RESP2, `_` in RESP3.
    Null,
    /// Redis's `addReplyNullArray`: `*-1` in RESP2, `_` in RESP3.
    NullArray,
    /// `*n`
    Array(Vec<Reply>),
    /// RESP3 `#t` / `#f`; `:1` / `:0` in RESP2.
    Bool(bool),
    /// RESP3 `,1.5`; a bulk string in RESP2.
    Double(f64),
    /// Redis's `addReplyHumanLongDouble` (GEOPOS, WITHCOORD): the same frames as `Double`
    /// but with `%.17Lf` text, trailing zeros removed (`13.36138933897018433`).
    HumanDouble(f64),
    /// RESP3 `(123…`; a bulk string in RESP2.
    BigNumber(Vec<u8>),
    /// RESP3 `=15\r\ntxt:…`; a bulk string of the text alone in RESP2.
    Verbatim {
        /// The format, `txt` or `mkd`.
        format: [u8; 3],
        /// The text.
        text: Vec<u8>,
    },
    /// RESP3 `%n`; a flat array of 2n elements in RESP2.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 `~n`; an array in RESP2.
    Set(Vec<Reply>),
    /// RESP3 `>n`; an array in RESP2.
    Push(Vec<Reply>),
    /// A frame that comes before the command's own reply, then that reply — what DEBUG
    /// PROTOCOL `attrib` (a RESP3 `|n` attribute frame, see [`Reply::Attribute`]) and
    /// `push` (a `>n` push frame) send. RESP2 clients get the reply alone.
    Preceded {
        /// The frame sent first.
        frame: Box<Reply>,
        /// The reply itself.
        reply: Box<Reply>,
    },
    /// Several frames written one after the other, in every protocol: a command that
    /// answers with more than one reply (SUBSCRIBE a b answers once per channel), or the
    /// pub/sub messages Redis wrote to a client's own output while its command ran (a
    /// RESP3 client that publishes to itself), then the command's reply.
    Frames(Vec<Reply>),
    /// RESP3 `|n`: an attribute frame (pairs, like a map), only ever sent as the `frame`
    /// of [`Reply::Preceded`]; a flat array if encoded on its own for RESP2.
    Attribute(Vec<(Reply, Reply)>),
}

impl Reply {
    /// `+OK`.
    pub fn ok() -> Reply {
        Reply::Simple(b"OK".to_vec())
    }

    /// A simple string.
    pub fn simple(text: &str) -> Reply {
        Reply::Simple(text.as_bytes().to_vec())
    }

    /// An error reply. `text` starts with the error code, as Redis writes it:
    /// `Reply::error("ERR syntax error")`. CR and LF become spaces, as in Redis's
    /// `addReplyErrorLength`, so the frame can never be broken by its text.
    pub fn error(text: impl AsRef<[u8]>) -> Reply {
        let bytes = text
            .as_ref()
            .iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
            .collect();
        Reply::Error(bytes)
    }

    /// A bulk string.
    pub fn bulk(bytes: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(bytes.into())
    }

    /// A bulk reply holding an integer's decimal text (as Redis's `addReplyBulkLongLong`).
    pub(crate) fn bulk_int(value: i64) -> Reply {
        Reply::Bulk(value.to_string().into_bytes())
    }

    /// `Some(bytes)` as a bulk, `None` as a null bulk.
    pub fn bulk_or_null(bytes: Option<Vec<u8>>) -> Reply {
        match bytes {
            Some(b) => Reply::Bulk(b),
            None => Reply::Null,
        }
    }

    pub(crate) fn array_of_bulks<I, B>(items: I) -> Reply
    where
        I: IntoIterator<Item = B>,
        B: Into<Vec<u8>>,
    {
        Reply::Array(items.into_iter().map(|b| Reply::Bulk(b.into())).collect())
    }

    /// Whether it is an error reply.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The error text, if this is an error.
    pub fn error_text(&self) -> Option<&[u8]> {
        match self {
            Reply::Error(t) => Some(t),
            _ => None,
        }
    }
}

/// Common error texts, word for word as Redis 7.0 sends them (`server.c`'s shared objects).
pub mod errors {
    /// Redis's error for a command on a key of another type.
    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
    /// Redis's error for an argument that is not an integer.
    pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
    pub(crate) const NOT_FLOAT: &str = "ERR value is not a valid float";
    pub(crate) const SYNTAX: &str = "ERR syntax error";
    pub(crate) const NO_SUCH_KEY: &str = "ERR no such key";
    pub(crate) const INDEX_OUT_OF_RANGE: &str = "ERR index out of range";
    pub(crate) const DB_INDEX_OUT_OF_RANGE: &str = "ERR DB index is out of range";
    /// Redis's error for an increment past the integer range.
    pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
    pub(crate) const NOT_ALLOWED_FROM_SCRIPT: &str =
        "ERR This Redis command is not allowed from script";
}
