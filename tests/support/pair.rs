//! A real redis-server and a fresh engine side by side, for differential tests that send
//! the same command lines to both and compare the reply bytes.

use super::{escape, RawConn, RedisServer};
use redsim::resp::parse::split_args;
use redsim::{ClientId, Engine, ManualHost};

pub struct Pair {
    // Kept alive for as long as the connection is used.
    _server: RedisServer,
    pub real: RawConn,
    pub engine: Engine,
    pub client: ClientId,
}

impl Pair {
    /// Both sides with DEBUG enabled (`--enable-debug-command yes`), or not.
    pub fn start(debug: bool) -> Pair {
        let server = if debug {
            RedisServer::start_with(&["--enable-debug-command", "yes"])
        } else {
            RedisServer::start()
        };
        let real = server.connect();
        let mut engine = Engine::new(ManualHost::default());
        if debug {
            engine
                .store
                .config
                .set_startup("enable-debug-command", "yes");
        }
        let client = engine.connect();
        Pair {
            _server: server,
            real,
            engine,
            client,
        }
    }

    /// Sends `argv` to both; the replies (real, engine).
    pub fn call(&mut self, argv: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
        (
            self.real.call(argv),
            self.engine.execute_encoded(self.client, argv),
        )
    }

    /// Sends a command line (redis-cli syntax) to both; a description of the difference
    /// when the reply bytes differ. `label` prefixes it.
    pub fn differs(&mut self, label: &str, line: &str) -> Option<String> {
        let argv = split_args(line.as_bytes()).expect("balanced quotes");
        let (expected, got) = self.call(&argv);
        (expected != got).then(|| {
            format!(
                "{label}{line}\n  redis:  {}\n  redsim: {}",
                escape(&expected),
                escape(&got)
            )
        })
    }
}
