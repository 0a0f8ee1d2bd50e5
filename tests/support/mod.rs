//! Shared by the golden, differential and server tests: a real redis-server started on a
//! free loopback port, a raw RESP connection that returns reply bytes exactly as sent,
//! a reply-frame parser, reply normalisation (sorted, shape, type) and the escaping
//! used by the `.replies` files.
#![allow(dead_code)]

pub mod clock;
pub mod differential;
pub mod lua_libs;
pub mod pair;
pub mod replica_pair;
pub mod serve;
pub mod session;
pub mod shards;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `redis-server` can be run.
pub fn redis_server_available() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

/// A redis-server child process, killed when dropped.
pub struct RedisServer {
    child: Child,
    pub port: u16,
    dir: std::path::PathBuf,
}

impl RedisServer {
    /// Starts `redis-server` on a free loopback port with persistence off and waits until
    /// it accepts connections.
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// [`RedisServer::start`] with extra configuration arguments (`--name value` …).
    pub fn start_with(extra: &[&str]) -> RedisServer {
        let port = free_port();
        // Any file the server writes (SAVE…) goes to a directory of its own, so that no
        // server loads a file another one (or a client library's test) left behind.
        let dir = std::env::temp_dir().join(format!("redsim-redis-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a directory for redis-server");
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(["--dir", &dir.to_string_lossy()])
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let server = RedisServer { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        server
    }

    pub fn connect(&self) -> RawConn {
        RawConn::connect(self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A client connection that sends requests as multibulk and returns each reply's bytes.
pub struct RawConn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RawConn {
    pub fn connect(port: u16) -> RawConn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("set timeout");
        stream.set_nodelay(true).ok();
        RawConn {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write request");
    }

    pub fn send(&mut self, argv: &[Vec<u8>]) {
        self.send_raw(&encode_request(argv));
    }

    /// Sends a request and returns the raw bytes of its reply.
    pub fn call(&mut self, argv: &[Vec<u8>]) -> Vec<u8> {
        self.send(argv);
        self.read_reply()
            .unwrap_or_else(|| panic!("no reply to {:?}", display_argv(argv)))
    }

    /// Reads one complete reply; `None` when the connection closed first.
    pub fn read_reply(&mut self) -> Option<Vec<u8>> {
        loop {
            match parse_frame(&self.buf) {
                Ok(Some((_, used))) => {
                    let reply = self.buf[..used].to_vec();
                    self.buf.drain(..used);
                    return Some(reply);
                }
                Ok(None) => {}
                Err(e) => panic!("malformed reply {}: {e}", escape(&self.buf)),
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    panic!("timed out waiting for a reply (a blocking command?)")
                }
                Err(_) => return None,
            }
        }
    }

    /// The bytes that arrive within `wait` (to check that a reply is held back or was
    /// dropped); the buffer keeps nothing of them.
    pub fn arrived_within(&mut self, wait: Duration) -> Vec<u8> {
        self.stream.set_read_timeout(Some(wait)).ok();
        let mut chunk = [0u8; 16 * 1024];
        // Until the connection stays quiet for `wait` (bounded: at most 100 reads).
        for _ in 0..100 {
            match self.stream.read(&mut chunk) {
                Ok(n) if n > 0 => self.buf.extend_from_slice(&chunk[..n]),
                _ => break,
            }
        }
        self.stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok();
        std::mem::take(&mut self.buf)
    }

    /// Whether the peer closed the connection (reads until EOF or a short timeout).
    pub fn is_closed(&mut self) -> bool {
        self.stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .ok();
        let mut chunk = [0u8; 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return true,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    }
}

pub fn encode_request(argv: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub fn display_argv(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One reply frame, kept as bytes so that it re-encodes exactly.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Frame {
    /// A frame with no children (`+`, `-`, `:`, `$`, `_`, `#`, `,`, `(`, `=`, `!`), whole.
    Scalar(Vec<u8>),
    /// `*`, `~`, `>`, `%`, `|`: the header line and the children (a map's keys and values
    /// alternate).
    Aggregate {
        header: Vec<u8>,
        children: Vec<Frame>,
    },
}

impl Frame {
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Frame::Scalar(b) => out.extend_from_slice(b),
            Frame::Aggregate { header, children } => {
                out.extend_from_slice(header);
                for c in children {
                    c.write(out);
                }
            }
        }
    }

    pub fn kind(&self) -> u8 {
        match self {
            Frame::Scalar(b) => b[0],
            Frame::Aggregate { header, .. } => header[0],
        }
    }
}

/// Parses one frame at the start of `buf`: `Ok(None)` when incomplete.
pub fn parse_frame(buf: &[u8]) -> Result<Option<(Frame, usize)>, String> {
    if buf.is_empty() {
        return Ok(None);
    }
    let Some(cr) = buf.windows(2).position(|w| w == b"\r\n") else {
        return Ok(None);
    };
    let line_end = cr + 2;
    let number = || -> Result<i64, String> {
        std::str::from_utf8(&buf[1..cr])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| "bad length".to_string())
    };
    match buf[0] {
        b'+' | b'-' | b':' | b'_' | b'#' | b',' | b'(' => {
            Ok(Some((Frame::Scalar(buf[..line_end].to_vec()), line_end)))
        }
        b'$' | b'=' | b'!' => {
            let len = number()?;
            if len < 0 {
                return Ok(Some((Frame::Scalar(buf[..line_end].to_vec()), line_end)));
            }
            let end = line_end + len as usize + 2;
            if buf.len() < end {
                return Ok(None);
            }
            Ok(Some((Frame::Scalar(buf[..end].to_vec()), end)))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let len = number()?;
            if len < 0 {
                return Ok(Some((Frame::Scalar(buf[..line_end].to_vec()), line_end)));
            }
            let count = if matches!(buf[0], b'%' | b'|') {
                len as usize * 2
            } else {
                len as usize
            };
            let mut pos = line_end;
            let mut children = Vec::with_capacity(count.min(1024));
            for _ in 0..count {
                match parse_frame(&buf[pos..])? {
                    None => return Ok(None),
                    Some((child, used)) => {
                        children.push(child);
                        pos += used;
                    }
                }
            }
            Ok(Some((
                Frame::Aggregate {
                    header: buf[..line_end].to_vec(),
                    children,
                },
                pos,
            )))
        }
        other => Err(format!("unknown frame type {:?}", other as char)),
    }
}

/// How a reply is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Compare {
    /// Byte for byte.
    #[default]
    Exact,
    /// The top-level collection's elements sorted (a map's entries sorted by key).
    Unordered,
    /// The top-level flat array read as key/value pairs, the pairs sorted (RESP2 HGETALL).
    Pairs,
    /// Only the frame types and aggregate lengths (random or time-dependent replies).
    Shape,
    /// Only the first frame's type.
    Type,
    /// Not compared.
    Any,
    /// Byte for byte, except that in every bulk string the runs of single-command ACL
    /// rules (`+get -set +config|get`) are sorted: Redis writes them (ACL LIST, ACL
    /// GETUSER) in the order of its command dict, which is seeded at random on each start.
    AclRules,
}

/// Sorts each run of `+cmd` / `-cmd` words in `text` (the `+@cat` / `-@cat` words and
/// everything else stay where they are).
pub fn sort_acl_rule_runs(text: &[u8]) -> Vec<u8> {
    let is_single =
        |w: &&[u8]| (w.starts_with(b"+") || w.starts_with(b"-")) && !w[1..].starts_with(b"@");
    let mut out: Vec<&[u8]> = Vec::new();
    let mut run: Vec<&[u8]> = Vec::new();
    for word in text.split(|&b| b == b' ') {
        if is_single(&word) {
            run.push(word);
        } else {
            run.sort();
            out.append(&mut run);
            out.push(word);
        }
    }
    run.sort();
    out.append(&mut run);
    out.join(&b' ')
}

fn sort_acl_rules_in(frame: Frame) -> Frame {
    match frame {
        Frame::Scalar(bytes) if bytes.starts_with(b"$") && !bytes.starts_with(b"$-") => {
            let start = bytes.iter().position(|&b| b == b'\n').map_or(0, |p| p + 1);
            let end = bytes.len() - 2;
            let mut sorted = bytes[..start].to_vec();
            sorted.extend(sort_acl_rule_runs(&bytes[start..end]));
            sorted.extend_from_slice(b"\r\n");
            Frame::Scalar(sorted)
        }
        Frame::Aggregate { header, children } => Frame::Aggregate {
            header,
            children: children.into_iter().map(sort_acl_rules_in).collect(),
        },
        scalar => scalar,
    }
}

/// The form of `reply` that `mode` compares, as bytes.
pub fn normalize(reply: &[u8], mode: Compare) -> Vec<u8> {
    let frame = match parse_frame(reply) {
        Ok(Some((frame, _))) => frame,
        _ => return reply.to_vec(),
    };
    match mode {
        Compare::Exact => reply.to_vec(),
        Compare::Any => Vec::new(),
        Compare::Type => vec![frame.kind()],
        Compare::Shape => shape(&frame).into_bytes(),
        Compare::AclRules => sort_acl_rules_in(frame).bytes(),
        Compare::Unordered | Compare::Pairs => match frame {
            Frame::Aggregate { header, children } => {
                let pairs = mode == Compare::Pairs || matches!(header[0], b'%');
                let sorted = if pairs {
                    let mut chunks: Vec<Vec<Frame>> =
                        children.chunks(2).map(|c| c.to_vec()).collect();
                    chunks.sort_by_key(|c| c.iter().flat_map(|f| f.bytes()).collect::<Vec<u8>>());
                    chunks.concat()
                } else {
                    let mut children = children;
                    children.sort_by_key(|c| c.bytes());
                    children
                };
                Frame::Aggregate {
                    header,
                    children: sorted,
                }
                .bytes()
            }
            scalar => scalar.bytes(),
        },
    }
}

fn shape(frame: &Frame) -> String {
    match frame {
        Frame::Scalar(b) if b.starts_with(b"$-1") || b.starts_with(b"*-1") || b[0] == b'_' => {
            "nil ".into()
        }
        Frame::Scalar(b) => format!("{} ", b[0] as char),
        Frame::Aggregate { header, children } => {
            let inner: String = children.iter().map(shape).collect();
            format!(
                "{}[ {}] ",
                String::from_utf8_lossy(&header[..header.len() - 2]),
                inner
            )
        }
    }
}

/// Bytes as one readable line: printable ASCII as is, `\\`, `\r`, `\n`, `\t`, `\xHH`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// The inverse of [`escape`].
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'\\') => out.push(b'\\'),
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'x') => {
                let hex = text.get(i + 2..i + 4).ok_or("truncated \\x escape")?;
                out.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
                i += 2;
            }
            _ => return Err(format!("bad escape at byte {i}")),
        }
        i += 2;
    }
    Ok(out)
}

/// `haystack` with every `from` replaced by `to`.
pub fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}
