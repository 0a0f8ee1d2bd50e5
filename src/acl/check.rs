//! Whether a user may run a command line (Redis's `ACLCheckAllUserCommandPerm`): the
//! command (or one of its allowed first arguments), every key with the access its key
//! spec says (read for `access`, write for `insert` / `delete` / `update`), and every
//! channel it publishes or subscribes to. One selector allowing all of it is enough.

use super::selector::Selector;
use super::universe::universe;
use super::user::User;
use crate::cmd::glob;
use crate::cmd::key_spec::key_flags;
use crate::cmd::{flags, CommandSpec};

/// Why a command was refused; in Redis's order of precedence (a later reason wins
/// over an earlier one when selectors disagree). The positions index argv.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Denied {
    Command,
    Key(usize),
    Channel(usize),
}

/// The channels a command names and whether each is a pattern (`getChannelsFromCommand`,
/// for the publish and subscribe flags ACLs check).
fn channels_of(name: &str, argv: &[Vec<u8>]) -> Vec<(usize, bool)> {
    match name {
        "publish" | "spublish" => vec![(1, false)],
        "subscribe" | "ssubscribe" => (1..argv.len()).map(|i| (i, false)).collect(),
        "psubscribe" => (1..argv.len()).map(|i| (i, true)).collect(),
        _ => Vec::new(),
    }
}

/// Whether `channel` passes `selector`: a name is matched against the patterns, a
/// pattern (PSUBSCRIBE's) only literally.
pub(crate) fn channel_allowed(selector: &Selector, channel: &[u8], is_pattern: bool) -> bool {
    selector.allchannels
        || selector.channels.iter().any(|allowed| {
            if is_pattern {
                allowed[..] == *channel
            } else {
                glob::matches(allowed, channel, false)
            }
        })
}

fn key_allowed(selector: &Selector, key: &[u8], spec_flags: u16) -> bool {
    if selector.allkeys {
        return true;
    }
    let read = spec_flags & key_flags::ACCESS != 0;
    let write = spec_flags & (key_flags::INSERT | key_flags::DELETE | key_flags::UPDATE) != 0;
    selector
        .patterns
        .iter()
        .any(|p| (p.read || !read) && (p.write || !write) && glob::matches(&p.pattern, key, false))
}

/// `ACLSelectorCheckCmd`.
fn check_selector(
    selector: &Selector,
    target: &CommandSpec,
    id: Option<usize>,
    is_sub: bool,
    argv: &[Vec<u8>],
    keys: &[(usize, u16)],
) -> Result<(), Denied> {
    if !selector.allcommands && !target.has(flags::NO_AUTH) {
        let allowed = id.is_some_and(|id| selector.allowed.get(id));
        if !allowed {
            let first_arg = argv.get(if is_sub { 2 } else { 1 });
            let by_first_arg = match (id.and_then(|id| selector.first_args.get(&id)), first_arg) {
                (Some(list), Some(arg)) if argv.len() >= 2 => {
                    list.iter().any(|a| a.eq_ignore_ascii_case(arg))
                }
                _ => false,
            };
            if !by_first_arg {
                return Err(Denied::Command);
            }
        }
    }
    if !selector.allkeys {
        for &(at, spec_flags) in keys {
            if !key_allowed(selector, &argv[at], spec_flags) {
                return Err(Denied::Key(at));
            }
        }
    }
    if !selector.allchannels {
        for (at, is_pattern) in channels_of(target.name, argv) {
            if !channel_allowed(selector, &argv[at], is_pattern) {
                return Err(Denied::Channel(at));
            }
        }
    }
    Ok(())
}

/// Whether `user` may run `argv` (resolved to `spec` / `sub`). When no selector allows
/// it, the reason: the command unless some selector got past it, then the last key or
/// channel refused.
pub(crate) fn check(
    user: &User,
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
    argv: &[Vec<u8>],
) -> Result<(), Denied> {
    // The default user's case, and any user's with an unrestricted selector.
    if user
        .selectors
        .iter()
        .any(|s| s.allcommands && s.allkeys && s.allchannels)
    {
        return Ok(());
    }
    let target = sub.unwrap_or(spec);
    let id = universe().id_of(spec, sub);
    let keys = crate::cmd::keys_for_acl(spec, sub, argv);
    let mut worst = Denied::Command;
    for selector in &user.selectors {
        match check_selector(selector, target, id, sub.is_some(), argv, &keys) {
            Ok(()) => return Ok(()),
            Err(denied) => {
                let rank = |d: Denied| match d {
                    Denied::Command => (0, 0),
                    Denied::Key(at) => (1, at),
                    Denied::Channel(at) => (2, at),
                };
                if rank(denied) > rank(worst) {
                    worst = denied;
                }
            }
        }
    }
    Err(worst)
}

/// Whether a selector that allows `argv` also allows reading any key: `allkeys`, or a
/// `~*` / `%R~*` pattern.
pub(crate) fn reads_every_key(user: &User, spec: &'static CommandSpec, argv: &[Vec<u8>]) -> bool {
    let id = universe().id_of(spec, None);
    let keys = crate::cmd::keys_for_acl(spec, None, argv);
    user.selectors.iter().any(|selector| {
        check_selector(selector, spec, id, false, argv, &keys).is_ok()
            && (selector.allkeys
                || selector
                    .patterns
                    .iter()
                    .any(|p| p.read && p.pattern == b"*"))
    })
}
