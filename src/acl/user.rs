//! A user: flags, password hashes and selectors (Redis's `user`), and the rules that
//! change them (`ACLSetUser`).

use super::describe::command_rules;
use super::selector::Selector;
use super::RuleError;
use crate::resp::parse::split_args;
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) name: Vec<u8>,
    /// `on` (true) or `off`.
    pub(crate) enabled: bool,
    pub(crate) nopass: bool,
    /// `sanitize-payload` (Some(true)), `skip-sanitize-payload` (Some(false)), or neither.
    pub(crate) sanitize: Option<bool>,
    /// SHA-256 hex of each password, in the order added.
    pub(crate) passwords: Vec<String>,
    /// The root selector first, then the `(…)` ones.
    pub(crate) selectors: Vec<Selector>,
}

/// SHA-256 in lowercase hex, as Redis stores passwords (`ACLHashPassword`).
pub(crate) fn hash_password(password: &[u8]) -> String {
    Sha256::digest(password)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `#hash` / `!hash`: exactly 64 lowercase hex digits.
fn checked_hash(hash: &[u8]) -> Result<String, RuleError> {
    let valid = hash.len() == 64 && hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !valid {
        return Err(RuleError::BadHash);
    }
    Ok(String::from_utf8_lossy(hash).into_owned())
}

impl User {
    /// A new user: off, no passwords, no permissions (`ACLCreateUser`).
    pub(crate) fn new(name: &[u8], allchannels: bool) -> Self {
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            sanitize: None,
            passwords: Vec::new(),
            selectors: vec![Selector::new(allchannels)],
        }
    }

    /// The `default` user: `+@all ~* &* on nopass` (`ACLCreateDefaultUser`).
    pub(crate) fn default_user() -> Self {
        let mut user = User::new(b"default", false);
        for rule in ["+@all", "~*", "&*", "on", "nopass"] {
            user.apply(rule.as_bytes(), false)
                .expect("valid default rules");
        }
        user
    }

    pub(crate) fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    /// Applies one (already merged) rule; `allchannels` is `acl-pubsub-default`.
    pub(crate) fn apply(&mut self, op: &[u8], allchannels: bool) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if op.is_empty() {
            // An empty rule does nothing.
        } else if is("on") || is("off") {
            self.enabled = is("on");
        } else if is("skip-sanitize-payload") {
            self.sanitize = Some(false);
        } else if is("sanitize-payload") {
            self.sanitize = Some(true);
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                hash_password(&op[1..])
            } else {
                checked_hash(&op[1..])?
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                hash_password(&op[1..])
            } else {
                checked_hash(&op[1..])?
            };
            let at = self.passwords.iter().position(|p| *p == hash);
            self.passwords.remove(at.ok_or(RuleError::NoSuchPassword)?);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let mut selector = Selector::new(allchannels);
            // Unbalanced quotes inside split to nothing, as `sdssplitargs` fails then.
            let inner = &op[1..op.len() - 1];
            for rule in split_args(inner).unwrap_or_default() {
                selector.apply(&rule)?;
            }
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            self.nopass = false;
            self.passwords.clear();
            let root = &mut self.selectors[0];
            root.apply(b"resetkeys")?;
            root.apply(b"resetchannels")?;
            if allchannels {
                root.apply(b"allchannels")?;
            }
            self.enabled = false;
            self.sanitize = Some(true);
            self.selectors.truncate(1);
            self.selectors[0].apply(b"-@all")?;
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// The user's rules as ACL LIST shows them after `user <name> ` (`ACLDescribeUser`).
    pub(crate) fn describe(&self) -> Vec<u8> {
        let mut text = Vec::new();
        let flags = [
            (self.enabled, "on"),
            (!self.enabled, "off"),
            (self.nopass, "nopass"),
            (self.sanitize == Some(false), "skip-sanitize-payload"),
            (self.sanitize == Some(true), "sanitize-payload"),
        ];
        for (set, name) in flags {
            if set {
                text.extend_from_slice(name.as_bytes());
                text.push(b' ');
            }
        }
        for hash in &self.passwords {
            text.push(b'#');
            text.extend_from_slice(hash.as_bytes());
            text.push(b' ');
        }
        for (i, selector) in self.selectors.iter().enumerate() {
            if i == 0 {
                text.extend(describe_selector(selector));
            } else {
                text.extend_from_slice(b" (");
                text.extend(describe_selector(selector));
                text.push(b')');
            }
        }
        text
    }

    /// The flags ACL GETUSER lists, in Redis's order.
    pub(crate) fn flag_names(&self) -> Vec<&'static str> {
        let mut names = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            names.push("nopass");
        }
        match self.sanitize {
            Some(false) => names.push("skip-sanitize-payload"),
            Some(true) => names.push("sanitize-payload"),
            None => {}
        }
        names
    }

    /// Whether `password` logs in as this user (`ACLCheckUserCredentials`, the user
    /// being enabled aside).
    pub(crate) fn password_matches(&self, password: &[u8]) -> bool {
        self.nopass || self.passwords.contains(&hash_password(password))
    }
}

/// `ACLDescribeSelector`: keys, channels, then the command rules.
fn describe_selector(selector: &Selector) -> Vec<u8> {
    let mut text = Vec::new();
    if selector.allkeys {
        text.extend_from_slice(b"~* ");
    } else {
        for pattern in &selector.patterns {
            text.extend(pattern.describe());
            text.push(b' ');
        }
    }
    if selector.allchannels {
        text.extend_from_slice(b"&* ");
    } else {
        text.extend_from_slice(b"resetchannels ");
        for channel in &selector.channels {
            text.push(b'&');
            text.extend_from_slice(channel);
            text.push(b' ');
        }
    }
    text.extend(command_rules(selector));
    text
}
