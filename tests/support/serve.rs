//! Shared by the `redsim serve` tests: an in-process server on an ephemeral loopback port,
//! a raw connection to it, and argv building.

use super::RawConn;
use redsim::server::{ServeOptions, Server};

/// A server with default options on an ephemeral loopback port, its RDB file in the
/// temporary directory (so that a stray `dump.rdb` in the working directory is not
/// loaded).
pub fn start() -> Server {
    start_with(ServeOptions {
        port: 0,
        dir: Some(test_dir()),
        ..ServeOptions::default()
    })
}

/// A directory of this test process's own for RDB files.
fn test_dir() -> String {
    let dir = std::env::temp_dir().join(format!("redsim-serve-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir.to_string_lossy().into_owned()
}

/// A server with `opts`; panics if it cannot start.
pub fn start_with(opts: ServeOptions) -> Server {
    Server::start(opts).expect("server starts")
}

/// A raw RESP connection to `server`.
pub fn raw(server: &Server) -> RawConn {
    RawConn::connect(server.local_addr().port())
}

/// Command words as argv bytes.
pub fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}
