//! The first line of a script or library: `#!lua flags=no-writes,allow-oom` (EVAL
//! scripts, Redis 7.0's `evalExtractShebangFlags`) and `#!lua name=mylib` (function
//! libraries, `functionExtractLibMetaData`). A script without a shebang runs in
//! "compatibility mode": it may write, and EVAL_RO still refuses its writes.

use crate::resp::parse::split_args;

/// Flags a script (or a registered function) may declare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ScriptFlags {
    /// No shebang: Redis's SCRIPT_FLAG_EVAL_COMPAT_MODE.
    pub(crate) compat: bool,
    pub(crate) no_writes: bool,
    pub(crate) allow_oom: bool,
    pub(crate) allow_stale: bool,
    pub(crate) no_cluster: bool,
    pub(crate) allow_cross_slot_keys: bool,
}

impl ScriptFlags {
    /// Sets the flag named `name`; false when there is no such flag.
    pub fn set(&mut self, name: &[u8]) -> bool {
        match name {
            b"no-writes" => self.no_writes = true,
            b"allow-oom" => self.allow_oom = true,
            b"allow-stale" => self.allow_stale = true,
            b"no-cluster" => self.no_cluster = true,
            b"allow-cross-slot-keys" => self.allow_cross_slot_keys = true,
            _ => return false,
        }
        true
    }

    /// The names FUNCTION LIST shows, in Redis's order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (on, name) in [
            (self.no_writes, "no-writes"),
            (self.allow_oom, "allow-oom"),
            (self.allow_stale, "allow-stale"),
            (self.no_cluster, "no-cluster"),
            (self.allow_cross_slot_keys, "allow-cross-slot-keys"),
        ] {
            if on {
                out.push(name);
            }
        }
        out
    }
}

/// The first line of `code` (without its newline) split into words as Redis splits it,
/// with `sdssplitargs`: blanks separate words, `"…"` and `'…'` quote them (`#!"lua"` is
/// `#!lua`, `name="x"` is `name=x`). `Err(())` without a newline; `Ok(None)` for bad
/// quoting. As `strchr`, the search for the newline stops at a NUL byte.
#[allow(clippy::type_complexity)]
fn first_line_words(code: &[u8]) -> Result<(Option<Vec<Vec<u8>>>, usize), ()> {
    let end = c_str(code).iter().position(|&b| b == b'\n').ok_or(())?;
    Ok((split_args(&code[..end]), end))
}

/// What C's string functions see of a word: the bytes before its first NUL.
fn c_str(word: &[u8]) -> &[u8] {
    crate::cmd::c_str(word, usize::MAX)
}

fn lossy(word: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(c_str(word))
}

/// Parses an EVAL script's shebang (`evalExtractShebangFlags`). Returns the flags and
/// the length of the shebang line (without its newline), which the compiler skips while
/// keeping line numbers.
pub(crate) fn eval_flags(body: &[u8]) -> Result<(ScriptFlags, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((
            ScriptFlags {
                compat: true,
                ..ScriptFlags::default()
            },
            0,
        ));
    }
    let Ok((parts, end)) = first_line_words(body) else {
        return Err("ERR Invalid script shebang".into());
    };
    let parts = parts.unwrap_or_default();
    let Some(engine) = parts.first() else {
        return Err("ERR Invalid engine in script shebang".into());
    };
    if c_str(engine) != b"#!lua" {
        return Err(format!(
            "ERR Unexpected engine in script shebang: {}",
            lossy(engine)
        ));
    }
    let mut flags = ScriptFlags::default();
    for part in &parts[1..] {
        if !c_str(part).starts_with(b"flags=") {
            return Err(format!("ERR Unknown lua shebang option: {}", lossy(part)));
        }
        // `sdssplitlen` on ",": nothing for an empty list, an empty flag for ",,".
        let list = &part[6..];
        if list.is_empty() {
            continue;
        }
        for flag in list.split(|&b| b == b',') {
            if !flags.set(c_str(flag)) {
                return Err(format!(
                    "ERR Unexpected flag in script shebang: {}",
                    lossy(flag)
                ));
            }
        }
    }
    Ok((flags, end))
}

/// A library's metadata line (`functionExtractLibMetaData`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct LibraryMetadata {
    /// The first word without its `#!`.
    pub engine: Vec<u8>,
    /// The library's name.
    pub name: Vec<u8>,
    /// The length of the line, without its newline.
    pub line_len: usize,
}

/// Parses a library's metadata line: `#!<engine> name=<library>`.
pub(crate) fn library_metadata(code: &[u8]) -> Result<LibraryMetadata, String> {
    if !code.starts_with(b"#!") {
        return Err("ERR Missing library metadata".into());
    }
    let Ok((Some(parts), line_len)) = first_line_words(code) else {
        return Err("ERR Invalid library metadata".into());
    };
    let Some(first) = parts.first() else {
        return Err("ERR Invalid library metadata".into());
    };
    let engine = first.get(2..).unwrap_or_default().to_vec();
    let mut name = None;
    for part in &parts[1..] {
        let head = c_str(part);
        if head.len() >= 5 && head[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "ERR Invalid metadata value, name argument was given multiple times".into(),
                );
            }
            name = Some(part[5..].to_vec());
            continue;
        }
        return Err(format!("ERR Invalid metadata value given: {}", lossy(part)));
    }
    let Some(name) = name else {
        return Err("ERR Library name was not given".into());
    };
    Ok(LibraryMetadata {
        engine,
        name,
        line_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_shebang_is_compat_mode() {
        assert!(eval_flags(b"return 1").unwrap().0.compat);
    }

    #[test]
    fn unknown_flags_are_refused() {
        assert_eq!(
            eval_flags(b"#!lua flags=bogus\nreturn 1").unwrap_err(),
            "ERR Unexpected flag in script shebang: bogus"
        );
        assert_eq!(
            eval_flags(b"#!lua name=x\nreturn 1").unwrap_err(),
            "ERR Unknown lua shebang option: name=x"
        );
        assert_eq!(
            eval_flags(b"#!python\nreturn 1").unwrap_err(),
            "ERR Unexpected engine in script shebang: #!python"
        );
    }

    #[test]
    fn the_line_is_split_with_redis_quoting() {
        let (flags, _) = eval_flags(b"#!\"lua\" flags=\"no-writes\"\nreturn 1").unwrap();
        assert!(flags.no_writes);
        assert_eq!(
            eval_flags(b"#!lua flags=\"no-writes\nreturn 1").unwrap_err(),
            "ERR Invalid engine in script shebang"
        );
        let md = library_metadata(b"#!lua NAME='my lib'\n").unwrap();
        assert_eq!((md.engine, md.name), (b"lua".to_vec(), b"my lib".to_vec()));
        assert_eq!(
            library_metadata(b"#!lua name=\"x\"y\n").unwrap_err(),
            "ERR Invalid library metadata"
        );
    }

    #[test]
    fn flags_are_read() {
        let (flags, len) = eval_flags(b"#!lua flags=no-writes,allow-oom\nreturn 1").unwrap();
        assert!(flags.no_writes && flags.allow_oom && !flags.compat);
        assert_eq!(len, 31);
    }
}
