//! Shared by the `redsim serve` tests: an in-process server on an ephemeral loopback port,
//! a raw connection to it, and argv building.

use super::RawConn;
use redsim::server::{ServeOptions, Server};

/// A server with default options on an ephemeral loopback port.
pub fn start() -> Server {
    start_with(ServeOptions {
        port: 0,
        ..ServeOptions::default()
    })
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
