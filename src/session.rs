//! A client's session: what Redis keeps in its `client` struct, minus the socket.

use crate::resp::Protocol;

/// Identifies an open session. `id` is the CLIENT ID; `slot` indexes the store's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId {
    /// The session's slot in the store.
    pub slot: usize,
    /// A number never reused (CLIENT ID).
    pub id: u64,
}

/// One client's connection state: database, protocol, MULTI queue, WATCHes…
#[derive(Clone, Debug)]
pub struct Session {
    /// The client.
    pub id: ClientId,
    /// Selected database.
    pub db: usize,
    /// RESP2 or RESP3.
    pub protocol: Protocol,
    /// CLIENT SETNAME's name.
    pub name: Option<Vec<u8>>,
    /// Set between MULTI and EXEC/DISCARD.
    pub multi: Option<MultiState>,
    /// (db, key) pairs this client WATCHes.
    pub watched: Vec<(usize, Vec<u8>)>,
    /// When the session opened (Unix ms), for CLIENT LIST's `age`.
    pub(crate) created_ms: u64,
    /// The last command run (CLIENT LIST's `cmd`).
    pub(crate) last_command: CommandName,
    /// Peer address as the server saw it, if any (CLIENT LIST's `addr`).
    pub addr: Option<String>,
    /// Set by QUIT: the server closes the connection after the reply.
    pub closing: bool,
    /// Set by a blocking command that found no data (BLPOP…): what to wait for.
    pub block: Option<crate::cmd::BlockRequest>,
    /// Parked by the server in a blocking command (INFO's `blocked_clients`); `Some(true)`
    /// when it gives up at a deadline (`clients_in_timeout_table`).
    pub blocked: Option<bool>,
    /// The server's own address on this connection (CLIENT LIST's `laddr`), if any.
    pub laddr: Option<String>,
    /// When the client last sent a command (Unix ms), for CLIENT LIST's `idle`.
    pub(crate) last_interaction_ms: u64,
    /// CLIENT REPLY: whether replies are sent.
    pub replies: ReplyMode,
    /// CLIENT NO-EVICT ON (flag `e`).
    pub(crate) no_evict: bool,
    /// Set by CLIENT KILL from another client: the server closes the connection as soon
    /// as it can (Redis's CLIENT_CLOSE_ASAP).
    pub killed: bool,
    /// In MONITOR mode: receives the command feed, may not touch the keyspace.
    pub monitor: bool,
    /// The ACL user the client runs as (`default` until AUTH / HELLO AUTH).
    pub(crate) user: Vec<u8>,
    /// Logged in: by AUTH / HELLO AUTH, or at connection when the default user needs no
    /// password. Until then only `no-auth` commands run while the default user needs one.
    pub(crate) authenticated: bool,
    /// CLIENT TRACKING ON: the tracking mode, while enabled.
    pub(crate) tracking: Option<Tracking>,
    /// Set by CLIENT UNBLOCK while the client waits in a blocking command: how the
    /// server must end the wait.
    pub(crate) unblock: Option<Unblock>,
    /// Cluster mode: ASKING was sent (for the next command, or the transaction).
    pub(crate) cluster_asking: bool,
    /// Cluster mode: READONLY was sent (until READWRITE).
    pub(crate) cluster_readonly: bool,
    /// The replication offset after the client's last propagated write (`c->woff`),
    /// what WAIT waits for.
    pub(crate) woff: u64,
    /// Set by WAIT when it has to wait for acknowledgements.
    pub wait: Option<crate::repl::WaitRequest>,
}

/// CLIENT REPLY ON|OFF|SKIP, as Redis's CLIENT_REPLY_OFF / _SKIP / _SKIP_NEXT flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplyMode {
    /// No reply at all (CLIENT REPLY OFF).
    pub off: bool,
    /// The reply of the command running now is dropped.
    pub skip: bool,
    /// The reply of the next command is dropped (set by CLIENT REPLY SKIP itself).
    pub(crate) skip_next: bool,
}

impl ReplyMode {
    /// Called once per command, after it ran: whether its reply goes out. Then the
    /// skip moves on to the next command (Redis's `resetClient`).
    pub fn reply_goes_out(&mut self) -> bool {
        let send = !self.off && !self.skip;
        self.skip = std::mem::take(&mut self.skip_next);
        send
    }
}

/// CLIENT TRACKING's mode for one client (Redis's CLIENT_TRACKING_* flags).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tracking {
    /// REDIRECT's client id, 0 when none.
    pub redirect: i64,
    pub(crate) bcast: bool,
    pub(crate) optin: bool,
    pub(crate) optout: bool,
    pub(crate) noloop: bool,
    /// BCAST prefixes, sorted (Redis keeps them in a radix tree).
    pub prefixes: Vec<Vec<u8>>,
    /// CLIENT CACHING YES|NO was called for the next command.
    pub caching: bool,
}

/// How CLIENT UNBLOCK ends a blocked command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unblock {
    /// As if its timeout had passed.
    Timeout,
    /// With `-UNBLOCKED client unblocked via CLIENT UNBLOCK`.
    Error,
}

/// A command's name as CLIENT LIST prints it: `get`, or `config|get` for a subcommand
/// (`NULL` before the first command). Static names: setting it on every command costs
/// two stores, no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CommandName(pub &'static str, pub Option<&'static str>);

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
    /// The queued commands.
    pub queued: Vec<Vec<Vec<u8>>>,
    /// A command was refused while queueing: EXEC answers EXECABORT.
    pub aborted: bool,
    /// The queued commands' flags together (Redis's `mstate.cmd_flags`): EXEC of a queue
    /// holding a deny-oom command is refused over `maxmemory`.
    pub flags: u32,
}

impl Session {
    /// A fresh session for `id`, connected at `now_ms`.
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
            laddr: None,
            last_interaction_ms: now_ms,
            replies: ReplyMode::default(),
            no_evict: false,
            killed: false,
            unblock: None,
            cluster_asking: false,
            cluster_readonly: false,
            woff: 0,
            wait: None,
            tracking: None,
            monitor: false,
            user: b"default".to_vec(),
            authenticated: true,
        }
    }
}
