//! The engine's busy policy (`redsim::busy`), driven through a host that hands the busy
//! script other clients' requests at its first tick, as the server and the simulator do
//! past `busy-reply-threshold`. Deterministic: no server, no clock.

use redsim::{BusyReply, BusyRequest, BusyScript, ClientId, Engine, Host, ManualHost, Reply};
use std::sync::{Arc, Mutex};

/// A host that serves `requests` at the script's first tick and keeps the answers.
struct Handing {
    inner: ManualHost,
    requests: Vec<BusyRequest>,
    answers: Arc<Mutex<Vec<Reply>>>,
}

impl Host for Handing {
    fn now_us(&mut self) -> u64 {
        self.inner.now_us()
    }

    fn random_u64(&mut self) -> u64 {
        self.inner.random_u64()
    }

    fn busy_requests(&mut self, _busy: &BusyScript) -> Vec<BusyRequest> {
        std::mem::take(&mut self.requests)
    }

    fn busy_reply(&mut self, _ticket: u64, reply: BusyReply) {
        self.answers.lock().unwrap().push(reply.reply);
    }
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// Runs `script` on one client while `commands` of another arrive; returns the script's
/// reply, the answers, and the engine with the other client.
fn while_busy(script: &[&str], commands: &[&[&str]]) -> (Reply, Vec<Reply>, Engine, ClientId) {
    let answers = Arc::new(Mutex::new(Vec::new()));
    let mut engine = Engine::new(ManualHost::default());
    let runner = engine.connect();
    let other = engine.connect();
    let requests = commands
        .iter()
        .enumerate()
        .map(|(i, c)| BusyRequest {
            ticket: i as u64,
            client: Some(other),
            argv: argv(c),
        })
        .collect();
    let host = Handing {
        inner: ManualHost::default(),
        requests,
        answers: answers.clone(),
    };
    engine.host = Box::new(host);
    let reply = engine.execute(runner, &argv(script));
    let answers = answers.lock().unwrap().clone();
    (reply, answers, engine, other)
}

const SPIN: &[&str] = &["EVAL", "for i = 1, 30000 do end return 'done'", "0"];

#[test]
fn allow_busy_commands_run_and_others_are_busy() {
    let (reply, answers, mut engine, other) = while_busy(
        SPIN,
        &[
            &["PING"],
            &["MULTI"],
            &["SET", "a", "1"],
            &["HELLO", "3"],
            &["EXEC"],
            &["WATCH", "x"],
            &["NOSUCH"],
        ],
    );
    assert_eq!(reply, Reply::bulk("done"));
    let busy =
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    assert_eq!(answers[0], Reply::error(busy));
    assert_eq!(answers[1], Reply::ok());
    assert_eq!(answers[2], Reply::error(busy));
    assert_eq!(
        answers[3],
        Reply::simple("QUEUED"),
        "HELLO is queued in MULTI"
    );
    assert_eq!(
        answers[4],
        Reply::error(format!(
            "EXECABORT Transaction discarded because of: {busy}"
        ))
    );
    assert_eq!(answers[5], Reply::ok(), "WATCH runs");
    assert!(answers[6]
        .error_text()
        .unwrap()
        .starts_with(b"ERR unknown command 'NOSUCH'"));
    assert!(engine.store.session(other).multi.is_none());
    assert_eq!(engine.store.session(other).watched.len(), 1);
    assert_eq!(engine.call(other, &["GET", "a"]), Reply::Null);
}

#[test]
fn script_kill_from_the_policy_stops_a_script_that_has_not_written() {
    let (reply, answers, ..) = while_busy(
        &["EVAL", "while true do end", "0"],
        &[&["FUNCTION", "KILL"], &["SCRIPT", "KILL"]],
    );
    assert_eq!(
        answers,
        vec![
            Reply::error(
                "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
            ),
            Reply::ok()
        ]
    );
    assert!(reply
        .error_text()
        .unwrap()
        .starts_with(b"ERR Script killed by user with SCRIPT KILL..."));
}

#[test]
fn a_script_that_wrote_is_unkillable() {
    let (reply, answers, ..) = while_busy(
        &[
            "EVAL",
            "redis.call('set', 'w', 1) for i = 1, 30000 do end return 1",
            "0",
        ],
        &[&["SCRIPT", "KILL"]],
    );
    assert_eq!(reply, Reply::Integer(1));
    assert!(answers[0].error_text().unwrap().starts_with(b"UNKILLABLE"));
}
