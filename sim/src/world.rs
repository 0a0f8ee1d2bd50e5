//! The world of one simulated run: the servers (nodes, `world/node.rs`; one unless a
//! scenario adds more) with virtual-clock hosts, the clients and their in-flight requests,
//! the history and the trace.
//!
//! seed → [`Options`] → `World::new` → [`World::run`] with a scheduler → history + trace.
//!
//! One step: the scheduler picks one enabled event (a client whose next request can reach
//! the server now), the engine executes that request atomically (`Engine::execute`; an
//! EVAL runs its whole script), the reply goes back to the client, which decides what to
//! send next. Virtual time advances by `command_cost_us` per command, jumps forward when
//! every pending request is still in transit (delays, think time), and advances with the
//! Lua instructions of server-side scripts (see `clock.rs`).
//!
//! Randomness comes only from ChaCha streams seeded by the run's seed: one for the
//! scheduler, one for faults, one per node's engine. A world is reused across runs:
//! [`World::reset`] gives each node a fresh store instead of building a new engine, and
//! the clients keep their Lua VMs.

use crate::client::{Argv, Outbox, Program};
use crate::clock::{SimClock, EPOCH_US};
use crate::coverage::{Coverage, Event};
use crate::history::{History, Operation};
use crate::options::Options;
use crate::scheduler::{Access, Candidate, Scheduler};
use crate::trace::Trace;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use redsim::store::Store;
use redsim::{ClientId, Reply};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

mod advance;
mod busy;
mod faults;
mod jump;
mod node;
mod record;
mod replication;
mod restart;
mod retry;
mod shards;
mod slow;

pub use node::Node;
pub(crate) use retry::Attempt;
use retry::NO_ATTEMPT;
pub use shards::{Reshard, BASE_PORT};

/// Where a client is in the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientState {
    /// It has work left.
    Running,
    /// It ran all its operations.
    Finished,
    /// It crashed.
    Crashed,
}

struct Request {
    argv: Argv,
    ready_at_us: u64,
    /// The connection it was sent on (node, session), when the client has since left it
    /// (a request orphaned by a timeout); `None`: the client's current one.
    session: Option<(u32, ClientId)>,
    /// The attempt of an operation it belongs to (`World::attempts`), or `NO_ATTEMPT`.
    attempt: u32,
}

struct Slot {
    program: Box<dyn Program>,
    /// The node of its current connection.
    node: u32,
    session: ClientId,
    /// The node its next connection goes to (where it was told the server is).
    target: u32,
    /// The node it connects to when a run starts (kept across resets).
    home: u32,
    inflight: VecDeque<Request>,
    /// Requests sent on connections the client left after a timeout: still on the wire,
    /// they reach the server and run; nobody reads their replies.
    orphans: VecDeque<Request>,
    /// When the client gives up waiting for its request in flight (timeouts on).
    deadline_us: Option<u64>,
    /// Retries of the operation in progress.
    retries_in_op: u32,
    /// The attempt of the operation in progress (`World::attempts`), or `NO_ATTEMPT`.
    attempt: u32,
    replies: Vec<Reply>,
    awaiting: usize,
    ops_begun: u32,
    /// Index in the history of the operation in progress.
    current: Option<usize>,
    /// Commands sent in the operation in progress.
    sent_in_op: u32,
    /// Commands of the operation in progress that the host answered during a busy script
    /// (`-BUSY`, a granted SCRIPT KILL): they never ran on the engine.
    refused_in_op: u32,
    /// Writes the operation in progress applied (counted only when clients may crash):
    /// a crash after one leaves a raw sequence half done.
    writes_in_op: u32,
    replies_total: u32,
    state: ClientState,
    /// This client's own fault stream (crashes, think time, delays): what happens to a
    /// client depends on its own steps only, not on how the others' are interleaved.
    fault_rng: ChaCha8Rng,
}

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Steps run.
    pub steps: u64,
    /// The scheduler abandoned the run (an exhaustive path whose steps were all asleep).
    pub abandoned: bool,
    pub(crate) hit_steps_max: bool,
    /// Clients that crashed.
    pub crashes: u32,
    /// A server-side script never finished: the server was shut down (SHUTDOWN NOSAVE)
    /// and the run ended there.
    pub hung_script: bool,
}

/// A simulated run's world (see the module documentation).
pub struct World {
    /// The run's options.
    pub options: Options,
    /// The servers; node 0 is the one every client starts connected to.
    pub nodes: Vec<Node>,
    /// The virtual clock every node's host reads.
    pub clock: Arc<SimClock>,
    fault_rng: ChaCha8Rng,
    slots: Vec<Slot>,
    /// The operations of the run.
    pub history: History,
    /// The pub/sub messages (push frames) each client received, in order (see
    /// [`crate::client::subscriber`]).
    pub received: Vec<Vec<Reply>>,
    /// The commands the server ran, when tracing.
    pub trace: Trace,
    /// The client chosen at each step.
    pub schedule: Vec<u32>,
    step: u64,
    /// The step the run loop last came to (see `World::run`).
    visited_step: Option<u64>,
    /// A client lost its connection and opened another during the current step.
    reconnected_in_step: bool,
    seed: u64,
    candidates: Vec<Candidate>,
    out: Outbox,
    crashes: u32,
    /// A script of this run never finished (see [`RunReport::hung_script`]).
    hung_script: bool,
    /// Operations a crash cut short after they had written (raw sequences only: an atomic
    /// operation's effects are all or nothing): their effects are partial.
    pub(crate) partial_ops: Vec<usize>,
    /// Each attempt of an operation when clients may retry (timeouts on): its operation
    /// in the history and whether it changed the data.
    pub(crate) attempts: Vec<Attempt>,
    /// What the server's persistence keeps, and the acknowledged writes restarts (and
    /// failovers) lost.
    pub(crate) disk: restart::Disk,
    /// What the run reached (guided exploration, `crate::coverage`).
    pub coverage: Coverage,
    /// The replication links between the nodes, when the scenario has replicas.
    links: replication::Links,
    /// The Redis Cluster its nodes form, in a sharded world (`world/shards.rs`).
    pub(crate) cluster: Option<Box<shards::Cluster>>,
}

/// The fault stream for `seed`: the world's own (SCRIPT FLUSH at random steps) for
/// `None`, client `c`'s for `Some(c)`.
fn fault_rng(seed: u64, client: Option<usize>) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(client.map_or(2, |c| 16 + c as u64));
    rng
}

impl World {
    /// A world for `options` with one client per program (client `i` runs `programs[i]`).
    pub fn new(options: Options, programs: Vec<Box<dyn Program>>) -> World {
        let clock = SimClock::new(EPOCH_US);
        let nodes = vec![Node::new(clock.clone(), options.seed, 0)];
        let slots = programs
            .into_iter()
            .map(|program| Slot {
                program,
                node: 0,
                session: ClientId { slot: 0, id: 0 },
                target: 0,
                home: 0,
                inflight: VecDeque::new(),
                orphans: VecDeque::new(),
                deadline_us: None,
                retries_in_op: 0,
                attempt: NO_ATTEMPT,
                replies: Vec::new(),
                awaiting: 0,
                ops_begun: 0,
                current: None,
                sent_in_op: 0,
                refused_in_op: 0,
                writes_in_op: 0,
                replies_total: 0,
                state: ClientState::Running,
                fault_rng: fault_rng(options.seed, None),
            })
            .collect();
        let seed = options.seed;
        let mut world = World {
            options,
            nodes,
            clock,
            fault_rng: fault_rng(seed, None),
            slots,
            history: History::default(),
            received: Vec::new(),
            trace: Trace::default(),
            schedule: Vec::new(),
            step: 0,
            visited_step: None,
            reconnected_in_step: false,
            seed,
            candidates: Vec::new(),
            out: Outbox::default(),
            crashes: 0,
            hung_script: false,
            partial_ops: Vec::new(),
            attempts: Vec::new(),
            disk: restart::Disk::default(),
            coverage: Coverage::default(),
            links: replication::Links::default(),
            cluster: None,
        };
        for _ in 0..world.options.faults.replication.replicas {
            world.add_node();
        }
        world.reset(seed);
        if world.options.shards > 0 {
            world.shard(world.options.shards as usize);
            for reshard in world.options.reshards.clone() {
                world.add_reshard(reshard);
            }
        }
        world
    }

    /// How many clients.
    pub fn clients(&self) -> usize {
        self.slots.len()
    }

    /// The seed of the current run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Where client `client` is.
    pub fn client_state(&self, client: usize) -> ClientState {
        self.slots[client].state
    }

    /// The session of client `client` on its node (see [`World::node_of`]).
    pub fn session(&self, client: usize) -> ClientId {
        self.slots[client].session
    }

    /// Puts the world back to its start for a run with `seed`: every node an empty
    /// server, the clock at the epoch, fresh random streams, clients reconnected (each to
    /// its home node, see [`World::set_home_node`]) and reset.
    pub fn reset(&mut self, seed: u64) {
        self.seed = seed;
        self.options.seed = seed;
        self.clock.reset(EPOCH_US);
        self.clock.ns_per_instruction.store(
            self.options.lua_ns_per_instruction,
            std::sync::atomic::Ordering::Relaxed,
        );
        self.clock.instructions_max.store(
            self.options.script_instructions_max,
            std::sync::atomic::Ordering::Relaxed,
        );
        self.hung_script = false;
        self.fault_rng = fault_rng(seed, None);
        for n in 0..self.nodes.len() {
            let store = self.fresh_store();
            self.nodes[n].reset(seed, store);
        }
        for (i, slot) in self.slots.iter_mut().enumerate() {
            slot.fault_rng = fault_rng(seed, Some(i));
            slot.node = slot.home;
            slot.target = slot.home;
            slot.session = self.nodes[slot.home as usize].engine.connect();
            slot.inflight.clear();
            slot.orphans.clear();
            slot.deadline_us = None;
            slot.retries_in_op = 0;
            slot.attempt = NO_ATTEMPT;
            slot.replies.clear();
            slot.awaiting = 0;
            slot.ops_begun = 0;
            slot.current = None;
            slot.sent_in_op = 0;
            slot.refused_in_op = 0;
            slot.writes_in_op = 0;
            slot.replies_total = 0;
            slot.state = ClientState::Running;
            slot.program.reset();
        }
        // The last run's command buffers serve this run's requests.
        for op in self.history.ops.drain(..) {
            if let Operation::Command(argv) = op.op {
                self.out.recycle(argv);
            }
        }
        self.received.clear();
        self.received.resize(self.slots.len(), Vec::new());
        self.trace.clear();
        self.schedule.clear();
        self.step = 0;
        self.visited_step = None;
        self.reconnected_in_step = false;
        self.crashes = 0;
        self.partial_ops.clear();
        self.attempts.clear();
        self.disk.reset(EPOCH_US);
        self.coverage.clear();
        self.form_cluster();
        if self.options.faults.replication.replicas > 0 {
            self.reset_replication();
        }
    }

    /// An empty store configured as the scenario says (what a server starts with).
    fn fresh_store(&self) -> Store {
        let mut store = Store::new();
        store.config.busy_reply_threshold_ms = self.options.busy_threshold_ms;
        store
    }

    /// Runs from the current state until every client is done (or the scheduler abandons
    /// the run, or `steps_max` is hit). Call [`World::reset`] before each run but the first.
    pub fn run(&mut self, scheduler: &mut dyn Scheduler) -> RunReport {
        scheduler.begin(self.seed, self.slots.len() + self.link_count());
        for client in 0..self.slots.len() {
            self.advance(client);
        }
        let report_access = scheduler.wants_access();
        let mut report = RunReport::default();
        loop {
            if self.step >= self.options.steps_max {
                report.hit_steps_max = true;
                break;
            }
            // The loop comes back to the same step after each jump of the clock; what is
            // planned for a step happens once.
            let first_visit = self.visited_step != Some(self.step);
            self.visited_step = Some(self.step);
            let faults = &self.options.faults;
            if faults.persistence != crate::fault::Persistence::None || !faults.restarts.is_empty()
            {
                self.persistence_faults(first_visit);
            }
            if !self.options.faults.clock_jumps.is_empty() {
                self.clock_jumps(first_visit);
            }
            self.admin_faults(first_visit);
            self.reshard_steps(first_visit);
            let mut next_ready = u64::MAX;
            if self.options.faults.replication.replicas > 0 {
                next_ready = self.replication_between_steps(first_visit);
            }
            let now = self.clock.now_us();
            if self.options.faults.may_retry() {
                next_ready = next_ready.min(self.fire_timeouts(now));
            }
            self.candidates.clear();
            for (i, slot) in self.slots.iter().enumerate() {
                let heads = [slot.orphans.front(), slot.inflight.front()];
                let ready = heads.iter().flatten().map(|r| r.ready_at_us).min();
                match ready {
                    Some(at) if at <= now => self.candidates.push(Candidate { client: i as u32 }),
                    Some(at) => next_ready = next_ready.min(at),
                    None => {}
                }
            }
            if self.link_count() > 0 {
                next_ready = next_ready.min(self.link_candidates(now));
            }
            if self.candidates.is_empty() {
                if next_ready == u64::MAX {
                    break;
                }
                self.clock.advance_to(next_ready);
                continue;
            }
            let Some(pick) = scheduler.pick(self.step, &self.candidates) else {
                report.abandoned = true;
                break;
            };
            let client = self.candidates[pick].client;
            self.schedule.push(client);
            if report_access {
                for node in &mut self.nodes {
                    node.engine.store.access = Some(Access::default());
                }
            }
            let link = (client as usize).checked_sub(self.slots.len());
            let went_busy = match link {
                // A replica applies a command of the stream: it changes what the readers
                // of that replica see and what WAIT counts, so it commutes with nothing.
                Some(link) => {
                    self.deliver_link(link);
                    true
                }
                None => self.deliver(client as usize),
            };
            if report_access {
                // What the step touched on any node (a key of one node and the same name on
                // another count as one resource: dependent, which is safe).
                let mut access = Access::default();
                for node in &mut self.nodes {
                    if let Some(a) = node.engine.store.access.take() {
                        access.merge(&a);
                    }
                }
                // A connection that closed in the step (a lost connection, a resend) changed
                // session state the access record does not name: it commutes with nothing.
                let reconnected = std::mem::take(&mut self.reconnected_in_step);
                access.global |= went_busy || reconnected || self.step_depends_on_position();
                access.normalise();
                scheduler.executed(&access);
            }
            self.step += 1;
        }
        report.steps = self.step;
        report.crashes = self.crashes;
        report.hung_script = self.hung_script;
        report
    }

    /// Resets for `seed` and runs with the scheduler the options name.
    pub fn run_seed(&mut self, seed: u64) -> RunReport {
        self.reset(seed);
        let mut scheduler = crate::scheduler::from_strategy(&self.options.strategy);
        self.run(&mut *scheduler)
    }

    /// Runs until the scheduler wants no more runs (the exhaustive strategy), calling
    /// `each` after every run. Returns the number of runs.
    pub fn explore(
        &mut self,
        scheduler: &mut dyn Scheduler,
        mut each: impl FnMut(&World, &RunReport),
    ) -> u64 {
        let mut runs = 0;
        loop {
            self.reset(self.seed);
            let report = self.run(scheduler);
            runs += 1;
            each(self, &report);
            if !scheduler.end() {
                return runs;
            }
        }
    }

    /// Whether the current step's effect depends on its number, not only on what it
    /// touches: admin commands placed at a later step, SCRIPT FLUSH drawn before each step,
    /// and delays or think time (what is enabled then depends on the clock, which every
    /// step moves). Such steps commute with nothing.
    fn step_depends_on_position(&self) -> bool {
        let faults = &self.options.faults;
        faults.script_flush_rate > 0.0
            || faults.timeout_us > 0
            || faults.persistence != crate::fault::Persistence::None
            || faults.restarts.iter().any(|r| r.step > self.step)
            || faults.delay_max_us > 0
            || faults.slow_rate > 0.0
            || faults.clock_jumps.iter().any(|j| j.step > self.step)
            || faults.think_max_us > 0
            || faults.admin.iter().any(|a| a.step > self.step)
            || faults.replication.link_delay_us > 0
            || faults.replication.failover_step.is_some()
            || !faults.replication.partitions.is_empty()
            || self
                .options
                .reshards
                .iter()
                .any(|r| r.close_step >= self.step)
            // A TRYAGAIN retried later makes what is enabled depend on the clock.
            || (self.options.tryagain_retry && self.options.shards > 0)
    }

    /// Executes client `client`'s next in-flight request and hands back the reply;
    /// whether it was a script that ran past the busy threshold (other clients' requests
    /// in flight then got `-BUSY`, or killed it).
    fn deliver(&mut self, client: usize) -> bool {
        let Some(request) = self.next_request(client) else {
            return false;
        };
        let time_us = self.clock.advance_us(self.options.command_cost_us);
        let runs_script = redsim::cmd::runs_script(&request.argv);
        let mut busy_max_before = 0;
        if runs_script {
            self.post_waiting(client);
            if request.session.is_none() {
                self.post_own_retry(client, &request.argv);
            }
            busy_max_before = self.clock.busy_max_ms.swap(0, Ordering::Relaxed);
        }
        let slot = &self.slots[client];
        let (node, session) = request.session.unwrap_or((slot.node, slot.session));
        let node = node as usize;
        let dirty_before = self.nodes[node].engine.store.dirty;
        let reply = self.execute_on(node, session, &request.argv);
        self.coverage.command(&request.argv, &reply);
        let dirty_after = self.nodes[node].engine.store.dirty;
        self.hand_out_messages(node);
        if self.clock.hung.swap(false, Ordering::Relaxed) {
            // The script would never have finished: its client gets no reply. What the
            // server answered others meanwhile (-BUSY, UNKILLABLE) reached them first.
            self.hung_script = true;
            self.coverage.event(Event::Hung);
            self.deliver_busy_answers();
            self.shutdown_nosave(node);
            return true;
        }
        self.stall(client);
        if request.attempt != NO_ATTEMPT && dirty_after != dirty_before {
            let attempt = &mut self.attempts[request.attempt as usize];
            attempt.wrote = true;
            attempt.dirty = dirty_after;
        }
        if request.session.is_some() {
            self.orphan_ran(client, request, time_us, reply);
            return runs_script && self.busy_after_script(busy_max_before);
        }
        if self.gave_up_meanwhile(client, &request.argv, request.attempt, time_us, &reply) {
            return runs_script && self.busy_after_script(busy_max_before);
        }
        if self.follow_redirect(client, &request.argv, &reply, time_us) {
            return runs_script && self.busy_after_script(busy_max_before);
        }
        self.note_refusal(client, &reply);
        if self.link_count() > 0 {
            if let Some(wait) = self.nodes[node].engine.take_wait(session) {
                // WAIT blocks its client until the replicas acknowledge or time is up.
                self.park(client, node, wait, request.argv);
                return false;
            }
        }
        let wrote_data = dirty_after != dirty_before;
        self.reply_arrived(client, node, request.argv, time_us, reply, wrote_data);
        runs_script && self.busy_after_script(busy_max_before)
    }

    /// After a script ran: whether it ran past the busy threshold, and the replies the
    /// host gave meanwhile handed out.
    fn busy_after_script(&mut self, busy_max_before: u64) -> bool {
        let busy_ms = self
            .clock
            .busy_max_ms
            .fetch_max(busy_max_before, Ordering::Relaxed);
        let went_busy = busy_ms >= self.options.busy_threshold_ms;
        self.deliver_busy_answers() || went_busy
    }

    /// Gives the pub/sub messages the last command on `node` published to their receivers
    /// (those for the admin connection, which subscribes to nothing, are dropped).
    pub(crate) fn hand_out_messages(&mut self, node: usize) {
        if self.nodes[node].engine.store.deliveries.is_empty() {
            return;
        }
        for (session, frame) in std::mem::take(&mut self.nodes[node].engine.store.deliveries) {
            if let Some(i) = self
                .slots
                .iter()
                .position(|s| s.session == session && s.node as usize == node)
            {
                self.received[i].push(frame);
            }
        }
    }
}
