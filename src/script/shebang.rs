//! The first line of a script or library: `#!lua flags=no-writes,allow-oom` (EVAL
//! scripts, Redis 7.0's `evalExtractShebangFlags`) and `#!lua name=mylib` (function
//! libraries, `functionExtractLibMetaData`). A script without a shebang runs in
//! "compatibility mode": it may write, and EVAL_RO still refuses its writes.

/// Flags a script (or a registered function) may declare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScriptFlags {
    /// No shebang: Redis's SCRIPT_FLAG_EVAL_COMPAT_MODE.
    pub compat: bool,
    pub no_writes: bool,
    pub allow_oom: bool,
    pub allow_stale: bool,
    pub no_cluster: bool,
    pub allow_cross_slot_keys: bool,
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

/// Splits the shebang line into words on blanks (Redis uses `sdssplitargs`; redsim
/// does not support quoting inside a shebang).
fn words(line: &[u8]) -> Vec<&[u8]> {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Parses an EVAL script's shebang. Returns the flags and the length of the shebang
/// line (without its newline), which the compiler skips while keeping line numbers.
pub fn eval_flags(body: &[u8]) -> Result<(ScriptFlags, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((
            ScriptFlags {
                compat: true,
                ..ScriptFlags::default()
            },
            0,
        ));
    }
    let Some(end) = body.iter().position(|&b| b == b'\n') else {
        return Err("ERR Invalid script shebang".into());
    };
    let parts = words(&body[..end]);
    let Some(engine) = parts.first() else {
        return Err("ERR Invalid engine in script shebang".into());
    };
    if *engine != b"#!lua" {
        return Err(format!(
            "ERR Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(engine)
        ));
    }
    let mut flags = ScriptFlags::default();
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(format!(
                "ERR Unknown lua shebang option: {}",
                String::from_utf8_lossy(part)
            ));
        };
        if list.is_empty() {
            continue;
        }
        for flag in list.split(|&b| b == b',') {
            if !flags.set(flag) {
                return Err(format!(
                    "ERR Unexpected flag in script shebang: {}",
                    String::from_utf8_lossy(flag)
                ));
            }
        }
    }
    Ok((flags, end))
}

/// Parses a library's metadata line: the engine (after `#!`), the library name, and
/// the length of the line.
pub fn library_metadata(code: &[u8]) -> Result<(String, String, usize), String> {
    if !code.starts_with(b"#!") {
        return Err("ERR Missing library metadata".into());
    }
    let Some(end) = code.iter().position(|&b| b == b'\n') else {
        return Err("ERR Invalid library metadata".into());
    };
    let parts = words(&code[..end]);
    let Some(engine) = parts.first() else {
        return Err("ERR Invalid library metadata".into());
    };
    let engine = String::from_utf8_lossy(&engine[2..]).into_owned();
    let mut name = None;
    for part in &parts[1..] {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "ERR Invalid metadata value, name argument was given multiple times".into(),
                );
            }
            name = Some(String::from_utf8_lossy(&part[5..]).into_owned());
            continue;
        }
        return Err(format!(
            "ERR Invalid metadata value given: {}",
            String::from_utf8_lossy(part)
        ));
    }
    let Some(name) = name else {
        return Err("ERR Library name was not given".into());
    };
    Ok((engine, name, end))
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
    fn flags_are_read() {
        let (flags, len) = eval_flags(b"#!lua flags=no-writes,allow-oom\nreturn 1").unwrap();
        assert!(flags.no_writes && flags.allow_oom && !flags.compat);
        assert_eq!(len, 31);
    }
}
