//! The configuration parameters redsim honours (CONFIG GET/SET), with Redis 7.0's
//! compiled-in defaults (no config file).

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// `busy-reply-threshold` (alias `lua-time-limit`), milliseconds.
    pub busy_reply_threshold_ms: u64,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub list_max_listpack_size: i64,
    pub maxmemory: u64,
    /// DEBUG SET-ACTIVE-EXPIRE, recorded; redsim has no background expiry cycle, so
    /// expired keys are only removed when accessed either way.
    pub active_expire_enabled: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            busy_reply_threshold_ms: 5000,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            maxmemory: 0,
            active_expire_enabled: true,
        }
    }
}

/// How a parameter's value is written and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An integer between the bounds (inclusive).
    Integer { min: i64, max: i64 },
    /// A memory amount (`100mb`, `1gb`, bytes), unsigned.
    Memory,
    /// A value redsim cannot change: what it does is fixed (it never writes RDB or AOF
    /// files). CONFIG SET accepts the same value and refuses any other as Redis refuses
    /// an immutable parameter.
    Fixed(&'static str),
}

/// One parameter as CONFIG sees it: its name, its alias, its kind.
pub struct Param {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub kind: Kind,
    get: fn(&Config) -> i64,
    set: fn(&mut Config, i64),
}

const SIZE: Kind = Kind::Integer {
    min: 0,
    max: i64::MAX,
};

/// The parameters, in the order CONFIG GET lists them.
pub static PARAMS: &[Param] = &[
    Param {
        name: "busy-reply-threshold",
        alias: Some("lua-time-limit"),
        kind: SIZE,
        get: |c| c.busy_reply_threshold_ms as i64,
        set: |c, v| c.busy_reply_threshold_ms = v as u64,
    },
    Param {
        name: "hash-max-listpack-entries",
        alias: Some("hash-max-ziplist-entries"),
        kind: SIZE,
        get: |c| c.hash_max_listpack_entries as i64,
        set: |c, v| c.hash_max_listpack_entries = v as usize,
    },
    Param {
        name: "hash-max-listpack-value",
        alias: Some("hash-max-ziplist-value"),
        kind: SIZE,
        get: |c| c.hash_max_listpack_value as i64,
        set: |c, v| c.hash_max_listpack_value = v as usize,
    },
    Param {
        name: "set-max-intset-entries",
        alias: None,
        kind: SIZE,
        get: |c| c.set_max_intset_entries as i64,
        set: |c, v| c.set_max_intset_entries = v as usize,
    },
    Param {
        name: "zset-max-listpack-entries",
        alias: Some("zset-max-ziplist-entries"),
        kind: SIZE,
        get: |c| c.zset_max_listpack_entries as i64,
        set: |c, v| c.zset_max_listpack_entries = v as usize,
    },
    Param {
        name: "zset-max-listpack-value",
        alias: Some("zset-max-ziplist-value"),
        kind: SIZE,
        get: |c| c.zset_max_listpack_value as i64,
        set: |c, v| c.zset_max_listpack_value = v as usize,
    },
    Param {
        name: "list-max-listpack-size",
        alias: Some("list-max-ziplist-size"),
        kind: Kind::Integer {
            min: i32::MIN as i64,
            max: i32::MAX as i64,
        },
        get: |c| c.list_max_listpack_size,
        set: |c, v| c.list_max_listpack_size = v,
    },
    Param {
        name: "maxmemory",
        alias: None,
        kind: Kind::Memory,
        get: |c| c.maxmemory as i64,
        set: |c, v| c.maxmemory = v as u64,
    },
    // No persistence: as a redis-server started with `--save '' --appendonly no`.
    // redis-benchmark and client test suites read these two.
    Param {
        name: "save",
        alias: None,
        kind: Kind::Fixed(""),
        get: |_| 0,
        set: |_, _| {},
    },
    Param {
        name: "appendonly",
        alias: None,
        kind: Kind::Fixed("no"),
        get: |_| 0,
        set: |_, _| {},
    },
];

impl Param {
    /// The value as CONFIG GET prints it.
    pub fn value(&self, config: &Config) -> String {
        let v = (self.get)(config);
        match self.kind {
            Kind::Memory => (v as u64).to_string(),
            Kind::Integer { .. } => v.to_string(),
            Kind::Fixed(value) => value.to_string(),
        }
    }

    /// Parses `text` for this parameter: the value, or the reason Redis gives.
    pub fn parse(&self, text: &[u8]) -> Result<i64, String> {
        match self.kind {
            Kind::Integer { min, max } => {
                let text = std::str::from_utf8(text).map_err(|_| COULDNT_PARSE.to_string())?;
                let v: i64 = crate::cmd::args::parse_i64(text.as_bytes()).ok_or(COULDNT_PARSE)?;
                if v < min || v > max {
                    return Err(format!(
                        "argument must be between {min} and {max} inclusive"
                    ));
                }
                Ok(v)
            }
            Kind::Memory => parse_memory(text)
                .map(|v| v as i64)
                .ok_or_else(|| "argument must be a memory value".into()),
            Kind::Fixed(value) if text.eq_ignore_ascii_case(value.as_bytes()) => Ok(0),
            Kind::Fixed(_) => Err("can't set immutable config".into()),
        }
    }

    pub fn apply(&self, config: &mut Config, value: i64) {
        (self.set)(config, value)
    }
}

const COULDNT_PARSE: &str = "argument couldn't be parsed into an integer";

/// Redis's `memtoull`: digits with an optional unit (b, k, kb, m, mb, g, gb; k = 1000,
/// kb = 1024), case-insensitive.
pub fn parse_memory(text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?.to_ascii_lowercase();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let multiplier: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.is_empty() {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(multiplier)
}

/// The parameter called `name` (or by its alias), case-insensitively.
pub fn find(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| {
        name.eq_ignore_ascii_case(p.name.as_bytes())
            || p.alias
                .is_some_and(|a| name.eq_ignore_ascii_case(a.as_bytes()))
    })
}
