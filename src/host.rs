//! The engine's only window on the outside world.
//!
//! The engine never reads the wall clock or the OS's randomness: a `Host` hands it the
//! time and random numbers, and is told while a script runs so that it can let time pass
//! (virtual time in the simulator) or answer other clients with `-BUSY` (the TCP server).

use crate::resp::{Protocol, Reply};
use crate::session::ClientId;

/// What the engine asks of whoever runs it.
pub trait Host {
    /// Microseconds since the Unix epoch, on the host's clock.
    fn now_us(&mut self) -> u64;

    /// A uniformly distributed random number.
    fn random_u64(&mut self) -> u64;

    /// A random choice among `n` (`0..n`; 0 when `n` is 0). Every random choice a command
    /// makes goes through here, so a host can also enumerate the choices (the checker
    /// accepts a random reply when some choice explains it).
    fn random_below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.random_u64() % n
        }
    }

    /// Called every few thousand Lua instructions while a script runs (also inside
    /// coroutines the script creates). The simulator advances virtual time here; the server
    /// answers other connections. Returning [`ScriptTick::Kill`] stops a script that has not
    /// written (SCRIPT KILL / FUNCTION KILL): it ends with "ERR Script killed by user with
    /// SCRIPT KILL..." and a `pcall` inside it cannot catch that. Kill is ignored once the
    /// script has written (Redis answers the killer UNKILLABLE; `busy.has_written` says so).
    /// [`ScriptTick::Abort`] stops any script: the server is going down (SHUTDOWN NOSAVE).
    fn script_tick(&mut self, _busy: &BusyScript) -> ScriptTick {
        ScriptTick::Continue
    }

    /// Called after [`Host::script_tick`]: the requests other clients have sent that the
    /// busy script should serve now (Redis serves them from the script's hook once it is
    /// past `busy-reply-threshold`; before that, none). The engine answers each with the
    /// one busy policy (`crate::busy`) and hands the answer to [`Host::busy_reply`].
    fn busy_requests(&mut self, _busy: &BusyScript) -> Vec<BusyRequest> {
        Vec::new()
    }

    /// The engine's answer to the request `ticket` of [`Host::busy_requests`].
    fn busy_reply(&mut self, _ticket: u64, _reply: BusyReply) {}

    /// DEBUG SLEEP: stop for `us` microseconds with the engine held, as Redis's one thread
    /// does. The server sleeps; a test clock moves; a host without time does nothing.
    fn sleep_us(&mut self, _us: u64) {}

    /// SAVE, BGSAVE, DEBUG RELOAD: store the RDB file `bytes` at `path` (`dir` and
    /// `dbfilename`). The server writes the file; a host without a disk (the simulator,
    /// tests) keeps nothing and succeeds, so a run stays the same on any machine.
    fn persist(&mut self, _path: &str, _bytes: &[u8]) -> Result<(), String> {
        Ok(())
    }

    /// MIGRATE: send `commands` (AUTH, SELECT and RESTORE-ASKING / RESTORE requests) to
    /// the server at `host:port` over a connection the host opens or reuses, waiting at
    /// most `timeout_ms` for each step, and hand back the reply to each, in order. The
    /// replies read before a failure come back with it. The server connects over TCP; the
    /// simulator delivers to the node its world has at that address; a host that reaches
    /// no other server cannot resolve the address.
    fn migrate(
        &mut self,
        _host: &[u8],
        _port: &[u8],
        _timeout_ms: u64,
        _commands: &[Vec<Vec<u8>>],
    ) -> MigrateTransfer {
        MigrateTransfer {
            replies: Vec::new(),
            failure: Some(MigrateFailure::Connect),
        }
    }
}

/// What became of a [`Host::migrate`] transfer.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrateTransfer {
    /// The replies read, one a command, in order.
    pub replies: Vec<Reply>,
    /// Why the transfer stopped before every reply was read, if it did.
    pub failure: Option<MigrateFailure>,
}

/// How a [`Host::migrate`] transfer failed (Redis's `-IOERR` cases).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrateFailure {
    /// No connection could even be attempted (the address does not resolve). A refused
    /// or timed-out connection is [`MigrateFailure::Write`]: Redis's blocking connect
    /// reports success for both and the first write fails.
    Connect,
    /// Writing the commands failed or timed out (also: the connection was refused).
    Write,
    /// Reading a reply failed: the connection closed.
    Read,
    /// Reading a reply timed out (Redis does not retry then).
    ReadTimeout,
}

/// A request of another client, for the busy script to serve.
#[derive(Clone, Debug)]
pub struct BusyRequest {
    /// The host's name for it, given back with the answer.
    pub ticket: u64,
    /// The client's session; `None` for a connection that has none yet.
    pub client: Option<ClientId>,
    /// The command.
    pub argv: Vec<Vec<u8>>,
}

/// The answer to a [`BusyRequest`].
#[derive(Clone, Debug)]
pub struct BusyReply {
    /// The command's reply.
    pub reply: Reply,
    /// The protocol the client's session speaks, to encode the reply in.
    pub protocol: Protocol,
    /// The session the command opened, for a request that came without one.
    pub opened: Option<ClientId>,
}

/// What the engine knows about a script that is running, as the host sees it.
#[derive(Clone, Debug)]
pub struct BusyScript {
    /// Milliseconds since the script started, on the host's clock.
    pub elapsed_ms: u64,
    /// Lua instructions executed so far.
    pub instructions: u64,
    /// Whether the script has already run a write command (then it cannot be killed).
    pub has_written: bool,
    /// Whether this is a function (FCALL) rather than an EVAL script.
    pub is_function: bool,
}

/// The host's answer to [`Host::script_tick`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptTick {
    /// Let the script go on.
    Continue,
    /// Kill the script (SCRIPT KILL, FUNCTION KILL).
    Kill,
    /// The server is going down (SHUTDOWN NOSAVE): the script stops even if it has
    /// written. Its reply is the kill error; whoever aborts it discards the server's
    /// state with it.
    Abort,
}

/// A deterministic host for tests and examples: a clock that only moves when told to
/// and a seeded xorshift generator.
#[derive(Clone, Debug)]
pub struct ManualHost {
    /// The time, µs since the epoch.
    pub now_us: u64,
    state: u64,
    /// A script that runs this many Lua instructions is aborted ([`ScriptTick::Abort`]):
    /// the bound that lets a model end on a script that never would.
    pub instructions_max: u64,
    /// Microseconds the clock moves at each [`Host::script_tick`] (0: it stands still),
    /// so that a script sees time pass as it runs, as on a real server.
    pub tick_us: u64,
}

impl ManualHost {
    /// A clock at `now_us` and random numbers from `seed`.
    pub fn new(now_us: u64, seed: u64) -> Self {
        ManualHost {
            now_us,
            state: seed ^ 0x9E37_79B9_7F4A_7C15 | 1,
            instructions_max: u64::MAX,
            tick_us: 0,
        }
    }

    /// Moves the clock forward `ms` milliseconds.
    pub fn advance_ms(&mut self, ms: u64) {
        self.now_us += ms * 1000;
    }
}

impl Default for ManualHost {
    /// 2023-03-15 13:20:00 UTC, the timestamp of the seed's example.
    fn default() -> Self {
        ManualHost::new(1_678_886_400_000_000, 0)
    }
}

impl Host for ManualHost {
    fn now_us(&mut self) -> u64 {
        self.now_us
    }

    fn random_u64(&mut self) -> u64 {
        // xorshift64*: small, fast and good enough for picking random members.
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn sleep_us(&mut self, us: u64) {
        self.now_us += us;
    }

    fn script_tick(&mut self, busy: &BusyScript) -> ScriptTick {
        self.now_us += self.tick_us;
        if busy.instructions >= self.instructions_max {
            ScriptTick::Abort
        } else {
            ScriptTick::Continue
        }
    }
}
