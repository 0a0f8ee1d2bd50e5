//! Clients written in Rust, for tests: `conn.call(&["INCR", "k"])` returns the reply,
//! while the simulator interleaves the call with the other clients.
//!
//! The body runs on its own thread, but never concurrently with the world: the world
//! hands control over with each reply and waits for the body's next call (or its end),
//! so exactly one of them runs at a time and the run stays deterministic. Each `call` is
//! one operation in the history. A crash makes the pending `call` unwind the body's
//! thread quietly.

use super::{Argv, Outbox, Outcome, Program, Progress};
use crate::history::Operation;
use redsim::Reply;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A client body: runs once per run with a connection.
pub(crate) type Body = Arc<dyn Fn(&mut Conn) + Send + Sync>;

enum Msg {
    Call(Argv),
    Finished,
    Panicked(String),
}

/// The connection a Rust client body talks through.
pub struct Conn {
    client: u32,
    to_world: Sender<Msg>,
    from_world: Receiver<Reply>,
}

/// Unwinds a body whose client crashed.
struct Crashed;

impl Conn {
    /// Sends one command and waits for its reply (a scheduling point).
    pub fn call<S: AsRef<[u8]>>(&mut self, argv: &[S]) -> Reply {
        let argv: Argv = argv.iter().map(|a| a.as_ref().to_vec()).collect();
        if self.to_world.send(Msg::Call(argv)).is_err() {
            std::panic::resume_unwind(Box::new(Crashed));
        }
        match self.from_world.recv() {
            Ok(reply) => reply,
            Err(_) => std::panic::resume_unwind(Box::new(Crashed)),
        }
    }

    /// This client's index in the scenario.
    pub fn client(&self) -> u32 {
        self.client
    }
}

struct Worker {
    to_body: Sender<Reply>,
    from_body: Receiver<Msg>,
    handle: JoinHandle<()>,
}

/// A client whose program is a Rust closure (see [`Conn`]).
pub struct RustClient {
    body: Body,
    client: u32,
    worker: Option<Worker>,
    pending: Option<Argv>,
}

impl RustClient {
    /// Client number `client` running `body`.
    pub fn new(body: Body, client: u32) -> RustClient {
        RustClient {
            body,
            client,
            worker: None,
            pending: None,
        }
    }

    fn spawn(&mut self) {
        let (to_world, from_body) = channel();
        let (to_body, from_world) = channel();
        let body = self.body.clone();
        let client = self.client;
        let handle = std::thread::spawn(move || {
            let mut conn = Conn {
                client,
                to_world: to_world.clone(),
                from_world,
            };
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&mut conn)));
            let msg = match run {
                Ok(()) => Msg::Finished,
                Err(payload) if payload.is::<Crashed>() => return,
                Err(payload) => Msg::Panicked(
                    payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default(),
                ),
            };
            let _ = to_world.send(msg);
        });
        self.worker = Some(Worker {
            to_body,
            from_body,
            handle,
        });
    }

    fn stop(&mut self) {
        self.pending = None;
        if let Some(worker) = self.worker.take() {
            drop(worker.to_body);
            drop(worker.from_body);
            let _ = worker.handle.join();
        }
    }
}

impl Program for RustClient {
    fn reset(&mut self) {
        self.stop();
    }

    fn begin(&mut self, op: u32) -> Option<Operation> {
        if op == 0 {
            self.stop();
            self.spawn();
        }
        let worker = self.worker.as_ref()?;
        match worker.from_body.recv() {
            Ok(Msg::Call(argv)) => {
                self.pending = Some(argv.clone());
                Some(Operation::Command(argv))
            }
            Ok(Msg::Panicked(message)) => {
                self.stop();
                panic!("rust client {} panicked: {message}", self.client);
            }
            Ok(Msg::Finished) | Err(_) => {
                self.stop();
                None
            }
        }
    }

    fn resume(&mut self, replies: &mut Vec<Reply>, out: &mut Outbox) -> Progress {
        if let Some(argv) = self.pending.take() {
            out.push(argv);
            return Progress::Sent;
        }
        let reply = replies.pop().unwrap_or(Reply::Null);
        replies.clear();
        if let Some(worker) = &self.worker {
            let _ = worker.to_body.send(reply.clone());
        }
        Progress::Done(Outcome::ok(reply))
    }

    fn crash(&mut self, _unsent: usize, _replies: &[Reply]) -> Vec<super::Recorded> {
        self.stop();
        Vec::new()
    }
}

impl Drop for RustClient {
    fn drop(&mut self) {
        self.stop();
    }
}
