//! Redis 7.0's access control lists (`acl.c`): users with passwords and selectors of
//! command, key and channel permissions. Engine-side state, so the simulator, scripts
//! and `redsim serve` share it.
//!
//! - `universe`: the commands rules can name, with ids and categories.
//! - `selector`: one set of permissions and the rules that change it.
//! - `user`: users and their rules; `describe`: ACL LIST's minimal command rules.

pub(crate) mod check;
mod describe;
pub(crate) mod log;
pub(crate) mod selector;
pub(crate) mod universe;
pub(crate) mod user;

pub(crate) use describe::command_rules as describe_commands;
use std::collections::BTreeMap;
use user::User;

/// Why a SETUSER rule was refused (Redis's errno values and `ACLSetUserStringError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleError {
    Syntax,
    Unknown,
    KeyAfterAll,
    ChannelAfterAll,
    NoSuchPassword,
    BadHash,
    FirstArgOfSubcommand,
}

impl RuleError {
    fn text(self) -> &'static str {
        match self {
            RuleError::Syntax => "Syntax error",
            RuleError::Unknown => "Unknown command or category name in ACL",
            RuleError::KeyAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid \
                 and does not have any effect. Try 'resetkeys' to start with an empty list \
                 of patterns"
            }
            RuleError::ChannelAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not \
                 valid and does not have any effect. Try 'resetchannels' to start with an \
                 empty list of channels"
            }
            RuleError::NoSuchPassword => {
                "The password you are trying to remove from the user does not exist"
            }
            RuleError::BadHash => {
                "The password hash must be exactly 64 characters and contain only lowercase \
                 hexadecimal characters"
            }
            RuleError::FirstArgOfSubcommand => {
                "Allowing first-arg of a subcommand is not supported"
            }
        }
    }
}

/// The users, by name (ACL USERS and ACL LIST list them in byte order, as Redis's rax).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acl {
    pub(crate) users: BTreeMap<Vec<u8>, User>,
    pub(crate) log: log::Log,
}

impl Default for Acl {
    fn default() -> Self {
        let mut users = BTreeMap::new();
        users.insert(b"default".to_vec(), User::default_user());
        Acl {
            users,
            log: log::Log::default(),
        }
    }
}

/// The text of a C string: what `%s` prints of bytes with a NUL in them.
fn c_text(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

/// `ACLMergeSelectorArguments`: joins the words of a `(…)` selector split over several
/// arguments. On an unclosed `(`, the index of the argument that opened it.
fn merge_selectors(rules: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, usize> {
    let mut merged = Vec::new();
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (i, rule) in rules.iter().enumerate() {
        if let Some((_, selector)) = open.as_mut() {
            selector.push(b' ');
            selector.extend_from_slice(rule);
            if rule.last() == Some(&b')') {
                merged.push(open.take().expect("open").1);
            }
        } else if rule.first() == Some(&b'(') && rule.last() != Some(&b')') {
            open = Some((i, rule.clone()));
        } else {
            merged.push(rule.clone());
        }
    }
    match open {
        Some((at, _)) => Err(at),
        None => Ok(merged),
    }
}

impl Acl {
    /// ACL SETUSER: applies every rule to a copy of the user (a new one if `name` is
    /// unknown) and keeps it only if all were valid (`ACLStringSetUser`). The error is
    /// Redis's text without the `ERR ` code.
    pub(crate) fn set_user(
        &mut self,
        name: &[u8],
        rules: &[Vec<u8>],
        allchannels: bool,
    ) -> Result<(), Vec<u8>> {
        let merged = merge_selectors(rules).map_err(|at| {
            let mut text = b"Unmatched parenthesis in acl selector starting at '".to_vec();
            text.extend_from_slice(c_text(&rules[at]));
            text.extend_from_slice(b"'.");
            text
        })?;
        let mut user = match self.users.get(name) {
            Some(user) => user.clone(),
            None => User::new(name, allchannels),
        };
        for rule in &merged {
            if let Err(error) = user.apply(rule, allchannels) {
                let mut text = b"Error in ACL SETUSER modifier '".to_vec();
                text.extend_from_slice(c_text(rule));
                text.extend_from_slice(b"': ");
                text.extend_from_slice(error.text().as_bytes());
                return Err(text);
            }
        }
        self.users.insert(name.to_vec(), user);
        Ok(())
    }

    /// Whether a new connection starts logged in (`clientSetDefaultAuth`): when the
    /// default user is on and needs no password.
    pub(crate) fn default_lets_in(&self) -> bool {
        self.users
            .get(&b"default"[..])
            .is_some_and(|u| u.enabled && u.nopass)
    }

    /// `ACLCheckUserCredentials`: the user exists, is on, and `password` is one of its
    /// passwords (any is, for a nopass user).
    pub(crate) fn credentials_ok(&self, name: &[u8], password: &[u8]) -> bool {
        self.users
            .get(name)
            .is_some_and(|u| u.enabled && u.password_matches(password))
    }

    /// `ACLKillPubsubClientsIfNeeded`: when a user's channel permissions lost something
    /// in a SETUSER, the channel patterns it has now (its subscribed clients must be
    /// checked against them); `None` when nothing was taken away.
    pub(crate) fn narrowed_channels(original: &User, new: &User) -> Option<Vec<Vec<u8>>> {
        if new.selectors.iter().any(|s| s.allchannels) {
            return None;
        }
        let upcoming: Vec<Vec<u8>> = new
            .selectors
            .iter()
            .flat_map(|s| s.channels.iter().cloned())
            .collect();
        let kept = original
            .selectors
            .iter()
            .all(|s| !s.allchannels && s.channels.iter().all(|c| upcoming.contains(c)));
        (!kept).then_some(upcoming)
    }

    /// The user called `name`.
    pub(crate) fn user(&self, name: &[u8]) -> Option<&User> {
        self.users.get(name)
    }

    /// `requirepass`: the default user gets exactly this password, or `nopass` when it
    /// is empty (`ACLUpdateDefaultUserPassword`).
    pub(crate) fn set_default_password(&mut self, password: &[u8]) {
        let user = self.users.get_mut(&b"default"[..]).expect("default user");
        user.apply(b"resetpass", false).expect("valid rule");
        if password.is_empty() {
            user.apply(b"nopass", false).expect("valid rule");
        } else {
            let mut rule = b">".to_vec();
            rule.extend_from_slice(password);
            user.apply(&rule, false).expect("valid rule");
        }
    }
}
