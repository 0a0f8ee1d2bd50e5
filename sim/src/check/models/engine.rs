//! The engine as the model: each op runs atomically on a snapshot of redsim's own
//! `Store`, so any command, script or MULTI block can be judged without a hand model.
//!
//! One `Engine` with one client session is kept; for each step the state's `Store` is
//! cloned and swapped in, the op runs, and the result is swapped out again. A script op
//! is judged as one EVAL of its source with its KEYS and ARGV, whatever its mode (for a
//! `raw` run that is exactly the question: could it have run atomically?). A MULTI block
//! runs as MULTI, its commands, EXEC, and its reply is EXEC's. The engine's clock is
//! frozen (the default `ManualHost`), so TTLs set by the history never run out.

use crate::check::SequentialSpec;
use crate::history::Operation;
use redsim::cmd::{flags, Resolved};
use redsim::stats::Stats;
use redsim::store::Store;
use redsim::{ClientId, Engine, ManualHost, Reply};

/// Commands that change the session rather than the data: as a history op they would
/// leak into later ops of other clients through the one shared session.
const SESSION_COMMANDS: &[&str] = &[
    "multi", "exec", "discard", "watch", "unwatch", "select", "hello", "reset", "quit", "auth", "client",
    "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "monitor",
];

pub struct EngineModel {
    engine: Engine,
    client: ClientId,
}

impl Default for EngineModel {
    fn default() -> Self {
        EngineModel::new()
    }
}

impl EngineModel {
    pub fn new() -> Self {
        let mut engine = Engine::new(ManualHost::default());
        let client = engine.connect();
        EngineModel { engine, client }
    }

    /// Whether the engine has EVAL (scripts need it).
    pub fn has_eval() -> bool {
        redsim::cmd::lookup(b"eval").is_some()
    }

    fn run(&mut self, op: &Operation) -> Reply {
        let client = self.client;
        match op {
            Operation::Command(argv) => self.engine.execute(client, argv),
            Operation::Script { source, keys, args, .. } => {
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
    type State = Store;

    fn name(&self) -> &'static str {
        "engine"
    }

    fn init(&mut self) -> Store {
        let mut store = self.engine.store.clone();
        store.stats = Stats::default();
        store
    }

    fn supports(&self, op: &Operation) -> Result<(), String> {
        match op {
            Operation::Command(argv) => {
                let name = String::from_utf8_lossy(argv.first().map(|a| a.as_slice()).unwrap_or(b""))
                    .to_ascii_lowercase();
                if SESSION_COMMANDS.contains(&name.as_str()) {
                    return Err(format!(
                        "{} changes the session, not the data; give a transaction as {{\"multi\": …}}",
                        name.to_uppercase()
                    ));
                }
                Ok(())
            }
            Operation::Script { .. } if !Self::has_eval() => {
                Err("this build of the engine has no EVAL yet, so scripts cannot be judged".into())
            }
            Operation::Script { .. } => Ok(()),
            Operation::Multi(cmds) => match cmds.iter().find(|c| {
                c.first().is_some_and(|n| n.eq_ignore_ascii_case(b"multi") || n.eq_ignore_ascii_case(b"exec"))
            }) {
                Some(_) => Err("a MULTI block lists its commands without MULTI and EXEC".into()),
                None => Ok(()),
            },
        }
    }

    fn step(&mut self, state: &Store, op: &Operation) -> (Option<Store>, Reply) {
        let mut next = state.clone();
        std::mem::swap(&mut self.engine.store, &mut next);
        let reply = self.run(op);
        std::mem::swap(&mut self.engine.store, &mut next);
        // Statistics and session leftovers are not part of the data: keep snapshots small
        // and every op starting from the same session.
        next.stats = Stats::default();
        let session = next.session_mut(self.client);
        session.db = 0;
        session.multi = None;
        next.unwatch_all(self.client);
        (Some(next), reply)
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

    fn fingerprint(&self, state: &Store) -> u64 {
        state.fingerprint()
    }

    fn same_state(&self, a: &Store, b: &Store) -> bool {
        a.same_data(b)
    }

    fn describe(&self, state: &Store) -> String {
        let mut items = Vec::new();
        for (index, db) in state.dbs.iter().enumerate() {
            let mut entries: Vec<_> = db.entries().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in entries {
                let prefix = if index == 0 { String::new() } else { format!("db{index}:") };
                items.push(format!("{prefix}{}={}", String::from_utf8_lossy(key), describe_value(value)));
            }
        }
        if items.is_empty() {
            "(no keys)".into()
        } else {
            items.join(", ")
        }
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
        Value::List(l) => format!("[{}]", l.iter().map(|i| text(i)).collect::<Vec<_>>().join(", ")),
        Value::Hash(h) => {
            let mut pairs: Vec<_> = h.iter().map(|(f, v)| format!("{}: {}", text(f), text(v))).collect();
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
            z.iter().map(|(m, s)| format!("{}: {}", text(m), s)).collect::<Vec<_>>().join(", ")
        ),
    }
}
