//! A blocking RESP client connection: commands out as RESP arrays of bulk strings, replies
//! in as [`Reply`] values.
//!
//! Redis answers a RESP2 client (no HELLO 3) with `+simple`, `-error`, `:integer`,
//! `$bulk` (`$-1` is the null bulk) and `*array` (`*-1` the null array). The reader also
//! accepts the RESP3 types (`_`, `#`, `,`, `(`, `=`, `%`, `~`, `>`), so a server that
//! answers in RESP3 is still read correctly. Any I/O error — a read timeout included —
//! leaves the connection in an unknown place of the stream; the caller must drop it.

use redsim::Reply;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Deepest aggregate nesting accepted (a guard against a hostile or broken stream).
const DEPTH_MAX: usize = 64;
/// Largest bulk string or aggregate accepted (Redis's own proto-max-bulk-len is 512 MB).
const LEN_MAX: i64 = 512 * 1024 * 1024;

/// `argv` as a RESP array of bulk strings, appended to `out`.
pub(crate) fn encode_command(argv: &[Vec<u8>], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

fn bad(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// One line without its CRLF.
fn read_line(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    if !line.ends_with(b"\r\n") {
        return Err(bad("a reply line does not end with CRLF"));
    }
    line.truncate(line.len() - 2);
    Ok(line)
}

fn parse_int(text: &[u8]) -> io::Result<i64> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            bad(format!(
                "bad integer in reply: {:?}",
                String::from_utf8_lossy(text)
            ))
        })
}

fn read_exact_crlf(reader: &mut impl BufRead, len: i64) -> io::Result<Vec<u8>> {
    if !(0..=LEN_MAX).contains(&len) {
        return Err(bad(format!("bad length {len} in reply")));
    }
    let mut data = vec![0; len as usize + 2];
    reader.read_exact(&mut data)?;
    if !data.ends_with(b"\r\n") {
        return Err(bad("a bulk string does not end with CRLF"));
    }
    data.truncate(len as usize);
    Ok(data)
}

/// Reads one reply.
pub fn read_reply(reader: &mut impl BufRead) -> io::Result<Reply> {
    read_nested(reader, 0)
}

fn read_items(reader: &mut impl BufRead, count: i64, depth: usize) -> io::Result<Vec<Reply>> {
    if !(0..=LEN_MAX).contains(&count) {
        return Err(bad(format!("bad aggregate length {count}")));
    }
    (0..count).map(|_| read_nested(reader, depth + 1)).collect()
}

fn read_nested(reader: &mut impl BufRead, depth: usize) -> io::Result<Reply> {
    if depth > DEPTH_MAX {
        return Err(bad("reply nested too deeply"));
    }
    let line = read_line(reader)?;
    let (&kind, rest) = line.split_first().ok_or_else(|| bad("empty reply line"))?;
    Ok(match kind {
        b'+' => Reply::Simple(rest.to_vec()),
        b'-' => Reply::Error(rest.to_vec()),
        b':' => Reply::Integer(parse_int(rest)?),
        b'$' => match parse_int(rest)? {
            -1 => Reply::Null,
            len => Reply::Bulk(read_exact_crlf(reader, len)?),
        },
        b'*' => match parse_int(rest)? {
            -1 => Reply::NullArray,
            n => Reply::Array(read_items(reader, n, depth)?),
        },
        b'_' => Reply::Null,
        b'#' => Reply::Bool(rest == b"t"),
        b',' => {
            let text = String::from_utf8_lossy(rest);
            let d = match text.as_ref() {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                t => t.parse().map_err(|_| bad(format!("bad double {t:?}")))?,
            };
            Reply::Double(d)
        }
        b'(' => Reply::BigNumber(rest.to_vec()),
        b'=' => {
            let data = read_exact_crlf(reader, parse_int(rest)?)?;
            // "txt:" / "mkd:" then the text.
            let (format, text) = if data.len() >= 4 {
                (data[..3].to_vec(), data[4..].to_vec())
            } else {
                (Vec::new(), data)
            };
            verbatim(format, text)
        }
        b'%' => {
            let items = read_items(reader, parse_int(rest)?.saturating_mul(2), depth)?;
            let mut pairs = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                pairs.push((k, v));
            }
            Reply::Map(pairs)
        }
        b'~' => Reply::Set(read_items(reader, parse_int(rest)?, depth)?),
        b'>' => Reply::Push(read_items(reader, parse_int(rest)?, depth)?),
        other => return Err(bad(format!("unknown reply type byte {:?}", other as char))),
    })
}

fn verbatim(format: Vec<u8>, text: Vec<u8>) -> Reply {
    let mut f = [b't', b'x', b't'];
    for (i, b) in format.iter().take(3).enumerate() {
        f[i] = *b;
    }
    Reply::Verbatim { format: f, text }
}

/// A blocking connection to a server.
pub struct Connection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    /// Connects with `timeout` for the connect, each read and each write.
    pub fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Connection> {
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let writer = stream.try_clone()?;
        Ok(Connection {
            reader: BufReader::new(stream),
            writer,
            buffer: Vec::new(),
        })
    }

    /// Sends every command of `commands` (a pipeline when there are several), then reads
    /// one reply for each.
    pub(crate) fn round_trip(&mut self, commands: &[Vec<Vec<u8>>]) -> io::Result<Vec<Reply>> {
        self.buffer.clear();
        for argv in commands {
            encode_command(argv, &mut self.buffer);
        }
        self.writer.write_all(&self.buffer)?;
        commands
            .iter()
            .map(|_| read_reply(&mut self.reader))
            .collect()
    }

    /// One command, one reply.
    pub fn call<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> io::Result<Reply> {
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_ref().to_vec()).collect();
        Ok(self.round_trip(&[argv])?.pop().unwrap_or(Reply::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> io::Result<Reply> {
        read_reply(&mut &bytes[..])
    }

    #[test]
    fn resp2_replies_are_read_as_redis_sends_them() {
        assert_eq!(read(b"+OK\r\n").unwrap(), Reply::ok());
        assert_eq!(read(b"-ERR boom\r\n").unwrap(), Reply::error("ERR boom"));
        assert_eq!(read(b":-7\r\n").unwrap(), Reply::Integer(-7));
        assert_eq!(
            read(b"$3\r\na\r\n\r\n").unwrap(),
            Reply::bulk(&b"a\r\n"[..])
        );
        assert_eq!(read(b"$-1\r\n").unwrap(), Reply::Null);
        assert_eq!(read(b"*-1\r\n").unwrap(), Reply::NullArray);
        assert_eq!(
            read(b"*2\r\n:1\r\n*1\r\n$0\r\n\r\n").unwrap(),
            Reply::Array(vec![
                Reply::Integer(1),
                Reply::Array(vec![Reply::bulk(&b""[..])])
            ])
        );
    }

    #[test]
    fn resp3_maps_and_doubles_are_read() {
        assert_eq!(
            read(b"%1\r\n+a\r\n,1.5\r\n").unwrap(),
            Reply::Map(vec![(Reply::simple("a"), Reply::Double(1.5))])
        );
        assert_eq!(read(b"#t\r\n").unwrap(), Reply::Bool(true));
    }

    #[test]
    fn truncated_or_malformed_replies_are_errors_not_panics() {
        assert!(read(b"$5\r\nab").is_err());
        assert!(read(b":x\r\n").is_err());
        assert!(read(b"?\r\n").is_err());
        assert!(read(b"*3\r\n:1\r\n").is_err());
        assert!(read(b"").is_err());
        assert!(read(b"$-5\r\n").is_err());
    }

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        let mut out = Vec::new();
        encode_command(&[b"GET".to_vec(), b"k".to_vec()], &mut out);
        assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    }
}
