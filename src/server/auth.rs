//! Who may connect to the server: protected mode and `maxclients`, as Redis 7.0 does them.
//!
//! - Protected mode (on by default): with no password set, connections from outside the
//!   loopback interface get `-DENIED …` and are closed.
//! - `maxclients` (10000 by default): one connection more gets
//!   `-ERR max number of clients reached` and is closed.
//!
//! Logging in (AUTH, HELLO AUTH, the NOAUTH wall) is the engine's, with its ACL users
//! (`cmd/connection.rs`); until a connection is logged in, its requests may not announce
//! more than 10 arguments or 16 KB per argument.

use std::net::IpAddr;

pub(crate) const DENIED: &str = "DENIED Redis is running in protected mode because protected mode is enabled and no \
password is set for the default user. In this mode connections are only accepted from the loopback interface. If \
you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable \
protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to \
Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet \
if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected \
mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting \
the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' \
option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above \
things in order for the server to start accepting connections from the outside.";
pub(crate) const MAX_CLIENTS: &str = "ERR max number of clients reached";
/// Whether protected mode refuses a peer. Redis 7.0 accepts exactly 127.0.0.1 and ::1
/// then (`islocalClient` compares the address text).
pub(crate) fn protected_mode_refuses(
    protected_mode: bool,
    requirepass: Option<&[u8]>,
    peer: IpAddr,
) -> bool {
    let local =
        peer == IpAddr::from([127, 0, 0, 1]) || peer == IpAddr::from(std::net::Ipv6Addr::LOCALHOST);
    protected_mode && requirepass.is_none() && !local
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_mode_refuses_only_outsiders_without_a_password() {
        let outside: IpAddr = "10.1.2.3".parse().expect("ip");
        let loopback: IpAddr = "127.0.0.1".parse().expect("ip");
        assert!(protected_mode_refuses(true, None, outside));
        assert!(!protected_mode_refuses(true, None, loopback));
        assert!(!protected_mode_refuses(true, Some(b"pw"), outside));
        assert!(!protected_mode_refuses(false, None, outside));
    }
}
