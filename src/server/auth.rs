//! Who may talk to the server: protected mode, `maxclients` and `requirepass` with AUTH,
//! as Redis 7.0 does them for the default user.
//!
//! - Protected mode (on by default): with no password set, connections from outside the
//!   loopback interface get `-DENIED …` and are closed.
//! - `maxclients` (10000 by default): one connection more gets
//!   `-ERR max number of clients reached` and is closed.
//! - `requirepass`: until AUTH (or HELLO … AUTH) succeeds, a connection may only run
//!   commands flagged `no-auth` (AUTH, HELLO, QUIT…); others get `-NOAUTH …`, and its
//!   requests may not announce more than 10 arguments or 16 KB per argument.

use crate::cmd::{flags, resolve, Resolved};
use crate::resp::Reply;
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
const NOAUTH: &str = "NOAUTH Authentication required.";
const NOAUTH_HELLO: &str = "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the \
same time";
use crate::cmd::connection::{NO_PASSWORD, WRONGPASS};

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

/// What the server does with a request before the engine sees it.
#[derive(Debug, PartialEq)]
pub(crate) enum Gate {
    /// Run it on the engine as it is.
    Run,
    /// Run this instead (HELLO with its AUTH option taken out, once checked).
    RunInstead(Vec<Vec<u8>>),
    /// The server answers it.
    Answer(Reply),
}

fn password_matches(requirepass: &[u8], user: &[u8], password: &[u8]) -> bool {
    user == b"default" && password == requirepass
}

/// AUTH [username] password, HELLO … AUTH username password, and the NOAUTH wall.
/// `authenticated` turns true on a successful AUTH.
pub(crate) fn gate(requirepass: Option<&[u8]>, authenticated: &mut bool, argv: &[Vec<u8>]) -> Gate {
    let Some(name) = argv.first() else {
        return Gate::Run;
    };
    if name.eq_ignore_ascii_case(b"auth") {
        if argv.len() < 2 {
            return Gate::Answer(crate::cmd::wrong_arity("auth"));
        }
        if argv.len() > 3 {
            return Gate::Answer(Reply::error("ERR syntax error"));
        }
        let Some(requirepass) = requirepass else {
            return Gate::Answer(if argv.len() == 2 {
                Reply::error(NO_PASSWORD)
            } else {
                check(None, argv)
            });
        };
        let reply = check(Some(requirepass), argv);
        if reply == Reply::ok() {
            *authenticated = true;
        }
        return Gate::Answer(reply);
    }
    let Some(requirepass) = requirepass else {
        return Gate::Run;
    };
    if name.eq_ignore_ascii_case(b"hello") {
        return hello(requirepass, authenticated, argv);
    }
    if *authenticated {
        return Gate::Run;
    }
    match resolve(argv) {
        Resolved::Refused(error) => Gate::Answer(error),
        Resolved::Found(spec, _) if spec.has(flags::NO_AUTH) => Gate::Run,
        Resolved::Found(..) => Gate::Answer(Reply::error(NOAUTH)),
    }
}

/// Whether the gate answered `argv` as the command itself (AUTH or HELLO run and
/// replied) rather than refused it before it ran (arity, NOAUTH, unknown command).
pub(crate) fn ran_as_command(argv: &[Vec<u8>]) -> bool {
    argv.first().is_some_and(|name| {
        (name.eq_ignore_ascii_case(b"auth") && argv.len() >= 2)
            || name.eq_ignore_ascii_case(b"hello")
    })
}

/// Checks `AUTH password` or `AUTH user password` against the default user's password.
fn check(requirepass: Option<&[u8]>, argv: &[Vec<u8>]) -> Reply {
    let (user, password) = match argv.len() {
        2 => (&b"default"[..], &argv[1][..]),
        _ => (&argv[1][..], &argv[2][..]),
    };
    match requirepass {
        Some(expected) if password_matches(expected, user, password) => Reply::ok(),
        // With no password every password works for `default` (the nopass user).
        None if user == b"default" => Reply::ok(),
        _ => Reply::error(WRONGPASS),
    }
}

/// HELLO [protover [AUTH user pass] [SETNAME name]]: checks and removes the AUTH option.
fn hello(requirepass: &[u8], authenticated: &mut bool, argv: &[Vec<u8>]) -> Gate {
    let auth_at = argv
        .iter()
        .enumerate()
        .skip(2)
        .find(|(_, a)| a.eq_ignore_ascii_case(b"auth"))
        .map(|(i, _)| i);
    let Some(at) = auth_at.filter(|at| at + 2 < argv.len()) else {
        return if *authenticated {
            Gate::Run
        } else {
            Gate::Answer(Reply::error(NOAUTH_HELLO))
        };
    };
    if !password_matches(requirepass, &argv[at + 1], &argv[at + 2]) {
        return Gate::Answer(Reply::error(WRONGPASS));
    }
    *authenticated = true;
    let mut rest = argv[..at].to_vec();
    rest.extend_from_slice(&argv[at + 3..]);
    Gate::RunInstead(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn protected_mode_refuses_only_outsiders_without_a_password() {
        let outside: IpAddr = "10.1.2.3".parse().expect("ip");
        let loopback: IpAddr = "127.0.0.1".parse().expect("ip");
        assert!(protected_mode_refuses(true, None, outside));
        assert!(!protected_mode_refuses(true, None, loopback));
        assert!(!protected_mode_refuses(true, Some(b"pw"), outside));
        assert!(!protected_mode_refuses(false, None, outside));
    }

    #[test]
    fn commands_wait_for_auth_when_a_password_is_set() {
        let mut authed = false;
        let pw = Some(&b"secret"[..]);
        assert_eq!(
            gate(pw, &mut authed, &argv(&["GET", "k"])),
            Gate::Answer(Reply::error(NOAUTH))
        );
        assert_eq!(
            gate(pw, &mut authed, &argv(&["AUTH", "wrong"])),
            Gate::Answer(Reply::error(WRONGPASS))
        );
        assert_eq!(
            gate(pw, &mut authed, &argv(&["AUTH", "nobody", "secret"])),
            Gate::Answer(Reply::error(WRONGPASS))
        );
        assert!(!authed);
        assert_eq!(
            gate(pw, &mut authed, &argv(&["QUIT"])),
            Gate::Run,
            "QUIT is no-auth"
        );
        assert_eq!(
            gate(pw, &mut authed, &argv(&["AUTH", "default", "secret"])),
            Gate::Answer(Reply::ok())
        );
        assert!(authed);
        assert_eq!(gate(pw, &mut authed, &argv(&["GET", "k"])), Gate::Run);
    }

    #[test]
    fn auth_without_a_password_configured_is_refused_as_redis_does() {
        let mut authed = true;
        assert_eq!(
            gate(None, &mut authed, &argv(&["AUTH", "x"])),
            Gate::Answer(Reply::error(NO_PASSWORD))
        );
        assert_eq!(
            gate(None, &mut authed, &argv(&["AUTH", "default", "x"])),
            Gate::Answer(Reply::ok())
        );
        assert_eq!(
            gate(None, &mut authed, &argv(&["AUTH", "a", "b", "c"])),
            Gate::Answer(Reply::error("ERR syntax error"))
        );
        assert!(matches!(
            gate(None, &mut authed, &argv(&["AUTH"])),
            Gate::Answer(Reply::Error(_))
        ));
    }

    #[test]
    fn hello_auth_authenticates_and_is_passed_on_without_credentials() {
        let mut authed = false;
        let pw = Some(&b"secret"[..]);
        assert_eq!(
            gate(pw, &mut authed, &argv(&["HELLO", "3"])),
            Gate::Answer(Reply::error(NOAUTH_HELLO))
        );
        let gated = gate(
            pw,
            &mut authed,
            &argv(&["HELLO", "3", "AUTH", "default", "secret", "SETNAME", "n"]),
        );
        assert_eq!(
            gated,
            Gate::RunInstead(argv(&["HELLO", "3", "SETNAME", "n"]))
        );
        assert!(authed);
    }
}
