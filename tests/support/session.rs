//! One client on a fresh engine, for tests that compare each command's reply bytes with
//! what redis-server 7.0.15 answered for the same sequence.

use redsim::{Engine, ManualHost, Protocol};

/// A fresh engine and one connected client (RESP2, or RESP3 after HELLO 3).
pub struct Session {
    pub engine: Engine,
    pub client: redsim::ClientId,
}

impl Session {
    pub fn new(resp3: bool) -> Self {
        let mut engine = Engine::new(ManualHost::default());
        let client = engine.connect();
        if resp3 {
            engine.store.session_mut(client).protocol = Protocol::Resp3;
        }
        Session { engine, client }
    }

    /// Runs `argv` and asserts the encoded reply is exactly `expected`.
    pub fn run(&mut self, argv: &[&str], expected: &[u8]) {
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        let got = self.engine.execute_encoded(self.client, &argv);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected),
            "reply to {argv:?}"
        );
    }
}
