//! One run captured for people: every command the server ran, in order, with the client
//! that sent it, its reply, the operation it belongs to and the probed keys' values right
//! after it; plus the history and the verdict.
//!
//! The values after each command come from replaying the run's recorded schedule and
//! stopping it after that command — the simulator is deterministic, so the replay is the
//! run itself, and the state is read straight from the store (no extra command runs in
//! the run being shown).

use super::analysis::{read_state, render_state, Judge, KeyState, Probe, Verdict};
use crate::history::History;
use crate::options::Strategy;
use crate::scenario::Scenario;
use crate::scheduler::{Candidate, Replay, Scheduler};
use crate::trace::{fmt_argv, TraceEvent};
use crate::world::World;
use redsim::Reply;

/// One command (or crash) of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The step.
    pub step: u64,
    /// Virtual µs, absolute (as the history's times).
    pub time_us: u64,
    /// `None`: the admin connection (a fault such as SCRIPT FLUSH).
    pub client: Option<u32>,
    /// `INCR counter`, or `CRASH`.
    pub command: String,
    /// The reply, compact (`1`, `"2"`, `nil`, `["1", 1]`, `ERR …`); empty for a crash.
    pub reply: String,
    /// The client crashed here.
    pub crash: bool,
    /// Index in the history of the operation this command belongs to.
    pub op: Option<usize>,
    /// The probed keys after this command (`counter=1 zcard(ts_set)=0`).
    pub state: String,
    /// The same values, one per probed key (the report's step-through shows them as a
    /// table); empty where the run's state is not known (a real server's run).
    pub(crate) values: Vec<KeyState>,
}

/// A captured run.
#[derive(Clone, Debug)]
pub struct Capture {
    /// The scenario's name.
    pub scenario: String,
    /// `raw`, `eval`, … as given to `--mode` (or `as written`).
    pub mode: String,
    /// The seed.
    pub seed: u64,
    /// How many clients.
    pub clients: usize,
    /// One row per step.
    pub rows: Vec<Row>,
    /// The history of the run.
    pub history: History,
    /// The judge's verdict.
    pub verdict: Verdict,
    /// The schedule it followed.
    pub schedule: Vec<u32>,
    /// The keys shown after each step.
    pub probe: Probe,
    /// The options line that, with the seed, reproduces the run.
    pub options: String,
    pub(crate) steps_max_hit: bool,
    /// A server-side script never finished; the server was shut down (SHUTDOWN NOSAVE).
    pub hung_script: bool,
    /// The heading of the rows' `state` column (`state after` for a simulated run).
    pub(crate) state_heading: String,
}

/// A reply on one short line.
pub fn compact_reply(reply: &Reply) -> String {
    match reply {
        Reply::Integer(n) => n.to_string(),
        Reply::Null | Reply::NullArray => "nil".into(),
        Reply::Simple(s) => String::from_utf8_lossy(s).into_owned(),
        Reply::Error(e) => {
            let text = String::from_utf8_lossy(e);
            shorten(&text, 24)
        }
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            let items: Vec<String> = items.iter().map(compact_reply).collect();
            format!("[{}]", items.join(", "))
        }
        other => crate::trace::fmt_reply(other),
    }
}

/// `text` cut to `max` characters with an ellipsis.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// A command as the table shows it: a script body sent with EVAL becomes `«script»`.
pub(crate) fn compact_command(argv: &[Vec<u8>]) -> String {
    let name = argv
        .first()
        .map(|a| a.to_ascii_uppercase())
        .unwrap_or_default();
    if (name == b"EVAL"
        || name == b"SCRIPT" && argv.get(1).is_some_and(|a| a.eq_ignore_ascii_case(b"load")))
        && argv.len() >= 2
    {
        let at = if name == b"EVAL" { 1 } else { 2 };
        let mut shown: Vec<Vec<u8>> = argv.to_vec();
        shown[at] = "«script»".as_bytes().to_vec();
        let parts: Vec<String> = shown
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        return shorten(&parts.join(" "), 60);
    }
    if name == b"EVALSHA" && argv.len() >= 2 {
        let mut shown: Vec<Vec<u8>> = argv.to_vec();
        let sha = String::from_utf8_lossy(&argv[1]);
        shown[1] = format!("{}…", &sha[..sha.len().min(8)]).into_bytes();
        let parts: Vec<String> = shown
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        return shorten(&parts.join(" "), 60);
    }
    shorten(&fmt_argv(argv), 60)
}

/// Follows `schedule` and abandons the run at step `stop`.
struct Prefix {
    replay: Replay,
    stop: u64,
}

impl Scheduler for Prefix {
    fn begin(&mut self, seed: u64, clients: usize) {
        self.replay.begin(seed, clients);
    }
    fn pick(&mut self, step: u64, enabled: &[Candidate]) -> Option<usize> {
        if step >= self.stop {
            return None;
        }
        self.replay.pick(step, enabled)
    }
}

/// The operation of `client` running at server time `time_us`.
fn op_at(history: &History, client: u32, time_us: u64) -> Option<usize> {
    history.ops.iter().position(|op| {
        op.client == client as u64 && op.call <= time_us && op.ret.is_none_or(|r| time_us <= r)
    })
}

/// Runs `scenario` (already in the wanted mode) with `seed` and captures it: the run
/// traced and judged, the probed keys after each step (replays of it), one row per
/// traced event.
pub fn capture(scenario: &Scenario, judge: &Judge, seed: u64, mode: &str) -> Capture {
    let traced = scenario.clone().trace(true);
    let mut world = traced.world(seed);
    let report = world.run_seed(seed);
    let verdict = judge.judge(&mut world);
    let schedule = world.schedule.clone();
    let history = world.history.clone();
    let options = world.options.to_string();
    let events = world.trace.events.clone();
    let admin_steps: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Command {
                client: None, step, ..
            } => Some(*step),
            _ => None,
        })
        .collect();
    let mut rows = Rows {
        probe: &judge.probe,
        history: &history,
        admin_client: world.clients() as u64,
        states: states_after_each_step(&mut world, &judge.probe, &schedule, seed),
        admin_states: states_after_admin(&mut world, &judge.probe, &schedule, seed, &admin_steps),
        last_state: vec![KeyState::Missing; judge.probe.keys.len()],
        rows: Vec::new(),
    };
    for event in events {
        rows.add(event);
    }
    let rows = rows.rows;
    Capture {
        scenario: scenario.name.clone(),
        mode: mode.to_string(),
        seed,
        clients: world.clients(),
        rows,
        history,
        verdict,
        schedule,
        probe: judge.probe.clone(),
        options,
        steps_max_hit: report.hit_steps_max,
        hung_script: report.hung_script,
        state_heading: "state after".into(),
    }
}

/// The table's rows, built event by event; a row shows the probed keys as the last
/// command before it left them.
struct Rows<'a> {
    probe: &'a Probe,
    history: &'a History,
    /// The admin connection's client number (one past the last client).
    admin_client: u64,
    /// The probed keys after each step.
    states: Vec<Vec<KeyState>>,
    /// The probed keys after each admin command, by its step.
    admin_states: Vec<(u64, Vec<KeyState>)>,
    last_state: Vec<KeyState>,
    rows: Vec<Row>,
}

impl Rows<'_> {
    /// The row of one traced event.
    fn add(&mut self, event: TraceEvent) {
        let history = self.history;
        match event {
            TraceEvent::Command {
                step,
                time_us,
                client,
                argv,
                reply,
            } => {
                let state = match client {
                    Some(_) => self.states.get(step as usize),
                    None => self
                        .admin_states
                        .iter()
                        .find(|(s, _)| *s == step)
                        .map(|(_, state)| state),
                };
                if let Some(s) = state {
                    self.last_state = s.clone();
                }
                let op = match client {
                    Some(c) => op_at(history, c, time_us),
                    None => history
                        .ops
                        .iter()
                        .position(|op| op.client == self.admin_client && op.call == time_us),
                };
                self.push(step, time_us, client, compact_command(&argv), op);
                if let Some(row) = self.rows.last_mut() {
                    row.reply = compact_reply(&reply);
                }
            }
            TraceEvent::Crash { time_us, client } => {
                let op = history
                    .ops
                    .iter()
                    .position(|op| op.client == client as u64 && op.ret.is_none());
                self.push_event(time_us, client, "CRASH", op);
                if let Some(row) = self.rows.last_mut() {
                    row.crash = true;
                }
            }
            TraceEvent::Disconnect { time_us, client } => {
                let op = op_at(history, client, time_us);
                self.push_event(time_us, client, "CONNECTION LOST", op);
            }
            TraceEvent::ClockJump { time_us, by_ms } => {
                // The server's clock, not a client's: no client, no operation.
                let step = self.rows.last().map_or(0, |r| r.step);
                self.push(
                    step,
                    time_us,
                    None,
                    format!("CLOCK JUMP {by_ms:+} ms"),
                    None,
                );
            }
            TraceEvent::Timeout {
                time_us,
                client,
                retry,
            } => {
                let what = if retry {
                    "TIMEOUT (retry)"
                } else {
                    "TIMEOUT (wait)"
                };
                self.push_event(time_us, client, what, op_at(history, client, time_us));
            }
        }
    }

    /// A row that is not a command (a crash, a lost connection, a timeout): at the
    /// previous row's step.
    fn push_event(&mut self, time_us: u64, client: u32, what: &str, op: Option<usize>) {
        let step = self.rows.last().map_or(0, |r| r.step);
        self.push(step, time_us, Some(client), what.into(), op);
    }

    fn push(
        &mut self,
        step: u64,
        time_us: u64,
        client: Option<u32>,
        command: String,
        op: Option<usize>,
    ) {
        self.rows.push(Row {
            step,
            time_us,
            client,
            command,
            reply: String::new(),
            crash: false,
            op,
            state: render_state(self.probe, &self.last_state),
            values: self.last_state.clone(),
        });
    }
}

/// `states[s]`: the probed keys after step `s`, before the admin commands that come
/// before step `s + 1` (the step bound stops the run ahead of them).
fn states_after_each_step(
    world: &mut World,
    probe: &Probe,
    schedule: &[u32],
    seed: u64,
) -> Vec<Vec<KeyState>> {
    world.options.trace = false;
    let steps_max = world.options.steps_max;
    let mut states = Vec::with_capacity(schedule.len());
    for stop in 1..=schedule.len() as u64 {
        world.reset(seed);
        world.options.steps_max = stop;
        world.run(&mut Replay::new(schedule.to_vec()));
        states.push(read_state(world, probe));
    }
    world.options.steps_max = steps_max;
    states
}

/// The probed keys after the admin commands run before step `s`, for each such `s`.
fn states_after_admin(
    world: &mut World,
    probe: &Probe,
    schedule: &[u32],
    seed: u64,
    steps: &[u64],
) -> Vec<(u64, Vec<KeyState>)> {
    world.options.trace = false;
    let mut states: Vec<(u64, Vec<KeyState>)> = Vec::new();
    for &stop in steps {
        if states.iter().any(|(s, _)| *s == stop) {
            continue;
        }
        world.reset(seed);
        let mut prefix = Prefix {
            replay: Replay::new(schedule.to_vec()),
            stop,
        };
        world.run(&mut prefix);
        states.push((stop, read_state(world, probe)));
    }
    states
}

/// The scenario with its strategy replaced by a recorded schedule.
pub fn with_schedule(scenario: &Scenario, schedule: Vec<u32>) -> Scenario {
    let mut s = scenario.clone();
    s.options.strategy = Strategy::Replay(schedule);
    s
}
