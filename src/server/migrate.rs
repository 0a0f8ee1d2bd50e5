//! MIGRATE's transfer over TCP ([`crate::Host::migrate`] for `redsim serve`): connect
//! within the timeout, write the requests, read one reply line for each, as Redis's
//! `migrateCommand` does with its synchronous socket calls (`connSyncReadLine`). The
//! engine is held meanwhile, as Redis's one thread is. redsim opens a connection for
//! each MIGRATE instead of keeping Redis's cache of them.

use crate::host::{MigrateFailure, MigrateTransfer};
use crate::resp::Reply;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Sends `commands` to `host:port` and reads their replies.
pub(crate) fn transfer(
    host: &[u8],
    port: &[u8],
    timeout_ms: u64,
    commands: &[Vec<Vec<u8>>],
) -> MigrateTransfer {
    let failed = |replies, failure| MigrateTransfer {
        replies,
        failure: Some(failure),
    };
    let timeout = Duration::from_millis(timeout_ms.max(1));
    let address = format!(
        "{}:{}",
        String::from_utf8_lossy(host),
        String::from_utf8_lossy(port)
    );
    let Some(addr) = address.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        return failed(Vec::new(), MigrateFailure::Connect);
    };
    // Redis's blocking connect returns success even when the connection was refused or
    // timed out; the write after it fails.
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, timeout) else {
        return failed(Vec::new(), MigrateFailure::Write);
    };
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(timeout));
    let _ = stream.set_read_timeout(Some(timeout));
    let mut request = Vec::new();
    for argv in commands {
        request.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
        for arg in argv {
            request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            request.extend_from_slice(arg);
            request.extend_from_slice(b"\r\n");
        }
    }
    if stream.write_all(&request).is_err() {
        return failed(Vec::new(), MigrateFailure::Write);
    }
    let mut reader = BufReader::new(stream);
    let mut replies = Vec::new();
    for _ in commands {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(n) if n > 0 && line.ends_with(b"\n") => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return failed(replies, MigrateFailure::ReadTimeout);
            }
            _ => return failed(replies, MigrateFailure::Read),
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        replies.push(reply_line(line));
    }
    MigrateTransfer {
        replies,
        failure: None,
    }
}

/// A reply line as MIGRATE reads it: an error (`-…`) or anything else.
fn reply_line(line: Vec<u8>) -> Reply {
    match line.split_first() {
        Some((b'-', text)) => Reply::Error(text.to_vec()),
        Some((b'+', text)) => Reply::Simple(text.to_vec()),
        _ => Reply::Simple(line),
    }
}
