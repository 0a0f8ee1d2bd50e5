//! A client's session: what Redis keeps in its `client` struct, minus the socket.

use crate::resp::Protocol;

/// Identifies an open session. `id` is the CLIENT ID; `slot` indexes the store's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId {
    pub slot: usize,
    pub id: u64,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub id: ClientId,
    /// Selected database.
    pub db: usize,
    pub protocol: Protocol,
    pub name: Option<Vec<u8>>,
    /// Set between MULTI and EXEC/DISCARD.
    pub multi: Option<MultiState>,
    /// (db, key) pairs this client WATCHes.
    pub watched: Vec<(usize, Vec<u8>)>,
    /// When the session opened (Unix ms), for CLIENT LIST's `age`.
    pub created_ms: u64,
    /// The last command run (CLIENT LIST's `cmd`).
    pub last_command: CommandName,
    /// Peer address as the server saw it, if any (CLIENT LIST's `addr`).
    pub addr: Option<String>,
    /// Set by QUIT: the server closes the connection after the reply.
    pub closing: bool,
    /// Set by a blocking command that found no data (BLPOP…): what to wait for.
    pub block: Option<crate::cmd::BlockRequest>,
    /// Parked by the server in a blocking command (INFO's `blocked_clients`); `Some(true)`
    /// when it gives up at a deadline (`clients_in_timeout_table`).
    pub blocked: Option<bool>,
}

/// A command's name as CLIENT LIST prints it: `get`, or `config|get` for a subcommand
/// (`NULL` before the first command). Static names: setting it on every command costs
/// two stores, no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandName(pub &'static str, pub Option<&'static str>);

impl std::fmt::Display for CommandName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(sub) => write!(f, "{}|{}", self.0, sub),
            None => f.write_str(self.0),
        }
    }
}

/// The commands queued between MULTI and EXEC.
#[derive(Clone, Debug, Default)]
pub struct MultiState {
    pub queued: Vec<Vec<Vec<u8>>>,
    /// A command was refused while queueing: EXEC answers EXECABORT.
    pub aborted: bool,
    /// The queued commands' flags together (Redis's `mstate.cmd_flags`): EXEC of a queue
    /// holding a deny-oom command is refused over `maxmemory`.
    pub flags: u32,
}

impl Session {
    pub fn new(id: ClientId, now_ms: u64) -> Self {
        Session {
            id,
            db: 0,
            protocol: Protocol::Resp2,
            name: None,
            multi: None,
            watched: Vec::new(),
            created_ms: now_ms,
            last_command: CommandName("NULL", None),
            addr: None,
            closing: false,
            block: None,
            blocked: None,
        }
    }
}
