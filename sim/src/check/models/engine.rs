//! The engine as the model: each op runs atomically on a snapshot of redsim's own
//! databases, so any command, script or MULTI block can be judged without a hand model.
//!
//! One `Engine` with one client session is kept. A state is the data of the 16
//! databases (`Vec<Db>`, a snapshot of `Store::dbs`); a step loads it into the engine's
//! store, runs the op and takes the result out. A script op is judged as one EVAL of its
//! source with its KEYS and ARGV, whatever its mode (for a `raw` run that is exactly the
//! question: could it have run atomically?). A MULTI block runs as MULTI, its commands,
//! EXEC, and its reply is EXEC's. The engine's clock is frozen (the default
//! `ManualHost`), so TTLs set by the history never run out.
//!
//! Speed: read-only commands run on the loaded data without copying it when it already
//! is the state asked about (the search tries many reads from one state in a row); the
//! results of scripts and MULTI blocks are remembered per (state, op) across parts and
//! histories, since running Lua costs far more than looking the answer up.

use crate::check::SequentialSpec;
use crate::history::Operation;
use redsim::cmd::{flags, Resolved};
use redsim::db::Db;
use redsim::{ClientId, Engine, ManualHost, Reply};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

/// Commands that change the session rather than the data: as a history op they would
/// leak into later ops of other clients through the one shared session.
const SESSION_COMMANDS: &[&str] = &[
    "multi",
    "exec",
    "discard",
    "watch",
    "unwatch",
    "select",
    "hello",
    "reset",
    "quit",
    "auth",
    "client",
    "subscribe",
    "psubscribe",
    "ssubscribe",
    "unsubscribe",
    "punsubscribe",
    "sunsubscribe",
    "monitor",
];

/// Commands whose reply is a random choice: the engine would judge the observed reply
/// against one seeded choice, which is not the question, so they are refused.
const RANDOM_COMMANDS: &[&str] = &[
    "spop",
    "srandmember",
    "randomkey",
    "hrandfield",
    "zrandmember",
];

/// How many remembered script and MULTI results to keep before starting afresh.
const REMEMBERED_MAX: usize = 1 << 16;

/// One remembered step: the op, the state it ran on, what it did.
struct Remembered {
    before: Vec<Db>,
    op: Operation,
    after: Option<Vec<Db>>,
    reply: Reply,
}

pub struct EngineModel {
    engine: Engine,
    client: ClientId,
    /// Whether `engine.store.dbs` holds data equal to a state (so reads can run on it).
    loaded_valid: bool,
    remembered: FxHashMap<u64, Vec<Remembered>>,
    remembered_len: usize,
}

impl Default for EngineModel {
    fn default() -> Self {
        EngineModel::new()
    }
}

/// Whether two snapshots hold the same data (a missing database is an empty one).
fn same_dbs(a: &[Db], b: &[Db]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.iter().zip(long).all(|(x, y)| x.same_data(y))
        && long[short.len()..].iter().all(Db::is_empty)
}

/// The engine's databases as a snapshot: trailing empty databases left out, so that the
/// usual state (data in db 0 only) is one `Db` to copy rather than sixteen.
fn snapshot(dbs: &[Db]) -> Vec<Db> {
    let used = dbs
        .iter()
        .rposition(|db| !db.is_empty())
        .map_or(0, |i| i + 1);
    dbs[..used].to_vec()
}

/// Loads `state` into the engine's databases, reusing their allocations.
fn load(dbs: &mut [Db], state: &[Db]) {
    for (i, db) in dbs.iter_mut().enumerate() {
        match state.get(i) {
            Some(s) => db.clone_from(s),
            None if !db.is_empty() => *db = Db::new(),
            None => {}
        }
    }
}

/// Order-independent digest of a snapshot (as `Store::fingerprint`).
fn dbs_fingerprint(dbs: &[Db]) -> u64 {
    dbs.iter().enumerate().fold(0u64, |acc, (i, db)| {
        if db.is_empty() {
            acc
        } else {
            let fp = db.fingerprint();
            let mut h = FxHasher::default();
            (i, fp).hash(&mut h);
            acc.wrapping_add(h.finish().wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ fp)
        }
    })
}

impl EngineModel {
    pub fn new() -> Self {
        // The world's bound on a script that never finishes is the model's too: a killed
        // loop must not run for ever when the model replays it.
        let mut host = ManualHost::default();
        host.instructions_max = crate::options::SCRIPT_INSTRUCTIONS_MAX;
        let mut engine = Engine::new(host);
        let client = engine.connect();
        EngineModel {
            engine,
            client,
            loaded_valid: false,
            remembered: FxHashMap::default(),
            remembered_len: 0,
        }
    }

    /// Whether the engine has EVAL (scripts need it).
    pub fn has_eval() -> bool {
        redsim::cmd::lookup(b"eval").is_some()
    }

    /// Runs `op` on the loaded data and puts the session back as it was.
    fn execute(&mut self, op: &Operation) -> Reply {
        let reply = self.run(op);
        let session = self.engine.store.session_mut(self.client);
        session.db = 0;
        session.multi = None;
        self.engine.store.unwatch_all(self.client);
        reply
    }

    fn run(&mut self, op: &Operation) -> Reply {
        let client = self.client;
        match op {
            Operation::Command(argv) => self.engine.execute(client, argv),
            Operation::Script {
                source, keys, args, ..
            } => {
                let mut argv = Vec::with_capacity(3 + keys.len() + args.len());
                argv.push(b"EVAL".to_vec());
                argv.push(source.as_bytes().to_vec());
                argv.push(keys.len().to_string().into_bytes());
                argv.extend(keys.iter().cloned());
                argv.extend(args.iter().cloned());
                self.engine.execute(client, &argv)
            }
            Operation::Multi(cmds) => {
                self.engine.execute(client, &[b"MULTI".to_vec()]);
                for argv in cmds {
                    self.engine.execute(client, argv);
                }
                self.engine.execute(client, &[b"EXEC".to_vec()])
            }
        }
    }
}

impl SequentialSpec for EngineModel {
    type State = Vec<Db>;

    fn name(&self) -> &'static str {
        "engine"
    }

    fn init(&mut self) -> Vec<Db> {
        Vec::new()
    }

    fn supports(&self, op: &Operation) -> Result<(), String> {
        let refuse = |argv: &[Vec<u8>], inside_multi: bool| -> Result<(), String> {
            let name = String::from_utf8_lossy(argv.first().map(|a| a.as_slice()).unwrap_or(b""))
                .to_ascii_lowercase();
            if !inside_multi && SESSION_COMMANDS.contains(&name.as_str()) {
                return Err(format!(
                    "{} changes the session, not the data; give a transaction as {{\"multi\": …}}",
                    name.to_uppercase()
                ));
            }
            if RANDOM_COMMANDS.contains(&name.as_str()) {
                return Err(format!(
                    "{} replies with a random choice, which the engine model cannot judge",
                    name.to_uppercase()
                ));
            }
            Ok(())
        };
        match op {
            Operation::Command(argv) => refuse(argv, false),
            Operation::Script { .. } if !Self::has_eval() => {
                Err("this build of the engine has no EVAL yet, so scripts cannot be judged".into())
            }
            Operation::Script { .. } => Ok(()),
            Operation::Multi(cmds) => {
                if cmds.iter().any(|c| {
                    c.first().is_some_and(|n| {
                        n.eq_ignore_ascii_case(b"multi") || n.eq_ignore_ascii_case(b"exec")
                    })
                }) {
                    return Err("a MULTI block lists its commands without MULTI and EXEC".into());
                }
                cmds.iter().try_for_each(|c| refuse(c, true))
            }
        }
    }

    fn step(&mut self, state: &Vec<Db>, op: &Operation) -> (Option<Vec<Db>>, Reply) {
        if self.is_read_only(op) {
            if !(self.loaded_valid && same_dbs(&self.engine.store.dbs, state)) {
                load(&mut self.engine.store.dbs, state);
            }
            self.loaded_valid = true;
            return (None, self.execute(op));
        }
        let expensive = !matches!(op, Operation::Command(_));
        let key = if expensive {
            let mut h = FxHasher::default();
            dbs_fingerprint(state).hash(&mut h);
            op_hash(op, &mut h);
            let key = h.finish();
            if let Some(found) = self.remembered.get(&key).and_then(|list| {
                list.iter()
                    .find(|r| r.op == *op && same_dbs(&r.before, state))
            }) {
                return (found.after.clone(), found.reply.clone());
            }
            Some(key)
        } else {
            None
        };
        if !(self.loaded_valid && same_dbs(&self.engine.store.dbs, state)) {
            load(&mut self.engine.store.dbs, state);
        }
        let reply = self.execute(op);
        self.loaded_valid = true;
        // Compared rather than trusted to the `dirty` counter: a failed or no-op write
        // (SET NX on an existing key) leaves the state as it was and needs no copy.
        let after =
            (!same_dbs(&self.engine.store.dbs, state)).then(|| snapshot(&self.engine.store.dbs));
        if let Some(key) = key {
            if self.remembered_len >= REMEMBERED_MAX {
                self.remembered.clear();
                self.remembered_len = 0;
            }
            self.remembered_len += 1;
            self.remembered.entry(key).or_default().push(Remembered {
                before: state.clone(),
                op: op.clone(),
                after: after.clone(),
                reply: reply.clone(),
            });
        }
        (after, reply)
    }

    /// Commands flagged `readonly` in the command table (GET, ZCARD, …), and MULTI blocks
    /// of them. Scripts never count: EVAL may write.
    fn is_read_only(&self, op: &Operation) -> bool {
        match op {
            Operation::Command(argv) => read_only_command(argv),
            Operation::Multi(cmds) => cmds.iter().all(|c| read_only_command(c)),
            Operation::Script { .. } => false,
        }
    }

    fn fingerprint(&self, state: &Vec<Db>) -> u64 {
        dbs_fingerprint(state)
    }

    fn same_state(&self, a: &Vec<Db>, b: &Vec<Db>) -> bool {
        same_dbs(a, b)
    }

    fn describe(&self, state: &Vec<Db>) -> String {
        let mut items = Vec::new();
        for (index, db) in state.iter().enumerate() {
            let mut entries: Vec<_> = db.entries().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in entries {
                let prefix = if index == 0 {
                    String::new()
                } else {
                    format!("db{index}:")
                };
                items.push(format!(
                    "{prefix}{}={}",
                    String::from_utf8_lossy(key),
                    describe_value(value)
                ));
            }
        }
        if items.is_empty() {
            "(no keys)".into()
        } else {
            items.join(", ")
        }
    }
}

fn op_hash(op: &Operation, h: &mut FxHasher) {
    match op {
        Operation::Command(argv) => (0u8, argv).hash(h),
        Operation::Script {
            source, keys, args, ..
        } => (1u8, source, keys, args).hash(h),
        Operation::Multi(cmds) => (2u8, cmds).hash(h),
    }
}

fn read_only_command(argv: &[Vec<u8>]) -> bool {
    if argv.is_empty() {
        return false;
    }
    match redsim::cmd::resolve(argv) {
        Resolved::Found(spec, sub) => {
            let target = sub.unwrap_or(spec);
            target.has(flags::READONLY) && !target.has(flags::WRITE) && !spec.has(flags::WRITE)
        }
        Resolved::Refused(_) => false,
    }
}

fn describe_value(value: &redsim::db::Value) -> String {
    use redsim::db::Value;
    let text = |b: &[u8]| format!("{:?}", String::from_utf8_lossy(b));
    match value {
        Value::Str(s) => text(s),
        Value::List(l) => format!(
            "[{}]",
            l.iter().map(|i| text(i)).collect::<Vec<_>>().join(", ")
        ),
        Value::Hash(h) => {
            let mut pairs: Vec<_> = h
                .iter()
                .map(|(f, v)| format!("{}: {}", text(f), text(v)))
                .collect();
            pairs.sort();
            format!("{{{}}}", pairs.join(", "))
        }
        Value::Set(s) => {
            let mut members: Vec<_> = s.iter().map(|m| text(m)).collect();
            members.sort();
            format!("set{{{}}}", members.join(", "))
        }
        Value::ZSet(z) => format!(
            "zset{{{}}}",
            z.iter()
                .map(|(m, s)| format!("{}: {}", text(m), s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
