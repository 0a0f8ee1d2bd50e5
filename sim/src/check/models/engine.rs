//! The engine as the model: each op runs atomically on a snapshot of redsim's own
//! databases, so any command, script or MULTI block can be judged without a hand model.
//!
//! One `Engine` with one client session is kept. A state is the data of the 16
//! databases (a snapshot of `Store::dbs`) with the script cache, the function libraries
//! and the configuration (`engine_state.rs`); a step loads it into the engine, runs the op
//! and takes the result out. A script op is judged as one EVAL of its
//! source with its KEYS and ARGV, whatever its mode (for a `raw` run that is exactly the
//! question: could it have run atomically?). A MULTI block runs as MULTI, its commands,
//! EXEC, and its reply is EXEC's. The engine's clock is frozen, so TTLs set by the
//! history never run out. A command whose reply is a random choice (SPOP, SRANDMEMBER,
//! RANDOMKEY…, also from a script) is run once per sequence of choices, and the search
//! accepts it when one of them explains the reply (at most `CHOICES_MAX` runs).
//!
//! Speed: read-only commands run on the loaded data without copying it when it already
//! is the state asked about (the search tries many reads from one state in a row); the
//! results of scripts and MULTI blocks are remembered per (state, op) across parts and
//! histories, since running Lua costs far more than looking the answer up.

use super::engine_state::{
    load, next_choices, same_dbs, same_state, snapshot, state_fingerprint, touches_caches,
    ChoiceHost, Choices, EngineState,
};
use crate::check::{Footprint, SequentialSpec};
use crate::history::Operation;
use redsim::cmd::{flags, Resolved};
use redsim::{ClientId, Engine, ManualHost, Reply};
use rustc_hash::{FxHashMap, FxHasher};
use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// Most runs of one op with different random choices.
const CHOICES_MAX: usize = 1024;

/// The outcomes of one op on one state: (state after, or `None` if unchanged; reply).
type Outcomes = Vec<(Option<EngineState>, Reply)>;

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

/// How many remembered script and MULTI results to keep before starting afresh. They pay
/// off when the same script meets the same state again in another part or another check
/// (CAS on a register); each holds its states alive, so the table stays small: a history
/// of 1,000 parts with 100 states each kept ~400 MB of dead parts' states at 65,536.
const REMEMBERED_MAX: usize = 1 << 12;

/// One remembered step: the op, the state it ran on, what it did.
struct Remembered {
    before: EngineState,
    op: Operation,
    outcomes: Outcomes,
    /// The op reached keys outside its footprint.
    outside: bool,
}

/// The engine as the model: each operation runs on a copy of the store.
pub struct EngineModel {
    engine: Engine,
    client: ClientId,
    choices: Arc<Mutex<Choices>>,
    /// Whether `engine.store.dbs` holds data equal to a state (so reads can run on it).
    loaded_valid: bool,
    /// The caches and configuration loaded in the engine (as a state holds them).
    loaded: EngineState,
    /// Whether some op can observe the script cache or the functions (set by `supports`).
    follows_caches: Cell<bool>,
    /// Sources of the scripts seen, by SHA1, to load them back into the cache.
    sources: FxHashMap<String, String>,
    remembered: FxHashMap<u64, Vec<Remembered>>,
    remembered_len: usize,
    /// Whether the caches were followed when `remembered` was filled.
    remembered_follow_caches: bool,
    /// Some run of an op reached keys outside its footprint since the checker last asked.
    reached_outside: bool,
}

impl Default for EngineModel {
    fn default() -> Self {
        EngineModel::new()
    }
}

/// Whether `op` runs a script on the server (a script op, or EVAL/EVALSHA/FCALL).
fn op_runs_script(op: &Operation) -> bool {
    match op {
        Operation::Script { .. } => true,
        Operation::Command(argv) => redsim::cmd::runs_script(argv),
        Operation::Multi(cmds) => cmds.iter().any(|argv| redsim::cmd::runs_script(argv)),
    }
}

/// Whether what a run touched goes beyond the footprint the history was split by.
fn reaches_outside(access: &redsim::access::Access, footprint: &Footprint) -> bool {
    match footprint {
        Footprint::Global => false,
        Footprint::Pure => access.reaches_keys_outside(&[]),
        Footprint::Keys(keys) => {
            let keys: Vec<(usize, &[u8])> =
                keys.iter().map(|(db, k)| (*db, k.as_slice())).collect();
            access.reaches_keys_outside(&keys)
        }
    }
}

impl EngineModel {
    /// A model starting from an empty server.
    pub fn new() -> Self {
        let choices = Arc::new(Mutex::new(Choices::default()));
        let mut engine = Engine::new(ChoiceHost {
            now_us: ManualHost::default().now_us,
            choices: choices.clone(),
            instructions_max: crate::options::SCRIPT_INSTRUCTIONS_MAX,
        });
        let client = engine.connect();
        EngineModel {
            engine,
            client,
            choices,
            loaded_valid: false,
            loaded: EngineState::default(),
            follows_caches: Cell::new(false),
            sources: FxHashMap::default(),
            remembered: FxHashMap::default(),
            remembered_len: 0,
            remembered_follow_caches: false,
            reached_outside: false,
        }
    }

    /// Remembers the source of every script `op` names, to load it back later.
    fn note_sources(&mut self, op: &Operation) {
        if !self.follows_caches.get() {
            return;
        }
        let mut note = |source: &[u8]| {
            let sha = redsim::script::sha1_hex(source);
            self.sources
                .entry(sha)
                .or_insert_with(|| String::from_utf8_lossy(source).into_owned());
        };
        let mut argv_sources = |argv: &[Vec<u8>]| match argv {
            [name, source, ..] if name.eq_ignore_ascii_case(b"eval") => note(source),
            [name, sub, source, ..]
                if name.eq_ignore_ascii_case(b"script") && sub.eq_ignore_ascii_case(b"load") =>
            {
                note(source)
            }
            _ => {}
        };
        match op {
            Operation::Command(argv) => argv_sources(argv),
            Operation::Multi(cmds) => cmds.iter().for_each(|c| argv_sources(c)),
            Operation::Script { source, .. } => note(source.as_bytes()),
        }
    }

    /// Puts `state` into the engine (what is already there is kept).
    fn load_state(&mut self, state: &EngineState) {
        if !(self.loaded_valid && same_dbs(&self.engine.store.dbs, &state.dbs)) {
            load(&mut self.engine.store.dbs, &state.dbs);
        }
        self.loaded_valid = true;
        if self.loaded.config != state.config {
            self.engine.store.config = state.config.as_deref().cloned().unwrap_or_default();
            self.loaded.config = state.config.clone();
        }
        if self.loaded.lua_random != state.lua_random {
            let initial = redsim::script::Scripting::initial_random_state();
            self.engine
                .scripts
                .set_random_state(state.lua_random.unwrap_or(initial));
            self.loaded.lua_random = state.lua_random;
        }
        if !self.follows_caches.get() {
            return;
        }
        if self.loaded.scripts != state.scripts {
            let client = self.client;
            self.engine
                .execute(client, &[b"SCRIPT".to_vec(), b"FLUSH".to_vec()]);
            for sha in &state.scripts {
                if let Some(source) = self.sources.get(sha) {
                    let argv = [
                        b"SCRIPT".to_vec(),
                        b"LOAD".to_vec(),
                        source.clone().into_bytes(),
                    ];
                    self.engine.execute(client, &argv);
                }
            }
            self.loaded.scripts = state.scripts.clone();
        }
        if self.loaded.functions != state.functions {
            let client = self.client;
            self.engine
                .execute(client, &[b"FUNCTION".to_vec(), b"FLUSH".to_vec()]);
            if let Some(dump) = &state.functions {
                let argv = [b"FUNCTION".to_vec(), b"RESTORE".to_vec(), dump.clone()];
                self.engine.execute(client, &argv);
            }
            self.loaded.functions = state.functions.clone();
        }
    }

    /// The state the engine holds now (after a step), given the state before it: `None`
    /// when nothing changed.
    fn read_state(&mut self, before: &EngineState) -> Option<EngineState> {
        let random = self.engine.scripts.random_state();
        self.loaded.lua_random =
            (random != redsim::script::Scripting::initial_random_state()).then_some(random);
        let config = self.engine.store.config.clone();
        self.loaded.config =
            (config != redsim::config::Config::default()).then(|| Box::new(config));
        if self.follows_caches.get() {
            self.loaded.scripts = self.engine.scripts.cached_shas();
            let client = self.client;
            let dump = self
                .engine
                .execute(client, &[b"FUNCTION".to_vec(), b"DUMP".to_vec()]);
            self.loaded.functions = match dump {
                Reply::Bulk(payload) => Some(payload),
                _ => None,
            };
            self.loaded.functions = self.loaded.functions.take().filter(|_| {
                !matches!(
                    self.engine.execute(client, &[b"FUNCTION".to_vec(), b"LIST".to_vec()]),
                    Reply::Array(ref libs) if libs.is_empty()
                )
            });
        }
        let same_dbs = same_dbs(&self.engine.store.dbs, &before.dbs);
        let same_rest = self.loaded.scripts == before.scripts
            && self.loaded.functions == before.functions
            && self.loaded.config == before.config
            && self.loaded.lua_random == before.lua_random;
        if same_dbs && same_rest {
            return None;
        }
        Some(EngineState {
            dbs: if same_dbs {
                before.dbs.clone()
            } else {
                // Measured first, so that the snapshot's figure is current (`state_bytes`).
                self.engine.store.dbs.iter_mut().for_each(|db| {
                    db.used_bytes();
                });
                snapshot(&self.engine.store.dbs)
            },
            scripts: self.loaded.scripts.clone(),
            functions: self.loaded.functions.clone(),
            config: self.loaded.config.clone(),
            lua_random: self.loaded.lua_random,
        })
    }

    /// Runs `op` on `state` with the random choices `prefix` (then 0s): the outcome and
    /// how many options each choice had.
    fn run_with(
        &mut self,
        state: &EngineState,
        op: &Operation,
        prefix: Vec<u64>,
    ) -> ((Option<EngineState>, Reply), Vec<u64>) {
        self.load_state(state);
        if let Ok(mut c) = self.choices.lock() {
            c.prefix = prefix;
            c.ranges.clear();
        }
        // Scripts are split by the keys they declare: see whether they kept to them.
        let script = op_runs_script(op);
        if script {
            self.engine.store.access = Some(redsim::access::Access::default());
        }
        let reply = self.execute(op);
        if let Some(access) = self.engine.store.access.take() {
            self.reached_outside |= reaches_outside(&access, &self.footprint(op));
        }
        let ranges = self
            .choices
            .lock()
            .map(|mut c| std::mem::take(&mut c.ranges))
            .unwrap_or_default();
        let after = if self.is_read_only(op) {
            None
        } else {
            self.read_state(state)
        };
        ((after, reply), ranges)
    }

    /// Every outcome of `op` on `state`: one per sequence of random choices.
    fn all_outcomes(&mut self, state: &EngineState, op: &Operation) -> Outcomes {
        self.note_sources(op);
        let (first, ranges) = self.run_with(state, op, Vec::new());
        let mut outcomes = vec![first];
        let mut choices = vec![0; ranges.len()];
        let mut ranges = ranges;
        while outcomes.len() < CHOICES_MAX {
            let Some(next) = next_choices(choices, ranges) else {
                break;
            };
            let (outcome, r) = self.run_with(state, op, next.clone());
            outcomes.push(outcome);
            choices = next;
            ranges = r;
        }
        outcomes
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
    type State = EngineState;

    fn name(&self) -> &'static str {
        "engine"
    }

    fn init(&mut self) -> EngineState {
        EngineState::default()
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
            if touches_caches(argv) {
                self.follows_caches.set(true);
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

    fn step(&mut self, state: &EngineState, op: &Operation) -> (Option<EngineState>, Reply) {
        let mut outcomes = self.step_all(state, op);
        outcomes.swap_remove(0)
    }

    fn step_all(&mut self, state: &EngineState, op: &Operation) -> Outcomes {
        if self.follows_caches.get() != self.remembered_follow_caches {
            // Results remembered while the caches were not followed left them out.
            self.remembered.clear();
            self.remembered_len = 0;
            self.remembered_follow_caches = self.follows_caches.get();
        }
        let expensive = !matches!(op, Operation::Command(_));
        if !expensive {
            return self.all_outcomes(state, op);
        }
        let mut h = FxHasher::default();
        state_fingerprint(state).hash(&mut h);
        op_hash(op, &mut h);
        let key = h.finish();
        if let Some(found) = self.remembered.get(&key).and_then(|list| {
            list.iter()
                .find(|r| r.op == *op && same_state(&r.before, state))
        }) {
            self.reached_outside |= found.outside;
            return found.outcomes.clone();
        }
        let before = std::mem::replace(&mut self.reached_outside, false);
        let outcomes = self.all_outcomes(state, op);
        let outside = self.reached_outside;
        self.reached_outside |= before;
        if self.remembered_len >= REMEMBERED_MAX {
            self.remembered.clear();
            self.remembered_len = 0;
        }
        self.remembered_len += 1;
        self.remembered.entry(key).or_default().push(Remembered {
            before: state.clone(),
            op: op.clone(),
            outcomes: outcomes.clone(),
            outside,
        });
        outcomes
    }

    fn take_reached_outside(&mut self) -> bool {
        std::mem::take(&mut self.reached_outside)
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

    /// Redis's own accounting of the data (what MEMORY USAGE counts), plus the rest of
    /// the state: an estimate of the same order as what the snapshot takes here.
    fn state_bytes(&self, state: &EngineState) -> u64 {
        let data: usize = state.dbs.iter().map(|db| db.measured_bytes()).sum();
        let rest = std::mem::size_of::<EngineState>()
            + state.scripts.iter().map(|s| s.len() + 24).sum::<usize>()
            + state.functions.as_ref().map_or(0, Vec::len);
        (data + rest) as u64
    }

    fn fingerprint(&self, state: &EngineState) -> u64 {
        state_fingerprint(state)
    }

    fn same_state(&self, a: &EngineState, b: &EngineState) -> bool {
        same_state(a, b)
    }

    fn describe(&self, state: &EngineState) -> String {
        let mut items = Vec::new();
        for (index, db) in state.dbs.iter().enumerate() {
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
        if !state.scripts.is_empty() {
            items.push(format!("{} cached script(s)", state.scripts.len()));
        }
        if state.functions.is_some() {
            items.push("function libraries".into());
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
        Value::Stream(st) => format!(
            "stream{{{}}}",
            st.entries()
                .map(|(id, pairs)| format!(
                    "{id}: [{}]",
                    pairs.iter().map(|p| text(p)).collect::<Vec<_>>().join(", ")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
