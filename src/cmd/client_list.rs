//! CLIENT LIST and CLIENT INFO: one line per connection, with Redis 7.0's fields in
//! Redis's order (`catClientInfoString`).
//!
//! The engine has no sockets, so the buffer fields are what Redis shows for the same
//! state rather than measurements: the client running CLIENT LIST (or the EXEC around it)
//! holds its request in the query buffer (`qbuf` is the request's length in RESP,
//! `argv-mem` the bytes of its arguments) and has grown its reply buffer to 16 KiB; the
//! others are idle, with an empty 20 KiB query buffer and a 1 KiB reply buffer. `tot-mem`
//! adds these up over the base size of an idle client in Redis 7.0.15 (22,272 bytes).

use super::{args, Caller, Ctx};
use crate::resp::{errors, Reply};
use crate::session::Session;

/// Redis's query buffer after the first read (`sdsavail` + `sdslen`).
const QUERY_BUFFER: usize = 20_474;
/// An idle client's memory in Redis 7.0.15, reply and query buffers included.
const IDLE_CLIENT_MEM: usize = 22_272;
/// The reply buffer of a client that has not answered yet, and of one answering now.
const REPLY_BUFFER_IDLE: usize = 1024;
const REPLY_BUFFER_BUSY: usize = 16 * 1024;

/// The request the calling client is running, as Redis holds it while it runs.
struct Running {
    /// Its length as a RESP multibulk request.
    request_len: usize,
    /// The bytes of its arguments.
    argv_mem: usize,
    argc: usize,
}

impl Running {
    fn of(argv: &[Vec<u8>]) -> Running {
        let digits = |n: usize| n.to_string().len();
        let request_len = 3
            + digits(argv.len())
            + argv
                .iter()
                .map(|a| 5 + digits(a.len()) + a.len())
                .sum::<usize>();
        Running {
            request_len,
            argv_mem: argv.iter().map(Vec::len).sum(),
            argc: argv.len(),
        }
    }
}

/// CLIENT LIST / KILL's `TYPE`: redsim's clients are normal or pub/sub ones (Redis's
/// `getClientType`: a subscribed client is of type `pubsub`; masters and replicas do not
/// exist here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ClientType {
    Normal,
    PubSub,
    /// master, replica, slave: none.
    Other,
}

impl ClientType {
    /// Reads a type name, with Redis's error for an unknown one.
    pub(super) fn parse(name: &[u8]) -> Result<ClientType, Reply> {
        match name.to_ascii_lowercase().as_slice() {
            b"normal" => Ok(ClientType::Normal),
            b"pubsub" => Ok(ClientType::PubSub),
            b"master" | b"replica" | b"slave" => Ok(ClientType::Other),
            _ => Err(Reply::error(format!(
                "ERR Unknown client type '{}'",
                String::from_utf8_lossy(name)
            ))),
        }
    }

    /// Whether a client (subscribed or not) is of this type.
    pub(super) fn includes(self, subscriber: bool) -> bool {
        match self {
            ClientType::Normal => !subscriber,
            ClientType::PubSub => subscriber,
            ClientType::Other => false,
        }
    }
}

/// What a client listens to: channels, patterns, shard channels.
type SubCounts = (usize, usize, usize);

/// The flags letters of `s`, in Redis's order (`N` when none).
fn flags(s: &Session, dirty: bool, subs: SubCounts) -> String {
    let mut out = String::new();
    if subs != (0, 0, 0) {
        out.push('P');
    }
    if s.multi.is_some() {
        out.push('x');
    }
    if s.blocked.is_some() {
        out.push('b');
    }
    if dirty {
        out.push('d');
    }
    if s.closing {
        out.push('c');
    }
    if s.no_evict {
        out.push('e');
    }
    if out.is_empty() {
        out.push('N');
    }
    out
}

/// One line of CLIENT LIST / CLIENT INFO; `running` for the client that asks.
fn describe(
    s: &Session,
    dirty: bool,
    subs: SubCounts,
    running: Option<&Running>,
    now_ms: u64,
) -> String {
    let (multi, multi_mem) = match &s.multi {
        Some(m) => {
            // Redis counts each queued argument's bytes and its pointer.
            let mem: usize = m.queued.iter().flatten().map(|a| a.len() + 8).sum();
            (m.queued.len() as i64, mem)
        }
        None => (-1, 0),
    };
    let (qbuf, argv_mem, rbs, argv_array) = match running {
        Some(r) => (r.request_len, r.argv_mem, REPLY_BUFFER_BUSY, 8 * r.argc),
        None => (0, 0, REPLY_BUFFER_IDLE, 0),
    };
    let tot_mem = IDLE_CLIENT_MEM + (rbs - REPLY_BUFFER_IDLE) + argv_mem + argv_array + multi_mem;
    let fd = if s.addr.is_some() { 8 } else { -1 };
    format!(
        "id={} addr={} laddr={} fd={fd} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} \
         multi={multi} qbuf={qbuf} qbuf-free={} argv-mem={argv_mem} multi-mem={multi_mem} \
         rbs={rbs} rbp={rbs} obl=0 oll=0 omem=0 tot-mem={tot_mem} events=r cmd={} user={} \
         redir=-1 resp={}\n",
        s.id.id,
        s.addr.as_deref().unwrap_or_default(),
        s.laddr.as_deref().unwrap_or_default(),
        String::from_utf8_lossy(s.name.as_deref().unwrap_or_default()),
        now_ms.saturating_sub(s.created_ms) / 1000,
        now_ms.saturating_sub(s.last_interaction_ms) / 1000,
        flags(s, dirty, subs),
        s.db,
        subs.0,
        subs.1,
        subs.2,
        QUERY_BUFFER - qbuf.min(QUERY_BUFFER),
        s.last_command,
        String::from_utf8_lossy(&s.user),
        s.protocol.number(),
    )
}

/// What the calling client is running: CLIENT LIST itself, or the EXEC it is queued in.
fn running(ctx: &Ctx<'_>, argv: &[Vec<u8>]) -> Running {
    if ctx.caller == Caller::Exec {
        Running::of(&[b"EXEC".to_vec()])
    } else {
        Running::of(argv)
    }
}

fn verbatim(text: String) -> Reply {
    Reply::Verbatim {
        format: *b"txt",
        text: text.into_bytes(),
    }
}

/// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]].
pub(super) fn list(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut ids: Option<Vec<u64>> = None;
    let mut client_type = None;
    if argv.len() == 4 && args::is(&argv[2], "TYPE") {
        match ClientType::parse(&argv[3]) {
            Ok(t) => client_type = Some(t),
            Err(e) => return e,
        }
    } else if argv.len() > 3 && args::is(&argv[2], "ID") {
        let mut wanted = Vec::new();
        for arg in &argv[3..] {
            match args::parse_i64(arg) {
                Some(n) => wanted.push(n as u64),
                None => return Reply::error("ERR Invalid client ID"),
            }
        }
        ids = Some(wanted);
    } else if argv.len() != 2 {
        return Reply::error(errors::SYNTAX);
    }
    let now = ctx.now_ms;
    let mine = running(ctx, argv);
    let text: String = ctx
        .store
        .sessions()
        .filter(|s| !s.killed)
        .filter(|s| {
            client_type.is_none_or(|t| t.includes(ctx.store.pubsub.is_subscriber(s.id)))
                && ids.as_ref().is_none_or(|ids| ids.contains(&s.id.id))
        })
        .map(|s| {
            let dirty = ctx.store.watch_is_dirty(s.id);
            let running = (s.id == ctx.client).then_some(&mine);
            describe(s, dirty, ctx.store.pubsub.counts(s.id), running, now)
        })
        .collect();
    verbatim(text)
}

/// CLIENT INFO: the calling client's line.
pub(super) fn info(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    verbatim(info_line(ctx, argv))
}

/// The calling client's CLIENT LIST line while it runs `argv` (Redis's
/// `catClientInfoString`, plus the newline), for CLIENT INFO and the ACL log.
pub(crate) fn info_line(ctx: &Ctx<'_>, argv: &[Vec<u8>]) -> String {
    let mine = running(ctx, argv);
    let dirty = ctx.store.watch_is_dirty(ctx.client);
    describe(
        ctx.store.session(ctx.client),
        dirty,
        ctx.store.pubsub.counts(ctx.client),
        Some(&mine),
        ctx.now_ms,
    )
}
